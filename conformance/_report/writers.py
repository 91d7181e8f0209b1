"""Report writers, shared by both suites: JUnit XML, JSON, Markdown and HTML (``html``).

Each writer takes a ``Report`` and a text stream, so tests can write to ``StringIO``. A report's
strings are redacted when they are made (see ``findings``), so writers write what they are given.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from conformance._report.html.page import write_html

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._report.findings import Finding, Report

__all__ = [
    "cell",
    "code",
    "markdown_overview",
    "to_json",
    "write_json",
    "write_junit",
    "write_markdown",
    "write_reports",
]


def to_json(report: Report) -> dict[str, Any]:
    """The JSON-able form of ``report``."""
    return {
        "suite": report.suite,
        "tool_version": report.tool_version,
        "timestamp": report.timestamp,
        "subject": report.subject,
        "level": report.level,
        "fail_on": report.fail_on,
        "seed": report.seed,
        "conformant": report.conformant,
        "verdict": report.verdict,
        "incomplete": report.incomplete,
        "counts": report.counts(),
        "metadata": report.metadata
        if report.aborted is None
        else {**report.metadata, "aborted": report.aborted},
        "coverage": report.coverage,
        "notes": report.notes,
        "results": [
            {
                "check": result.check,
                "scenario": result.scenario,
                "severity": result.severity,
                "outcome": result.outcome,
                "skipped": result.skipped,
                "findings": [_finding_json(finding) for finding in result.findings],
            }
            for result in report.results
        ],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "check": finding.check,
        "severity": finding.severity,
        "title": finding.title,
        "received": finding.received,
        "expected": finding.expected,
        "reproduce": finding.reproduce,
        "source": finding.source,
    }
    if finding.lago:
        data["lago"] = finding.lago
    if finding.difference is not None:
        sides, rows = finding.difference
        data["difference"] = {"sides": list(sides), "rows": [row._asdict() for row in rows]}
    if finding.sequence:
        data["sequence"] = list(finding.sequence)
    return {**data, **_baseline(finding)}


def _baseline(finding: Finding) -> dict[str, str]:
    return {
        key: value
        for key, value in (("accepted", finding.accepted), ("expired", finding.expired))
        if value
    }


def write_json(report: Report, stream: TextIO) -> None:
    """Machine-readable: everything in the report."""
    stream.write(json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n")


def write_junit(report: Report, stream: TextIO) -> None:
    """One testcase per check x scenario; failures carry the rendered findings."""
    counts = report.counts()
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"lago-conformance {report.suite} ({report.level})",
        tests=str(counts["checks"] + len(report.stale)),
        failures=str(counts["failed"] + len(report.stale)),
        skipped=str(counts["skipped"] + counts["accepted"]),
        errors="0",
        timestamp=report.timestamp,
    )
    for result in report.results:
        case = ET.SubElement(
            suite, "testcase", classname=f"{report.suite}.{result.check}", name=result.scenario
        )
        if result.outcome == "accepted":
            skipped = ET.SubElement(case, "skipped", message=str(result.findings[0].accepted))
            skipped.text = "\n\n".join(finding.render() for finding in result.findings)
        elif result.findings:
            first = result.findings[0]
            failure = ET.SubElement(
                case, "failure", message=f"[{first.severity}] {first.title}", type=first.severity
            )
            failure.text = "\n\n".join(finding.render() for finding in result.findings)
        elif result.skipped is not None:
            ET.SubElement(case, "skipped", message=result.skipped)
    for number, message in enumerate(report.stale, 1):
        case = ET.SubElement(
            suite, "testcase", classname=f"{report.suite}.baseline", name=f"stale entry {number}"
        )
        ET.SubElement(case, "failure", message=message, type="stale")
    ET.indent(suites)
    buffer = io.StringIO()
    ET.ElementTree(suites).write(buffer, encoding="unicode", xml_declaration=True)
    stream.write(buffer.getvalue() + "\n")


def cell(text: object) -> str:
    """``text`` fit for one Markdown table cell or list item: one line, ``|`` escaped."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def code(text: object) -> str:
    """``text`` as a Markdown code span fit for a table cell: fenced by more backticks than it
    holds in a row, ``|`` escaped (GitHub's tables split on it even in code)."""
    text = cell(text)
    if not text:
        return ""
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _markdown_difference(finding: Finding) -> list[str]:
    """A table, a row per thing compared; what is not equal marked ≠ and in bold."""
    if finding.difference is None:
        return []
    (target, other), rows = finding.difference
    lines = ["", f"| | compared | {cell(target)} | {cell(other)} |", "| :-: | --- | --- | --- |"]
    for row in rows:
        mark, what = ("=", cell(row.what)) if row.equal else ("**≠**", f"**{cell(row.what)}**")
        lines.append(f"| {mark} | {what} | {code(row.target)} | {code(row.other)} |")
    return lines


