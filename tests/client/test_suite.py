from __future__ import annotations

import io
import json
import urllib.parse
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from conformance._client.calling.adapters import Subject, declared, load_adapter
from conformance._client.calls.call import API_KEY
from conformance._client.judging.checks import GENERATED as GENERATED_CHECKS
from conformance._client.served.catalogue import catalogue, generated_bodies
from conformance._client.suite import ClientOptions, run_subject, scenario_names
from conformance._contract.levels import LEVELS
from conformance._report.writers import write_json, write_junit, write_markdown
from tests.client.test_edge_scenarios import run_command
from tests.faulty_clients import CLIENT_FAULTS, ClientFault, FaultyClient

if TYPE_CHECKING:
    from conformance._report.findings import Report

US = "https://api.getlago.com/api/v1"


def run(
    call: Any, *scenarios: str, level: Any = "strict", seed: int = 0, examples: int = 25
) -> Report:
    """The catalogue (or ``scenarios``); the generated answers are test_generated's."""
    subject = declared(Subject("faulty", None, call))
    options = ClientOptions(
        level=level, seed=seed, max_examples=examples, scenarios=scenarios, explore=0
    )
    return run_subject(subject, options)


def flagged(report: Report) -> set[tuple[str, str]]:
    return {(result.scenario, result.check) for result in report.results if result.findings}


def urllib_client(base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
    import urllib.request

    try:
        urllib.request.urlopen(f"{base_url}/invoices/{lago_id}/payment_url", data=b"", timeout=5)
    except OSError as error:
        return {
            "ok": False,
            "status": None,
            "code": None,
            "error_details": None,
            "message": str(error),
        }
    return {"ok": True, "details": {}}


COMMAND_ONLY = {scenario.name for scenario in catalogue() if scenario.only == "command"}
# The generated answers' faults and checks are shown in test_generated.
GENERATED = {scenario.name for scenario in catalogue() if scenario.explore}


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(f, id=f.name, marks=[pytest.mark.http] if f.scenario in COMMAND_ONLY else [])
        for f in CLIENT_FAULTS
        if f.scenario not in GENERATED
    ],
)
def test_each_fault_is_flagged_by_the_scenario_meant_for_it(fault: ClientFault) -> None:
    if fault.scenario in COMMAND_ONLY:  # over HTTP, with a short kill: see test_edge_scenarios
        assert isinstance(fault.client, FaultyClient)
        report = run_command(fault.client, fault.scenario)
    else:
        report = run(fault.client, fault.scenario)
    assert (fault.scenario, fault.check) in flagged(report)
    # Written by hand: 1 when a MUST check (success_details, error_fields, request_shape) fails.
    assert report.exit_code == fault.exit_code


def test_the_faulty_client_without_faults_passes_everything() -> None:
    report = run(FaultyClient())
    assert report.findings == []


# judge_call's own problems, for a client that gave no outcome or an outcome without an answer:
# the harness reports those under a check, but the check's judge never saw the call.
HARNESS_EXPECTED = {"an outcome: one JSON object", "one POST, then its outcome"}


def judged(report: Report) -> set[tuple[str, str]]:
    """The (scenario, check) pairs with a problem that the check's own judge reported."""
    return {
        (result.scenario, result.check)
        for result in report.results
        if any(finding.expected not in HARNESS_EXPECTED for finding in result.findings)
    }


def test_every_check_of_every_scenario_is_failed_by_its_own_judge_on_some_faulty_client() -> None:
    # Only FaultyClient faults count, each run on every scenario its check judges, and only
    # problems of the check's own judge: a generic broken client (a crash, no request, no
    # outcome) is flagged by the harness on every scenario and would prove nothing.
    seen: set[tuple[str, str]] = set()
    for fault in CLIENT_FAULTS:
        if isinstance(fault.client, FaultyClient):
            scenarios = [
                s.name
                for s in catalogue()
                if fault.check in {c.name for c in s.checks}
                and s.name not in COMMAND_ONLY | GENERATED
            ]
            if not scenarios:
                continue
            seen |= judged(run(fault.client, *scenarios, examples=5))
    # Scenarios that run over --command only are shown in test_edge_scenarios.
    every = {
        (scenario.name, check.name)
        for scenario in catalogue()
        for check in scenario.checks
        if scenario.name not in COMMAND_ONLY | GENERATED
    }
    assert every - seen == set()


