from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pytest

from conformance._client.adapters import Subject, load_adapter
from conformance._client.call import API_KEY
from conformance._client.catalogue import catalogue, generated_bodies
from conformance._client.suite import ClientOptions, run_subject, scenario_names
from conformance._contract.levels import LEVELS
from conformance._report.writers import write_json, write_junit, write_markdown
from tests.faulty_clients import FaultyClient

if TYPE_CHECKING:
    from conformance._report.findings import Report

US = "https://api.getlago.com/api/v1"


def run(
    call: Any, *scenarios: str, level: Any = "strict", seed: int = 0, examples: int = 25
) -> Report:
    subject = Subject("faulty", None, call)
    options = ClientOptions(level=level, seed=seed, max_examples=examples, scenarios=scenarios)
    return run_subject(subject, options)


def flagged(report: Report) -> set[tuple[str, str]]:
    return {(result.scenario, result.check) for result in report.results if result.findings}


def crash(base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
    raise KeyError("boom")


def no_request(base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
    return {"ok": True, "details": {}}


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


def not_an_outcome(base_url: str, api_key: str, lago_id: str) -> Any:
    return "https://foo.bar"


FAULTS = [
    pytest.param(
        FaultyClient(swallow_422=True),
        "422-no_linked_payment_provider",
        "error_fields",
        id="swallows-422",
    ),
    pytest.param(
        FaultyClient(root_key="invoice_payment_url"),
        "200-example",
        "success_details",
        id="wrong-root-key",
    ),
    pytest.param(
        FaultyClient(root_key="invoice_payment_url", empty_success_on_unreadable=True),
        "200-example",
        "success_details",
        id="wrong-root-key-empty-success",
    ),
    pytest.param(
        FaultyClient(drop_code=True), "404-invoice_not_found", "error_fields", id="drops-code"
    ),
    pytest.param(
        FaultyClient(drop_error_details=True),
        "422-third_party_error",
        "error_fields",
        id="drops-error-details",
    ),
    pytest.param(
        FaultyClient(non_json_status=500),
        "502-html",
        "keeps_http_status",
        id="non-json-error-becomes-500",
    ),
    pytest.param(
        FaultyClient(non_json_status=None),
        "500-empty",
        "keeps_http_status",
        id="non-json-error-loses-status",
    ),
    pytest.param(
        FaultyClient(needs_json_content_type=True, non_json_status=500),
        "503-json-as-text",
        "keeps_http_status",
        id="json-as-text-becomes-500",
    ),
    pytest.param(
        FaultyClient(auth_scheme="Token"), "request-us", "request_shape", id="wrong-auth-scheme"
    ),
    pytest.param(
        FaultyClient(method="GET"), "request-us", "request_shape", id="get-instead-of-post"
    ),
    pytest.param(FaultyClient(send_body=True), "request-us", "request_shape", id="sends-a-body"),
    pytest.param(
        FaultyClient(fixed_base=US), "request-eu", "request_shape", id="ignores-base-url-eu"
    ),
    pytest.param(
        FaultyClient(fixed_base=US),
        "request-self-hosted",
        "request_shape",
        id="ignores-base-url-self-hosted",
    ),
    pytest.param(
        FaultyClient(path="invoice/{id}/payment_url"),
        "request-us",
        "request_shape",
        id="wrong-path",
    ),
    pytest.param(
        FaultyClient(path="invoices/{id}/payment-url"),
        "request-us",
        "request_shape",
        id="wrong-path-dash",
    ),
    pytest.param(
        FaultyClient(encode_id=False),
        "request-reserved-characters",
        "request_shape",
        id="no-url-encoding",
    ),
    pytest.param(
        FaultyClient(retries_4xx=2), "401-unauthorized", "no_retry_after_4xx", id="retries-4xx"
    ),
    pytest.param(
        FaultyClient(retries_429=None),
        "429-always",
        "rate_limit_bounded",
        id="retries-429-unbounded",
    ),
    pytest.param(
        FaultyClient(retries_429=10), "429-always", "rate_limit_bounded", id="retries-429-too-often"
    ),
    pytest.param(
        FaultyClient(retries_429=0), "429-then-200", "rate_limit_retried", id="gives-up-on-429"
    ),
    pytest.param(
        FaultyClient(forbid_unknown=True),
        "200-generated",
        "success_details",
        id="rejects-unknown-fields",
    ),
    pytest.param(
        FaultyClient(ascii_only=True), "200-generated", "success_details", id="mangles-non-ascii"
    ),
    pytest.param(FaultyClient(timeout=None), "never-answers", "transport_fault", id="no-timeout"),
    pytest.param(
        FaultyClient(timeout=60), "never-answers", "transport_fault", id="timeout-past-bound"
    ),
    pytest.param(
        FaultyClient(empty_success_on_unreadable=True),
        "200-without-root-key",
        "no_silent_success",
        id="silent-empty-success",
    ),
    pytest.param(
        FaultyClient(empty_success_on_unreadable=True),
        "200-invalid-json",
        "no_silent_success",
        id="silent-success-invalid-json",
    ),
    pytest.param(
        FaultyClient(crash_on_error=True),
        "401-unauthorized",
        "error_fields",
        id="crashes-on-an-error",
    ),
    pytest.param(
        FaultyClient(transport_status=0),
        "connection-refused",
        "transport_fault",
        id="invents-a-status",
    ),
    pytest.param(
        FaultyClient(transport_status=500),
        "connection-reset",
        "transport_fault",
        id="reset-becomes-500",
    ),
    pytest.param(
        FaultyClient(expose=("payment_url",)),
        "200-example",
        "all_success_fields",
        id="drops-fields",
    ),
    pytest.param(crash, "never-answers", "transport_fault", id="crashes-always"),
    pytest.param(no_request, "200-example", "success_details", id="answers-without-asking"),
    pytest.param(no_request, "401-unauthorized", "error_fields", id="succeeds-without-asking"),
    pytest.param(not_an_outcome, "200-example", "success_details", id="returns-no-outcome"),
]


@pytest.mark.parametrize(("client", "scenario", "check"), FAULTS)
def test_each_fault_is_flagged_by_the_scenario_meant_for_it(
    client: Any, scenario: str, check: str
) -> None:
    report = run(client, scenario)
    assert (scenario, check) in flagged(report)
    assert report.exit_code == (1 if any(f.severity == "MUST" for f in report.findings) else 0)


def test_the_faulty_client_without_faults_passes_everything() -> None:
    report = run(FaultyClient())
    assert report.findings == []


def test_every_check_of_every_scenario_is_shown_failing_by_some_fault() -> None:
    seen: set[tuple[str, str]] = set()
    for param in FAULTS:
        seen |= flagged(run(param.values[0]))
    every = {(scenario.name, check.name) for scenario in catalogue() for check in scenario.checks}
    assert every - seen == set()


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


def test_runs_are_deterministic_for_a_seed() -> None:
    first = run(FaultyClient(ascii_only=True), "200-generated", seed=7)
    second = run(FaultyClient(ascii_only=True), "200-generated", seed=7)
    assert first.findings == second.findings
    assert first.findings


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
        "| 404-invoice_not_found | documented | MUST | FAIL [MUST] error_fields |"
        in streams[2].getvalue()
    )
    finding = next(f for f in report.findings if f.check == "error_fields")
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
