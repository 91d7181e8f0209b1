"""Terminal output for long runs: progress while running, a summary table at the end."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from pathlib import Path

    from conformance._report.findings import Report

__all__ = ["Progress", "print_summary"]


class Progress:
    """Counts requests on stderr: a live line on a terminal, a line per phase and every few seconds elsewhere.

    Nothing is shown until the first phase after ``quiet_phase``, so a run that fails at once
    prints only its error line.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        interval: float = 5.0,
        quiet_phase: str = "preflight",
        unit: str = "request",
    ) -> None:
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._live = self._stream.isatty()
        self._interval = interval
        self._quiet_phase = quiet_phase
        self._unit = unit
        self._last = time.monotonic()
        self._shown = False
        self.done = 0
        self.phase = ""
        self._lock = threading.Lock()  # a client run steps from several threads at --jobs N

    def step(self, phase: str, amount: int = 1) -> None:
        """Record ``amount`` more requests sent in ``phase``."""
        with self._lock:
            self._step(phase, amount)

    def _step(self, phase: str, amount: int) -> None:
        self.done += amount
        changed, self.phase = phase != self.phase, phase
        if phase == self._quiet_phase:
            return
        now = time.monotonic()
        text = f"{self._label}: {self.done} {self._unit}{'s' if self.done != 1 else ''} ({phase})"
        if self._live:
            self._stream.write(f"\r\x1b[2K{text}")
        elif changed or now - self._last >= self._interval:
            self._last = now
            self._stream.write(text + "\n")
        else:
            return
        self._shown = True
        self._stream.flush()

    def close(self) -> None:
        """Clear the live line, if any: the summary or the error takes its place."""
        if self._live and self._shown:
            self._stream.write("\r\x1b[2K")
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
    if counts["accepted"]:
        console.print(f"{counts['accepted']} accepted by the baseline (not counted)", markup=False)
    if "requests" in report.metadata:
        console.print(f"{report.metadata['requests']} requests sent", markup=False)
    for title, rows in report.coverage.get("tables", {}).items():
        header, *body = rows
        coverage = Table(title=title, title_justify="left")
        for column in header:
            coverage.add_column(str(column))
        for row in body:
            coverage.add_row(*map(str, row))
        console.print(coverage)
    for note in report.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    for finding in report.findings:
        console.print()
        console.print(finding.render(), markup=False, soft_wrap=True)
    console.print()
    if report.incomplete is not None and report.aborted is None:
        console.print(f"incomplete: {report.incomplete}", markup=False, soft_wrap=True)
    verdict = "NOT conformant" if report.verdict == "not conformant" else report.verdict
    console.print(
        f"{verdict} at --fail-on {report.fail_on}; reports: {', '.join(map(str, paths))}",
        markup=False,
    )
