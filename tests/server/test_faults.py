"""Every check of the server suite, shown failing on a server with the fault it is meant for."""

from __future__ import annotations

import functools
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from conformance._mock.serve import serving
from conformance._server.judging.checks import CHECKS
from conformance._server.judging.wire_checks import WIRE_CHECKS
from conformance._server.phases.probes import PHASES
from tests.faulty_servers import API_KEY, FAULTS, Fault, FaultyLago, Request
from tests.helpers import run_suite
from tests.tenant_faults import TENANT_FAULTS

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._report.findings import Report
    from tests.faulty_servers import Reply

BY_NAME = {fault.name: fault for fault in FAULTS}
# Lago's behaviour beyond the published contract: judged at --level strict only.
SHOULD_CHECKS = {
    "strict_schema_conformance",
    "router_not_found",
    "invoice_not_found",
    "invoice_echo",
    "unprocessable_reason",
    "payment_url_stable",
}


@functools.cache
def strict_run(name: str) -> Report:
    """The default strict run on a fault's server. A run is deterministic for its seed, so the
    tests that judge the same run share it (once per worker) instead of repeating it."""
    return run_suite(FaultyLago(BY_NAME[name].run), level="strict")


def answers(run: Callable[[FaultyLago, Request], Reply]) -> tuple[tuple[object, ...], ...]:
    """What a fresh faulty server answers to a fixed set of requests, in order."""
    server = FaultyLago(run)
    mock, key = server.mock, f"Bearer {API_KEY}"
    payable = mock.invoice("payable").lago_id

    def post(lago_id: str, authorization: str | None = key) -> Request:
        return Request("POST", f"/api/v1/invoices/{lago_id}/payment_url", authorization)

    draft = mock.invoice("draft").lago_id
    requests = [
        post(payable),
        post(payable),  # again: the same link
        post(payable, None),
        post(payable, "Bearer wrong-key"),
        Request("GET", f"/api/v1/invoices/{payable}/payment_url", key),
        post(draft),
        post(mock.invoice("stripe-error").lago_id),
        post(str(uuid.UUID(int=7))),
        post("not-a-uuid"),
        post("%F0%9F%92%B3"),
        # What the probes send: a long id, near-misses, keys and verbs, a repeated request.
        post("a" * 300),
        post(draft.upper()),
        post(draft[:-1]),
        post(str(uuid.UUID(int=8)), f"Bearer {API_KEY.upper()}"),
        post(str(uuid.UUID(int=8)), f"bearer {API_KEY}"),
        Request("TRACE", f"/api/v1/invoices/{draft}/payment_url", key),
        Request("DELETE", f"/api/v1/invoices/{draft}/payment_url", key),
        post(str(uuid.UUID(int=7))),
    ]
    return tuple(
        (reply.status, reply.headers, reply.body)
        for reply in (run(server, request) for request in requests)
    )


def test_the_catalogue_has_at_least_20_distinct_faults() -> None:
    assert len(FAULTS) >= 20
    assert len({fault.name for fault in FAULTS}) == len(FAULTS)
    # Distinct means each fault changes the mock's answers, and in its own way: on one fixed set
    # of requests, no two faults (nor a fault and the faithful mock) answer alike.
    faithful = answers(lambda server, request: server.faithful(request))
    fingerprints = {fault.name: answers(fault.run) for fault in FAULTS}
    assert [name for name, seen in fingerprints.items() if seen == faithful] == []
    assert len(set(fingerprints.values())) == len(FAULTS)


def test_every_check_has_a_fault_meant_for_it() -> None:
    # tenant_isolation's faults need a second organization: tests/tenant_faults.py.
    targeted = {fault.check for fault in FAULTS} | {fault.check for fault in TENANT_FAULTS}
    # not_a_server_error's "no response" half and the transport limits are in test_target.py;
    # the wire's checks need a front at the wire: tests/wire_fronts.py, in test_wire.py and
    # test_fronts.py.
    assert {check.name for check in CHECKS} - WIRE_CHECKS | {
        "payment_url_stable",
        "consistent_answers",
    } <= targeted


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_each_fault_is_flagged_by_the_check_meant_for_it(fault: Fault) -> None:
    report = strict_run(fault.name)
    flagged = {(finding.check, finding.severity) for finding in report.findings}
    assert (fault.check, fault.severity) in flagged, sorted(flagged)
    assert report.exit_code == (1 if fault.severity == "MUST" else 0)


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.documented], ids=lambda fault: fault.name)
def test_faults_against_the_published_contract_fail_the_documented_level(fault: Fault) -> None:
    report = run_suite(FaultyLago(fault.run), level="documented")
    assert fault.check in {finding.check for finding in report.findings}
    # Lago's behaviour is not judged at all at the documented level: not failed, not passed.
    judged = {result.check for result in report.results}
    assert fault.check in judged
    assert judged & SHOULD_CHECKS == set()
    assert report.exit_code == 1


