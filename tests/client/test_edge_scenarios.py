"""Answers beyond the documented ones (issue 9): redirects, long rate-limit hints, 200s whose root
is not an object, bodies that are not UTF-8 or trickle, base URL forms, and the key's place.

Each scenario has a faulty client that only it catches; the HTTP tests run the two-origin
redirect and the trickling body over ``--command``.
"""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any

import pytest

from conformance._client.calling.adapters import Subject, command_subject, declared
from conformance._client.calls.call import API_KEY
from conformance._client.served.catalogue import catalogue
from conformance._client.served.edge_scenarios import edge_scenarios
from conformance._client.suite import ClientOptions, run_subject
from conformance._report.writers import write_json, write_junit, write_markdown
from tests.faulty_clients import CLIENT_FAULTS, FaultyClient

if TYPE_CHECKING:
    from conformance._report.findings import Report

FAULTS = {fault.name: fault for fault in CLIENT_FAULTS}
IN_PROCESS = tuple(
    scenario.name for scenario in catalogue() if scenario.only != "command" and not scenario.explore
)
ROOTS: tuple[str, ...] = ("details-null", "details-array", "details-string", "details-number")
ROOTS += ("body-null", "body-array", "body-string")
# Each new scenario, and the fault of CLIENT_FAULTS that no other scenario catches.
ONLY_IT = {
    "base-trailing-slash": "double-slash",
    "base-prefix-trailing-slash": "slash-base-as-root",
    "base-explicit-port": "drops-port",
    "base-http": "forces-https",
    **{f"redirect-{s}-other-origin": f"follows-{s}" for s in (301, 302, 303, 307, 308)},
    "redirect-307-same-origin": "follows-same-origin-307",
    "429-retry-after-3600": "sleeps-retry-after",
    "429-reset-far-ahead": "sleeps-ratelimit-reset",
    "429-retry-after-2-then-200": "retry-after-as-ms",
    "429-retry-after-date-then-200": "retry-after-date-ignored",
    "429-reset-2-then-200": "reset-as-epoch",
    **{f"200-{kind}": f"lenient-{kind}" for kind in ROOTS},
    "502-latin1-html": "crashes-on-latin1-html",
    "422-invalid-utf8-json": "crashes-on-invalid-utf8-json",
    "200-trickles": "no-total-deadline",
    "default-base-url": "wrong-default-base-url",
}


def run(call: Any, *scenarios: str, level: Any = "strict") -> Report:
    options = ClientOptions(level=level, max_examples=2, scenarios=scenarios)
    return run_subject(declared(Subject("faulty", None, call)), options)


def run_command(client: FaultyClient, *scenarios: str, timeout: float = 3) -> Report:
    """``client`` as a command, on ``scenarios``, killed past ``timeout`` seconds."""
    options = ClientOptions(max_examples=2, scenarios=scenarios, timeout=timeout)
    return run_subject(command_subject(client.command()), options)


def flagged(report: Report) -> set[tuple[str, str]]:
    return {(result.scenario, result.check) for result in report.results if result.findings}


def test_every_new_scenario_has_a_fault_of_its_own() -> None:
    assert set(ONLY_IT) == {scenario.name for scenario in edge_scenarios()}
    assert all(FAULTS[name].scenario == scenario for scenario, name in ONLY_IT.items())


@pytest.mark.parametrize(
    ("scenario", "fault"), [(s, f) for s, f in ONLY_IT.items() if s in IN_PROCESS]
)
def test_a_new_scenario_is_the_only_one_to_catch_its_fault(scenario: str, fault: str) -> None:
    report = run(FAULTS[fault].client, *IN_PROCESS)
    assert {flagged_scenario for flagged_scenario, _ in flagged(report)} == {scenario}


def test_a_client_without_a_total_deadline_is_caught_by_the_trickle_only() -> None:
    # No in-process scenario catches it (test_suite shows the trickle does, over --command);
    # over --command never-answers does not either: its 10 s read timeout is within the bound.
    assert run(FaultyClient(deadline=None), *IN_PROCESS).findings == []


@pytest.mark.http
def test_a_trickle_given_up_on_as_a_success_fails_by_its_own_judges_over_http() -> None:
    client = FaultyClient(deadline=1, swallow_network_errors=True, leak_key_in="header")
    # A kill well past the client's 1 s deadline: a busy machine may take seconds to start it.
    report = run_command(client, "200-trickles", timeout=8)
    assert sorted((f.check, f.title) for f in report.findings) == [
        ("key_only_in_authorization", "200-trickles: the API key is sent outside the Authorization header"),
        ("slow_body_bounded", "200-trickles: a body that never finished was reported as a success"),
    ]  # fmt: skip
    assert report.timings["200-trickles"] < 8


