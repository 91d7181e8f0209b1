"""What a suite run produces: checks, the problems they see, findings, results and the report.

Both suites speak this vocabulary. A ``Check`` judges one observation (a server's answer, a
client's call) and returns ``Problem``s; the suite turns each into a ``Finding``, through
``Check.finding``, which is the one place a secret is redacted: nothing that reaches a
``Finding``, a note or a report's metadata holds the API key.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple, TypeVar

from conformance._contract.levels import counts_against, runs_at
from conformance._errors import UsageError
from conformance._report.difference import Difference, difference_text, sequence_text
from conformance._report.register import entry
from conformance._version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from conformance._contract.levels import FailOn, Level, Severity

__all__ = [
    "REDACTED",
    "CaseResult",
    "Check",
    "Finding",
    "Problem",
    "Report",
    "now",
    "redact",
]

REDACTED = "[REDACTED]"
T = TypeVar("T")


def redact(value: T, secrets: Iterable[str]) -> T:
    """``value`` with every secret replaced by ``[REDACTED]``, in every string it holds."""
    ordered = sorted((secret for secret in secrets if secret), key=len, reverse=True)
    return _redact(value, ordered) if ordered else value


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {_redact(key, secrets): _redact(item, secrets) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple: a Row, a Difference
        return type(value)(*(_redact(item, secrets) for item in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_redact(item, secrets) for item in value)
    return value


class Problem(NamedTuple):
    """One thing a check saw wrong: a title, what was received and what was expected; the
    difference it decided on, row by row, and the sequence of requests that decided, if any;
    ``source`` names the rule more closely than the check's own, when the check holds many."""

    title: str
    received: str
    expected: str
    difference: Difference | None = None
    sequence: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Finding:
    """One way the subject broke the contract, with what was seen and how to see it again."""

    check: str
    severity: Severity
    title: str
    received: str
    expected: str
    reproduce: str = ""
    source: str = ""
    # Set by a baseline: "accepted until DATE: REASON" (does not count), or the note that such an
    # acceptance expired (counts again).
    accepted: str | None = None
    expired: str | None = None
    # What Lago itself answered to the same request (the twin), when the oracle decided; then
    # ``received`` is the target's answer and ``expected`` says which relation broke.
    lago: str = ""
    # What the check compared, row by row, where it decided on a difference (the oracle's).
    difference: Difference | None = None
    # The requests that decided, in order, one curl line each (a stateful sequence's finding).
    sequence: tuple[str, ...] = ()

    def render(self) -> str:
        """``Title`` / blank / ``Received:`` / ``Expected:``, the difference, ``Source:``, the
        sequence and the reproduction."""
        text = f"[{self.severity}] {self.title}\n\nReceived: {self.received}\nExpected: {self.expected}"
        if self.lago:
            text += f"\nLago answered: {self.lago}"
        if self.difference is not None:
            text += "\n" + "\n".join(difference_text(self.difference))
        if self.source:
            text += f"\nSource: {self.source}"
        if self.sequence:
            text += "\n\n" + "\n".join(sequence_text(self.sequence))
        if self.reproduce:
            text += f"\n\nReproduce with:\n    {self.reproduce}"
        for baseline in (self.accepted, self.expired):
            if baseline:
                text += f"\n\n{baseline}"
        return text


@dataclass(frozen=True)
class Check(Generic[T]):
    """A registered rule; ``judge`` returns the problems it sees in one observation.

    ``kinds`` limits a check to observations of those kinds (None: every kind); what a kind is
    belongs to the suite (a server scenario's expectation, whether a client gave an outcome).
    Its severity, source and description come from the register (``_report/register.py``),
    which refuses a name it does not hold: no check exists outside the register.
    """

    name: str
    judge: Callable[[T], Iterable[Problem]]
    kinds: frozenset[str] | None = None

    def __post_init__(self) -> None:
        entry(self.name)

    @property
    def severity(self) -> Severity:
        """MUST or SHOULD, as the register says."""
        return entry(self.name).severity

    @property
    def source(self) -> str:
        """Where the rule comes from: a JSON pointer into the bundled contract for a MUST,
        the lago-api file (or the RFC) for a SHOULD."""
        return entry(self.name).source

    def applies_to(self, kind: str) -> bool:
        """Whether this check judges observations of ``kind``."""
        return self.kinds is None or kind in self.kinds

    def runs_at(self, level: Level) -> bool:
        """Whether this check is judged at ``level``."""
        return runs_at(self.severity, level)

    def finding(
        self,
        problem: Problem,
        reproduce: str,
        secrets: Iterable[str],
        *,
        title: str | None = None,
        lago: str = "",
        sequence: tuple[str, ...] = (),
    ) -> Finding:
        """The finding for ``problem``, with every secret redacted; ``lago``: Lago's own answer;
        ``sequence``: the requests that decided, when the problem does not name them itself."""
        steps = sequence or problem.sequence
        fields = (title or problem.title, problem.received, problem.expected, reproduce, lago)
        title, received, expected, reproduce, lago = redact(fields, secrets)
        difference, steps = redact((problem.difference, steps), secrets)
        source = problem.source or self.source
        return Finding(self.name, self.severity, title, received, expected, reproduce, source,
                       lago=lago, difference=difference, sequence=steps)  # fmt: skip


