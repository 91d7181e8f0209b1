"""GitHub Actions output: a job summary appended to ``$GITHUB_STEP_SUMMARY``, workflow commands.

Both are driven by the variables the runner sets: ``GITHUB_STEP_SUMMARY`` (a file path) and
``GITHUB_ACTIONS=true``. Outside GitHub Actions nothing here writes anything. A report's strings
are already redacted where they were made (see ``findings``), so this writes what it is given.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from conformance._report.difference import difference_text, sequence_text
from conformance._report.writers import cell, markdown_overview

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from conformance._report.findings import Finding, Report

__all__ = [
    "escape_data",
    "escape_property",
    "publish",
    "step_summary",
    "workflow_commands",
]


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the runner reads it back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``title=...``), escaped as the runner reads it back."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _findings(report: Report) -> Iterator[tuple[str, Finding]]:
    for result in report.results:
        for finding in result.findings:
            yield result.scenario, finding


def _verdict(report: Report) -> str:
    if report.aborted is not None:
        return f"aborted ({report.aborted})"
    if report.incomplete is not None:
        return f"incomplete ({report.incomplete})"
    return "conformant" if report.conformant else "NOT conformant"


def step_summary(report: Report) -> str:
    """The run in Markdown for a job summary: verdict, counts, coverage, one line per finding."""
    heading = f"### lago-conformance {report.suite}: {cell(_verdict(report))}"
    lines = markdown_overview(report, heading, "**{}**")
    if report.notes:
        lines += ["", "**Notes**", ""] + [f"- {cell(note)}" for note in report.notes]
    findings = list(_findings(report))
    if findings:
        lines += ["", "**Findings**", ""]
        for scenario, finding in findings:
            line = (
                f"- **{finding.severity}** {cell(finding.title)} (`{finding.check}`, `{scenario}`)"
            )
            accepted = finding.accepted
            if accepted is not None:
                line += f": {cell(accepted)}"
            lines.append(line)
    return "\n".join(lines) + "\n\n"


def workflow_commands(report: Report) -> list[str]:
    """One ``::error`` (MUST) or ``::warning`` (SHOULD) line per finding; ``::notice`` if accepted."""
    commands = []
    for scenario, finding in _findings(report):
        accepted = finding.accepted
        kind = "error" if finding.severity == "MUST" else "warning"
        message = f"{finding.title}\nscenario: {scenario}\n"
        if accepted is not None:
            kind, message = "notice", message + f"{accepted}\n"
        message += f"Received: {finding.received}\nExpected: {finding.expected}"
        if finding.difference is not None:
            message += "\n" + "\n".join(difference_text(finding.difference))
        if finding.source:
            message += f"\nSource: {finding.source}"
        if finding.sequence:
            message += "\n" + "\n".join(sequence_text(finding.sequence))
        if finding.reproduce:
            message += f"\nReproduce with:\n    {finding.reproduce}"
        title = f"lago-conformance {report.suite} [{finding.severity}] {finding.check}: {scenario}"
        command = f"::{kind} title={escape_property(title)}::{escape_data(message)}"
        commands.append(command)
    return commands


def publish(report: Report, environ: Mapping[str, str], stream: TextIO | None = None) -> str | None:
    """Write what GitHub Actions reads, as ``environ`` asks; returns a warning if the summary failed.

    Appends ``step_summary`` to ``$GITHUB_STEP_SUMMARY`` when set, and prints
    ``workflow_commands`` on ``stream`` (stdout) when ``GITHUB_ACTIONS`` is ``true``.
    """
    warning = None
    summary_path = environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with Path(summary_path).open("a", encoding="utf-8") as summary:
                summary.write(step_summary(report))
        except OSError as error:
            warning = f"cannot append to GITHUB_STEP_SUMMARY {summary_path!r}: {error.strerror}"
    if environ.get("GITHUB_ACTIONS") == "true":
        out = stream if stream is not None else sys.stdout
        for command in workflow_commands(report):
            out.write(command + "\n")
        out.flush()
    return warning
