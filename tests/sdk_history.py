"""nox -s sdk_history: the gate over the SDKs' released versions, as a table of findings.

Standard library only (nox loads it by its path). For each SDK, configuration and finding
(scenario, check, severity), the first and the last version that has it, among the versions run;
written into docs/sdk-matrix.md between ``<!-- sdk-history -->`` and ``<!-- /sdk-history -->``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["findings_of", "history_rows", "newer_or_equal", "table_lines", "update_block"]

START, END = "<!-- sdk-history -->", "<!-- /sdk-history -->"


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def newer_or_equal(versions: list[str], first: str) -> list[str]:
    """``versions`` (release numbers, no pre-releases) from ``first`` on, oldest first."""
    kept = [v for v in versions if re.fullmatch(r"\d+\.\d+\.\d+", v) and _key(v) >= _key(first)]
    return sorted(set(kept), key=_key)


def findings_of(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """The (scenario, check, severity) of each result with findings in a client.json report."""
    return {(r["scenario"], r["check"], r["severity"]) for r in report["results"] if r["findings"]}


def history_rows(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per SDK, configuration and finding: the versions run, the first and last that
    have it. ``runs``: {"sdk", "version", "configuration", "findings": [[scenario, check, sev]]}
    or {"error": ...} for a version that could not be gated."""
    rows: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    for run in sorted(runs, key=lambda r: (r["sdk"], r["configuration"], _key(r["version"]))):
        for scenario, check, severity in run.get("findings", []):
            key = (run["sdk"], run["configuration"], check, severity, scenario)
            row = rows.setdefault(key, {"first": run["version"], "count": 0})
            row["last"], row["count"] = run["version"], row["count"] + 1
    # Out of the versions gated: one that could not be installed has no findings to count.
    ran: dict[tuple[str, str], int] = {}
    for run in (run for run in runs if not run.get("error")):
        ran[run["sdk"], run["configuration"]] = ran.get((run["sdk"], run["configuration"]), 0) + 1
    # Scenarios of one check with the same first and last version make one row.
    grouped: dict[tuple[str, ...], list[str]] = {}
    for (sdk, configuration, check, severity, scenario), row in sorted(rows.items()):
        versions = f"{row['count']}/{ran[sdk, configuration]}"
        grouped.setdefault(
            (sdk, configuration, check, severity, row["first"], row["last"], versions), []
        ).append(scenario)
    items = grouped.items()
    return [
        {
            "sdk": sdk,
            "configuration": configuration,
            "check": check,
            "severity": severity,
            "scenario": ", ".join(scenarios),
            "first": first,
            "last": last,
            "versions": versions,
        }
        for (sdk, configuration, check, severity, first, last, versions), scenarios in items
    ]


def table_lines(rows: list[dict[str, Any]], runs: list[dict[str, Any]]) -> list[str]:
    """The Markdown table, and a line per version that could not be gated."""
    lines = [
        "| SDK | configuration | check | severity | scenarios | first | last | versions with it |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['sdk']} | {r['configuration'] or 'default'} | `{r['check']}` | {r['severity']} "
        f"| {r['scenario']} | {r['first']} | {r['last']} | {r['versions']} |"
        for r in rows
    ]
    gated = sorted(
        {(r["sdk"], r["version"]) for r in runs if not r.get("error")},
        key=lambda p: (p[0], _key(p[1])),
    )
    lines += ["", "Versions gated: " + ", ".join(f"{sdk} {v}" for sdk, v in gated) + "."]
    lines += [
        f"- {r['sdk']} {r['version']} ({r['configuration'] or 'default'}): not gated, {r['error']}"
        for r in runs
        if r.get("error")
    ]
    noted = sorted({(r["sdk"], r["version"], r["note"]) for r in runs if r.get("note")},
                   key=lambda n: (n[0], _key(n[1])))  # fmt: skip
    lines += [f"- {sdk} {version}: gated with {note}" for sdk, version, note in noted]
    return lines


def update_block(text: str, lines: list[str]) -> str:
    """``text`` with the lines between the sdk-history markers replaced by ``lines``."""
    if START not in text or END not in text:
        raise ValueError("no <!-- sdk-history --> block")
    head, rest = text.split(START, 1)
    return head + START + "\n" + "\n".join(lines) + "\n" + END + rest.split(END, 1)[1]


def write(where: Path, runs: list[dict[str, Any]], page: Path) -> list[dict[str, Any]]:
    """Write ``where``/history.json and the docs block; the rows."""
    rows = history_rows(runs)
    where.mkdir(parents=True, exist_ok=True)
    data = {"runs": runs, "rows": rows}
    (where / "history.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    page.write_text(update_block(page.read_text(encoding="utf-8"), table_lines(rows, runs)))
    return rows
