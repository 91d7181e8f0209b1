"""Terminal output for long runs: progress while running, a summary table at the end."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.table import Table

from conformance._findings import redact

if TYPE_CHECKING:
    from pathlib import Path

    from conformance._findings import Report

__all__ = ["Progress", "print_summary"]


class Progress:
    """Counts steps of a run on stderr: a live line on a terminal, a line every few seconds elsewhere."""

    def __init__(self, label: str, stream: TextIO | None = None, interval: float = 5.0) -> None:
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._live = self._stream.isatty()
        self._interval = interval
        self._last = time.monotonic()
        self.done = 0
        self.phase = ""

    def step(self, phase: str, amount: int = 1) -> None:
        """Record ``amount`` more steps done in ``phase``."""
        self.done += amount
        changed, self.phase = phase != self.phase, phase
        now = time.monotonic()
        if self._live:
            self._stream.write(f"\r\x1b[2K{self._label}: {self.done} requests ({phase})")
            self._stream.flush()
        elif changed or now - self._last >= self._interval:
            self._last = now
            self._stream.write(f"{self._label}: {self.done} requests ({phase})\n")
            self._stream.flush()

    def close(self) -> None:
        """End the live line, if any."""
        if self._live and self.done:
            self._stream.write("\n")
            self._stream.flush()


def print_summary(report: Report, paths: list[Path], stream: TextIO | None = None) -> None:
    """The end-of-run table: checks, findings by severity, coverage, then each finding."""
    console = Console(file=stream if stream is not None else sys.stdout, highlight=False)
    counts = report.counts()
    table = Table(title=f"lago-conformance {report.suite} ({report.level})", title_justify="left")
    for column in ("checks", "passed", "failed", "not run", "MUST", "SHOULD"):
        table.add_column(column, justify="right")
    table.add_row(
        *map(
            str,
            (counts[key] for key in ("checks", "passed", "failed", "skipped", "must", "should")),
        )
    )
    console.print(table)
    for title, rows in report.coverage.get("tables", {}).items():
        header, *body = rows
        coverage = Table(title=title, title_justify="left")
        for column in header:
            coverage.add_column(str(column))
        for row in body:
            coverage.add_row(*map(str, row))
        console.print(coverage)
    for note in report.notes:
        console.print(redact(f"note: {note}", report.secrets), markup=False, soft_wrap=True)
    for finding in report.findings:
        console.print()
        console.print(redact(finding.render(), report.secrets), markup=False, soft_wrap=True)
    verdict = "conformant" if report.conformant else "NOT conformant"
    console.print()
    console.print(
        f"{verdict} at --fail-on {report.fail_on}; reports: {', '.join(map(str, paths))}",
        markup=False,
    )
