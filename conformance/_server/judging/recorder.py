"""The server suite's recorder: judges each answer with every check that applies to it, and keeps
one result per check x scenario, with the status and 422-reason coverage of the run."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from conformance._contract.document import contract
from conformance._contract.fixtures import FIXTURE_KEYS, PAYABLE
from conformance._contract.rules import THIRD_PARTY_ERROR, bearer_token, error_reasons
from conformance._report.findings import CaseResult
from conformance._server.judging.wire_checks import WIRE_CHECKS
from conformance._server.transport.answer import Answer
from conformance._server.twin.http_judge import HttpJudge
from conformance._server.twin.oracle import Comparison, describe_lago

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from conformance._contract.fixtures import Fixtures
    from conformance._contract.levels import Severity
    from conformance._contract.request import Request
    from conformance._contract.rules import Reply
    from conformance._contract.spec import Spec
    from conformance._report.findings import Check, Finding, Problem
    from conformance._server.transport.answer import Expectation
    from conformance._server.transport.exchange import Exchange
    from conformance._server.twin.http_checks import HttpPair
    from conformance._server.twin.oracle import Twin

__all__ = ["REASONS", "Recorder"]

REASONS = tuple(key for key in FIXTURE_KEYS if key != PAYABLE)
# A presented token this short is a generated one, not a credential worth hiding.
_MIN_SECRET = 8


class Recorder:
    """Judges each answer with every applicable check and keeps one result per check x scenario."""

    def __init__(
        self,
        checks: tuple[Check[Answer], ...],
        api_key: str,
        spec: Spec | None = None,
        *,
        twin: Twin | None = None,
        oracle: tuple[Check[Comparison], ...] = (),
        repeats: Check[Sequence[Exchange]] | None = None,
        http: tuple[Check[HttpPair], ...] = (),
        other_api_key: str | None = None,
    ) -> None:
        self.checks, self.spec = checks, spec
        self.api_key = api_key
        # Both organizations' keys are secrets: neither reaches a finding.
        self.keys = tuple(key for key in (api_key, other_api_key) if key)
        self.twin, self.oracle = twin, oracle if twin is not None else ()
        # The "http" checks: httplint's notes on the target's answer against its notes on Lago's.
        self.http = http if twin is not None else ()
        self._http = HttpJudge(self.http)
        # Lago's answer to each request asked of the twin, and the target's first answer to each
        # request sent: an identical request later must get an identical answer.
        self._lago: dict[Request, Reply] = {}
        self.first: dict[Request, Exchange] = {}
        self.repeats = repeats
        self.results: dict[tuple[str, str], list[Finding]] = {}
        self.severities: dict[str, Severity] = {check.name: check.severity for check in checks}
        judges: tuple[Check[Any], ...] = (*self.oracle, *self.http)
        self.severities.update((check.name, check.severity) for check in judges)
        self.skipped: dict[tuple[str, str], str] = {}
        self.statuses: Counter[int] = Counter()
        self.reasons: set[str] = set()
        self.unevaluated = 0
        # The scenarios whose answers were all 429: they were not judged.
        self.rate_limited_scenarios: list[str] = []
        # The phase of the run each scenario was sent in.
        self.phases: dict[str, str] = {}

    def _secrets(self, exchange: Exchange) -> tuple[str, ...]:
        # Every word after the scheme: a near-miss of the key is as secret as the key.
        words = (exchange.authorization or "").split()[1:]
        presented = bearer_token(exchange.authorization)
        extra = [w for w in (presented, " ".join(words), *words) if w and len(w) >= _MIN_SECRET]
        return tuple(dict.fromkeys((*self.keys, *extra)))

    def _observe(self, exchange: Exchange) -> None:
        if exchange.status is None or exchange.method != "POST":
            return
        self.statuses[exchange.status] += 1
        body = exchange.body_json()
        if exchange.status == 422 and isinstance(body, dict):
            self.reasons.update(r for r in error_reasons(body) or () if isinstance(r, str))
            if body.get("code") == THIRD_PARTY_ERROR:
                self.reasons.add(THIRD_PARTY_ERROR)

    def lago(self, request: Request) -> Reply:
        """The twin's answer to ``request`` (asked once per distinct request)."""
        assert self.twin is not None
        if request not in self._lago:
            self._lago[request] = self.twin(request)
        return self._lago[request]

    def _judge(
        self, exchange: Exchange, expectation: Expectation, base: Exchange | None
    ) -> Iterator[tuple[Check[Any], Problem, str]]:
        """Every problem the checks and the oracle see in ``exchange``, with Lago's answer shown
        for the oracle's."""
        answer = Answer(exchange, expectation, self._secrets(exchange), self.spec)
        for check in self.checks:
            if check.applies_to(answer.kind):
                for problem in check.judge(answer):
                    yield check, problem, ""
        if self.oracle:
            lago = self.lago(exchange.request)
            lago_base = self.lago(base.request) if base is not None else None
            comparison = Comparison(exchange, lago, base, lago_base)
            shown = describe_lago(lago, exchange.method)
            for oracle in self.oracle:
                for problem in oracle.judge(comparison):
                    yield oracle, problem, shown
        if self.http and exchange.status is not None:
            lago = self.lago(exchange.request)
            shown = describe_lago(lago, exchange.method)
            for http_check, problem in self._http.judge(exchange, lago):
                yield http_check, problem, shown

    def preview(
        self, exchange: Exchange, expectation: Expectation, base: Exchange | None = None
    ) -> list[tuple[str, str]]:
        """The (check, title) of every problem ``record`` would find, recording nothing; the
        wire's checks only where the base's answer came whole (else the connection is to blame)."""
        if exchange.rate_limited:
            return []
        wire = base is not None and not (base.framing or base.interim_faults)
        return [
            (check.name, problem.title)
            for check, problem, _ in self._judge(exchange, expectation, base)
            if wire or check.name not in WIRE_CHECKS
        ]

    def record(
        self,
        exchange: Exchange,
        expectation: Expectation,
        scenario: str,
        phase: str = "",
        base: Exchange | None = None,
    ) -> list[Finding]:
        """Judge ``exchange`` with every check that applies to ``expectation``, and with the
        oracle against Lago's own answer (``base``: the request it varies, answered); returns
        the new findings."""
        self.phases.setdefault(scenario, phase)
        if exchange.rate_limited:
            self.unevaluated += 1
            if scenario not in self.rate_limited_scenarios:
                self.rate_limited_scenarios.append(scenario)
            return []
        self._observe(exchange)
        secrets = self._secrets(exchange)
        new: list[Finding] = []
        every: list[Check[Any]] = [*self.checks, *self.oracle, *self.http]
        for check in every:
            if check.applies_to(expectation.kind):
                self.results.setdefault((check.name, scenario), [])
        for check, problem, lago in self._judge(exchange, expectation, base):
            new += self._add(check, scenario, (problem,), exchange, secrets, lago=lago)
        self._repeat(exchange, scenario, secrets)
        return new

    def _add(
        self,
        check: Check[Any],
        scenario: str,
        problems: Iterable[Problem],
        exchange: Exchange,
        secrets: tuple[str, ...],
        *,
        lago: str = "",
    ) -> list[Finding]:
        findings = self.results.setdefault((check.name, scenario), [])
        new = []
        for problem in problems:
            # One finding per kind of problem: a rule named in the problem's source is one kind.
            if not any(
                finding.title == problem.title
                or (problem.source and finding.source == problem.source)
                for finding in findings
            ):
                new.append(check.finding(problem, exchange.curl(), secrets, lago=lago))
        findings += new
        return new

    def _repeat(self, exchange: Exchange, scenario: str, secrets: tuple[str, ...]) -> None:
        """An identical request sent again gets an identical answer, every field compared."""
        first = self.first.setdefault(exchange.request, exchange)
        check = self.repeats
        if check is None or first is exchange or first.status is None or exchange.status is None:
            return
        self.severities.setdefault(check.name, check.severity)
        self._add(check, scenario, check.judge((first, exchange)), exchange, secrets)

    def judge(self, check: Check[Any], scenario: str, observed: Any, reproduce: str) -> None:
        """Judge a run-level observation (not one answer) with ``check``."""
        self.severities[check.name] = check.severity
        findings = self.results.setdefault((check.name, scenario), [])
        findings += [check.finding(p, reproduce, self.keys) for p in check.judge(observed)]

    def sequence(
        self,
        check: Check[Any],
        scenario: str,
        problem: Problem,
        *,
        lines: tuple[str, ...],
        last: Exchange,
        lago: str,
    ) -> None:
        """Record a difference a sequence of requests shows: one curl line per step, in order
        (``Finding.sequence``), the last one also as its reproduction."""
        self.severities[check.name] = check.severity
        self.phases.setdefault(scenario, "stateful")
        secrets = tuple(dict.fromkeys((*self.keys, *self._secrets(last))))
        finding = check.finding(problem, last.curl(), secrets, lago=lago, sequence=lines)
        self.results.setdefault((check.name, scenario), []).append(finding)

    def passing(self, checks: Iterable[Check[Any]], scenario: str, phase: str) -> None:
        """Mark ``checks`` as judged on ``scenario`` (passed unless a finding comes)."""
        self.phases.setdefault(scenario, phase)
        for check in checks:
            self.severities[check.name] = check.severity
            self.results.setdefault((check.name, scenario), [])

    def skip(self, scenario: str, expectation: Expectation, reason: str, phase: str = "") -> None:
        """Mark every check meant for ``expectation``'s kind as not run on ``scenario``."""
        self.phases.setdefault(scenario, phase)
        for check in self.checks:
            if check.kinds is not None and check.applies_to(expectation.kind):
                self.skipped[(check.name, scenario)] = reason

    def case_results(self) -> list[CaseResult]:
        """One result per check x scenario, in the order they were first seen."""
        keys = list(self.results) + [key for key in self.skipped if key not in self.results]
        return [
            CaseResult(
                check,
                scenario,
                self.severities[check],
                tuple(self.results.get((check, scenario), ())),
                self.skipped.get((check, scenario)),
            )
            for check, scenario in keys
        ]

    def phase_table(self, sent: Mapping[str, int]) -> dict[str, dict[str, int]]:
        """Each phase of the run: the requests it sent, and its findings."""
        phases = {phase: {"requests": count, "findings": 0} for phase, count in sent.items()}
        for (_check, scenario), findings in self.results.items():
            phase = phases.setdefault(self.phases.get(scenario, ""), {"requests": 0, "findings": 0})
            phase["findings"] += len(findings)
        return {
            name or "other": row
            for name, row in phases.items()
            if row["requests"] or row["findings"]
        }

    def coverage(self, fixtures: Fixtures, sent: Mapping[str, int] | None = None) -> dict[str, Any]:
        """Which documented statuses and 422 reasons the run saw, and why not where it did not;
        with ``sent`` (requests per phase), what each phase of the run sent and found."""
        statuses: dict[str, dict[str, Any]] = {}
        for status in contract("documented", self.spec).statuses:
            seen = self.statuses.get(status, 0)
            if seen:
                verdict = "covered"
            elif status == 200 and fixtures.get(PAYABLE) is None:
                verdict = "not covered: no fixture names `payable`"
            elif status == 422 and not any(fixtures.get(reason) for reason in REASONS):
                verdict = "not covered: no fixture names a 422 reason"
            else:
                verdict = "not observed"
            statuses[str(status)] = {"observed": seen, "verdict": verdict}
        for status, seen in sorted(self.statuses.items()):
            statuses.setdefault(str(status), {"observed": seen, "verdict": "undocumented"})
        unseen = ("not covered: no fixture names it", "not observed")
        reasons = {
            r: "covered" if r in self.reasons else unseen[bool(fixtures.get(r))] for r in REASONS
        }
        tables: dict[str, list[list[Any]]] = {
            "Status coverage": [["status", "responses", "verdict"]]
            + [[code, row["observed"], row["verdict"]] for code, row in statuses.items()],
            "422 reasons": [["reason", "verdict"]]
            + [[reason, verdict] for reason, verdict in reasons.items()],
        }
        coverage: dict[str, Any] = {"statuses": statuses, "reasons": reasons, "tables": tables}
        if sent is not None:
            phases = coverage["phases"] = self.phase_table(sent)
            tables["Phases"] = [["phase", "requests", "findings"]] + [
                [name, row["requests"], row["findings"]] for name, row in phases.items()
            ]
        return coverage
