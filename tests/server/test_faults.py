"""Every check of the server suite, shown failing on a server with the fault it is meant for."""

from __future__ import annotations

import pytest

from conformance._mock.serve import serving
from conformance._server.checks import CHECKS
from tests.faulty_servers import FAULTS, Fault, FaultyLago
from tests.helpers import run_suite

BY_NAME = {fault.name: fault for fault in FAULTS}


def test_the_catalogue_has_at_least_20_distinct_faults() -> None:
    assert len(FAULTS) >= 20
    assert len({fault.name for fault in FAULTS}) == len(FAULTS)
    assert len({fault.run for fault in FAULTS}) == len(FAULTS)


def test_every_check_has_a_fault_meant_for_it() -> None:
    targeted = {fault.check for fault in FAULTS}
    # not_a_server_error's "no response" half and the transport limits are in test_target.py.
    assert {check.name for check in CHECKS} | {"payment_url_stable"} <= targeted


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_each_fault_is_flagged_by_the_check_meant_for_it(fault: Fault) -> None:
    report = run_suite(FaultyLago(fault.run), level="strict")
    flagged = {(finding.check, finding.severity) for finding in report.findings}
    assert (fault.check, fault.severity) in flagged, sorted(flagged)
    assert report.exit_code == (1 if fault.severity == "MUST" else 0)


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.documented], ids=lambda fault: fault.name)
def test_faults_against_the_published_contract_fail_the_documented_level(fault: Fault) -> None:
    report = run_suite(FaultyLago(fault.run), level="documented")
    assert fault.check in {finding.check for finding in report.findings}
    assert {finding.severity for finding in report.findings} == {"MUST"}
    assert report.exit_code == 1


@pytest.mark.parametrize(
    "fault", [f for f in FAULTS if not f.documented], ids=lambda fault: fault.name
)
def test_behaviour_faults_pass_the_documented_level_and_fail_on_should(fault: Fault) -> None:
    assert run_suite(FaultyLago(fault.run), level="documented").findings == []
    report = run_suite(FaultyLago(fault.run), level="strict", fail_on="should")
    assert report.exit_code == 1
    assert {finding.severity for finding in report.findings} == {"SHOULD"}


def test_findings_carry_title_received_expected_and_a_redacted_curl() -> None:
    report = run_suite(FaultyLago(BY_NAME["payable-refused"].run))
    finding, _again = [f for f in report.findings if f.check == "payable_invoice"]
    assert finding.title == "Payable invoice not answered 200"
    assert finding.received.startswith("422 application/json; charset=utf-8 {")
    assert finding.expected == "200 OK"
    assert finding.reproduce.startswith(
        "curl -X POST -H 'Authorization: Bearer [REDACTED]' http://"
    )
    assert "faulty-server-key" not in finding.render()


def test_the_echoed_key_is_named_but_never_shown() -> None:
    report = run_suite(FaultyLago(BY_NAME["api-key-echoed"].run))
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
