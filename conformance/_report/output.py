"""The end of a command-line run: write the reports, print the summary, give the exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from conformance._errors import UsageError
from conformance._report.console import print_summary
from conformance._report.github import publish
from conformance._report.writers import write_reports

if TYPE_CHECKING:
    from pathlib import Path

    from conformance._report.findings import Report

__all__ = ["finish"]


def finish(report: Report, report_dir: Path) -> int:
    """Write the reports, print the summary (and GitHub Actions' output), return the exit code."""
    try:
        paths = write_reports(report, report_dir)
    except OSError as error:
        raise UsageError(
            f"cannot write reports to --report-dir {str(report_dir)!r}: {error.strerror}"
        ) from None
    print_summary(report, paths)
    warning = publish(report, os.environ)
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)
    return report.exit_code
