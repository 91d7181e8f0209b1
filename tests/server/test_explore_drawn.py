"""The drawn exploration: each fault of ``tests/beyond_faults.py`` is found by it alone; every
kind of request it draws is one the twin was held against Lago's real stack for; the faithful
mock over HTTP has no finding from it; its share of the budget is small."""

from __future__ import annotations

import re
from collections import defaultdict
from types import SimpleNamespace

import pytest
from hypothesis import given, settings

from conformance import LagoMock
from conformance._contract.drawn.strategy import RANDOM_NAME, Free, build, requests
from conformance._mock.serve import serving
from conformance._server.phases.explore_drawn import (
    DRAWN_SHARE,
    PHASE,
    VOCABULARY,
    DrawnExploration,
    aim_of,
    drawable,
    kinds,
)
from conformance._server.phases.lago_bugs import lago_bug_in
from conformance._server.transport.target import Target
from tests.beyond_faults import BEYOND_FAULTS, BeyondFault, refuses_long_header_lines
from tests.faulty_servers import FaultyLago
from tests.helpers import run_suite
from tests.mock.realstack import Seen, aim, corpus, in_process, parse, recorded_mock, seen
from tests.mock.test_realstack import KNOWN

# The sweep: one preflight and each credential form the operators lack.
SWEPT = 8
_CUT = re.compile(r"\.\.\.\[\d+ chars\]\Z")
_UNKNOWN_HEADER = re.compile(r"\Aheader X-[^:]*: random name\Z")


def _kind(feature: str) -> str:
    """A feature as a kind of request: an unknown header's drawn name does not make a new kind."""
    return "header X-*: random name" if _UNKNOWN_HEADER.match(feature) else feature


def _recorded() -> dict[str, list[tuple[int, tuple[str, ...], bool, Seen]]]:
    """Every kind of request the corpus recorded: the exchanges holding it (index, features,
    whether stored cut, Lago's answer)."""
    by_kind = defaultdict(list)
    for index, item in enumerate(corpus()["exchanges"]):
        if index in KNOWN:
            continue
        answer = item["answer"]
        status = int(answer["status_line"].split()[1])
        body = answer["body"].encode("utf-8") if answer["body_base64"] is None else b""
        lago = seen(status, [(n, v) for n, v in answer["headers"]], body)
        entry = (index, tuple(item["features"]), bool(_CUT.search(item["request"])), lago)
        for feature in item["features"]:
            by_kind[_kind(feature)].append(entry)
    return by_kind


def _reproduced(entry: tuple[int, tuple[str, ...], bool, Seen]) -> bool:
    index, features, cut, lago = entry
    mock = recorded_mock()
    raw = corpus()["exchanges"][index]["request"].encode("latin-1")
    # A request stored cut is built again from its features (the catalogue's long values).
    values = tuple("v" for feature in features if feature.endswith(RANDOM_NAME))
    request = build(features, aim(), Free(values)).request if cut else parse(raw)
    http10 = raw.split(b"\r\n", 1)[0].endswith(b"HTTP/1.0")
    return lago.differences(in_process(mock, request), http10=http10) == ()


def test_every_kind_of_request_drawn_is_one_the_twin_answers_as_the_real_stack() -> None:
    # A new kind fails here until the corpus holds it and the twin answers it as Lago did.
    recorded = _recorded()
    invoices = {f"invoice={key}" for key in aim().invoices if key != "payable"}
    missing = sorted(kind for kind in VOCABULARY | invoices if kind not in recorded)
    assert missing == [], "drawn, but never recorded against Lago's real stack"
    unproven = sorted(
        kind for kind in VOCABULARY | invoices if not any(map(_reproduced, recorded[kind][:3]))
    )
    assert unproven == [], "recorded, but the twin answers it otherwise than Lago did"


_AIM = aim_of("drawn-key-0123456789", None, {"already_paid": "11111111-2222-4333-8444-555555555555"},
              "99999999-8888-4777-8666-555555555555")  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(requests(_AIM, features=kinds(_AIM)))
def test_the_drawn_exploration_draws_only_its_vocabulary_and_never_the_payable_invoice(
    drawn: object,
) -> None:
    features = drawn.features  # type: ignore[attr-defined]
    assert all(drawable(f) for f in features), features
    assert all(f.endswith(RANDOM_NAME) or _kind(f) in VOCABULARY or f.startswith("invoice=")
               for f in features)  # fmt: skip
    request = drawn.request  # type: ignore[attr-defined]
    assert request.method in ("POST", "OPTIONS")
    assert request.body == b""
    assert not request.path.startswith("/api/")  # below the base URL


def _flagged(fault: BeyondFault, seed: int = 0) -> set[tuple[str, str]]:
    report = run_suite(FaultyLago(fault.run), level="strict", max_examples=50, seed=seed)
    return {(result.check, result.scenario) for result in report.results if result.findings}


@pytest.mark.parametrize("fault", BEYOND_FAULTS, ids=lambda fault: fault.name)
def test_each_fault_is_found_by_the_drawn_exploration_alone(fault: BeyondFault) -> None:
    scenarios = {scenario for _check, scenario in _flagged(fault)}
    assert scenarios
    prefix = f"explore/{fault.dimension}/drawn: "
    assert all(s.startswith(prefix) for s in scenarios), sorted(scenarios)


def test_without_the_drawn_exploration_the_faults_go_unseen() -> None:
    # --explore 5 leaves it no request (a sixth of 5)
    for fault in BEYOND_FAULTS:
        report = run_suite(FaultyLago(fault.run), max_examples=50, extra={"explore": 5})
        assert report.findings == [], fault.name


def test_a_default_run_gives_it_a_small_share_and_keeps_lago_bugs_back() -> None:
    report = run_suite(LagoMock(api_key="faulty-server-key-0123"), max_examples=50)
    by_phase = report.metadata["requests_by_phase"]
    # Up to DRAWN_SHARE of what the exploration and the property tests leave.
    assert SWEPT < by_phase[PHASE] == report.metadata["drawn"]["sent"] <= DRAWN_SHARE
    assert report.metadata["requests"] <= 400


@pytest.mark.parametrize("send_lago_bugs", [False, True])
def test_a_request_that_meets_a_lago_bug_is_kept_back_unless_asked(send_lago_bugs: bool) -> None:
    drawn = build(("auth=non_ascii_latin1",), _AIM)
    assert lago_bug_in(drawn.request) is not None
    with Target("drawn-key-0123456789", app=LagoMock(api_key="drawn-key-0123456789")) as target:
        run = SimpleNamespace(target=target, recorder=None)
        exploration = DrawnExploration(run, _AIM, 5, 0, send_lago_bugs)
        exchange = exploration._answer(drawn)
        assert (exchange is not None, target.sent) == (send_lago_bugs, int(send_lago_bugs))
        assert exploration.kept_back == int(not send_lago_bugs)


@pytest.mark.http
@pytest.mark.parametrize("seed", [0, 3])
def test_the_faithful_mock_over_http_has_no_finding_from_drawn_requests(seed: int) -> None:
    mock = LagoMock(api_key="faulty-server-key-0123", seed=seed)
    with serving(mock) as url:
        report = run_suite(
            mock, base_url=url + "/api/v1", seed=seed, max_examples=20, fail_on="should"
        )
    assert report.findings == []
    assert report.metadata["requests_by_phase"][PHASE] > 0


def test_a_front_that_refuses_long_header_lines_is_no_finding() -> None:
    report = run_suite(FaultyLago(refuses_long_header_lines), max_examples=20, fail_on="should")
    assert report.findings == []
    assert report.metadata["drawn"]["sent"] > SWEPT
