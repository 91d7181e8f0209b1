"""The HTML report's legend of checks: what each check of a report asks, from the register."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from conformance._report.register import register

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["legend_html"]


def legend_html(checks: Iterable[str]) -> list[str]:
    """A folded list of ``checks``: each one's severity, what it asks and where its rule comes
    from; a name the register does not hold (an older report's) is listed bare."""
    lines = ['<details class="legend-checks"><summary>What each check asks</summary><dl>']
    for name in checks:
        found = register().get(name)
        lines.append(f"<dt><code>{html.escape(name)}</code>")
        if found is None:
            lines.append("</dt>")
            continue
        lines.append(
            f" {found.severity}</dt><dd>{html.escape(found.description)}"
            f" <small>({html.escape(found.source)})</small></dd>"
        )
    lines.append("</dl></details>")
    return lines
