"""``lago-conformance server``: from command-line options to a run, its reports and exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._api import run_server_suite
from conformance._cli.options import server_options
from conformance._report.console import Progress
from conformance._report.output import finish

if TYPE_CHECKING:
    import argparse

__all__ = ["run_server"]


def run_server(args: argparse.Namespace) -> int:
    """Run the server suite as the options say, write the reports; returns the exit code."""
    progress = Progress("lago-conformance server")
    try:
        report = run_server_suite(server_options(vars(args)), on_request=progress.step)
    finally:
        progress.close()
    return finish(report, args.report_dir)
