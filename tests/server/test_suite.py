from __future__ import annotations

import functools
import io
import json
from typing import TYPE_CHECKING

import pytest

from conformance import LagoMock, Level, parse_fixtures
from conformance._mock.serve import serving
from conformance._report.writers import write_json
from tests.faulty_servers import FaultyLago, Request, server_error_on_odd_input
from tests.helpers import run_suite

if TYPE_CHECKING:
    from conformance._contract.request import Request as Wire
    from conformance._contract.rules import Reply
    from conformance._report.findings import Report
    from tests.faulty_servers import Reply as FaultyReply


@pytest.mark.parametrize("level", ["documented", "strict"])
@pytest.mark.parametrize("seed", range(20))
def test_the_faithful_mock_has_zero_findings(level: Level, seed: int) -> None:
    report = run_suite(
        LagoMock(api_key="faulty-server-key-0123", seed=seed),
        level=level,
        seed=seed,
        max_examples=50,
        fail_on="should",
    )
    assert report.findings == []
    assert report.exit_code == 0
    assert report.counts()["skipped"] == 0
    assert report.coverage["statuses"]["200"]["verdict"] == "covered"
    assert set(report.coverage["reasons"].values()) == {"covered"}


@pytest.mark.http
def test_the_faithful_mock_has_zero_findings_over_http() -> None:
    mock = LagoMock(api_key="faulty-server-key-0123")
    with serving(mock) as url:
        report = run_suite(mock, base_url=url + "/api/v1", max_examples=30)
    assert report.findings == []
    assert report.metadata["requests"] > 40


def _json(report: object) -> dict[str, object]:
    stream = io.StringIO()
    write_json(report, stream)  # type: ignore[arg-type]
    data = json.loads(stream.getvalue())
    data.pop("timestamp")
    return data  # type: ignore[no-any-return]


def recorded_run(seed: int) -> tuple[list[tuple[str, Request]], Report]:
    """The suite against a mock that 500s on odd ids (so findings name generated cases), with
    every request the mock received, in order, beside the suite's phase when it was sent."""
    phase = ["?"]
    requests: list[tuple[str, Request]] = []

    def sending(name: str) -> None:
        phase[0] = name

    def recording(server: FaultyLago, request: Request) -> FaultyReply:
        requests.append((phase[0], request))
        return server_error_on_odd_input(server, request)

    report = run_suite(FaultyLago(recording), seed=seed, max_examples=30, on_request=sending)
    return requests, report


@functools.cache
def shared_run(seed: int) -> tuple[list[tuple[str, Request]], Report]:
    """``recorded_run`` once per worker, for the tests that compare with it (the determinism
    test sets a second, fresh run beside it)."""
    return recorded_run(seed)


def generated(requests: list[tuple[str, Request]]) -> set[Request]:
    return {request for phase, request in requests if phase == "property tests"}


def test_the_same_seed_sends_the_same_requests_and_gives_the_same_report() -> None:
    (requests, report), (requests_again, report_again) = shared_run(7), recorded_run(7)
    assert len(generated(requests)) > 20
    assert requests == requests_again
    assert report.findings
    assert report.findings == report_again.findings
    assert report.results == report_again.results
    assert _json(report) == _json(report_again)


def test_another_seed_sends_other_generated_requests() -> None:
    (requests, report), (other, other_report) = shared_run(7), recorded_run(8)
    assert generated(requests) - generated(other)
    assert generated(other) - generated(requests)
    assert [f.reproduce for f in report.findings] != [f.reproduce for f in other_report.findings]


def test_statuses_without_fixtures_are_not_covered_never_passed() -> None:
    report = run_suite(fixtures=parse_fixtures(""))
    statuses = report.coverage["statuses"]
    assert statuses["200"] == {"observed": 0, "verdict": "not covered: no fixture names `payable`"}
    assert statuses["422"] == {
        "observed": 0,
        "verdict": "not covered: no fixture names a 422 reason",
    }
    assert statuses["401"]["verdict"] == statuses["404"]["verdict"] == "covered"
    assert set(report.coverage["reasons"].values()) == {"not covered: no fixture names it"}
    skipped = {r.scenario: r.skipped for r in report.results if r.outcome == "skipped"}
    assert skipped["invoice/payable"] == "not covered: no fixture names `payable`"
    assert skipped["auth/wrong-key-for-invoice"] == "not covered: the fixtures name no invoice"
    assert report.findings == []


class SpyMock(LagoMock):
    """The faithful mock, noting the path of every 200 it gives with a checkout link (not a
    CORS preflight's)."""

    paid: list[str]

    def respond(self, request: Wire) -> Reply:
        response = super().respond(request)
        if response.status == 200 and b"payment_url" in response.body:
            self.paid.append(request.path)
        return response


def test_the_payable_path_is_called_only_on_the_named_invoice() -> None:
    mock = SpyMock(api_key="faulty-server-key-0123")
    mock.paid = []
    fixtures = parse_fixtures(f'[invoices]\npayable = "{mock.invoice("payable").lago_id}"')
    report = run_suite(mock, fixtures=fixtures, max_examples=50)
    payable = mock.invoice("payable").lago_id
    # The fixture scenario, its repeat, and one cast form from the near-misses; then the stateful
    # phase's and the exploration's calls, within --payable-calls (on which Lago reuses its link).
    calls = report.metadata["payable_calls"]
    assert 3 < len(mock.paid) <= 3 + calls.get("stateful", 0) + calls.get("exploration", 0)
    assert all(payable in path for path in mock.paid)
    mock.paid = []
    run_suite(mock, fixtures=fixtures, max_examples=50, extra={"payable_calls": 0})
    assert len(mock.paid) == 3


def test_max_requests_bounds_the_run() -> None:
    report = run_suite(max_requests=25, max_examples=50)
    assert report.metadata["requests"] == 25
    assert any("--max-requests 25" in note for note in report.notes)
    assert report.findings == []


def test_the_report_says_what_was_run() -> None:
    report = run_suite(seed=3, max_examples=10)
    assert report.metadata["spec_sha256"].keys() == {"documented", "strict"}
    assert report.metadata["fixtures"]["payable"] == LagoMock(seed=0).invoice("payable").lago_id
    scenarios = {result.scenario for result in report.results}
    assert {"property/coverage", "property/fuzzing", "property/examples", "auth/no-header", "auth/empty-bearer",
            "auth/unknown-key", "auth/wrong-key-for-invoice", "invoice/payable", "invoice/unknown-uuid",
            "invoice/not-a-uuid", "verb/GET"} <= scenarios  # fmt: skip


def test_documented_level_runs_must_checks_only() -> None:
    report = run_suite(level="documented")
    assert {result.severity for result in report.results} == {"MUST"}