# One faulty client per check (two where the judge has two ways to fail), on the scenario meant
# for it: that check is the only one flagged, and its findings carry its judge's own titles.
# Stubbing any one judge to `return []` fails its rows.
JUDGED = [
    pytest.param(
        "success_details",
        FaultyClient(root_key="invoice_payment_url"),
        "200-example",
        ["a documented 200 was reported as a failure"],
        id="success_details-failure",
    ),
    pytest.param(
        "success_details",
        FaultyClient(root_key="invoice_payment_url", empty_success_on_unreadable=True),
        "200-example",
        [
            "the client exposes lago_customer_id different from what was served",
            "the client exposes lago_invoice_id different from what was served",
            "the client exposes external_customer_id different from what was served",
        ],
        id="success_details-values",
    ),
    pytest.param(
        "all_success_fields",
        FaultyClient(expose=("payment_url",)),
        "200-example",
        [
            "the client drops 4 of the 5 success fields: "
            "lago_customer_id, lago_invoice_id, external_customer_id, payment_provider"
        ],
        id="all_success_fields",
    ),
    pytest.param(
        "error_fields",
        FaultyClient(swallow_422=True),
        "422-no_linked_payment_provider",
        ["a documented 422 was reported as a success"],
        id="error_fields-success",
    ),
    pytest.param(
        "error_fields",
        FaultyClient(wrong_code=True),
        "404-invoice_not_found",
        ["the failure's code is not what was served"],
        id="error_fields-code",
    ),
    pytest.param(
        "all_error_fields",
        FaultyClient(drop_code=True, drop_error_details=True),
        "422-third_party_error",
        ["the client drops the served code", "the client drops the served error_details"],
        id="all_error_fields",
    ),
    pytest.param(
        "no_invented_values",
        FaultyClient(invent_missing=True),
        "200-without-payment-url",
        ["the client invents a value for payment_url, which was not served"],
        id="no_invented_values",
    ),
    pytest.param(
        "id_percent_encoded",
        FaultyClient(encode_id=False),
        "request-reserved-characters",
        [
            "the id is not percent-encoded as one path segment: an application that passes on an "
            "id it got from a user lets that user steer the request, with the organization's key, "
            "to another path (e.g. ../../ to another endpoint)"
        ],
        id="id_percent_encoded",
    ),
    pytest.param(
        "no_retry_after_4xx",
        FaultyClient(retries_4xx=2),
        "401-unauthorized",
        ["the client retried a POST after a 401"],
        id="no_retry_after_4xx",
    ),
    pytest.param(
        "request_shape",
        FaultyClient(auth_scheme="Token"),
        "request-us",
        ["the request is not authorized as `Bearer <key>`"],
        id="request_shape",
    ),
    pytest.param(
        "keeps_http_status",
        FaultyClient(non_json_status=None),
        "500-empty",
        ["the failure loses the real HTTP status"],
        id="keeps_http_status-status",
    ),
    pytest.param(
        "keeps_http_status",
        FaultyClient(success_on=(502,)),
        "502-html",
        ["an HTTP 502 was reported as a success"],
        id="keeps_http_status-success",
    ),
    pytest.param(
        "no_silent_success",
        FaultyClient(empty_success_on_unreadable=True),
        "200-without-root-key",
        ["an unreadable 200 was reported as a success"],
        id="no_silent_success",
    ),
    pytest.param(
        "rate_limit_bounded",
        FaultyClient(retries_429=10),
        "429-always",
        ["the client retried 429 too many times"],
        id="rate_limit_bounded-count",
    ),
    pytest.param(
        "rate_limit_bounded",
        FaultyClient(success_on=(429,)),
        "429-always",
        ["a lasting 429 did not end in a failure with status 429"],
        id="rate_limit_bounded-outcome",
    ),
    pytest.param(
        "rate_limit_retried",
        FaultyClient(retries_429=0),
        "429-then-200",
        ["the client did not retry a 429 whose hint said to retry now"],
        id="rate_limit_retried",
    ),
    pytest.param(
        "transport_fault",
        FaultyClient(transport_status=0),
        "connection-refused",
        ["a network fault was reported with an HTTP status no server sent"],
        id="transport_fault-status",
    ),
    pytest.param(
        "transport_fault",
        FaultyClient(swallow_network_errors=True),
        "connection-reset",
        ["a network fault was reported as a success"],
        id="transport_fault-success",
    ),
    pytest.param(
        "key_only_in_authorization",
        FaultyClient(leak_key_in="header"),  # in the query, httpx's log line holds it too
        "200-example",
        ["the API key is sent outside the Authorization header"],
        id="key_only_in_authorization",
    ),
    pytest.param(
        "base_url_joined",
        FaultyClient(drop_port=True),
        "base-explicit-port",
        ["the request does not go to the base URL joined with the endpoint's path"],
        id="base_url_joined",
    ),
    pytest.param(
        "exact_path",
        FaultyClient(trailing_slash="keep"),
        "base-trailing-slash",
        ["the request path repeats a slash (the base URL's trailing slash kept)"],
        id="exact_path",
    ),
    pytest.param(
        "no_redirect_followed",
        FaultyClient(follow_redirects=(301,)),
        "redirect-301-other-origin",
        ["the client followed a 301 redirect", "a 301 redirect was reported as a success"],
        id="no_redirect_followed-followed",
    ),
    pytest.param(
        "no_redirect_followed",
        FaultyClient(success_on=(303,)),
        "redirect-303-other-origin",
        ["a 303 redirect was reported as a success"],
        id="no_redirect_followed-success",
    ),
    pytest.param(
        "rate_limit_wait_bounded",
        FaultyClient(honor_hint="retry-after"),
        "429-retry-after-3600",
        ["the client would take 10800 s over a 429 whose hint asks for an hour"],
        id="rate_limit_wait_bounded",
    ),
    pytest.param(
        "rate_limit_hint_waited",
        FaultyClient(hint_fault="retry-after-ms"),
        "429-retry-after-2-then-200",
        ["the client retried before the 429's hint had elapsed"],
        id="rate_limit_hint_waited",
    ),
    pytest.param(
        "default_base_url",
        FaultyClient(default_base="https://api.getlago.com"),
        "default-base-url",
        ["with no base URL, the client calls no server the contract documents"],
        id="default_base_url",
    ),
    pytest.param(
        "retries_as_configured",
        FaultyClient(allowed_retries=0, ignore_retry_option=True),
        "429-always",
        ["the client retried more than it was configured to"],
        id="retries_as_configured",
    ),
    pytest.param(
        "failure_names_error",
        FaultyClient(blank_message=True),
        "422-third_party_error",
        ["the failure's message is empty"],
        id="failure_names_error",
    ),
    pytest.param(
        "key_never_written",
        FaultyClient(log_headers_on_401=True),
        "401-unauthorized",
        ["key leak: the client writes the API key"],
        id="key_never_written",
    ),
    pytest.param(
        "keeps_http_status",
        FaultyClient(strict_utf8=("json",), on_decode_error="no-status"),
        "422-invalid-utf8-json",
        ["the failure loses the real HTTP status"],
        id="keeps_http_status-undecodable",
    ),
]
# Shown failing by their own judge in test_edge_scenarios: key_stays_on_origin needs a followed
# redirect (no_redirect_followed fails too), undecodable_body a success (keeps_http_status fails
# too), slow_body_bounded runs over --command only.
ELSEWHERE = {"key_stays_on_origin", "undecodable_body", "slow_body_bounded"}
# The generated answers' checks, and the invariants that ride along: test_generated.
ELSEWHERE |= {check.name for check in GENERATED_CHECKS}


