"""The server suite: auth probes, fixture scenarios, probes, the exploration and property tests,
judged by the checks and by the oracle (Lago's twin).

preflight (is it Lago?) -> auth probes -> fixture scenarios -> vary (the Origin pair) -> tenant
(another organization's key, with --other-api-key; the two keys in turn when the target sends
rate-limit hints) -> probes (hostile ids, near-misses, credential near-misses, other
methods; consistency at the start, middle and end) -> stateful phase -> exploration (the
operators, then drawn requests) -> property tests -> Report
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance._contract.document import spec_metadata
from conformance._contract.fixtures import PAYABLE, Fixtures
from conformance._contract.request import Request
from conformance._report.findings import Report
from conformance._server.judging.checks import CONSISTENT_ANSWERS, checks_at
from conformance._server.judging.rate_limits import (
    RATE_LIMIT_PER_ORGANIZATION,
    RATE_LIMIT_RESET_KEPT,
    interleaved,
)
from conformance._server.judging.recorder import Recorder
from conformance._server.judging.tenant import NOT_JUDGED, cross_tenant
from conformance._server.judging.vary import SCENARIO as VARY_SCENARIO
from conformance._server.judging.vary import VARY_RESPECTED, origin_pair
from conformance._server.options import ServerOptions
from conformance._server.phases.explore import Base, Exploration
from conformance._server.phases.explore_drawn import PHASE as DRAWN_PHASE
from conformance._server.phases.explore_drawn import DrawnExploration, aim_of, share
from conformance._server.phases.lago_bugs import PHASE as LAGO_BUGS_PHASE
from conformance._server.phases.lago_bugs import send_lago_bugs
from conformance._server.phases.payable import PayableCalls
from conformance._server.phases.probes import Probes
from conformance._server.phases.properties import run_property_tests
from conformance._server.phases.variations import variations
from conformance._server.scenarios import OTHER_ID, ServerRun, path_of
from conformance._server.stateful_run import (
    start_stateful,
    stateful_phase,
    stateful_summary,
    stateful_table,
)
from conformance._server.transport.answer import Expectation
from conformance._server.transport.target import (
    BudgetExhausted,
    RateLimitedThroughout,
    TargetUnusable,
)
from conformance._server.twin.http_checks import HTTP_CHECKS
from conformance._server.twin.oracle import ORACLE_CHECKS

if TYPE_CHECKING:
    from conformance._server.phases.stateful import StatefulPhase
    from conformance._server.transport.target import Target
    from conformance._server.twin.oracle import Twin

__all__ = ["ServerOptions", "run_on_target"]

# How to see again what the rate-limit checks judged over several requests.
RESET_KEPT = (
    "send requests with one key faster than the limit, and compare each answer's "
    "X-RateLimit-Reset with when X-RateLimit-Remaining comes back to the whole budget"
)
PER_KEY = (
    "send requests with the run's key and the other organization's in turn, and read "
    "X-RateLimit-Remaining: each key's count goes down at its own requests only"
)
# The share of --max-requests the exploration takes when --explore is not given: a sweep of
# every variation (about a hundred) and some combinations.
EXPLORE_SHARE = 0.37


def run_on_target(
    target: Target,
    options: ServerOptions,
    fixtures: Fixtures,
    subject: dict[str, Any],
    twin: Twin | None = None,
) -> Report:
    """Run every part of the suite against ``target`` and return the report; ``twin`` is Lago's
    own answer to each request, the oracle (None: the named checks alone).

    Raises ``TargetUnusable`` when the target cannot be tested at all; a target that stops
    answering mid-run gives a report with the reason in its notes and ``aborted`` set, and one
    that leaves unjudged what the run set out to judge, one with ``incomplete`` set.
    """
    level = options.level
    recorder = Recorder(
        checks_at(level, generic_only=options.generic_only),
        target.api_key,
        options.spec,
        twin=twin if options.oracle else None,
        oracle=tuple(check for check in ORACLE_CHECKS if check.runs_at(level)),
        repeats=CONSISTENT_ANSWERS if level == "strict" else None,
        # --checks generic: the oracle and the invariants of any API, as nox -s faults measures it.
        http=()
        if options.generic_only
        else tuple(check for check in HTTP_CHECKS if check.runs_at(level)),
        other_api_key=options.other_api_key,
    )
    run = ServerRun(target, options, fixtures, recorder)
    secrets = tuple(k for k in (*target.secrets, options.other_api_key) if k)
    report = Report(
        "server", subject, options.level, options.fail_on, options.seed, secrets=secrets
    )
    target.phase = "preflight"
    probes = Probes(run)
    payable = PayableCalls(fixtures.get(PAYABLE), options.payable_calls)
    exploration, drawn = _exploration(run, payable)
    stateful = stateful_phase(run, payable)
    try:
        run.preflight()
        _run_phases(run, probes, (exploration, drawn), stateful, report)
    except BudgetExhausted as error:
        report.note(f"the run stopped early: {error}")
        if target.phase != "property tests":
            report.incomplete = (
                f"out of budget in the {target.phase} phase (--max-requests "
                f"{target.max_requests}): raise --max-requests to judge the rest"
            )
    except RateLimitedThroughout as error:
        report.incomplete = f"rate-limited throughout: {error}"
    except TargetUnusable as error:
        if target.phase == "preflight":
            raise
        report.note(f"the run was aborted: {error}")
        report.aborted = str(error)
    if level == "strict" and len(probes.consistency) > 1:
        recorder.judge(
            CONSISTENT_ANSWERS,
            "probe/consistency",
            probes.consistency,
            probes.consistency[0].curl(),
        )
    if target.hints and RATE_LIMIT_RESET_KEPT.runs_at(level):
        recorder.judge(RATE_LIMIT_RESET_KEPT, "run/rate-limit hints", target.hints, RESET_KEPT)
    if target.rate_limited:
        report.note(
            f"the target answered 429 {target.rate_limited} times; each was retried after its hint "
            f"(not a finding); {recorder.unevaluated} requests stayed rate-limited and were not judged"
        )
    unjudged = [s for s in recorder.rate_limited_scenarios if not s.startswith("property/")]
    if unjudged and report.incomplete is None:
        report.incomplete = (
            f"{len(unjudged)} scenarios got only 429 answers and were not judged "
            f"({', '.join(unjudged[:4])}{', ...' if len(unjudged) > 4 else ''}); run again later"
        )
    report.results = recorder.case_results()
    report.coverage = recorder.coverage(fixtures, target.sent_by_phase)
    if exploration.sent:
        report.coverage.setdefault("tables", {})["Exploration"] = exploration.table()
    if drawn.sent or drawn.kept_back:
        report.coverage.setdefault("tables", {})["Drawn requests"] = drawn.table()
    if stateful is not None and stateful.sent:
        report.coverage.setdefault("tables", {})["Stateful phase"] = stateful_table(stateful)
    if payable.by_phase:
        report.coverage.setdefault("tables", {})["Payable invoice calls"] = payable.table()
    if options.other_api_key is None:
        report.note(NOT_JUDGED)
    if exploration.withheld:
        report.note(
            f"the exploration kept back {exploration.withheld} variants: the key never goes into "
            "a URL of a remote target without --allow-key-in-url, and no client sends some forms"
        )
    report.describe(
        **spec_metadata(options.spec),
        requests=target.sent,
        requests_by_phase=dict(target.sent_by_phase),
        max_requests=target.max_requests,
        rate_limit=target.rate_limit,
        max_examples=options.max_examples,
        oracle="twin" if recorder.twin is not None else "off",
        explored=dict(exploration.explored),
        drawn={"sent": drawn.sent, "kept_back": drawn.kept_back, **drawn.differences},
        fixtures=dict(fixtures.invoices),
        payable_calls={**payable.by_phase, "limit": payable.limit},
        stateful=stateful_summary(stateful),
        other_organization=options.other_api_key is not None,
    )
    return report


def _exploration(run: ServerRun, payable: PayableCalls) -> tuple[Exploration, DrawnExploration]:
    options, fixtures, target = run.options, run.fixtures, run.target
    wanted = options.explore
    if wanted is None:
        wanted = int(options.max_requests * EXPLORE_SHARE) if run.recorder.twin is not None else 0
    # Drawn requests take a sixth of --explore N, or by default up to DRAWN_SHARE of what the
    # exploration and the property tests leave (explore_drawn.py).
    drawn_wanted = share(wanted, options.explore is not None) if run.recorder.twin else 0
    wanted -= drawn_wanted if options.explore is not None else 0
    bearer = target.bearer()
    reasons = [(key, value) for key, value in fixtures.invoices.items() if key != PAYABLE]
    bases = [
        Base("unknown-invoice", Request.of("POST", path_of(run.random_uuid()), bearer), Expectation("not_found")),
        Base("no-key", Request.of("POST", path_of(run.random_uuid())), Expectation("unauthorized")),
    ]  # fmt: skip
    if reasons:
        key, lago_id = reasons[options.seed % len(reasons)]
        expectation = Expectation("reason", reason=key)
        bases.insert(
            1, Base(f"invoice-{key}", Request.of("POST", path_of(lago_id), bearer), expectation)
        )
    other = reasons[-1][1] if reasons else OTHER_ID
    # The property tests keep what they need (about 4/3 of --max-examples), unless --explore says.
    reserve = 0 if options.explore is not None else options.max_examples * 4 // 3 + 2
    aim = aim_of(target.api_key, options.other_api_key, dict(reasons), run.random_uuid())
    drawn = DrawnExploration(
        run, aim, drawn_wanted, options.seed, options.send_lago_bugs, reserve=reserve
    )
    found = variations(target.api_key, other, options.other_api_key)
    exploration = Exploration(run, bases, found, wanted, options.seed, reserve=reserve)
    # The exploration's half of the payable calls; the stateful phase, run before, leaves it.
    exploration.payable_calls = payable
    exploration.payable_share = (payable.limit + 1) // 2
    return exploration, drawn


def _run_phases(
    run: ServerRun,
    probes: Probes,
    explorations: tuple[Exploration, DrawnExploration],
    stateful: StatefulPhase | None,
    report: Report,
) -> None:
    target, options = run.target, run.options
    exploration, drawn = explorations
    target.phase = "auth probes"
    run.auth_probes()
    target.phase = "fixture scenarios"
    run.fixture_scenarios()
    payable_id, calls = run.fixtures.get(PAYABLE), exploration.payable_calls
    if payable_id is not None and calls is not None:
        target.phase = "vary"
        pair = origin_pair(run, calls, path_of(payable_id))
        if options.explore is None:
            # Out of the exploration's default share: the run sends no more for the pair.
            exploration.wanted = max(0, exploration.wanted - target.sent_by_phase["vary"])
        if pair is not None:
            run.recorder.judge(VARY_RESPECTED, VARY_SCENARIO, pair, pair[1].curl())
    if options.other_api_key is not None:
        target.phase = "tenant"
        cross_tenant(run, options.other_api_key)
        observed = interleaved(run, options.other_api_key)
        if observed and RATE_LIMIT_PER_ORGANIZATION.runs_at(options.level):
            run.recorder.judge(RATE_LIMIT_PER_ORGANIZATION, "tenant/rate limit", observed, PER_KEY)
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
    if stateful is not None:
        target.phase = "stateful"
        start_stateful(stateful, run)
    if options.send_lago_bugs:
        target.phase = LAGO_BUGS_PHASE
        send_lago_bugs(run, path_of)
    target.phase = "exploration"
    exploration.payable = run.payable_answer
    exploration.explore()
    target.phase = DRAWN_PHASE
    drawn.explore()
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
            send_lago_bugs=options.send_lago_bugs,
        )
    finally:
        target.max_requests += 1
    for note in notes:
        report.note(note)
    target.phase = "consistency"
    probes.consistent()
