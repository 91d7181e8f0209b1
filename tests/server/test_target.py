"""What keeps a run safe against a live billing system, proved against misbehaving servers."""

from __future__ import annotations

import pytest

from conformance import LagoMock
from conformance._contract.request import Request
from conformance._mock.serve import serving
from conformance._server.transport.hints import retry_hint
from conformance._server.transport.target import MAX_RATE_LIMIT_RETRIES, Target, TargetUnusable
from tests.faulty_servers import FaultyLago, huge_payable_body
from tests.helpers import run_suite
from tests.servers import (
    Recorder,
    Redirect,
    closed_port,
    hang,
    html_site,
    huge_body,
    resetting_server,
)

KEY = "faulty-server-key-0123"


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_rate_limited_target_is_honoured_and_not_a_finding() -> None:
    time = FakeTime()
    mock = LagoMock(api_key=KEY, rate_limit=5, clock=time.clock)
    report = run_suite(mock, max_examples=20, sleep=time.sleep, clock=time.clock)
    assert report.findings == []
    assert any("answered 429" in note and "retried after its hint" in note for note in report.notes)
    assert time.slept
    assert all(0 < wait <= 1 for wait in time.slept), "waits follow X-RateLimit-Reset"


def test_a_429_that_never_ends_is_retried_a_bounded_number_of_times() -> None:
    time = FakeTime()
    mock = LagoMock(api_key=KEY, rate_limit=1, clock=time.clock)
    with Target(api_key=KEY, app=mock, sleep=lambda s: None, clock=time.clock) as target:
        target.send(Request.of("POST", "/invoices/x/payment_url", target.bearer()))
        exchange = target.send(Request.of("POST", "/invoices/x/payment_url", target.bearer()))
    assert exchange.status == 429
    assert exchange.rate_limited
    assert target.sent == 2 + MAX_RATE_LIMIT_RETRIES


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"x-ratelimit-reset": "2"}, 2.0),
        ({"retry-after": "soon"}, 1.0),
        ({}, 1.0),
        ({"retry-after": "-5"}, 0.0),
        # An HTTP-date, read against the answer's own Date (RFC 9110 section 10.2.3).
        (
            {
                "retry-after": "Sun, 06 Nov 1994 08:49:42 GMT",
                "date": "Sun, 06 Nov 1994 08:49:37 GMT",
            },
            5.0,
        ),
    ],
)
def test_retry_hints(headers: dict[str, str], expected: float) -> None:
    import httpx

    assert retry_hint(httpx.Headers(headers)) == expected


def test_an_epoch_reset_is_still_honoured_as_an_epoch() -> None:
    import httpx

    assert retry_hint(httpx.Headers({"x-ratelimit-reset": "1700000004"}), now=1700000000.0) == 4.0


def test_pacing_spaces_requests() -> None:
    time = FakeTime()
    mock = LagoMock(api_key=KEY)
    with Target(api_key=KEY, app=mock, rate_limit=10, sleep=time.sleep, clock=time.clock) as target:
        for _ in range(5):
            target.send(Request.of("POST", "/invoices/x/payment_url", target.bearer()))
    assert sum(time.slept) == pytest.approx(0.4)


@pytest.mark.http
def test_redirects_are_reported_never_followed() -> None:
    elsewhere = Recorder()
    with serving(elsewhere) as other_url, serving(Redirect(other_url + "/steal")) as url:
        report = run_suite(LagoMock(api_key=KEY), base_url=url + "/api/v1", max_examples=5)
    assert elsewhere.authorizations == []
    assert "Undocumented status code 307" in {finding.title for finding in report.findings}


@pytest.mark.http
def test_a_hanging_server_times_out_and_the_run_is_aborted() -> None:
    with serving(hang) as url:
        report = run_suite(LagoMock(api_key=KEY), base_url=url + "/api/v1", timeout=0.3)
    assert report.metadata["requests"] == 3
    assert "stopped answering: 3 requests in a row failed" in (report.aborted or "")
    assert "no answer within the 0.3 s timeout" in (report.aborted or "")
    (finding, *_) = report.findings
    assert (finding.check, finding.title) == ("not_a_server_error", "No response")