@pytest.mark.parametrize(("check", "client", "scenario", "titles"), JUDGED)
def test_each_check_fails_by_its_own_judge(
    check: str, client: FaultyClient, scenario: str, titles: list[str]
) -> None:
    report = run(client, scenario)
    assert flagged(report) == {(scenario, check)}
    assert [(f.check, f.title) for f in report.findings] == [
        (check, f"{scenario}: {title}") for title in titles
    ]


def test_every_client_check_is_shown_failing_by_its_own_judge() -> None:
    every = {check.name for scenario in catalogue() for check in scenario.checks}
    assert {param.values[0] for param in JUDGED} | ELSEWHERE == every
    assert every == {
        "success_details",
        "all_success_fields",
        "no_invented_values",
        "error_fields",
        "all_error_fields",
        "failure_names_error",
        "default_base_url",
        "retries_as_configured",
        "no_retry_after_4xx",
        "request_shape",
        "id_percent_encoded",
        "keeps_http_status",
        "no_silent_success",
        "rate_limit_bounded",
        "rate_limit_retried",
        "transport_fault",
        "key_only_in_authorization",
        "key_stays_on_origin",
        "base_url_joined",
        "exact_path",
        "no_redirect_followed",
        "rate_limit_wait_bounded",
        "undecodable_body",
        "slow_body_bounded",
        *(check.name for check in GENERATED_CHECKS),
    }


