"""The HTML report: one self-contained page a browser shows, offline and without JavaScript.

Everything a server or client sent (bodies, headers, reason phrases, error messages) reaches a
report as text, and is attacker-controlled: every string taken from the report goes through
``html.escape`` (attribute values too, always double-quoted), and the page's
Content-Security-Policy refuses scripts and every network load, so that a slip in escaping
still runs nothing. Strings are already redacted (see ``findings``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from conformance._report.html.findings import escape, findings_html
from conformance._report.html.legend import legend_html

if TYPE_CHECKING:
    from collections.abc import Iterable

    from conformance._report.findings import CaseResult, Report

__all__ = ["write_html"]

# No script, no network: only the inline stylesheet below may apply.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:78rem;padding:1rem 1.5rem 3rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:.4rem 0}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.6rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}
.verdict{display:inline-block;padding:.3rem .8rem;border-radius:.3rem;color:#fff;font-weight:700}
.v-conformant{background:#1a7f37}.v-not-conformant{background:#cf222e}
.v-incomplete{background:#9a6700}.v-aborted{background:#57606a}
.why{border-left:4px solid #9a6700;padding:.4rem .8rem;background:#fff8c5}
.counts td{text-align:right;font-size:1.2rem;min-width:4.5rem}
.matrix{font-size:12px}.matrix th.check{writing-mode:vertical-rl;transform:rotate(180deg);
white-space:nowrap;font-weight:600}.matrix td{text-align:center;min-width:1.4rem;padding:.1rem}
.matrix th.scenario{white-space:nowrap;font-weight:400;font-family:ui-monospace,monospace}
td.passed{background:#dafbe1;color:#1a7f37}td.failed-must{background:#cf222e;color:#fff}
td.failed-should{background:#fb8f44;color:#fff}td.skipped{background:#eaeef2;color:#57606a}
td.accepted{background:#ddf4ff;color:#0969da}td a{color:inherit;text-decoration:none}
.finding{border:1px solid #d0d7de;border-left:6px solid #cf222e;border-radius:.3rem;
padding:.2rem 1rem .8rem;margin:1rem 0}.finding.should{border-left-color:#fb8f44}
.finding.accepted{border-left-color:#0969da}.finding h4{margin:.6rem 0;font-size:1.05rem}
.group h3{margin:1.2rem 0 .2rem}.asks{margin:.2rem 0;color:#57606a}
.difference{width:100%}.difference td{width:40%}.difference td.mark{width:1.2rem;
text-align:center;font-weight:700}.difference th[scope=row]{font-weight:600;white-space:nowrap}
tr.differs>*{background:#ffebe9}tr.differs td.mark,tr.differs th{color:#cf222e}
tr.differs pre{background:#fff}ol.sequence{margin:0;padding-left:1.6rem}
summary{cursor:pointer;font-weight:600;margin:.4rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}
dt{font-weight:600}dd{margin:0}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:.4rem .6rem;margin:0;
border-radius:.2rem;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
.answers{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.answers h5{margin:.4rem 0}
.legend span{display:inline-block;padding:0 .4rem;margin-right:.4rem}.scroll{overflow-x:auto}
"""

_MARKS = {"passed": "✓", "failed": "✗", "skipped": "&ndash;", "accepted": "≈"}


def _verdict_class(verdict: str) -> str:
    return {
        "conformant": "v-conformant",
        "not conformant": "v-not-conformant",
        "incomplete": "v-incomplete",
    }.get(verdict, "v-aborted")


def _verdict_text(verdict: str) -> str:
    return "NOT conformant" if verdict == "not conformant" else verdict


def _cell_class(result: CaseResult) -> str:
    outcome = result.outcome
    if outcome == "failed":
        counted = [f for f in result.findings if not f.accepted]
        return "failed-must" if any(f.severity == "MUST" for f in counted) else "failed-should"
    return outcome


def _table(header: Iterable[object], rows: Iterable[Iterable[object]], css: str = "") -> list[str]:
    attribute = f' class="{escape(css)}"' if css else ""
    lines = [f"<table{attribute}><thead><tr>"]
    lines += [f'<th scope="col">{escape(name)}</th>' for name in header]
    lines.append("</tr></thead><tbody>")
    for row in rows:
        lines.append("<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row) + "</tr>")
    lines.append("</tbody></table>")
    return lines


def _head(report: Report) -> list[str]:
    verdict = report.verdict
    title = f"lago-conformance {report.suite}: {_verdict_text(verdict)}"
    subject = ", ".join(f"{key} {value}" for key, value in report.subject.items())
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(_POLICY)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><p>lago-conformance {escape(report.tool_version)}, {escape(report.suite)} suite,"
        f" {escape(report.timestamp)}</p>",
        f'<h1 id="verdict">Verdict: <span class="verdict {_verdict_class(verdict)}">'
        f"{escape(_verdict_text(verdict))}</span></h1>",
        f"<p>{escape(subject)}; level <code>{escape(report.level)}</code>, fail on"
        f" <code>{escape(report.fail_on)}</code>, seed <code>{escape(report.seed)}</code>.</p>",
    ]
    if report.aborted is not None:
        lines.append(f'<p class="why" id="aborted"><b>Aborted:</b> {escape(report.aborted)}</p>')
    if report.incomplete is not None:
        lines.append(
            f'<p class="why" id="incomplete"><b>Incomplete:</b> {escape(report.incomplete)}</p>'
        )
    counts = report.counts()
    if counts["must"] or counts["should"] or counts["accepted"]:
        accepted = f", {counts['accepted']} more accepted" if counts["accepted"] else ""
        lines.append(
            f'<p id="tally">{counts["must"]} MUST and {counts["should"]} SHOULD findings'
            f"{accepted}, in {counts['checks']} checks: each below.</p>"
        )
    lines.append("</header>")
    return lines