@dataclass(frozen=True)
class CaseResult:
    """One check applied to one scenario: passed, failed with findings, or not run and why."""

    check: str
    scenario: str
    severity: Severity
    findings: tuple[Finding, ...] = ()
    skipped: str | None = None

    @property
    def outcome(self) -> Literal["passed", "failed", "accepted", "skipped"]:
        """What became of this check on this scenario; ``accepted``: failed, but a baseline says so."""
        if self.findings:
            return "accepted" if all(f.accepted for f in self.findings) else "failed"
        return "skipped" if self.skipped is not None else "passed"

    def counted(self, fail_on: FailOn) -> list[Finding]:
        """The findings that fail a run at ``fail_on``."""
        return [f for f in self.findings if not f.accepted and counts_against(f.severity, fail_on)]


def now() -> datetime.datetime:
    """The time in UTC, or ``$SOURCE_DATE_EPOCH`` when set (reproducible-builds.org): the one
    clock of reports' timestamps and baselines' "today", so that runs diff cleanly."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.datetime.now(datetime.UTC)
    try:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH {epoch!r} is not a number of seconds since 1970-01-01;"
            " fix it or unset it"
        ) from None


def _now() -> str:
    return now().replace(microsecond=0).isoformat()


@dataclass
class Report:
    """A whole run of one suite; deterministic for a seed but for ``timestamp``.

    Its strings are already redacted: the suites add notes through ``note`` and findings through
    ``Check.finding``.
    """

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
    aborted: str | None = None
    # What the run set out to judge and did not, and why (rate-limited throughout, timed out, out
    # of budget before a scenario ran): such a run is never conformant, and exits 2.
    incomplete: str | None = None
    # Wall-clock seconds per scenario: shown by nothing that is written, so reports compare.
    timings: dict[str, float] = field(default_factory=dict, repr=False)
    # Baseline entries that matched nothing: each fails the run (see _report/baseline.py).
    stale: list[str] = field(default_factory=list)
    # What must never reach the report: notes and metadata are redacted of these as they come.
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def note(self, text: str) -> None:
        """Add a note, redacted."""
        self.notes.append(redact(text, self.secrets))

    def describe(self, **metadata: Any) -> None:
        """Add metadata, redacted."""
        self.metadata.update(redact(metadata, self.secrets))

    @property
    def findings(self) -> list[Finding]:
        """Every finding, in the order the checks ran."""
        return [finding for result in self.results for finding in result.findings]

    def counts(self) -> dict[str, int]:
        """Checks by outcome and findings by severity (accepted findings are not counted)."""
        outcomes = [result.outcome for result in self.results]
        findings = [finding for finding in self.findings if not finding.accepted]
        return {
            "checks": len(outcomes),
            "passed": outcomes.count("passed"),
            "failed": outcomes.count("failed"),
            "skipped": outcomes.count("skipped"),
            "accepted": outcomes.count("accepted"),
            "must": sum(finding.severity == "MUST" for finding in findings),
            "should": sum(finding.severity == "SHOULD" for finding in findings),
        }

    @property
    def conformant(self) -> bool:
        """No finding at or above ``fail_on`` but accepted ones, no stale baseline entry, and a
        run that judged what it set out to (not aborted, not incomplete)."""
        if self.aborted is not None or self.incomplete is not None:
            return False
        return not self.stale and not any(result.counted(self.fail_on) for result in self.results)

    @property
    def verdict(self) -> Literal["conformant", "not conformant", "incomplete", "aborted"]:
        """The run in one word: ``aborted`` and ``incomplete`` runs judged too little to say."""
        if self.aborted is not None:
            return "aborted"
        if self.incomplete is not None:
            return "incomplete"
        return "conformant" if self.conformant else "not conformant"

    @property
    def exit_code(self) -> int:
        """0 when conformant at ``fail_on``, 1 when there are findings that count, 2 when the run
        was aborted or incomplete."""
        if self.aborted is not None or self.incomplete is not None:
            return 2
        return 0 if self.conformant else 1
