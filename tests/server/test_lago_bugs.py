"""Lago's own bugs: kept out of a default run, sent with --send-lago-bugs, each a MUST finding
that says real Lago answers the same way; the requests that meet one are the ones the recorded
real stack answered 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from conformance import LagoMock
from conformance._mock.app import read_request
from conformance._server.phases import properties
from conformance._server.phases.lago_bugs import BUGS, PHASE, lago_bug_in
from conformance._server.transport.target import Target
from tests.helpers import run_suite
from tests.mock.realstack import exchanges, parse

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._contract.fixtures import Fixtures
    from conformance._contract.request import Request

KEY = "faulty-server-key-0123"


@dataclass
class RealLago:
    """The mock, answering 500 where real Lago does (``buggy``); every request it gets, kept."""

    buggy: bool = True
    mock: LagoMock = field(default_factory=lambda: LagoMock(api_key=KEY))
    seen: list[Request] = field(default_factory=list)

    @property
    def api_key(self) -> str:
        """The mock's key (run_suite's target uses it)."""
        return self.mock.api_key

    @property
    def fixtures(self) -> Fixtures:
        """The mock's fixtures."""
        return self.mock.fixtures

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = await read_request(scope, receive)
        self.seen.append(request)
        if self.buggy and lago_bug_in(request) is not None:
            body = b'{"status":500,"error":"Internal Server Error"}'
            headers = [(b"content-type", b"application/json; charset=UTF-8")]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.mock(scope, _replay(request), send)


def _replay(request: Request) -> Callable[[], Any]:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": request.body, "more_body": False}

    return receive


def test_a_default_run_sends_no_request_that_meets_a_lago_bug() -> None:
    app = RealLago()
    report = run_suite(app, seed=3, max_examples=30)
    assert app.seen
    assert [r for r in app.seen if lago_bug_in(r) is not None] == []
    assert not [f for f in report.findings if f.severity == "MUST"]
    assert PHASE not in report.metadata["requests_by_phase"]


def test_with_send_lago_bugs_each_bug_is_one_must_finding_saying_real_lago_does_the_same() -> None:
    app = RealLago()
    report = run_suite(app, extra={"send_lago_bugs": True})
    assert report.metadata["requests_by_phase"][PHASE] == len(BUGS)
    found = {
        result.scenario: result.findings[0]
        for result in report.results
        if result.check == "lago_bug" and result.findings
    }
    assert sorted(found) == sorted(f"lago-bug/{bug.name}" for bug in BUGS)
    for bug in BUGS:
        finding = found[f"lago-bug/{bug.name}"]
        assert finding.severity == "MUST"
        assert "Real Lago answers the same way" in finding.expected
        assert bug.source in finding.expected
        assert KEY not in finding.reproduce
    assert {f.check for f in report.findings} == {"lago_bug"}


def test_the_faithful_mock_answers_every_lago_bug_as_lago_should() -> None:
    app = RealLago(buggy=False)
    report = run_suite(app, extra={"send_lago_bugs": True})
    assert report.metadata["requests_by_phase"][PHASE] == len(BUGS)
    assert report.findings == []


def test_every_500_of_the_recorded_real_stack_meets_a_lago_bug() -> None:
    # The other way round does not hold: a request meeting a bug may be refused by a layer
    # before the bug (Puma's 501, the router's 404, a bad query's 400), and is kept back anyway.
    kept, _ = exchanges()
    met = {e.index for e in kept if lago_bug_in(parse(e.raw)) is not None}
    failed = {e.index for e in kept if e.answer.status == 500}
    assert failed
    assert failed <= met


@pytest.mark.parametrize(("send", "sent"), [(False, 0), (True, 1)])
def test_the_property_tests_keep_back_a_generated_case_that_meets_a_lago_bug(
    monkeypatch: pytest.MonkeyPatch, send: bool, sent: int
) -> None:
    # Schemathesis' negative cases may carry any Authorization: one holding a byte that is not
    # UTF-8 meets Lago's key bug, and goes out only with --send-lago-bugs.
    case = SimpleNamespace(
        method="post",
        headers={"Authorization": "Token caf\xe9"},
        path_parameters={"lago_id": "00000000-0000-4000-8000-000000000001"},
        formatted_path="/invoices/00000000-0000-4000-8000-000000000001/payment_url",
    )
    monkeypatch.setattr(properties, "case_phase", lambda _: "fuzzing")
    monkeypatch.setattr(properties, "generate_cases", lambda _d, _s, _m, test: test(case))
    recorded: list[Any] = []
    target = Target(api_key=KEY, app=LagoMock(api_key=KEY))
    try:
        notes = properties.run_property_tests(
            target, "strict", 0, 1, lambda *args: recorded.append(args), send_lago_bugs=send
        )
    finally:
        target.close()
    assert (target.sent, len(recorded)) == (sent, sent)
    kept_back = [note for note in notes if "meet a bug of Lago's own" in note]
    assert len(kept_back) == 1 - sent