def test_a_5xx_reported_as_a_success_is_flagged_on_every_5xx_scenario() -> None:
    scenarios = [
        s.name
        for s in catalogue()
        if s.name[:3] in {"500", "502", "503"} and "latin1" not in s.name
    ]
    assert len(scenarios) == 12
    report = run(FaultyClient(success_on=(500, 502, 503)), *scenarios)
    assert sorted((f.check, f.title, f.expected) for f in report.findings) == sorted(
        (
            "keeps_http_status",
            f"{name}: an HTTP {name[:3]} was reported as a success",
            "ok: false",
        )
        for name in scenarios
    )


@pytest.mark.parametrize(
    ("client", "reported"),
    [
        pytest.param(FaultyClient(success_on=(429,)), '"ok": true', id="as-a-success"),
        pytest.param(
            FaultyClient(report_status=((429, None),)), '"status": null', id="without-status"
        ),
        pytest.param(
            FaultyClient(report_status=((429, 503),)), '"status": 503', id="as-another-status"
        ),
    ],
)
def test_a_lasting_429_must_end_in_a_failure_with_status_429(
    client: FaultyClient, reported: str
) -> None:
    report = run(client, "429-always")
    (finding,) = report.findings
    assert (finding.check, finding.title, finding.expected) == (
        "rate_limit_bounded",
        "429-always: a lasting 429 did not end in a failure with status 429",
        "ok: false, status: 429",
    )
    assert reported in finding.received
    # Three retries: bounded, so only the outcome is at fault.
    assert report.metadata["scenarios"]["429-always"]["request_count"] == 4


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(20))
def test_reference_passes_with_zero_findings(level: Any, seed: int) -> None:
    report = run(load_adapter("reference").call, level=level, seed=seed, examples=30)
    assert report.findings == []
    assert report.counts()["passed"] > 0


def test_documented_level_runs_only_must_checks() -> None:
    report = run(FaultyClient(non_json_status=500, expose=("payment_url",)), level="documented")
    assert report.findings == []
    skipped = {result.check for result in report.results if result.skipped}
    assert "keeps_http_status" in skipped
    assert "all_success_fields" in skipped


def test_generated_bodies_are_deterministic_for_a_seed_and_vary_with_it() -> None:
    assert generated_bodies("strict", 3, 20) == generated_bodies("strict", 3, 20)
    assert generated_bodies("strict", 3, 20) != generated_bodies("strict", 4, 20)


def test_generated_bodies_have_unknown_fields_and_non_ascii_text() -> None:
    bodies = generated_bodies("documented", 0, 100)
    text = json.dumps(bodies, ensure_ascii=False)
    assert any(set(body) - {"invoice_payment_details"} for body in bodies)
    assert any(len(body["invoice_payment_details"]) > 5 for body in bodies)
    assert any(not char.isascii() for char in text)


