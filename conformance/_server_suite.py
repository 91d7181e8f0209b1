"""The server suite: auth probes, fixture scenarios and property tests, judged by the checks.

preflight (is it Lago?) -> auth probes -> fixture scenarios -> property tests -> Report
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance._checks import Expectation, checks_for
from conformance._contract import DOCUMENTED_STATUSES, LEVELS, spec_sha256
from conformance._findings import CaseResult, Finding, Report
from conformance._fixtures import FIXTURE_KEYS, PAYABLE, Fixtures
from conformance._mock import bearer_token
from conformance._property import run_property_tests
from conformance._target import BudgetExhausted, TargetUnusable

if TYPE_CHECKING:
    from conformance._checks import Check
    from conformance._contract import Level
    from conformance._findings import FailOn, Severity
    from conformance._target import Exchange, Target

__all__ = ["ServerOptions", "run_server_suite"]

REASONS = tuple(key for key in FIXTURE_KEYS if key != PAYABLE)


@dataclass(frozen=True)
class ServerOptions:
    """What to check and how hard."""

    level: Level = "strict"
    fail_on: FailOn = "must"
    seed: int = 0
    max_examples: int = 50
    fixtures: Fixtures = field(default_factory=Fixtures)


class _Recorder:
    """Judges each answer with every applicable check and keeps one result per check x scenario."""

    def __init__(self, checks: tuple[Check, ...], api_key: str) -> None:
        self.checks = checks
        self.api_key = api_key
        self.results: dict[tuple[str, str], list[Finding]] = {}
        self.severities: dict[str, Severity] = {check.name: check.severity for check in checks}
        self.skipped: dict[tuple[str, str], str] = {}
        self.statuses: Counter[int] = Counter()
        self.reasons: set[str] = set()
        self.unevaluated = 0

    def record(self, exchange: Exchange, expectation: Expectation, scenario: str) -> None:
        if exchange.rate_limited:
            self.unevaluated += 1
            return
        if exchange.status is not None and exchange.method == "POST":
            self.statuses[exchange.status] += 1
            ok, body = exchange.json()
            if ok and isinstance(body, dict) and exchange.status == 422:
                details = body.get("error_details")
                base = details.get("base") if isinstance(details, dict) else None
                if isinstance(base, list):
                    self.reasons.update(reason for reason in base if isinstance(reason, str))
                if body.get("code") == "third_party_error":
                    self.reasons.add("third_party_error")
        presented = bearer_token(exchange.authorization)
        secrets = tuple({self.api_key, *([presented] if presented and len(presented) >= 8 else [])})
        for check in self.checks:
            if not check.applies_to(expectation):
                continue
            findings = self.results.setdefault((check.name, scenario), [])
            for title, received, expected in check.run(exchange, expectation, secrets):
                if not any(finding.title == title for finding in findings):
                    findings.append(
                        Finding(
                            check.name, check.severity, title, received, expected, exchange.curl()
                        )
                    )

    def add(self, check: str, severity: Severity, scenario: str, finding: Finding | None) -> None:
        self.severities[check] = severity
        findings = self.results.setdefault((check, scenario), [])
        if finding is not None:
            findings.append(finding)

    def skip(self, scenario: str, expectation: Expectation, reason: str) -> None:
        for check in self.checks:
            if check.kinds is not None and check.applies_to(expectation):
                self.skipped[(check.name, scenario)] = reason

    def case_results(self) -> list[CaseResult]:
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


def _path(lago_id: str) -> str:
    return f"/invoices/{lago_id}/payment_url"


class _Run:
    def __init__(self, target: Target, options: ServerOptions, recorder: _Recorder) -> None:
        self.target, self.options, self.recorder = target, options, recorder
        # Namespaced, so the ids never follow the same sequence as a mock seeded alike.
        self.rng = random.Random(f"lago-conformance-server:{options.seed}")

    def random_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def send(
        self,
        scenario: str,
        method: str,
        lago_id: str,
        authorization: str | None,
        expectation: Expectation,
    ) -> Exchange:
        exchange = self.target.send(method, _path(lago_id), authorization)
        self.recorder.record(exchange, expectation, scenario)
        return exchange

    def preflight(self) -> None:
        exchange = self.send(
            "auth/no-header", "POST", self.random_uuid(), None, Expectation("unauthorized")
        )
        ok, _body = exchange.json()
        if exchange.status is not None and exchange.status != 401 and not ok:
            raise TargetUnusable(
                f"{self.target.url} does not look like Lago: POST {_path('<uuid>')} without a key "
                f"answered {exchange.status} {exchange.media_type or 'with no content type'}"
                f"{' with a body over 1 MiB' if exchange.truncated else ', not JSON'}; "
                "check that --base-url ends in /api/v1"
            )
        # With the run's key, an unknown invoice is a 404. A 401 means the key itself is refused:
        # every later answer would blame the server for the user's key, so stop here.
        keyed = self.send(
            "invoice/unknown-uuid", "POST", self.random_uuid(), self.target.bearer(),
            Expectation("not_found"),
        )  # fmt: skip
        if keyed.status == 401:
            raise TargetUnusable(
                f"{self.target.url} refused the API key (401 on POST {_path('<uuid>')} with it); "
                "check --api-key or LAGO_API_KEY"
            )

    def auth_probes(self) -> None:
        fixtures = self.options.fixtures
        named = fixtures.get(PAYABLE) or next(iter(fixtures.invoices.values()), None)
        unauthorized = Expectation("unauthorized")
        self.send("auth/empty-bearer", "POST", self.random_uuid(), "Bearer", unauthorized)
        self.send(
            "auth/unknown-key",
            "POST",
            self.random_uuid(),
            f"Bearer lago-conformance-{self.random_uuid()}",
            unauthorized,
        )
        if named is None:
            self.recorder.skip(
                "auth/wrong-key-for-invoice",
                unauthorized,
                "not covered: the fixtures name no invoice",
            )
        else:
            self.send(
                "auth/wrong-key-for-invoice",
                "POST",
                named,
                f"Bearer wrong-{self.random_uuid()}",
                unauthorized,
            )

    def fixture_scenarios(self) -> None:
        fixtures, bearer = self.options.fixtures, self.target.bearer()
        payable = fixtures.get(PAYABLE)
        if payable is None:
            self.recorder.skip(
                "invoice/payable", Expectation("payable"), "not covered: no fixture names `payable`"
            )
        else:
            expectation = Expectation("payable", lago_id=payable)
            first = self.send("invoice/payable", "POST", payable, bearer, expectation)
            again = self.send("invoice/payable-again", "POST", payable, bearer, expectation)
            if self.options.level == "strict" and not (first.rate_limited or again.rate_limited):
                self.recorder.add(
                    "payment_url_stable", "SHOULD", "invoice/payable", _stability(first, again)
                )
        for reason in REASONS:
            lago_id = fixtures.get(reason)
            expectation = Expectation("reason", reason=reason)
            if lago_id is None:
                self.recorder.skip(
                    f"invoice/{reason}", expectation, f"not covered: no fixture names `{reason}`"
                )
            else:
                self.send(f"invoice/{reason}", "POST", lago_id, bearer, expectation)
        self.send("invoice/not-a-uuid", "POST", "not-a-uuid", bearer, Expectation("not_found"))
        self.send(
            "verb/GET", "GET", payable or self.random_uuid(), bearer, Expectation("wrong_verb")
        )


def _payment_url(exchange: Exchange) -> object:
    ok, body = exchange.json()
    details = body.get("invoice_payment_details") if ok and isinstance(body, dict) else None
    return details.get("payment_url") if isinstance(details, dict) else None


def _stability(first: Exchange, again: Exchange) -> Finding | None:
    if first.status != 200 or again.status != 200 or _payment_url(first) == _payment_url(again):
        return None
    return Finding(
        "payment_url_stable", "SHOULD", "Payment URL changed between two calls",
        f"{_payment_url(first)!r}, then {_payment_url(again)!r}",
        "the same payment_url for 24 hours (Lago reuses the checkout link)", again.curl(),
    )  # fmt: skip


def _coverage(recorder: _Recorder, fixtures: Fixtures) -> dict[str, Any]:
    statuses: dict[str, dict[str, Any]] = {}
    for status in DOCUMENTED_STATUSES:
        seen = recorder.statuses.get(status, 0)
        if seen:
            verdict = "covered"
        elif status == 200 and fixtures.get(PAYABLE) is None:
            verdict = "not covered: no fixture names `payable`"
        elif status == 422 and not any(fixtures.get(reason) for reason in REASONS):
            verdict = "not covered: no fixture names a 422 reason"
        else:
            verdict = "not observed"
        statuses[str(status)] = {"observed": seen, "verdict": verdict}
    for status, seen in sorted(recorder.statuses.items()):
        statuses.setdefault(str(status), {"observed": seen, "verdict": "undocumented"})
    reasons = {}
    for reason in REASONS:
        if reason in recorder.reasons:
            reasons[reason] = "covered"
        else:
            reasons[reason] = (
                "not observed" if fixtures.get(reason) else "not covered: no fixture names it"
            )
    return {
        "statuses": statuses,
        "reasons": reasons,
        "tables": {
            "Status coverage": [["status", "responses", "verdict"]]
            + [[code, row["observed"], row["verdict"]] for code, row in statuses.items()],
            "422 reasons": [["reason", "verdict"]]
            + [[reason, verdict] for reason, verdict in reasons.items()],
        },
    }


def run_server_suite(target: Target, options: ServerOptions, subject: dict[str, Any]) -> Report:
    """Run every part of the suite against ``target`` and return the report.

    Raises ``TargetUnusable`` when the target cannot be tested at all; a target that stops
    answering mid-run gives a report with the reason in its notes and ``aborted`` set.
    """
    recorder = _Recorder(checks_for(options.level), target.api_key)
    run = _Run(target, options, recorder)
    report = Report(
        "server", subject, options.level, options.fail_on, options.seed, secrets=target.secrets
    )
    target.phase = "preflight"
    run.preflight()
    try:
        target.phase = "auth probes"
        run.auth_probes()
        target.phase = "fixture scenarios"
        run.fixture_scenarios()
        target.phase = "property tests"
        report.notes += run_property_tests(
            target, options.level, options.seed, options.max_examples, recorder.record
        )
    except BudgetExhausted as error:
        report.notes.append(f"the run stopped early: {error}")
    except TargetUnusable as error:
        report.notes.append(f"the run was aborted: {error}")
        report.metadata["aborted"] = str(error)
    if target.rate_limited:
        report.notes.append(
            f"the target answered 429 {target.rate_limited} times; each was retried after its hint "
            f"(not a finding); {recorder.unevaluated} requests stayed rate-limited and were not judged"
        )
    report.results = recorder.case_results()
    report.coverage = _coverage(recorder, options.fixtures)
    report.metadata.update(
        spec_sha256={level: spec_sha256(level) for level in LEVELS},
        requests=target.sent,
        max_requests=target.max_requests,
        rate_limit=target.rate_limit,
        max_examples=options.max_examples,
        fixtures=dict(options.fixtures.invoices),
    )
    return report
