"""The probe phases: what they send, within which limits, and how their answers are judged."""

from __future__ import annotations

import functools
import io
import json
import urllib.parse
from typing import TYPE_CHECKING

import pytest

from conformance import LagoMock
from conformance._contract.rules import cast_uuid
from conformance._report.writers import write_json
from conformance._server.phases.probes import HOSTILE_IDS, METHODS, PHASES
from tests.faulty_servers import (
    API_KEY,
    FaultyLago,
    Reply,
    Request,
    secret_echoed,
)
from tests.helpers import run_suite

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._report.findings import Report


def sent(seed: int = 0, mock_seed: int = 0, **options: object) -> tuple[list[Request], Report]:
    """Every request the suite sends to the faithful mock, in order, and its report."""
    requests: list[Request] = []

    def recording(server: FaultyLago, request: Request) -> Reply:
        requests.append(request)
        return server.faithful(request)

    app = FaultyLago(recording, LagoMock(api_key=API_KEY, seed=mock_seed))
    report = run_suite(app, seed=seed, max_examples=50, **options)  # type: ignore[arg-type]
    return requests, report


@functools.cache
def default_sent(seed: int = 0, mock_seed: int = 0) -> tuple[list[Request], Report]:
    """``sent`` with the default options, once per worker: a run is deterministic for its
    seeds, so the tests that judge the same run share it (the determinism test runs its own)."""
    return sent(seed, mock_seed)


def _names_payable(request: Request, payable: str) -> bool:
    return cast_uuid(urllib.parse.unquote(request.lago_id)) == payable


@pytest.mark.parametrize(("seed", "mock_seed"), [(0, 0), (1, 5), (7, 3), (12, 9)])
def test_the_payable_invoice_is_asked_for_within_payable_calls(seed: int, mock_seed: int) -> None:
    requests, report = default_sent(seed, mock_seed)
    payable = LagoMock(seed=mock_seed).invoice("payable").lago_id
    named = [r for r in requests if _names_payable(r, payable)]
    # Beside the fixed four (the fixture scenario, its repeat, one cast form, the GET a server
    # must refuse), only the Origin pair, the exploration and the stateful phase call it, within
    # --payable-calls.
    calls = report.metadata["payable_calls"]
    spent = calls.get("vary", 0) + calls.get("exploration", 0) + calls.get("stateful", 0)
    assert len(named) == 4 + spent
    assert calls.get("vary") == 2
    assert calls["limit"] == 12
    assert len(named) <= 4 + 12
    assert [r.method for r in named].count("GET") == 1
    assert all(r.method == "POST" for r in named if r.method != "GET")


@pytest.mark.parametrize(("seed", "mock_seed"), [(0, 0), (7, 3)])
def test_without_payable_calls_the_payable_invoice_is_asked_for_four_times(
    seed: int, mock_seed: int
) -> None:
    requests, report = sent(seed, mock_seed, extra={"payable_calls": 0})
    payable = LagoMock(seed=mock_seed).invoice("payable").lago_id
    keyed = [r for r in requests if _names_payable(r, payable) and API_KEY in repr(r)]
    # The fixture scenario, its repeat, and one cast form: no other request with the key, in any
    # part, names the invoice.
    assert sorted(r.method for r in keyed) == ["GET", "POST", "POST", "POST"]
    billing = [r for r in keyed if r.method == "POST"]
    assert all(r.authorization == f"Bearer {API_KEY}" for r in billing)
    assert len({r.lago_id for r in billing}) == 2
    assert [r for r in requests if _names_payable(r, payable) and r not in keyed] == []
    assert report.metadata["payable_calls"] == {"limit": 0}


def test_the_default_run_stays_within_400_requests_and_says_how_each_phase_spent_them() -> None:
    requests, report = default_sent()
    by_phase = report.metadata["requests_by_phase"]
    assert len(requests) == report.metadata["requests"] == sum(by_phase.values()) <= 400
    assert set(PHASES) <= set(by_phase)
    assert by_phase["hostile ids"] == len(HOSTILE_IDS)
    assert by_phase["other methods"] == len(METHODS)
    assert by_phase["consistency"] == 3
    table = report.coverage["tables"]["Phases"]
    assert table[0] == ["phase", "requests", "findings"]
    assert {row[0]: row[1] for row in table[1:]} == by_phase


def test_probes_come_before_the_property_tests_and_the_last_consistency_probe_after() -> None:
    requests, report = default_sent()
    order = list(report.metadata["requests_by_phase"])
    assert order.index("property tests") > max(order.index(p) for p in PHASES[:-1])
    consistency = [r for r in requests if r.lago_id == requests[-1].lago_id]
    assert len(consistency) == 3


def test_probes_are_deterministic_for_a_seed_and_rotate_forms_with_it() -> None:
    first, again, other = sent(3)[0], sent(3)[0], sent(4)[0]
    assert first == again
    probes = {r.lago_id for r in first if r.lago_id} - {r.lago_id for r in other}
    assert probes  # another seed sends other near-miss forms and uuids


