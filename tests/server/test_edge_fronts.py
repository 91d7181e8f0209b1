"""The classes of fault the wild fronts showed missing, each caught by its check on a faulty
front of tests/edge_fronts.py, and the faithful deployments clean: framings Puma answers alike,
a cache that ignores ``Vary: Origin``, a limiter's reset against the clock, one budget for two
organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import LagoMock
from conformance._api import lago_twin
from conformance._server.judging.rate_limits import (
    rate_limit_per_organization,
    rate_limit_reset_kept,
)
from conformance._server.suite import ServerOptions, run_on_target
from conformance._server.transport.hints import Hint
from conformance._server.transport.target import Target
from tests.edge_fronts import OriginBlindCache, expectation_failed, length_required, skewed
from tests.fronts import Front
from tests.mock.realstack import corpus
from tests.server.test_target import FakeTime
from tests.tenant_faults import OTHER_KEY
from tests.wire_fronts import Limiter

if TYPE_CHECKING:
    from conformance._report.findings import Report

KEY = "faulty-server-key-0123"


def _run(mock: LagoMock, behaviour: Any = None, *, time: FakeTime | None = None) -> Report:
    """The suite at strict, failing on SHOULD, with the other organization's key when the mock
    holds one; through a front on 127.0.0.1 when ``behaviour`` is given."""
    options = ServerOptions(fail_on="should", max_examples=10, other_api_key=mock.other_api_key)
    clocked: dict[str, Any] = {"sleep": time.sleep, "clock": time.clock} if time else {}
    twin = lago_twin(KEY, mock.fixtures, 0, "lago.test", mock.other_api_key)

    def run(**where: Any) -> Report:
        with Target(api_key=KEY, max_requests=options.max_requests, **where, **clocked) as target:
            return run_on_target(target, options, mock.fixtures, {"target": "test"}, twin)

    if behaviour is None:
        return run(app=mock)
    with Front(mock, behaviour) as url:
        return run(base_url=url + "/api/v1")


def _checks(report: Report) -> set[str]:
    return {finding.check for finding in report.findings}


@pytest.mark.http
@pytest.mark.parametrize(
    ("front", "variation"),
    [
        (length_required, "no Content-Length (bodiless, as curl -X POST)"),
        (expectation_failed, "Expect: 100-continue with a JSON body"),
    ],
)
def test_a_front_refusing_a_framing_puma_takes_shows_on_that_variation(
    front: Any, variation: str
) -> None:
    report = _run(LagoMock(api_key=KEY), front)
    flagged = {result.scenario for result in report.results if result.findings}
    assert f"explore/headers/headers: {variation}" in flagged
    assert "lago_ignores" in _checks(report)


@pytest.mark.http
def test_a_cache_ignoring_vary_origin_is_caught_by_vary_respected_alone() -> None:
    report = _run(LagoMock(api_key=KEY), OriginBlindCache())
    assert _checks(report) == {"vary_respected"}
    (finding,) = report.findings
    assert finding.severity == "MUST"
    assert "Access-Control-Allow-Origin: http://localhost" in finding.received


@pytest.mark.http
def test_a_limiters_reset_far_off_the_window_is_caught_by_rate_limit_reset_kept_alone() -> None:
    time = FakeTime()
    report = _run(LagoMock(api_key=KEY), Limiter(clock=time.clock, reset=skewed), time=time)
    assert _checks(report) == {"rate_limit_reset_kept"}
    titles = {finding.title for finding in report.findings}
    assert "The window refilled long before X-RateLimit-Reset said" in titles


@pytest.mark.http
def test_one_budget_for_two_organizations_is_caught_by_rate_limit_per_organization_alone() -> None:
    time = FakeTime()
    mock = LagoMock(api_key=KEY, other_api_key=OTHER_KEY)
    report = _run(mock, Limiter(clock=time.clock, rate=1000), time=time)
    assert _checks(report) == {"rate_limit_per_organization"}


def test_lago_clouds_limiter_per_organization_gives_no_finding() -> None:
    time = FakeTime()
    mock = LagoMock(api_key=KEY, other_api_key=OTHER_KEY, rate_limit=20, clock=time.clock)
    report = _run(mock, time=time)
    assert report.findings == []
    assert any(r.check == "rate_limit_per_organization" for r in report.results)
    assert any(r.check == "rate_limit_reset_kept" for r in report.results)


def _hint(at: float, remaining: int, reset: int, who: str = "a") -> Hint:
    return Hint(at, who, 200, 20, remaining, reset, None)


def test_a_bucket_refilling_bit_by_bit_or_on_time_is_not_judged() -> None:
    on_time = [_hint(0.0, 10, 2), _hint(1.2, 19, 1)]
    gradual = [_hint(0.0, 10, 30), _hint(1.0, 11, 29)]
    other_key = [_hint(0.0, 10, 30), _hint(1.0, 19, 30, who="b")]
    for hints in (on_time, gradual, other_key):
        assert list(rate_limit_reset_kept(hints)) == []
    assert len(list(rate_limit_reset_kept([_hint(0.0, 10, 30), _hint(1.0, 19, 30)]))) == 1


def test_two_budgets_counting_down_apart_are_not_one() -> None:
    def seen(*counts: int) -> list[tuple[str, Hint | None]]:
        return [(("own", "other")[n % 2], _hint(0.0, c, 1)) for n, c in enumerate(counts)]

    assert list(rate_limit_per_organization(seen(17, 9, 16, 8, 15, 7))) == []
    assert list(rate_limit_per_organization(seen(17, 16, 19, 18, 17, 16))) != []
    # A window's end breaks the count: one run of three is not enough.
    assert list(rate_limit_per_organization(seen(17, 16, 15, 19, 9, 18))) == []


def test_the_framings_varied_are_kinds_the_real_stack_answered() -> None:
    # tests/mock/test_realstack.py replays each of these against the mock, answered alike.
    sent = [item["request"] for item in corpus()["exchanges"]]
    posts = [raw for raw in sent if raw.startswith("POST ")]
    with_body = [raw for raw in posts if "\r\nContent-Length: " in raw and raw.split("\r\n\r\n")[1]]
    assert [raw for raw in with_body if "\r\nExpect: 100-continue\r\n" in raw]
    framed = ("\r\nContent-Length:", "\r\nTransfer-Encoding:")
    assert [raw for raw in posts if not any(name in raw for name in framed)]
