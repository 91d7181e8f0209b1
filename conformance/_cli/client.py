"""``lago-conformance client``: from command-line options to a run, its reports and exit code."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from conformance._api import ClientOptions, run_client_suite
from conformance._cli.options import baseline_option
from conformance._errors import UsageError
from conformance._report.console import Progress
from conformance._report.output import finish

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from conformance._report.findings import Report

__all__ = ["run_client"]


def run_client(args: argparse.Namespace) -> int:
    """Run the client suite on the adapter or command the options name; returns the exit code."""
    from conformance._contract.spec import load_spec

    options = ClientOptions(
        adapter=args.adapter or "reference",
        command=args.command,
        client_options=tuple(args.client_option or ()),
        level=args.level,
        fail_on=args.fail_on,
        seed=args.seed,
        max_examples=args.max_examples,
        scenarios=tuple(args.scenario or ()),
        timeout=args.timeout,
        jobs=args.jobs,
        spec=load_spec(args.spec) if args.spec is not None else None,
        baseline=baseline_option(args.baseline, args.allow_stale),
        explore=args.explore,
        replay=args.replay,
        case_dir=str(args.report_dir),
    )
    progress = Progress("lago-conformance client", unit="call")
    try:
        report = run_client_suite(options, on_call=progress.step)
    finally:
        progress.close()
    code = finish(report, args.report_dir)
    write_cases(report, args.report_dir)
    return code


def write_cases(report: Report, report_dir: Path) -> None:
    """Write each generated case a finding names as ``client-case-N.json``, for ``--replay``."""
    record = report.metadata.get("scenarios", {}).get("generated", {})
    for name, case in record.get("case_files", {}).items():
        path = report_dir / name
        try:
            path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {path}: {error.strerror}") from None
