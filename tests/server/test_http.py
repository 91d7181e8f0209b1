"""HTTP itself, judged by httplint against Lago's twin: each check of the "http" group finds a
fault nothing else finds; a correct front that only looks different, and Lago's own notes, are
never findings; a content coding the request asked for is no difference."""

from __future__ import annotations

import gzip
from collections import Counter
from typing import TYPE_CHECKING

import httpx
import pytest

from conformance._contract.request import Request
from conformance._contract.rules import Reply
from conformance._server import suite
from conformance._server.transport.exchange import Exchange
from conformance._server.twin.http_checks import HTTP_CHECKS, HttpPair, shared_cache_may_store
from conformance._server.twin.http_lint import lint_exchange, lint_reply
from conformance._server.twin.oracle import target_values
from tests.faulty_servers import FaultyLago
from tests.helpers import run_suite
from tests.http_faults import HTTP_FAULTS, LOOK_ALIKES, HttpFault

if TYPE_CHECKING:
    from conformance._report.findings import Report

PATH = "/invoices/x/payment_url"
LAGO_404 = Reply.error(404, "invoice_not_found").with_headers(
    ("x-frame-options", "SAMEORIGIN"),
    ("x-xss-protection", "0"),
    ("x-content-type-options", "nosniff"),
    ("x-permitted-cross-domain-policies", "none"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cache-control", "no-cache"),
    ("vary", "Origin"),
)


def _flagged(report: Report) -> Counter[str]:
    return Counter(finding.check for finding in report.findings)


@pytest.mark.parametrize("fault", HTTP_FAULTS, ids=lambda fault: fault.name)
def test_each_fault_is_found_by_its_check_alone_and_unseen_without_it(
    fault: HttpFault, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = run_suite(FaultyLago(fault.run), fail_on="should")
    assert set(_flagged(report)) == {fault.check}
    assert {f.severity for f in report.findings} == {fault.severity}
    # The same deployment with the "http" checks removed: every other check passes it.
    monkeypatch.setattr(suite, "HTTP_CHECKS", ())
    assert run_suite(FaultyLago(fault.run), fail_on="should").findings == []


def test_every_check_of_the_group_has_a_fault() -> None:
    assert {fault.check for fault in HTTP_FAULTS} == {check.name for check in HTTP_CHECKS}


def test_a_note_is_one_finding_per_scenario_naming_the_note_and_the_rfc() -> None:
    (fault,) = [f for f in HTTP_FAULTS if f.name == "cache-control-semicolon"]
    report = run_suite(FaultyLago(fault.run))
    per_scenario = Counter(r.scenario for r in report.results for _ in r.findings)
    assert per_scenario
    assert set(per_scenario.values()) == {1}  # the property tests send many: one finding
    finding = report.findings[0]
    assert "BAD_SYNTAX_DETAILED (bad, caching)" in finding.source
    assert "RFC 9111" in finding.source
    assert "cache-control: no-cache; max-age=0" in finding.received


@pytest.mark.parametrize("name", list(LOOK_ALIKES))
@pytest.mark.parametrize("level", ["strict", "documented"])
def test_a_correct_deployment_that_only_looks_different_passes(name: str, level: str) -> None:
    report = run_suite(FaultyLago(LOOK_ALIKES[name]), level=level, fail_on="should")  # type: ignore[arg-type]
    assert report.findings == []


def test_the_faithful_mock_is_judged_by_the_group() -> None:
    # Zero findings over seeds 0..19 at both levels: tests/server/test_suite.py, with these checks.
    report = run_suite()
    assert report.findings == []
    assert {r.check for r in report.results} >= {check.name for check in HTTP_CHECKS}


def _exchange(
    request: Request, status: int, headers: list[tuple[str, str]], body: bytes
) -> Exchange:
    return Exchange(request, "http://lago.test/api/v1" + PATH, status, httpx.Headers(headers), body)


def _pair(exchange: Exchange, lago: Reply = LAGO_404) -> HttpPair:
    request = exchange.request
    return HttpPair(exchange, lago, lint_exchange(exchange), lint_reply(lago, request))


def test_lagos_own_notes_are_not_findings_wherever_the_front_puts_the_header() -> None:
    request = Request.of("POST", PATH, "Bearer key")
    # No Date, and the deprecated X-XSS-Protection: Lago's own answer gets both notes.
    assert {"DATE_CLOCKLESS", "FIELD_DEPRECATED"} <= {
        n.name for n in lint_reply(LAGO_404, request).notes
    }
    moved = [("via", "1.1 varnish"), *((k, v) for k, v in reversed(LAGO_404.all_headers()))]
    pair = _pair(_exchange(request, 404, moved, LAGO_404.body))
    assert [p for check in HTTP_CHECKS for p in check.judge(pair)] == []


def test_a_bad_header_only_the_front_sends_is_a_finding_a_warning_about_it_is_not() -> None:
    request = Request.of("POST", PATH, "Bearer key")
    headers = [*LAGO_404.all_headers(), ("keep-alive", "timeout=5")]  # deprecated: a warning
    assert list(HTTP_CHECKS[1].judge(_pair(_exchange(request, 404, headers, LAGO_404.body)))) == []
    headers.append(("strict-transport-security", "max-age=soon"))  # RFC 6797: bad
    (problem,) = HTTP_CHECKS[0].judge(_pair(_exchange(request, 404, headers, LAGO_404.body)))
    assert "HSTS_INVALID" in problem.source
    assert "RFC 6797" in problem.source


def test_a_head_answer_is_judged_without_its_body() -> None:
    request = Request.of("HEAD", PATH, "Bearer key")
    lago = Reply(404, b"", LAGO_404.content_type, LAGO_404.headers)
    headers = [*LAGO_404.all_headers(), ("content-length", str(len(LAGO_404.body)))]
    pair = _pair(_exchange(request, 404, headers, b""), lago)
    assert [p for check in HTTP_CHECKS for p in check.judge(pair)] == []


@pytest.mark.parametrize(
    ("cache_control", "storable"),
    [
        ("max-age=0, private, must-revalidate", False),
        ("private, no-store", False),
        ("no-store", False),
        ("public, max-age=300", True),
        ('private="set-cookie", max-age=60', True),  # only Set-Cookie is private
        ("max-age=0, must-revalidate", True),
        (None, True),
    ],
)
def test_what_keeps_a_shared_cache_from_storing_the_link(
    cache_control: str | None, storable: bool
) -> None:
    request = Request.of("POST", PATH, "Bearer key")
    headers = [("cache-control", cache_control)] if cache_control is not None else []
    exchange = _exchange(request, 200, headers, b"{}")
    parsed = lint_exchange(exchange).parsed.get("cache-control")
    assert (shared_cache_may_store(exchange, parsed) is not None) is storable


def test_a_cdn_targeted_field_overrides_a_private_cache_control() -> None:
    request = Request.of("POST", PATH, "Bearer key")
    headers = [("cache-control", "private"), ("cdn-cache-control", "max-age=600")]
    exchange = _exchange(request, 200, headers, b"{}")
    parsed = lint_exchange(exchange).parsed.get("cache-control")
    assert shared_cache_may_store(exchange, parsed) == "cdn-cache-control: max-age=600"


def test_a_coding_the_request_asked_for_is_no_difference_one_it_did_not_is() -> None:
    # The gzip-when-asked false positive of lago_ignores: the target reader has undone the
    # coding, so the answer and its base hold the same representation.
    body = LAGO_404.body
    base = _exchange(Request.of("POST", PATH, "Bearer key"), 404, LAGO_404.all_headers(), body)
    asked = Request.of("POST", PATH, "Bearer key", ("Accept-Encoding", "gzip"))
    coded = [*LAGO_404.all_headers(), ("content-encoding", "gzip")]
    assert target_values(_exchange(asked, 404, coded, body)) == target_values(base)
    unasked = _exchange(base.request, 404, coded, gzip.compress(body))
    assert target_values(unasked) != target_values(base)


def test_a_malformed_per_answer_value_is_still_linted() -> None:
    # Request ids, runtimes and ETags are linted once per form; a malformed one keeps its note.
    request = Request.of("POST", PATH, "Bearer key")
    lago = Reply.of_json(200, {}).with_headers(("etag", 'W/"abc"'))
    for etag, noted in (('W/"0123abcd"', False), ("0123abcd", True), ('W/"01 23"', True)):
        headers = [("content-type", "application/json; charset=utf-8"), ("etag", etag)]
        pair = _pair(_exchange(request, 200, headers, lago.body), lago)
        assert bool(list(HTTP_CHECKS[1].judge(pair))) is noted, etag


def test_a_repeated_line_is_read_once_a_conflicting_one_is_a_finding() -> None:
    request = Request.of("POST", PATH, "Bearer key")
    again = [*LAGO_404.all_headers(), ("x-frame-options", "SAMEORIGIN")]
    assert list(HTTP_CHECKS[0].judge(_pair(_exchange(request, 404, again, LAGO_404.body)))) == []
    conflict = [*LAGO_404.all_headers(), ("x-frame-options", "DENY")]
    (problem,) = HTTP_CHECKS[0].judge(_pair(_exchange(request, 404, conflict, LAGO_404.body)))
    assert "SINGLE_HEADER_REPEAT" in problem.source
