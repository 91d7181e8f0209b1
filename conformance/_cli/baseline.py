"""``lago-conformance baseline``: a baseline accepting every finding of a JSON report, on stdout."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from conformance._errors import BaselineError
from conformance._report.baseline import baseline_toml, today

if TYPE_CHECKING:
    import argparse

__all__ = ["run_baseline"]


def run_baseline(args: argparse.Namespace) -> int:
    """Print the baseline for ``args.report``'s findings; returns the exit code."""
    try:
        data = json.loads(args.report.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"cannot read report {str(args.report)!r}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BaselineError(f"{args.report} is not a JSON report of lago-conformance") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or not all(
        isinstance(r, dict) and {"check", "scenario"} <= r.keys() for r in results
    ):
        raise BaselineError(f"{args.report} is not a JSON report of lago-conformance")
    sys.stdout.write(baseline_toml(results, args.reason, args.expires, on=today()))
    return 0