def recording(bodies: list[Any]) -> Any:
    """A plain client that keeps every body it is served and reports it back as a success."""

    def call(base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
        url = f"{base_url}/invoices/{urllib.parse.quote(lago_id, safe='')}/payment_url"
        response = httpx.post(url, headers={"Authorization": f"Bearer {api_key}"})
        bodies.append(response.json())
        return {"ok": True, "details": bodies[-1]["invoice_payment_details"]}

    return call


def test_a_run_serves_the_seeds_generated_bodies_and_another_seed_serves_others() -> None:
    served: dict[str, list[Any]] = {"first": [], "again": [], "other": []}
    for name, seed in (("first", 7), ("again", 7), ("other", 8)):
        run(recording(served[name]), "200-generated", seed=seed, examples=10)
    assert len(served["first"]) == 10
    assert served["first"] == served["again"] == generated_bodies("strict", 7, 10)
    assert served["other"] == generated_bodies("strict", 8, 10)
    assert served["first"] != served["other"]


def records(report: Report) -> tuple[Any, ...]:
    """What a client run reports, but for the clock: per-scenario records, findings, results."""
    scenarios = {name: dict(record) for name, record in report.metadata["scenarios"].items()}
    return scenarios, report.findings, report.results


def test_runs_are_deterministic_for_a_seed_and_vary_with_it() -> None:
    client = FaultyClient(ascii_only=True)
    first, again = run(client, "200-generated", seed=7), run(client, "200-generated", seed=7)
    other = run(client, "200-generated", seed=8)
    assert first.findings
    assert records(first) == records(again)
    record, other_record = (r.metadata["scenarios"]["200-generated"] for r in (first, other))
    assert record["failed_calls"] > 0
    # The first failing call's body and outcome come from the seed's bodies, not another's.
    assert (record["served"], record["outcome"]) != (
        other_record["served"],
        other_record["outcome"],
    )
    assert [f.received for f in first.findings] != [f.received for f in other.findings]


def test_report_carries_adapter_outcomes_and_served_responses_without_the_key() -> None:
    report = run(FaultyClient(drop_code=True, auth_scheme=API_KEY))
    streams = [io.StringIO() for _ in range(3)]
    for writer, stream in zip((write_json, write_junit, write_markdown), streams, strict=True):
        writer(report, stream)
    assert all(API_KEY not in stream.getvalue() for stream in streams)
    data = json.loads(streams[0].getvalue())
    assert data["subject"]["adapter"] == "faulty"
    entry = data["metadata"]["scenarios"]["404-invoice_not_found"]
    assert entry["outcome"]["status"] == 404
    assert "invoice_not_found" in entry["served"][0]
    assert (
        "| 404-invoice_not_found | documented | MUST | FAIL [SHOULD] all_error_fields |"
        in streams[2].getvalue()
    )
    finding = next(f for f in report.findings if f.check == "all_error_fields")
    assert "served: 404" in finding.received
    assert "--scenario" in finding.reproduce


def test_unknown_scenario_is_a_usage_error() -> None:
    with pytest.raises(Exception, match="unknown --scenario nope"):
        run(FaultyClient(), "nope")


def test_catalogue_names_are_unique() -> None:
    names = scenario_names()
    assert len(names) == len(set(names)) >= 30


def test_an_in_process_adapter_that_bypasses_httpx_never_reaches_the_network() -> None:
    report = run(urllib_client, "401-unauthorized")
    assert ("401-unauthorized", "error_fields") in flagged(report)
    entry = report.metadata["scenarios"]["401-unauthorized"]
    assert entry["request_count"] == 0
    assert "must call through httpx" in entry["outcome"]["message"]


# The severities follow the contract: MUST for what it promises on the inputs it allows.
@pytest.mark.parametrize(
    ("client", "scenario", "check", "severity"),
    [
        pytest.param(
            FaultyClient(encode_id=False), "request-reserved-characters", "id_percent_encoded",
            "SHOULD", id="reserved-characters-unencoded-is-should",
        ),
        pytest.param(
            FaultyClient(path="invoices/{id}/payment-url"), "request-us", "request_shape",
            "MUST", id="a-uuid-to-the-wrong-path-is-must",
        ),
        pytest.param(
            FaultyClient(invent_missing=True), "200-without-payment-url", "no_invented_values",
            "SHOULD", id="an-invented-default-is-should",
        ),
        pytest.param(
            FaultyClient(root_key="invoice_payment_url", empty_success_on_unreadable=True),
            "200-example", "success_details", "MUST", id="a-value-other-than-served-is-must",
        ),
        pytest.param(
            FaultyClient(drop_code=True), "404-invoice_not_found", "all_error_fields", "SHOULD",
            id="a-dropped-code-is-should",
        ),
        pytest.param(
            FaultyClient(wrong_code=True), "404-invoice_not_found", "error_fields", "MUST",
            id="a-code-other-than-served-is-must",
        ),
    ],
)  # fmt: skip
def test_recalibrated_checks_judge_at_their_severity(
    client: FaultyClient, scenario: str, check: str, severity: str
) -> None:
    strict = run(client, scenario)
    assert {(f.check, f.severity) for f in strict.findings} == {(check, severity)}
    documented = run(client, scenario, level="documented")
    assert documented.exit_code == (1 if severity == "MUST" else 0)
    assert bool(documented.findings) is (severity == "MUST")


def test_the_check_table_is_exactly_what_the_catalogue_uses() -> None:
    from conformance._client.judging.checks import CHECKS

    used = {check.name for scenario in catalogue() for check in scenario.checks}
    assert len(CHECKS) == len({check.name for check in CHECKS})
    assert {check.name for check in CHECKS} == used