def markdown_overview(report: Report, heading: str, table_title: str) -> list[str]:
    """Markdown lines: ``heading``, the subject, the counts and the coverage tables (each titled
    by ``table_title.format(title)``); shared by the report and the GitHub job summary."""
    counts = report.counts()
    subject = ", ".join(f"{key} `{value}`" for key, value in report.subject.items())
    lines = [
        heading,
        "",
        f"{subject}; level `{report.level}`, fail on `{report.fail_on}`, seed `{report.seed}`.",
        "",
        "| checks | passed | failed | not run | MUST findings | SHOULD findings |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {counts['checks']} | {counts['passed']} | {counts['failed']} | {counts['skipped']}"
        f" | {counts['must']} | {counts['should']} |",
    ]
    if counts["accepted"]:
        lines += ["", f"{counts['accepted']} accepted by the baseline (not counted)."]
    for title, rows in report.coverage.get("tables", {}).items():
        header, *body = rows
        lines += ["", table_title.format(title), "", "| " + " | ".join(map(cell, header)) + " |"]
        lines.append("|" + " --- |" * len(header))
        lines += ["| " + " | ".join(map(cell, row)) + " |" for row in body]
    return lines


def write_markdown(report: Report, stream: TextIO) -> None:
    """A short summary fit for a CI job summary."""
    verdict = "NOT conformant" if report.verdict == "not conformant" else report.verdict
    lines = markdown_overview(report, f"# lago-conformance {report.suite}: {verdict}", "## {}")
    if report.incomplete is not None:
        lines += ["", f"**Incomplete:** {cell(report.incomplete)}"]
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {cell(note)}" for note in report.notes]
    findings = report.findings
    if findings:
        lines += ["", "## Findings", ""]
        for finding in findings:
            lines += [
                f"### [{finding.severity}] {finding.title}",
                "",
                f"- check: `{finding.check}`",
                f"- received: {cell(finding.received)}",
                f"- expected: {cell(finding.expected)}",
            ]
            if finding.lago:
                lines.append(f"- Lago answered: {cell(finding.lago)}")
            if finding.source:
                lines.append(f"- source: {cell(finding.source)}")
            lines += [f"- {cell(text)}" for text in _baseline(finding).values()]
            lines += _markdown_difference(finding)
            if finding.sequence:
                lines += ["", "Sequence:", ""]
                lines += [f"{n}. {code(step)}" for n, step in enumerate(finding.sequence, 1)]
            if finding.reproduce:
                lines += ["", "```console", finding.reproduce, "```"]
            lines.append("")
    stream.write("\n".join(lines).rstrip("\n") + "\n")


WRITERS: dict[str, Callable[[Report, TextIO], None]] = {
    "junit.xml": write_junit,
    "json": write_json,
    "md": write_markdown,
    "html": write_html,
}


def write_reports(report: Report, directory: str | Path) -> list[Path]:
    """Write ``<suite>.junit.xml``, ``.json``, ``.md`` and ``.html`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, writer in WRITERS.items():
        path = directory / f"{report.suite}.{suffix}"
        with path.open("w", encoding="utf-8") as stream:
            writer(report, stream)
        paths.append(path)
    return paths