def _counts(report: Report) -> list[str]:
    counts = report.counts()
    keys = ("checks", "passed", "failed", "skipped", "accepted", "must", "should")
    names = (
        "checks",
        "passed",
        "failed",
        "not run",
        "accepted",
        "MUST findings",
        "SHOULD findings",
    )
    lines = ['<section id="counts"><h2>Counts</h2>']
    lines += _table(names, [[counts[key] for key in keys]], "counts")
    if "requests" in report.metadata:
        lines.append(f"<p>{escape(report.metadata['requests'])} requests sent.</p>")
    if report.stale:
        lines.append("<p><b>Stale baseline entries</b> (each fails the run):</p><ul>")
        lines += [f"<li>{escape(message)}</li>" for message in report.stale]
        lines.append("</ul>")
    lines.append("</section>")
    return lines


def _matrix(report: Report, anchors: dict[int, int]) -> list[str]:
    checks = list(dict.fromkeys(result.check for result in report.results))
    scenarios = list(dict.fromkeys(result.scenario for result in report.results))
    cells = {(result.scenario, result.check): result for result in report.results}
    failed = sum(result.outcome == "failed" for result in report.results)
    lines = [
        '<section id="matrix"><h2>Scenarios &times; checks</h2>',
        # Folded: a run has about 150 scenarios, and the findings above already say what failed.
        f'<details class="fold"><summary>{len(scenarios)} scenarios &times; {len(checks)}'
        f" checks, {failed} failed: every cell</summary>",
        '<p class="legend"><span class="passed">✓ passed</span>'
        '<span class="failed-must">✗ MUST finding</span>'
        '<span class="failed-should">✗ SHOULD finding</span>'
        '<span class="skipped">&ndash; not run</span><span class="accepted">≈ accepted</span>'
        " (an empty cell: the check does not apply)</p>",
        '<div class="scroll"><table class="matrix"><thead><tr><th scope="col">scenario</th>',
    ]
    lines += [f'<th scope="col" class="check">{escape(check)}</th>' for check in checks]
    lines.append("</tr></thead><tbody>")
    for scenario in scenarios:
        row = [f'<tr><th scope="row" class="scenario">{escape(scenario)}</th>']
        for check in checks:
            result = cells.get((scenario, check))
            if result is None:
                row.append("<td></td>")
                continue
            mark = _MARKS[result.outcome]
            tip = f"{check} on {scenario}: {result.outcome}"
            if result.skipped is not None and not result.findings:
                tip += f" ({result.skipped})"
            first = anchors.get(id(result))
            if first is not None:
                mark = f'<a href="#finding-{first}">{mark}</a>'
            row.append(f'<td class="{_cell_class(result)}" title="{escape(tip)}">{mark}</td>')
        lines.append("".join(row) + "</tr>")
    lines.append("</tbody></table></div></details>")
    return [*lines, *legend_html(checks), "</section>"]


def _coverage(report: Report) -> list[str]:
    tables = report.coverage.get("tables", {})
    if not tables:
        return []
    lines = ['<section id="coverage"><h2>Coverage and phases</h2>']
    for title, rows in tables.items():
        header, *body = rows
        lines.append(f"<h3>{escape(title)}</h3>")
        lines += _table(header, body)
    lines.append("</section>")
    return lines


def _notes(report: Report) -> list[str]:
    if not report.notes:
        return []
    notes = [f"<li>{escape(note)}</li>" for note in report.notes]
    return ['<section id="notes"><h2>Notes</h2><ul>', *notes, "</ul></section>"]


def _settings(report: Report) -> list[str]:
    settings: list[tuple[str, Any]] = [
        ("suite", report.suite),
        *report.subject.items(),
        ("level", report.level),
        ("fail on", report.fail_on),
        ("seed", report.seed),
        *report.metadata.items(),
    ]
    rows = [
        (key, value if isinstance(value, str) else json.dumps(value)) for key, value in settings
    ]
    lines = ['<section id="settings"><h2>The run\'s settings</h2>']
    lines += _table(("setting", "value"), rows)
    lines.append("</section>")
    return lines


def write_html(report: Report, stream: TextIO) -> None:
    """The report as one self-contained HTML page, what is wrong first: the verdict, the findings
    grouped by check, the counts, coverage and phases, notes, the scenario x check matrix
    (folded), and the run's settings."""
    anchors: dict[int, int] = {}
    lines = [
        *_head(report),
        "<main>",
        *findings_html(report, anchors),  # first: the matrix links to them
        *_counts(report),
        *_coverage(report),
        *_notes(report),
        *_matrix(report, anchors),
        *_settings(report),
        "</main>",
        "</body>",
        "</html>",
    ]
    stream.write("\n".join(lines) + "\n")