@pytest.mark.http
def test_a_resetting_server_is_reported_not_crashed_on() -> None:
    with resetting_server() as url:
        report = run_suite(LagoMock(api_key=KEY), base_url=url + "/api/v1", timeout=2)
    assert "connection closed or reset" in (report.aborted or "")
    assert report.findings[0].received.startswith("no response: connection closed or reset")


@pytest.mark.http
def test_a_10_mb_body_is_read_only_up_to_the_cap() -> None:
    with serving(huge_body) as url, Target(api_key=KEY, base_url=url + "/api/v1") as target:
        exchange = target.send(Request.of("POST", "/invoices/x/payment_url", None))
    assert exchange.truncated
    assert len(exchange.body) == 1024 * 1024
    assert exchange.json() == (False, None)
    assert "(body over 1 MiB, not read past it)" in exchange.describe()


@pytest.mark.http
def test_a_10_mb_body_is_a_finding_not_a_crash() -> None:
    app = FaultyLago(huge_payable_body)
    with serving(app) as url:
        report = run_suite(app, base_url=url + "/api/v1", max_examples=5)
    (finding, *_) = [f for f in report.findings if f.check == "response_schema_conformance"]
    assert finding.title.startswith("Response body is not JSON text")
    assert finding.received.endswith("(body over 1 MiB, not read past it)")


@pytest.mark.http
def test_a_server_answering_only_10_mb_bodies_is_not_lago() -> None:
    with (
        serving(huge_body) as url,
        pytest.raises(
            TargetUnusable, match=r"answered 404 application/json with a body over 1 MiB"
        ),
    ):
        run_suite(LagoMock(api_key=KEY), base_url=url + "/api/v1")


def test_an_unreachable_target_is_unusable() -> None:
    target = Target(api_key=KEY, base_url=f"http://127.0.0.1:{closed_port()}/api/v1", timeout=2)
    with (
        target,
        pytest.raises(
            TargetUnusable,
            match=r"cannot connect to http://127\.0\.0\.1:\d+/api/v1 \(connection failed: .*\); check --base-url",
        ),
    ):
        target.send(Request.of("POST", "/invoices/x/payment_url", None))


@pytest.mark.http
def test_a_web_site_is_not_lago() -> None:
    with (
        serving(html_site) as url,
        pytest.raises(
            TargetUnusable,
            match=r"does not look like Lago: .* answered 200 text/html, not JSON with the key and without; check that --base-url ends in /api/v1",
        ),
    ):
        run_suite(LagoMock(api_key=KEY), base_url=url + "/api/v1")


@pytest.mark.http
def test_tls_failure_is_unusable() -> None:
    with serving(LagoMock(api_key=KEY)) as url:
        target = Target(
            api_key=KEY, base_url=url.replace("http://", "https://") + "/api/v1", timeout=2
        )
        with target, pytest.raises(TargetUnusable, match=r"TLS handshake with 127\.0\.0\.1 failed"):
            target.send(Request.of("POST", "/x", None))


def test_every_request_has_a_timeout() -> None:
    with Target(api_key=KEY, base_url="http://127.0.0.1:9/api/v1", timeout=4) as target:
        assert target._wire is not None
        assert target._wire.timeout == 4


def test_the_key_is_redacted_from_curl() -> None:
    with Target(api_key=KEY, app=LagoMock(api_key=KEY)) as target:
        exchange = target.send(Request.of("POST", "/invoices/x/payment_url", target.bearer()))
    assert KEY not in exchange.curl()
    assert (
        exchange.curl()
        == "curl -X POST -H 'Authorization: Bearer [REDACTED]' -H 'User-Agent: lago-conformance/0.1.0' http://lago-mock.invalid/api/v1/invoices/x/payment_url"
    )
