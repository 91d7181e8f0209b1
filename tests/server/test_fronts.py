"""Lago behind fronts: correct ones cost nothing, and what a faulty one does is named (the
preflight's words, a front's refusals, a limiter's hints)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import LagoMock
from conformance._server.judging.wire_checks import WIRE_CHECKS
from conformance._server.transport.target import TargetUnusable
from tests.fronts import Front
from tests.helpers import run_suite
from tests.server.test_target import FakeTime
from tests.wire_fronts import (
    Limiter,
    bad_gateway,
    chunked,
    close_each,
    cloudflare,
    early_hints,
    epoch,
    fraction,
    gzip_when_asked,
    hours_off,
    login_redirect,
    nginx,
    security_headers,
    varnish,
    waf_without_user_agent,
)

if TYPE_CHECKING:
    from conformance._contract.levels import FailOn, Level
    from conformance._report.findings import Report

KEY = "faulty-server-key-0123"
CORRECT = [nginx, cloudflare, varnish, security_headers, chunked, gzip_when_asked, close_each, early_hints]  # fmt: skip


def _run(behaviour: Any, *, time: FakeTime | None = None, **options: Any) -> Report:
    mock = LagoMock(api_key=KEY)
    clocked: dict[str, Any] = {"sleep": time.sleep, "clock": time.clock} if time is not None else {}
    with Front(mock, behaviour) as url:
        return run_suite(mock, base_url=url + "/api/v1", **clocked, **options)


@pytest.mark.http
@pytest.mark.parametrize(("level", "fail_on"), [("strict", "should"), ("documented", "must")])
@pytest.mark.parametrize(
    ("front", "seed"), [pytest.param(f, n, id=f.__name__) for n, f in enumerate(CORRECT)]
)
def test_a_correct_front_gives_no_finding(
    front: Any, seed: int, level: Level, fail_on: FailOn
) -> None:
    report = _run(front, level=level, fail_on=fail_on, seed=seed, max_examples=20)
    assert report.findings == []
    assert report.exit_code == 0


@pytest.mark.http
@pytest.mark.parametrize("seed", [3, 11])
def test_lago_clouds_limiter_is_waited_out_and_no_finding(seed: int) -> None:
    time = FakeTime()
    limiter = Limiter(clock=time.clock)
    report = _run(limiter, time=time, fail_on="should", seed=seed, max_examples=20)
    assert limiter.limited > 5
    assert report.findings == []
    assert report.incomplete is None


@pytest.mark.http
@pytest.mark.parametrize(
    ("limiter", "check", "title"),
    [
        pytest.param(
            Limiter(reset=epoch),
            "rate_limit_headers",
            "X-RateLimit-Reset is an epoch timestamp, not seconds",
            id="epoch-reset",
        ),
        pytest.param(
            Limiter(date=hours_off),
            "date_near_clock",
            "Date is far from the clock",
            id="date-hours-off",
        ),
        pytest.param(
            Limiter(retry_after=fraction),
            "retry_after_hint",
            "Retry-After is neither seconds nor an HTTP-date",
            id="retry-after-fraction",
        ),
        pytest.param(
            Limiter(hints=False),
            "rate_limit_headers",
            "A 429 that says nothing of when to come back",
            id="no-hint",
        ),
    ],
)
def test_a_limiters_hints_are_judged_and_still_honoured(
    limiter: Limiter, check: str, title: str
) -> None:
    time = FakeTime()
    limiter.clock = time.clock
    report = _run(limiter, time=time, fail_on="should", max_examples=20)
    assert {(f.check, f.title) for f in report.findings} == {(check, title)}
    assert report.findings[0].severity == "SHOULD"
    assert report.exit_code == 1
    assert time.slept
    assert all(0 < wait <= 10 for wait in time.slept), "each hint honoured, bounded"


def test_each_check_of_the_wire_has_a_faulty_front_here_or_in_test_wire() -> None:
    from tests.server.test_wire import WIRE_CAUGHT

    limiters = {"rate_limit_headers", "date_near_clock", "retry_after_hint"}
    assert WIRE_CAUGHT | limiters == WIRE_CHECKS


@pytest.mark.http
def test_a_login_redirect_before_keyless_requests_is_a_finding_not_another_site() -> None:
    report = _run(login_redirect, max_examples=5)
    (refused,) = [
        result
        for result in report.results
        if (result.check, result.scenario) == ("status_code_conformance", "auth/no-header")
    ]
    assert [f.title for f in refused.findings] == ["Undocumented status code 302"]
    assert report.aborted is None
    assert report.exit_code == 1


@pytest.mark.http
def test_a_waf_refusing_requests_without_a_user_agent_shows_on_that_variation_alone() -> None:
    report = _run(waf_without_user_agent, max_examples=5)
    scenarios = {result.scenario for result in report.results if result.findings}
    # (A stateful sequence may draw that variation too.)
    assert scenarios - {"stateful/sequence"} == {"explore/headers/headers: User-Agent: (empty)"}
    assert "no_error_leak" in {f.check for f in report.findings}


@pytest.mark.http
def test_the_preflight_names_a_proxys_error_page_in_one_line() -> None:
    with pytest.raises(TargetUnusable) as raised:
        _run(bad_gateway)
    message = str(raised.value)
    assert "\n" not in message
    assert message.endswith(
        "answered 502 text/html, a proxy's error page (502 Bad Gateway) from nginx/1.27.3 with "
        "the key and without; the proxy in front of Lago cannot reach it: check that Lago is up "
        "behind it"
    )