def test_a_small_budget_still_covers_every_probe_before_the_property_tests() -> None:
    _requests, report = sent(max_requests=100)
    by_phase = report.metadata["requests_by_phase"]
    assert by_phase["hostile ids"] == len(HOSTILE_IDS)
    assert by_phase["consistency"] == 3
    assert report.metadata["requests"] == 100
    assert report.findings == []


def _uri_too_long(limit: int, status: int) -> Callable[[FaultyLago, Request], Reply]:
    def fault(server: FaultyLago, request: Request) -> Reply:
        if len(request.lago_id) > limit:
            return Reply(status, f"<html><body>{status}</body></html>".encode(), ())
        return server.faithful(request)

    return fault


@pytest.mark.parametrize("status", [414, 400])  # a proxy's 414; Puma's 400 past 8 KB of path
def test_a_refused_long_request_is_an_answer_to_an_id_over_1024_characters_only(
    status: int,
) -> None:
    proxy_at_8k = run_suite(FaultyLago(_uri_too_long(8000, status)))
    assert proxy_at_8k.findings == []
    proxy_at_200 = run_suite(FaultyLago(_uri_too_long(200, status)))
    flagged = {(r.check, r.scenario) for r in proxy_at_200.results if r.findings}
    assert ("status_code_conformance", "probe/hostile-id/length-255") in flagged
    assert ("no_error_leak", "probe/hostile-id/length-256") in flagged
    assert ("status_code_conformance", "probe/hostile-id/length-1024") in flagged
    assert not {scenario for _c, scenario in flagged if scenario.endswith("length-8192")}
    assert proxy_at_200.exit_code == 1


def test_near_misses_of_the_key_never_reach_a_report() -> None:
    report = run_suite(FaultyLago(secret_echoed))
    stream = io.StringIO()
    write_json(report, stream)
    text = stream.getvalue()
    assert any(r.scenario.startswith("probe/credential/") for r in report.results if r.findings)
    middle = len(API_KEY) // 2
    for secret in (API_KEY, API_KEY[:-1], API_KEY.swapcase(), API_KEY[:middle], API_KEY[middle:]):
        assert secret not in text
    reproductions = [f["reproduce"] for r in json.loads(text)["results"] for f in r["findings"]]
    assert reproductions
    assert all(" [REDACTED]'" in line for line in reproductions if "Authorization" in line)


def _verbs_answered_otherwise(server: FaultyLago, request: Request) -> Reply:
    if request.method == "OPTIONS":  # a gateway's CORS answer
        return Reply(204, b"", ())
    if request.method == "HEAD":
        return Reply(200, b"", ())
    if request.method == "TRACE":
        return Reply(404, b'{"status":404,"error":"Not Found","code":"invoice_not_found"}')
    return server.faithful(request)


def test_router_not_found_judges_each_verb_as_rails_answers_it() -> None:
    report = run_suite(FaultyLago(_verbs_answered_otherwise))
    flagged = {(r.check, r.scenario) for r in report.results if r.findings}
    probes = {scenario for check, scenario in flagged if scenario.startswith("probe/")}
    assert probes == {"probe/method/OPTIONS", "probe/method/HEAD", "probe/method/TRACE"}
    # HTTP allows each, whoever sends it (the probes, the exploration or schemathesis' other
    # verbs): Lago's behaviour (SHOULD: the named check, and the oracle's lago_reacts) only,
    # never unsupported_method nor lago_refuses.
    assert {check for check, _scenario in flagged} == {"router_not_found", "lago_reacts"}
    assert {f.severity for f in report.findings} == {"SHOULD"}
    assert report.exit_code == 0


def _odd_ids_unauthorized(server: FaultyLago, request: Request) -> Reply:
    """An auth layer inside Rails (its headers kept) that refuses an odd path before the
    lookup, whatever the key."""
    odd = cast_uuid(urllib.parse.unquote(request.lago_id)) is None
    lago = server.faithful(request)
    if request.method == "POST" and "%" in request.lago_id and odd:
        # Rails' headers on every answer: only the status and body are this fault's (a bare
        # 401 would also be judged by lago_headers_kept, whichever cases schemathesis draws).
        return Reply(401, b'{"status":401,"error":"Unauthorized"}', lago.headers)
    return lago


def test_a_hostile_id_answered_401_with_the_right_key_is_not_lagos_answer() -> None:
    report = run_suite(FaultyLago(_odd_ids_unauthorized))
    flagged = {(r.check, r.scenario) for r in report.results if r.findings}
    assert ("invoice_not_found", "probe/hostile-id/nul") in flagged
    # The oracle sees it too (Lago answers 404): a SHOULD finding as well, never a MUST.
    # (The stateful phase may meet it in a sequence too: sequence_answers, a SHOULD.)
    checks = {check for check, _scenario in flagged}
    assert {"invoice_not_found", "lago_reacts"} <= checks
    assert checks <= {"invoice_not_found", "lago_reacts", "sequence_answers"}
    assert {f.severity for f in report.findings} == {"SHOULD"}
    assert report.exit_code == 0
