"""``lago-conformance client``: from command-line options to a run, its reports and exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._adapters import command_subject, load_adapter
from conformance._cli import finish
from conformance._client_suite import run_client_suite
from conformance._console import Progress

if TYPE_CHECKING:
    import argparse

__all__ = ["run_client"]


def run_client(args: argparse.Namespace) -> int:
    """Run the client suite on the adapter or command the options name; returns the exit code."""
    if args.command is not None:
        subject = command_subject(args.command)
    else:
        subject = load_adapter(args.adapter or "reference")
    report = run_client_suite(
        subject,
        level=args.level,
        fail_on=args.fail_on,
        seed=args.seed,
        max_examples=args.max_examples,
        scenarios=args.scenario,
        timeout=args.timeout,
        progress=Progress("lago-conformance client", unit="call"),
    )
    return finish(report, args.report_dir)