@pytest.mark.parametrize(
    "fault", [f for f in FAULTS if not f.documented], ids=lambda fault: fault.name
)
def test_behaviour_faults_pass_the_documented_level_and_fail_on_should(fault: Fault) -> None:
    assert run_suite(FaultyLago(fault.run), level="documented").findings == []
    # --fail-on sets the report's bar and nothing of the run (the suite hands it to Report
    # only; test_pytest_plugin.py runs it through): the strict run, judged at should.
    report = replace(strict_run(fault.name), fail_on="should")
    assert report.exit_code == 1
    assert {finding.severity for finding in report.findings} == {"SHOULD"}


def test_findings_carry_title_received_expected_and_a_redacted_curl() -> None:
    report = strict_run("payable-refused")
    finding, _again = [f for f in report.findings if f.check == "payable_invoice"]
    assert finding.title == "Payable invoice not answered 200"
    assert finding.received.startswith("422 application/json; charset=utf-8 {")
    assert finding.expected == "200 OK"
    assert finding.reproduce.startswith(
        "curl -X POST -H 'Authorization: Bearer [REDACTED]' -H 'User-Agent: lago-conformance/"
    )
    assert "faulty-server-key" not in finding.render()


def test_the_echoed_key_is_named_but_never_shown() -> None:
    report = strict_run("api-key-echoed")
    echoes = [f for f in report.findings if f.check == "no_secret_echo"]
    assert echoes
    assert all("faulty-server-key" not in finding.render() for finding in report.findings)


@pytest.mark.http
@pytest.mark.parametrize(
    "name", ["auth-not-enforced", "text-plain-content-type", "url-changes-per-call", "get-accepted"]
)
def test_faults_are_flagged_over_real_http(name: str) -> None:
    fault = BY_NAME[name]
    app = FaultyLago(fault.run)
    with serving(app) as url:
        report = run_suite(app, base_url=url + "/api/v1")
    assert fault.check in {finding.check for finding in report.findings}


# Where each probe phase reports: a fault meant for a probe is found there, and nowhere else.
PROBE_SCENARIOS = {
    "hostile ids": "probe/hostile-id/",
    "near-misses": "probe/near-miss/",
    "credential near-misses": "probe/credential/",
    "other methods": "probe/method/",
    "consistency": "probe/consistency",
}


def test_every_probe_phase_has_a_fault_only_it_finds() -> None:
    assert {fault.probe for fault in FAULTS if fault.probe} == set(PHASES) == set(PROBE_SCENARIOS)


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.probe], ids=lambda fault: fault.name)
def test_a_probe_fault_is_found_by_its_probe_alone(fault: Fault) -> None:
    # The default run's property tests (50 examples) included: they do not find it.
    report = run_suite(FaultyLago(fault.run), level="strict", max_examples=50)
    found = {(result.check, result.scenario) for result in report.results if result.findings}
    assert fault.check in {check for check, _scenario in found}, sorted(found)
    prefix = PROBE_SCENARIOS[str(fault.probe)]
    # Beside the probe, only the oracle may find the fault too, through the exploration (lago_*)
    # or the stateful phase (sequence_*); and consistent_answers also judges every identical
    # request sent twice in the run (the property tests repeat some): the same check, its
    # relation judged run-wide.
    elsewhere = [
        (check, scenario)
        for check, scenario in found
        if not scenario.startswith(prefix)
        and not check.startswith(("lago_", "sequence_"))
        and not (fault.probe == "consistency" and check == fault.check)
    ]
    assert elsewhere == []
    assert report.coverage["phases"][fault.probe]["findings"] >= 1