def test_a_key_sent_to_another_origin_is_a_must_finding_of_its_own_judge() -> None:
    leaky = run(
        FaultyClient(follow_redirects=(302,), redirect_keeps_key=True), "redirect-302-other-origin"
    )
    assert sorted((f.check, f.severity, f.title) for f in leaky.findings) == [
        ("key_stays_on_origin", "MUST", "redirect-302-other-origin: the API key was sent to another origin"),
        ("no_redirect_followed", "SHOULD", "redirect-302-other-origin: a 302 redirect was reported as a success"),
        ("no_redirect_followed", "SHOULD", "redirect-302-other-origin: the client followed a 302 redirect"),
    ]  # fmt: skip
    # Following without the key (as httpx and fetch do across origins) is a SHOULD only.
    polite = run(FaultyClient(follow_redirects=(302,)), "redirect-302-other-origin")
    assert {f.severity for f in polite.findings} == {"SHOULD"}


@pytest.mark.http
def test_a_redirect_to_another_origin_is_served_and_recorded_over_http() -> None:
    client = FaultyClient(follow_redirects=(307,), redirect_keeps_key=True)
    report = run_command(
        client, "redirect-307-other-origin", "redirect-307-same-origin", timeout=10
    )
    assert flagged(report) == {
        ("redirect-307-other-origin", "key_stays_on_origin"),
        ("redirect-307-other-origin", "no_redirect_followed"),
    }
    record = report.metadata["scenarios"]["redirect-307-other-origin"]
    assert record["requests"] == [
        f"POST <harness>/api/v1/invoices/{path}/payment_url"
        for path in ("1e501a90-1a90-1a90-1a90-1a901a901a80",)
    ] + [
        "POST <harness's other origin>/api/v1/invoices/1e501a90-1a90-1a90-1a90-1a901a901a80/payment_url"
    ]
    stream = io.StringIO()
    write_json(report, stream)
    assert API_KEY not in stream.getvalue()


def test_an_undecodable_body_taken_as_a_success_is_a_must_finding_of_its_own_judge() -> None:
    client = FaultyClient(strict_utf8=("html", "json"), on_decode_error="success")
    report = run(client, "502-latin1-html", "422-invalid-utf8-json")
    assert sorted((f.check, f.severity, f.title) for f in report.findings) == [
        ("keeps_http_status", "SHOULD", "422-invalid-utf8-json: an HTTP 422 was reported as a success"),
        ("keeps_http_status", "SHOULD", "502-latin1-html: an HTTP 502 was reported as a success"),
        ("undecodable_body", "MUST", "422-invalid-utf8-json: an HTTP 422 whose body is not UTF-8 was reported as a success"),
        ("undecodable_body", "MUST", "502-latin1-html: an HTTP 502 whose body is not UTF-8 was reported as a success"),
    ]  # fmt: skip
    # Losing the status is keeps_http_status's SHOULD, as on any error body that cannot be read.
    lossy = run(FaultyClient(non_json_status=500), "502-latin1-html", "422-invalid-utf8-json")
    assert {(f.check, f.severity) for f in lossy.findings} == {("keeps_http_status", "SHOULD")}


def test_sleeps_are_recorded_not_slept_and_count_toward_the_bound() -> None:
    start = time.perf_counter()
    report = run(FaultyClient(honor_hint="x-ratelimit-reset"), "429-reset-far-ahead")
    assert time.perf_counter() - start < 5
    (finding,) = report.findings
    assert "sleeps asked: 3600 s, 3600 s, 3600 s" in finding.received


def test_the_key_check_rides_along_but_never_makes_a_should_scenario_run() -> None:
    report = run(
        FaultyClient(leak_key_in="header"), "401-unauthorized", "429-always", level="documented"
    )
    assert flagged(report) == {("401-unauthorized", "key_only_in_authorization")}
    skipped = {
        r.scenario for r in report.results if r.check == "key_only_in_authorization" and r.skipped
    }
    assert skipped == {"429-always"}
    assert report.exit_code == 1


def test_a_leaked_key_is_redacted_from_every_report() -> None:
    client = FaultyClient(leak_key_in="query", follow_redirects=(307,), redirect_keeps_key=True)
    report = run(client, "200-example", "redirect-307-other-origin")
    assert {f.check for f in report.findings} >= {
        "key_only_in_authorization",
        "key_stays_on_origin",
    }
    for writer in (write_json, write_junit, write_markdown):
        stream = io.StringIO()
        writer(report, stream)
        assert API_KEY not in stream.getvalue()
        assert "api_key=" in stream.getvalue()  # the leak is shown, the key is not
    assert all(API_KEY not in f.render() for f in report.findings)
