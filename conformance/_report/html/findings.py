"""The HTML report's findings: grouped by check, each with its difference and its sequence.

Every string here came from a server or a client and goes through ``escape`` (see ``html``).
A group leads with the findings that fail the run (MUST, then SHOULD), those a baseline accepts
last; past its first few, a group's findings are folded, so that one noisy check does not push
the others out of sight.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from conformance._report.register import register

if TYPE_CHECKING:
    from conformance._report.difference import Difference
    from conformance._report.findings import Finding, Report

__all__ = ["escape", "findings_html", "pre"]

# The findings of a group shown before the rest are folded.
SHOWN = 3


def escape(value: object) -> str:
    """``value`` as text, escaped for an element's content or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def pre(text: str) -> str:
    """``text`` preformatted, escaped."""
    return f"<pre>{escape(text)}</pre>"


def _difference(difference: Difference) -> list[str]:
    """A table, a row per thing compared; a row not equal is marked ≠ and highlighted."""
    target, other = difference.sides
    lines = [
        '<table class="difference"><thead><tr><th scope="col"></th><th scope="col">compared</th>'
        f'<th scope="col">{escape(target)}</th><th scope="col">{escape(other)}</th></tr></thead>'
        "<tbody>"
    ]
    for row in difference.rows:
        css, mark = ("same", "=") if row.equal else ("differs", "≠")
        lines.append(
            f'<tr class="{css}"><td class="mark">{mark}</td>'
            f'<th scope="row">{escape(row.what)}</th>'
            f"<td>{pre(row.target)}</td><td>{pre(row.other)}</td></tr>"
        )
    lines.append("</tbody></table>")
    return lines


def _answers(finding: Finding) -> list[str]:
    return [
        '<div class="answers">',
        f'<div class="target"><h5>The target answered</h5>{pre(finding.received)}</div>',
        f'<div class="lago"><h5>Lago answered</h5>{pre(finding.lago)}</div>',
        "</div>",
    ]


def _finding(number: int, scenario: str, finding: Finding) -> list[str]:
    css = "accepted" if finding.accepted else finding.severity.lower()
    lines = [
        f'<article class="finding {css}" id="finding-{number}">',
        f"<h4>[{escape(finding.severity)}] {escape(finding.title)}</h4>",
        f"<dl><dt>check</dt><dd><code>{escape(finding.check)}</code></dd>"
        f"<dt>scenario</dt><dd><code>{escape(scenario)}</code></dd></dl>",
    ]
    if finding.difference is not None:
        # The rows decide; both answers in full stay one click away.
        lines += _difference(finding.difference)
        lines.append(f"<dl><dt>expected</dt><dd>{pre(finding.expected)}</dd></dl>")
        lines.append("<details><summary>Both answers in full</summary>")
        if finding.lago:
            lines += [*_answers(finding), "</details>"]
        else:
            lines.append(f"<dl><dt>received</dt><dd>{pre(finding.received)}</dd></dl></details>")
    elif finding.lago:
        lines += _answers(finding)
        lines.append(f"<dl><dt>expected</dt><dd>{pre(finding.expected)}</dd></dl>")
    else:
        lines.append(
            f"<dl><dt>received</dt><dd>{pre(finding.received)}</dd>"
            f"<dt>expected</dt><dd>{pre(finding.expected)}</dd></dl>"
        )
    extra = []
    if finding.sequence:
        steps = "".join(f"<li>{pre(step)}</li>" for step in finding.sequence)
        extra.append(f'<dt>sequence</dt><dd><ol class="sequence">{steps}</ol></dd>')
    if finding.source:
        extra.append(f"<dt>source</dt><dd><code>{escape(finding.source)}</code></dd>")
    for text in (finding.accepted, finding.expired):
        if text:
            extra.append(f"<dt>baseline</dt><dd>{escape(text)}</dd>")
    if finding.reproduce:
        extra.append(f"<dt>reproduce</dt><dd>{pre(finding.reproduce)}</dd>")
    if extra:
        lines.append("<dl>" + "".join(extra) + "</dl>")
    lines.append("</article>")
    return lines


def _rank(findings: list[tuple[int, str, Finding]]) -> int:
    """0: a group with a MUST finding that counts; 1: one that counts; 2: all accepted."""
    counted = [finding for _, _, finding in findings if not finding.accepted]
    if any(finding.severity == "MUST" for finding in counted):
        return 0
    return 1 if counted else 2


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def findings_html(report: Report, anchors: dict[int, int]) -> list[str]:
    """The findings section, grouped by check; fills ``anchors`` (a result's id: the number of
    its first finding) for the matrix's links."""
    groups: dict[str, list[tuple[int, str, Finding]]] = {}
    for result in report.results:
        for finding in result.findings:
            groups.setdefault(result.check, []).append((id(result), result.scenario, finding))
    order = sorted(groups, key=lambda check: _rank(groups[check]))  # stable: run order kept
    total = sum(map(len, groups.values()))
    lines = ['<section id="findings"><h2>Findings</h2>']
    if not total:
        return [*lines, "<p>No findings.</p>", "</section>"]
    lines.append(f"<p>{_plural(total, 'finding')} of {_plural(len(groups), 'check')}.</p>")
    number = 0
    for check in order:
        found = groups[check]
        entry = register().get(check)
        asks = f'<p class="asks">{escape(entry.description)}</p>' if entry is not None else ""
        accepted = sum(finding.accepted is not None for _, _, finding in found)
        count = _plural(len(found), "finding") + (f", {accepted} accepted" if accepted else "")
        lines += [
            f'<section class="group" id="check-{escape(check)}">',
            f"<h3><code>{escape(check)}</code>: {count}</h3>{asks}",
        ]
        for index, (key, scenario, finding) in enumerate(found):
            number += 1
            anchors.setdefault(key, number)
            if index == SHOWN:
                lines.append(
                    f'<details class="more"><summary>{len(found) - SHOWN} more of'
                    f" <code>{escape(check)}</code></summary>"
                )
            lines += _finding(number, scenario, finding)
        if len(found) > SHOWN:
            lines.append("</details>")
        lines.append("</section>")
    lines.append("</section>")
    return lines
