"""The oracle and the exploration: each relation and each dimension finds a fault nothing else
finds; verdicts say when a run judged too little; the key stays out of URLs and reports."""

from __future__ import annotations

import functools
import io
import json

import pytest

from conformance import LagoMock
from conformance._api import lago_twin
from conformance._contract.request import Request
from conformance._mock.serve import serving
from conformance._report.writers import write_json
from conformance._server.phases.variations import DIMENSIONS
from conformance._server.transport.target import Target, Unsendable
from tests.faulty_servers import API_KEY, FaultyLago, Reply
from tests.faulty_servers import Request as FaultyRequest
from tests.helpers import run_suite
from tests.oracle_faults import ORACLE_FAULTS, OracleFault
from tests.server.test_target import FakeTime


def _flagged(fault: OracleFault) -> set[tuple[str, str]]:
    return _flagged_by_name(fault.name)


@functools.cache
def _flagged_by_name(name: str) -> set[tuple[str, str]]:
    # One run a fault, deterministic for its seed: the two tests that judge it share it.
    fault = next(fault for fault in ORACLE_FAULTS if fault.name == name)
    report = run_suite(FaultyLago(fault.run), level="strict", max_examples=50)
    return {(result.check, result.scenario) for result in report.results if result.findings}


@pytest.mark.parametrize("fault", ORACLE_FAULTS, ids=lambda fault: fault.name)
def test_each_fault_is_found_by_the_check_meant_for_it(fault: OracleFault) -> None:
    assert fault.check in {check for check, _scenario in _flagged(fault)}


@pytest.mark.parametrize(
    "fault", [f for f in ORACLE_FAULTS if f.dimension], ids=lambda fault: fault.name
)
def test_a_dimension_fault_is_found_by_that_dimension_of_the_exploration_alone(
    fault: OracleFault,
) -> None:
    scenarios = {scenario for _check, scenario in _flagged(fault)}
    assert scenarios
    # Found by the exploration only, and every minimal variant holds the dimension's variation
    # (a drawn request may meet the same fault, shrunk within its own small budget).
    assert all(s.startswith("explore/") for s in scenarios), sorted(scenarios)
    operators = [s for s in scenarios if "/drawn: " not in s]
    assert operators
    assert all(f"{fault.dimension}:" in s for s in operators), sorted(scenarios)


def test_every_dimension_and_every_relation_has_a_fault_only_it_finds() -> None:
    assert {f.dimension for f in ORACLE_FAULTS if f.dimension} == set(DIMENSIONS)
    assert {f.check for f in ORACLE_FAULTS if f.check.startswith("lago_")} == {
        "lago_refuses", "lago_reacts", "lago_ignores",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("key-in-query-accepted", "lago_refuses"),
        ("action-case-insensitive", "lago_reacts"),
        ("body-lago-id-wins", "lago_ignores"),
        ("customer-id-changes", "lago_ignores"),
    ],
)
def test_a_relation_fault_is_found_by_that_relation_alone(name: str, check: str) -> None:
    (fault,) = [f for f in ORACLE_FAULTS if f.name == name]
    # The stateful phase judges the same relations along sequences (sequence_*): it may see it too.
    found = {found for found, _scenario in _flagged(fault) if not found.startswith("sequence_")}
    assert found == {check}


def test_without_the_twin_the_oracle_faults_go_unseen() -> None:
    # The same runs with --oracle off: what the named checks alone make of these faults.
    seen = {
        fault.name
        for fault in ORACLE_FAULTS
        if fault.check.startswith("lago_")
        and run_suite(FaultyLago(fault.run), extra={"oracle": False}).findings
    }
    assert seen <= {"customer-id-changes", "propfind-answered-207"}


def test_the_shrunk_difference_is_one_variation_and_replays_with_curl() -> None:
    (fault,) = [f for f in ORACLE_FAULTS if f.name == "html-errors-for-browsers"]
    report = run_suite(FaultyLago(fault.run))
    (finding,) = [f for f in report.findings if f.check == "lago_ignores"]
    assert "-H 'Accept: text/html'" in finding.reproduce
    # Both answers: Lago's JSON error, and the target's page.
    assert " (application/json; charset=utf-8) {" in finding.lago
    assert " text/plain Not Found" in finding.received
    assert finding.title == "Answered a variation Lago ignores otherwise than the request it varies"


def test_the_key_put_in_a_query_or_a_header_is_redacted_everywhere() -> None:
    (fault,) = [f for f in ORACLE_FAULTS if f.name == "key-in-query-accepted"]
    report = run_suite(FaultyLago(fault.run))
    stream = io.StringIO()
    write_json(report, stream)
    assert API_KEY not in stream.getvalue()
    reproductions = [f.reproduce for f in report.findings if f.check == "lago_refuses"]
    assert reproductions
    assert all("api_key=[REDACTED]" in r or "access_token=[REDACTED]" in r for r in reproductions)


def test_the_key_never_goes_into_a_remote_url_unless_allowed() -> None:
    request = Request("POST", "/invoices/x/payment_url", query=f"api_key={API_KEY}")
    with Target(API_KEY, base_url="https://lago.example.com/api/v1") as remote:
        with pytest.raises(Unsendable, match="--allow-key-in-url"):
            remote.send(request)
        remote.allow_key_in_url = True
        remote._check(request)  # no longer kept back
    assert remote.sent == 0


