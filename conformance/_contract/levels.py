"""Levels, severities and the two rules that join them; no imports, so front ends load it free.

A check is MUST (the published contract or HTTP itself) or SHOULD (Lago's behaviour). A run at
``documented`` judges MUST checks only; ``strict`` adds the SHOULD ones. ``--fail-on must`` fails a
run on MUST findings only; ``should`` fails it on any finding.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "FAIL_ON",
    "LEVELS",
    "FailOn",
    "Level",
    "Severity",
    "counts_against",
    "runs_at",
]

Level = Literal["documented", "strict"]
LEVELS: tuple[Level, ...] = ("documented", "strict")
Severity = Literal["MUST", "SHOULD"]
FailOn = Literal["must", "should"]
FAIL_ON: tuple[FailOn, ...] = ("must", "should")


def runs_at(severity: Severity, level: Level) -> bool:
    """Whether a check of ``severity`` is judged at ``level``: MUST always, SHOULD at strict."""
    return severity == "MUST" or level == "strict"


def counts_against(severity: Severity, fail_on: FailOn) -> bool:
    """Whether a finding of ``severity`` fails a run at ``fail_on``."""
    return severity == "MUST" or fail_on == "should"
