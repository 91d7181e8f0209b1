"""The wire, read as it came: answers through fronts on 127.0.0.1, correct and faulty."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance import LagoMock
from conformance._contract.drawn.headers import HEADERS
from conformance._contract.request import Request
from conformance._server.transport.target import USER_AGENT, Target
from tests.fronts import Front, Out, message
from tests.helpers import run_suite
from tests.wire_fronts import (
    Every,
    both_lengths,
    cut_short,
    early_hints,
    interim_with_body,
    unsolicited_101,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._server.transport.exchange import Exchange
    from tests.fronts import Incoming, Upstream

KEY = "faulty-server-key-0123"
PATH = "/invoices/5a1e5a1e-0000-4000-8000-000000000001/payment_url"


def _send(behaviour: Callable[[Incoming, Callable[[Incoming], Upstream]], Out]) -> Exchange:
    with (
        Front(LagoMock(api_key=KEY), behaviour) as url,
        Target(api_key=KEY, base_url=url + "/api/v1", timeout=5) as target,
    ):
        return target.send(Request.of("POST", PATH, target.bearer()))


def _raw(data: bytes, *, close: bool = False) -> Callable[[Incoming, Callable[[Incoming], Upstream]], Out]:  # fmt: skip
    return lambda _request, _forward: Out(data, close=close)


@pytest.mark.http
def test_the_head_is_kept_as_it_came_repeats_order_and_case() -> None:
    headers = (("Content-Type", "application/json"), ("X-Trace", "a"), ("x-trace", "b"), ("SeRvEr", "edge"))  # fmt: skip
    exchange = _send(_raw(message(404, headers, b"{}", reason="Nope")))
    assert exchange.head is not None
    assert exchange.head.line == "HTTP/1.1 404 Nope"
    assert exchange.head.fields == (*headers, ("Content-Length", "2"))
    assert exchange.headers.get_list("x-trace") == ["a", "b"]
    assert (exchange.status, exchange.body, exchange.framing) == (404, b"{}", ())


@pytest.mark.http
def test_103_early_hints_are_kept_apart_and_are_no_fault() -> None:
    exchange = _send(early_hints)
    assert [head.status for head in exchange.interim] == [103]
    assert exchange.interim[0].fields[0][0] == "Link"
    assert (exchange.status, exchange.framing, exchange.interim_faults) == (404, (), ())


@pytest.mark.http
@pytest.mark.parametrize(
    ("behaviour", "fault"),
    [
        pytest.param(both_lengths, "Content-Length and Transfer-Encoding both", id="both-lengths"),
        pytest.param(cut_short, "the body was cut short: 31 of the 61 bytes", id="cut-short"),
        pytest.param(
            _raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2, 3\r\n\r\n{}"),
            "Content-Length is not one number",
            id="two-lengths",
        ),
        pytest.param(
            _raw(b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            "a chunk size line that is not one",
            id="bad-chunk",
        ),
        pytest.param(
            _raw(
                b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",
                close=True,
            ),
            "before the last chunk",
            id="no-last-chunk",
        ),
    ],
)
def test_broken_framing_is_noted_on_the_answer(
    behaviour: Callable[[Incoming, Callable[[Incoming], Upstream]], Out], fault: str
) -> None:
    exchange = _send(behaviour)
    assert exchange.status == 404
    assert any(fault in note for note in exchange.framing), exchange.framing


@pytest.mark.http
def test_a_1xx_with_a_body_is_noted_and_the_answer_after_it_read() -> None:
    exchange = _send(interim_with_body)
    assert exchange.status == 404
    assert exchange.body_json() == {
        "status": 404,
        "error": "Not Found",
        "code": "invoice_not_found",
    }
    (fault,) = exchange.interim_faults
    assert fault.startswith("100 came with 9 bytes of body before the next status line")


@pytest.mark.http
def test_an_unsolicited_101_is_noted() -> None:
    exchange = _send(unsolicited_101)
    assert exchange.status == 101
    (fault,) = exchange.interim_faults
    assert "to a request that asked for no upgrade" in fault


ONLY_THE_WIRE = [
    pytest.param(both_lengths, "message_framing", id="both-lengths"),
    pytest.param(Every(interim_with_body), "interim_answers", id="1xx-with-a-body"),
]
WIRE_CAUGHT = {param.values[1] for param in ONLY_THE_WIRE}


@pytest.mark.http
@pytest.mark.parametrize(("behaviour", "check"), ONLY_THE_WIRE)
def test_only_the_wire_catches_framing_that_hides_nothing_else(
    behaviour: Callable[[Incoming, Callable[[Incoming], Upstream]], Out], check: str
) -> None:
    mock = LagoMock(api_key=KEY)
    with Front(mock, behaviour) as url:
        report = run_suite(mock, base_url=url + "/api/v1", fail_on="should", max_examples=5)
    assert {finding.check for finding in report.findings} == {check}
    assert report.aborted is None
    assert report.exit_code == 1


@pytest.mark.http
@pytest.mark.parametrize(
    "behaviour",
    [
        pytest.param(Every(cut_short), id="cut-short"),
        pytest.param(Every(unsolicited_101, 5), id="unsolicited-101"),
        pytest.param(unsolicited_101, id="only-101s"),
    ],
)
def test_a_target_that_answers_badly_gets_a_verdict_not_an_abort(
    behaviour: Callable[[Incoming, Callable[[Incoming], Upstream]], Out],
) -> None:
    mock = LagoMock(api_key=KEY)
    with Front(mock, behaviour) as url:
        report = run_suite(mock, base_url=url + "/api/v1", max_examples=5)
    checks = {finding.check for finding in report.findings}
    assert checks & {"message_framing", "interim_answers"}
    assert "No response" not in {finding.title for finding in report.findings}
    assert report.aborted is None
    assert report.exit_code == 1


@pytest.mark.http
def test_every_request_says_it_comes_from_the_suite() -> None:
    agents: list[str | None] = []

    def recording(request: Incoming, forward: Callable[[Incoming], Upstream]) -> Out:
        agents.append(request.header("user-agent"))
        answer = forward(request)
        return Out(message(answer.status, answer.without(), answer.body))

    mock = LagoMock(api_key=KEY)
    with Front(mock, recording) as url:
        report = run_suite(mock, base_url=url + "/api/v1", max_examples=5)
    assert report.findings == []
    # The exploration's variations, and the drawn requests, name their own User-Agent.
    drawn = {value for name, value in HEADERS.values() if name == "User-Agent"}
    theirs = sum(agents.count(agent) for agent in {"curl/8.5.0", "", *drawn})
    assert agents.count(USER_AGENT) == len(agents) - theirs
    assert {"curl/8.5.0", ""} <= set(agents), "the exploration's variations name their own"