def test_a_body_never_goes_with_another_verb_to_a_live_target() -> None:
    with (
        Target(API_KEY, base_url="https://lago.example.com/api/v1") as remote,
        pytest.raises(Unsendable, match="never sent with GET"),
    ):
        remote.send(Request("GET", "/invoices/x/payment_url", body=b"{}"))


def _always_429(server: FaultyLago, request: FaultyRequest) -> Reply:
    body = b'{"status":429,"error":"Too Many Requests"}'
    return Reply(429, body, (("content-type", "application/json"), ("retry-after", "2")))


def test_a_target_that_rate_limits_everything_is_told_so_within_30_seconds() -> None:
    time = FakeTime()
    report = run_suite(FaultyLago(_always_429), sleep=time.sleep, clock=time.clock)
    assert report.exit_code == 2
    assert report.verdict == "incomplete"
    assert not report.conformant
    assert report.incomplete is not None
    assert "rate-limited throughout" in report.incomplete
    assert sum(time.slept) <= 30


def test_a_run_out_of_budget_before_its_scenarios_is_incomplete() -> None:
    report = run_suite(max_requests=10)
    assert report.verdict == "incomplete"
    assert report.exit_code == 2
    assert "raise --max-requests" in str(report.incomplete)


def _puma_501(server: FaultyLago, request: FaultyRequest) -> Reply:
    if request.method in ("QUERY", "PROPFIND", "FOO"):
        text = f"{request.method} method is not supported".encode()
        return Reply(501, text, (("content-type", "text/plain"),))
    return server.faithful(request)


def test_a_501_for_a_verb_the_server_does_not_implement_is_not_a_must_finding() -> None:
    report = run_suite(FaultyLago(_puma_501), max_examples=50)
    assert not [f for f in report.findings if f.severity == "MUST"]
    assert report.exit_code == 0


@pytest.mark.http
@pytest.mark.parametrize("level", ["documented", "strict"])
@pytest.mark.parametrize("seed", [0, 11])
def test_the_mock_over_http_agrees_with_its_twin(level: str, seed: int) -> None:
    mock = LagoMock(api_key=API_KEY, seed=seed)
    with serving(mock) as url:
        report = run_suite(mock, base_url=url + "/api/v1", level=level, seed=seed, max_examples=50)  # type: ignore[arg-type]
    assert report.findings == []
    assert report.metadata["explored"]
    assert report.metadata["requests"] <= 400


def test_the_twin_holds_the_fixture_invoices_with_their_outcomes() -> None:
    mock = LagoMock(api_key=API_KEY, seed=5)
    twin = lago_twin(API_KEY, mock.fixtures, 5, "lago.test")
    for key, lago_id in mock.fixtures.invoices.items():
        reply = twin(Request.of("POST", f"/invoices/{lago_id}/payment_url", f"Bearer {API_KEY}"))
        assert reply.status == (200 if key == "payable" else 422)
        if key != "payable":
            assert key in json.dumps(json.loads(reply.body))


def test_the_exploration_runs_without_the_twin_and_sends_nothing_to_the_payable_invoice() -> None:
    # --oracle off --explore 40: the named checks judge the variants, and only the twin could
    # say which credentials Lago refuses, so no variant goes to the payable invoice.
    seen: list[FaultyRequest] = []

    def recording(server: FaultyLago, request: FaultyRequest) -> Reply:
        seen.append(request)
        return server.faithful(request)

    app = FaultyLago(recording)
    report = run_suite(app, extra={"oracle": False, "explore": 40})
    assert report.findings == []
    assert report.metadata["oracle"] == "off"
    assert report.metadata["requests_by_phase"]["exploration"] == 40
    payable = app.mock.invoice("payable").lago_id
    unkeyed = [r for r in seen if payable in r.path and API_KEY not in repr(r)]
    assert [r.method for r in unkeyed] == []


@pytest.mark.http
def test_on_a_remote_target_the_key_stays_out_of_urls_and_the_report_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A served mock standing in for a remote deployment: every request is seen on its way in.
    seen: list[FaultyRequest] = []

    def recording(server: FaultyLago, request: FaultyRequest) -> Reply:
        seen.append(request)
        return server.faithful(request)

    monkeypatch.setattr(Target, "remote", property(lambda _self: True))
    app = FaultyLago(recording)
    with serving(app) as url:
        report = run_suite(app, base_url=url + "/api/v1")
    assert report.findings == []
    assert not [r for r in seen if API_KEY in r.path or API_KEY in r.query]
    # At least the sweep's two (the key as ?api_key= and ?access_token=); combinations may add more.
    (note,) = [n for n in report.notes if n.startswith("the exploration kept back")]
    assert int(note.split()[4]) >= 2


def test_the_twin_answers_another_organizations_key_that_it_owns_no_invoice() -> None:
    mock = LagoMock(api_key=API_KEY, seed=5)
    twin = lago_twin(API_KEY, mock.fixtures, 5, "lago.test", other_api_key="other-org-key")
    alone = lago_twin(API_KEY, mock.fixtures, 5, "lago.test")
    for lago_id in mock.fixtures.invoices.values():
        request = Request.of("POST", f"/invoices/{lago_id}/payment_url", "Bearer other-org-key")
        reply = twin(request)
        assert (reply.status, json.loads(reply.body)["code"]) == (404, "invoice_not_found")
        assert alone(request).status == 401
