"""What a suite run produces: findings, one result per check x scenario, and the report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from conformance._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable

    from conformance._contract import Level

__all__ = [
    "FAIL_ON",
    "CaseResult",
    "FailOn",
    "Finding",
    "Report",
    "Severity",
    "redact",
    "severity_for",
]

Severity = Literal["MUST", "SHOULD"]
FailOn = Literal["must", "should"]
FAIL_ON: tuple[FailOn, ...] = ("must", "should")
REDACTED = "[REDACTED]"


def severity_for(level: Level) -> Severity:
    """The severity of breaking the contract at ``level``."""
    return "MUST" if level == "documented" else "SHOULD"


@dataclass(frozen=True)
class Finding:
    """One way the subject broke the contract, with what was seen and how to see it again."""

    check: str
    severity: Severity
    title: str
    received: str
    expected: str
    reproduce: str = ""

    def render(self) -> str:
        """``Title`` / blank / ``Received:`` / ``Expected:`` and the reproduction, as text."""
        text = f"[{self.severity}] {self.title}\n\nReceived: {self.received}\nExpected: {self.expected}"
        if self.reproduce:
            text += f"\n\nReproduce with:\n    {self.reproduce}"
        return text


@dataclass(frozen=True)
class CaseResult:
    """One check applied to one scenario: passed, failed with findings, or not run and why."""

    check: str
    scenario: str
    severity: Severity
    findings: tuple[Finding, ...] = ()
    skipped: str | None = None

    @property
    def outcome(self) -> Literal["passed", "failed", "skipped"]:
        """What became of this check on this scenario."""
        if self.findings:
            return "failed"
        return "skipped" if self.skipped is not None else "passed"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


@dataclass
class Report:
    """A whole run of one suite; deterministic but for ``timestamp``."""

    suite: Literal["server", "client"]
    subject: dict[str, Any]
    level: Level
    fail_on: FailOn
    seed: int
    results: list[CaseResult] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    timestamp: str = field(default_factory=_now)
    tool_version: str = __version__
    # Never written: every writer scrubs these from its output.
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def findings(self) -> list[Finding]:
        """Every finding, in the order the checks ran."""
        return [finding for result in self.results for finding in result.findings]

    def counts(self) -> dict[str, int]:
        """Checks by outcome and findings by severity."""
        outcomes = [result.outcome for result in self.results]
        findings = self.findings
        return {
            "checks": len(outcomes),
            "passed": outcomes.count("passed"),
            "failed": outcomes.count("failed"),
            "skipped": outcomes.count("skipped"),
            "must": sum(finding.severity == "MUST" for finding in findings),
            "should": sum(finding.severity == "SHOULD" for finding in findings),
        }

    @property
    def conformant(self) -> bool:
        """No finding at or above ``fail_on``."""
        counts = self.counts()
        return counts["must"] == 0 and (self.fail_on == "must" or counts["should"] == 0)

    @property
    def exit_code(self) -> int:
        """0 when conformant at ``fail_on``, 1 when there are findings that count."""
        return 0 if self.conformant else 1


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text
