"""The server suite: auth probes, fixture scenarios, probes and property tests, judged by the checks.

preflight (is it Lago?) -> auth probes -> fixture scenarios -> probes (hostile ids, near-misses,
credential near-misses, other methods; consistency at the start, middle and end) -> property
tests -> Report
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance._contract.document import spec_metadata
from conformance._contract.fixtures import PAYABLE, Fixtures
from conformance._contract.request import Request
from conformance._report.findings import Report
from conformance._server.answer import Expectation
from conformance._server.checks import CONSISTENT_ANSWERS, PAYMENT_URL_STABLE, checks_at
from conformance._server.probes import Probes
from conformance._server.properties import run_property_tests
from conformance._server.recorder import REASONS, Recorder
from conformance._server.target import BudgetExhausted, TargetUnusable

if TYPE_CHECKING:
    from conformance._contract.levels import FailOn, Level
    from conformance._contract.spec import Spec
    from conformance._report.baseline import Baseline
    from conformance._server.exchange import Exchange
    from conformance._server.target import Target

__all__ = ["ServerOptions", "run_on_target"]


@dataclass(frozen=True)
class ServerOptions:
    """What to check, where, and how hard; ``base_url=None`` checks the embedded mock in-process.

    ``api_key`` None means ``$LAGO_API_KEY`` (the mock's own key for the embedded mock).
    """

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    fixtures: Fixtures | None = None
    level: Level = "strict"
    fail_on: FailOn = "must"
    seed: int = 0
    max_examples: int = 50
    max_requests: int = 300
    rate_limit: float | None = None
    timeout: float = 10.0
    spec: Spec | None = None  # None: the bundled contract
    # Accepted findings, applied to the report by run_*_suite (None: none accepted).
    baseline: Baseline | None = None


def _path(lago_id: str) -> str:
    return f"/invoices/{lago_id}/payment_url"


class _ServerRun:
    """One run's state: the target, the options, the recorder and a seeded id generator."""

    def __init__(
        self, target: Target, options: ServerOptions, fixtures: Fixtures, recorder: Recorder
    ) -> None:
        self.target, self.options, self.recorder = target, options, recorder
        self.fixtures = fixtures
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
        return self.send_request(
            scenario, Request.of(method, _path(lago_id), authorization), expectation
        )

    def send_request(self, scenario: str, request: Request, expectation: Expectation) -> Exchange:
        exchange = self.target.send(request)
        self.recorder.record(exchange, expectation, scenario, self.target.phase)
        return exchange

    def skip(self, scenario: str, expectation: Expectation, reason: str) -> None:
        self.recorder.skip(scenario, expectation, reason, self.target.phase)

    def named(self) -> str | None:
        """A fixture invoice, the payable one last: it is asked for as little as possible."""
        invoices = self.fixtures.invoices
        return next((v for k, v in invoices.items() if k != PAYABLE), invoices.get(PAYABLE))

    def record(self, exchange: Exchange, expectation: Expectation, scenario: str) -> None:
        """Judge an exchange sent by someone else (the property tests) in the current phase."""
        self.recorder.record(exchange, expectation, scenario, self.target.phase)

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
        named = self.named()
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
            self.skip(
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
        fixtures, bearer = self.fixtures, self.target.bearer()
        payable = fixtures.get(PAYABLE)
        if payable is None:
            self.skip(
                "invoice/payable", Expectation("payable"), "not covered: no fixture names `payable`"
            )
        else:
            expectation = Expectation("payable", lago_id=payable)
            first = self.send("invoice/payable", "POST", payable, bearer, expectation)
            again = self.send("invoice/payable-again", "POST", payable, bearer, expectation)
            if self.options.level == "strict" and not (first.rate_limited or again.rate_limited):
                self.recorder.judge(
                    PAYMENT_URL_STABLE, "invoice/payable", (first, again), again.curl()
                )
        for reason in REASONS:
            lago_id = fixtures.get(reason)
            expectation = Expectation("reason", reason=reason)
            if lago_id is None:
                self.skip(
                    f"invoice/{reason}", expectation, f"not covered: no fixture names `{reason}`"
                )
            else:
                self.send(f"invoice/{reason}", "POST", lago_id, bearer, expectation)
        self.send("invoice/not-a-uuid", "POST", "not-a-uuid", bearer, Expectation("not_found"))
        # On the payable invoice: a server that serves GET as POST shows it with a 2xx. A GET
        # never reaches the checkout on a server that routes it right.
        self.send(
            "verb/GET", "GET", payable or self.random_uuid(), bearer, Expectation("wrong_verb")
        )


def run_on_target(
    target: Target, options: ServerOptions, fixtures: Fixtures, subject: dict[str, Any]
) -> Report:
    """Run every part of the suite against ``target`` and return the report.

    Raises ``TargetUnusable`` when the target cannot be tested at all; a target that stops
    answering mid-run gives a report with the reason in its notes and ``aborted`` set.
    """
    recorder = Recorder(checks_at(options.level), target.api_key, options.spec)
    run = _ServerRun(target, options, fixtures, recorder)
    report = Report(
        "server", subject, options.level, options.fail_on, options.seed, secrets=target.secrets
    )
    target.phase = "preflight"
    run.preflight()
    probes = Probes(run)
    try:
        _run_phases(run, probes, report)
    except BudgetExhausted as error:
        report.note(f"the run stopped early: {error}")
    except TargetUnusable as error:
        report.note(f"the run was aborted: {error}")
        report.aborted = str(error)
    if options.level == "strict" and len(probes.consistency) > 1:
        recorder.judge(
            CONSISTENT_ANSWERS,
            "probe/consistency",
            probes.consistency,
            probes.consistency[0].curl(),
        )
    if target.rate_limited:
        report.note(
            f"the target answered 429 {target.rate_limited} times; each was retried after its hint "
            f"(not a finding); {recorder.unevaluated} requests stayed rate-limited and were not judged"
        )
    report.results = recorder.case_results()
    report.coverage = recorder.coverage(fixtures, target.sent_by_phase)
    report.describe(
        **spec_metadata(options.spec),
        requests=target.sent,
        requests_by_phase=dict(target.sent_by_phase),
        max_requests=target.max_requests,
        rate_limit=target.rate_limit,
        max_examples=options.max_examples,
        fixtures=dict(fixtures.invoices),
    )
    return report


def _run_phases(run: _ServerRun, probes: Probes, report: Report) -> None:
    target, options = run.target, run.options
    target.phase = "auth probes"
    run.auth_probes()
    target.phase = "fixture scenarios"
    run.fixture_scenarios()
    for phase, probe in (
        ("consistency", probes.consistent),
        ("hostile ids", probes.hostile_ids),
        ("near-misses", probes.near_misses),
        ("credential near-misses", probes.credential_near_misses),
        ("other methods", probes.other_methods),
        ("consistency", probes.consistent),
    ):
        target.phase = phase
        probe()
    target.phase = "property tests"
    # Keep one request for the last consistency probe, after the property tests.
    target.max_requests -= 1
    try:
        notes = run_property_tests(
            target,
            options.level,
            options.seed,
            options.max_examples,
            run.record,
            spec=options.spec,
        )
    finally:
        target.max_requests += 1
    for note in notes:
        report.note(note)
    target.phase = "consistency"
    probes.consistent()
