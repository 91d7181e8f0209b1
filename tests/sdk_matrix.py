"""The SDK matrix of ``nox -s sdk`` / ``sdk_js``: its rows, and its JSON, Markdown and HTML forms.

Standard library only: the noxfile loads this file by its path, in nox's own interpreter.
``nox -s sdk_readme`` copies the matrix into the docs: ``docs/data/sdk-matrix.json`` (the
SDK matrix page's table is built from it) and the lines between ``<!-- sdk-matrix -->`` and
``<!-- /sdk-matrix -->`` in ``docs/sdk-matrix.md``.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["block_lines", "matrix_html", "matrix_row", "update_block", "write_matrix"]

START, END = "<!-- sdk-matrix -->\n", "<!-- /sdk-matrix -->"
_CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:1rem 2rem}table{border-collapse:collapse}"
    "th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}.pass{background:#dafbe1}.FAIL{background:#ffebe9}"
)


def matrix_row(
    sdk: str, version: str, level: str, report: dict[str, Any], configuration: str = ""
) -> dict[str, Any]:
    """One row of the SDK matrix: verdict, counts and the failing scenario x check pairs;
    ``configuration``: the SDK options it ran with (--client-option), "" for its defaults."""
    failing = [
        f"{result['scenario']} ({result['check']}, {result['severity']})"
        for result in report["results"]
        if result["findings"]
    ]
    return {
        "sdk": sdk,
        "version": version,
        "level": level,
        "verdict": "pass" if report["conformant"] else "FAIL",
        "must": report["counts"]["must"],
        "should": report["counts"]["should"],
        "failing": failing,
        **({"configuration": configuration} if configuration else {}),
    }


def _level(row: dict[str, Any]) -> str:
    """The level cell: the level, and the configuration when it is not the SDK's default."""
    return str(row["level"]) + (f", {row['configuration']}" if row.get("configuration") else "")


def _order(row: dict[str, Any]) -> tuple[str, tuple[int, ...], str]:
    return row["sdk"], tuple(-int(part) for part in row["version"].split(".")), _level(row)


def matrix_html(rows: list[dict[str, Any]]) -> str:
    """The matrix as one self-contained HTML page (inline CSS, no script), every cell escaped."""
    e = html.escape
    head = ("SDK", "version", "level", "verdict", "MUST", "SHOULD", "failing (check, severity)")
    lines = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;;'
        ' style-src &#x27;unsafe-inline&#x27;">',
        f"<title>SDK matrix</title><style>{_CSS}</style></head><body><h1>SDK matrix</h1>",
        "<table><thead><tr>" + "".join(f"<th>{e(name)}</th>" for name in head) + "</tr></thead>",
        "<tbody>",
    ]
    for r in rows:
        failing = "".join(f"<li>{e(item)}</li>" for item in r["failing"]) or "-"
        cells = [r["sdk"], r["version"], _level(r), r["verdict"], r["must"], r["should"]]
        css = "pass" if r["verdict"] == "pass" else "FAIL"
        lines.append(
            f'<tr class="{css}">' + "".join(f"<td>{e(str(value))}</td>" for value in cells)
            + (f"<td><ul>{failing}</ul></td>" if r["failing"] else "<td>-</td>") + "</tr>"
        )  # fmt: skip
    lines.append("</tbody></table></body></html>")
    return "\n".join(lines) + "\n"


def write_matrix(where: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge ``rows`` into ``where``/summary.json; write summary.md and summary.html from it."""
    path = where / "summary.json"
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    keyed = {(row["sdk"], row["version"], _level(row)): row for row in [*known, *rows]}
    merged = sorted(keyed.values(), key=_order)
    where.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# SDK matrix",
        "",
        "| SDK | version | level | verdict | MUST | SHOULD | failing scenarios (check, severity) |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    lines += [
        f"| {r['sdk']} | {r['version']} | {_level(r)} | {r['verdict']} | {r['must']}"
        f" | {r['should']} | {'; '.join(r['failing']) or '-'} |"
        for r in merged
    ]
    (where / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (where / "summary.html").write_text(matrix_html(merged), encoding="utf-8")
    return merged


def block_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per SDK version at the strict level, which holds the documented level's
    findings and the SHOULD ones."""
    return [
        f"- **{row['sdk']} {row['version']}** ({row['verdict']} at `--fail-on must`):"
        f" {'; '.join(row['failing']) or 'no findings'}"
        for row in rows
        if row["level"] == "strict" and not row.get("configuration")
    ]


def update_block(text: str, rows: list[dict[str, Any]]) -> str:
    """``text`` with its sdk-matrix block rewritten from ``rows``; ValueError if it has none."""
    if START not in text or END not in text:
        raise ValueError("no <!-- sdk-matrix --> block")
    head, rest = text.split(START, 1)
    return head + START + "\n".join(block_lines(rows)) + "\n" + END + rest.split(END, 1)[1]
