"""What a finding shows beside its title: the difference the oracle decided on, row by row, and
the numbered sequence of requests that decided, when a sequence did.

Both are data on a ``Finding`` (``difference``, ``sequence``), filled where a check decides and
redacted with the rest in ``Check.finding``; every report form renders them: the plain text
below (console, JUnit), Markdown (``writers``) and HTML (``html.findings``).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["ABSENT", "Difference", "Row", "difference_text", "sequence_text"]

# A header the answer does not carry, as a row shows it.
ABSENT = "(absent)"


class Row(NamedTuple):
    """One thing compared: what it is, the target's value, the value it was compared with, and
    whether the check found them equal (a body compared by shape may be equal in other words)."""

    what: str
    target: str
    other: str
    equal: bool


class Difference(NamedTuple):
    """Two answers side by side, row by row: ``sides`` names them, the target's first (the twin's
    answer to the same request, or the target's own to the request a variant varies)."""

    sides: tuple[str, str]
    rows: tuple[Row, ...]

    @property
    def unequal(self) -> tuple[Row, ...]:
        """The rows that decided: those not equal."""
        return tuple(row for row in self.rows if not row.equal)


def difference_text(difference: Difference) -> list[str]:
    """Plain-text lines: ``==`` before an equal row, ``!=`` before one that is not; a row shows
    one value when both are the same text, else both, each on its own line under its side."""
    target, other = difference.sides
    lines = [f"Compared, {target} against {other} (!= marks what is not equal):"]
    width = max(len(target), len(other)) + 1
    for row in difference.rows:
        mark = "==" if row.equal else "!="
        if row.target == row.other:
            lines.append(f"  {mark} {row.what}: {row.target}")
            continue
        lines += [
            f"  {mark} {row.what}:",
            f"       {(target + ':').ljust(width)} {row.target}",
            f"       {(other + ':').ljust(width)} {row.other}",
        ]
    return lines


def sequence_text(sequence: tuple[str, ...]) -> list[str]:
    """Plain-text lines: the steps that decided, numbered from 1, one curl line each."""
    return ["Sequence:", *(f"  {number}. {step}" for number, step in enumerate(sequence, 1))]
