"""Lago's stack, in-process: request headers (negotiation, proxies, CORS, ids, sizes, bytes) and
the headers Lago sets on its answers. Expectations come from the sources in docs/lago-behaviour.md.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import pytest

from conformance import LagoMock
from conformance._contract.request import Request
from tests.conftest import API_KEY
from tests.mock.stack import (
    AUTH,
    EMPTY_404,
    HTML,
    OK,
    PAGE_JSON,
    PUMA_400,
    Lago,
    ask,
    payable_path,
)

if TYPE_CHECKING:
    from conformance._contract.rules import Reply


def header(reply: Reply, name: str) -> str | None:
    return dict(reply.headers).get(name)


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "*/*",
        "text/html",
        "application/xml",
        "text/plain",
        "",
        "application/json;q=0",
        "text/html, */*;q=0.1",
    ],
)
def test_render_json_ignores_accept(mock: LagoMock, accept: str) -> None:
    OK.check(ask(mock, AUTH, ("Accept", accept)))


@pytest.mark.parametrize("accept", ["garbage", "application/json, nonsense", "a/b/c"])
def test_an_accept_that_is_no_mime_type_is_406_before_authentication(
    mock: LagoMock, accept: str
) -> None:
    # ActionController::Instrumentation reads request.format; InvalidType is 406
    for headers in ((AUTH, ("Accept", accept)), (("Accept", accept),)):
        Lago(406, HTML, body=b"").check(ask(mock, *headers))


def test_a_format_parameter_spares_the_accept_header(mock: LagoMock) -> None:
    OK.check(ask(mock, AUTH, ("Accept", "garbage"), query="format=json"))


XML_404 = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<hash>\n  <status type="integer">404</status>\n'
    b"  <error>Not Found</error>\n</hash>\n"
)


@pytest.mark.parametrize(
    ("headers", "query", "lago"),
    [
        pytest.param([], "", EMPTY_404, id="no-accept"),
        pytest.param([("Accept", "*/*")], "", EMPTY_404, id="any"),
        pytest.param([("Accept", "text/html,*/*")], "", EMPTY_404, id="browser-like"),
        pytest.param(
            [("Accept", "application/json")],
            "",
            Lago(404, PAGE_JSON, body=b'{"status":404,"error":"Not Found"}'),
            id="json",
        ),
        pytest.param(
            [("Accept", "application/xml")],
            "",
            Lago(404, "application/xml; charset=UTF-8", body=XML_404),
            id="xml",
        ),
        pytest.param(
            [("Accept", "application/x-yaml")],
            "",
            Lago(
                404,
                "application/x-yaml; charset=UTF-8",
                body=b"---\n:status: 404\n:error: Not Found\n",
            ),
            id="yaml",
        ),
        pytest.param([("Accept", "text/plain")], "", EMPTY_404, id="text"),
        pytest.param(
            [("Accept", "text/plain;q=0.5, application/json")],
            "",
            Lago(404, PAGE_JSON),
            id="q-order",
        ),
        pytest.param([("Accept", "garbage")], "", EMPTY_404, id="garbage-falls-back-to-html"),
        pytest.param([], "format=json", Lago(404, PAGE_JSON), id="format-param"),
    ],
)
def test_the_routing_error_page_follows_rails_negotiation(
    mock: LagoMock, headers: list[tuple[str, str]], query: str, lago: Lago
) -> None:
    lago.check(ask(mock, *headers, method="TRACE", query=query))


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(("Accept-Encoding", "gzip, br"), id="accept-encoding"),
        pytest.param(("Accept-Language", "fr"), id="accept-language"),
        pytest.param(("User-Agent", "curl/8"), id="user-agent"),
        pytest.param(("Cache-Control", "no-cache"), id="cache-control"),
        pytest.param(("If-None-Match", "*"), id="if-none-match"),
        pytest.param(
            ("If-Modified-Since", "Tue, 01 Dec 2026 09:00:00 GMT"), id="if-modified-since"
        ),
        pytest.param(("X-Forwarded-For", "not an ip"), id="x-forwarded-for-invalid"),
        pytest.param(("Client-IP", "1.2.3.4"), id="client-ip"),
        pytest.param(("X-Forwarded-Proto", "gopher"), id="x-forwarded-proto"),
        pytest.param(("X-Forwarded-Host", "evil.example"), id="x-forwarded-host"),
        pytest.param(("Forwarded", "for=1.2.3.4;proto=http"), id="forwarded"),
        pytest.param(("X-Real-IP", "::1"), id="x-real-ip"),
        pytest.param(("Host", "evil.example"), id="host"),
        pytest.param(("X-HTTP-Method-Override", "GET"), id="method-override-header"),
        pytest.param(("Connection", "close"), id="connection"),
        pytest.param(("Expect", "100-continue"), id="expect"),
        pytest.param(("TE", "trailers"), id="te"),
        pytest.param(("X-Note", "caf\xe9"), id="latin-1-bytes"),
        pytest.param(("X-Note", "caf\xc3\xa9"), id="utf-8-bytes"),
        pytest.param(("X-Note", "a" * 1024), id="1kb-value"),
        pytest.param(("X-Note", "a" * 8192), id="8kb-value"),
        pytest.param(("X-Note", "a" * 65536), id="64kb-value"),
    ],
)
def test_headers_lago_does_not_read(mock: LagoMock, extra: tuple[str, str]) -> None:
    OK.check(ask(mock, AUTH, extra))


def test_client_ip_conflicting_with_x_forwarded_for_is_not_read(mock: LagoMock) -> None:
    # RemoteIp's IpSpoofAttackError fires only when remote_ip is read; nothing on this path does
    OK.check(ask(mock, AUTH, ("Client-IP", "1.2.3.4"), ("X-Forwarded-For", "5.6.7.8")))


def test_the_etag_of_a_200_does_not_make_a_post_conditional(mock: LagoMock) -> None:
    first = ask(mock, AUTH)
    OK.check(ask(mock, AUTH, ("If-None-Match", str(header(first, "etag")))))


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([("X-Note", "a" * (80 * 1024 + 1))], id="value-over-80kb"),
        pytest.param([(f"X-N{n}", "a" * 1200) for n in range(100)], id="over-112kb-in-all"),
        pytest.param([("X-N", "a\x01b")], id="control-byte"),
        pytest.param([("X N", "a")], id="name-with-space"),
        pytest.param([("X-" + "n" * 256, "a")], id="name-over-256"),
        pytest.param([("Transfer-Encoding", "chunked, chunked")], id="te-chunked-twice"),
        pytest.param([("Content-Length", "12a")], id="content-length-not-digits"),
    ],
)
def test_puma_refuses_with_an_empty_400(mock: LagoMock, headers: list[tuple[str, str]]) -> None:
    PUMA_400.check(ask(mock, AUTH, *headers))


def test_100_headers_are_fine(mock: LagoMock) -> None:
    OK.check(ask(mock, AUTH, *[(f"X-N{n}", "v") for n in range(100)]))


def test_an_unknown_transfer_encoding_is_puma_501(mock: LagoMock) -> None:
    Lago(501, None, body=b"").check(ask(mock, AUTH, ("Transfer-Encoding", "br")))


@pytest.mark.parametrize(
    ("given", "echoed"),
    [
        pytest.param("abc-123_X@y", "abc-123_X@y", id="valid"),
        pytest.param("a b!c", "abc", id="sanitized"),
        pytest.param("!!!", "", id="sanitized-to-empty"),
        pytest.param("é1", "1", id="non-ascii-dropped"),
        pytest.param("x" * 300, "x" * 255, id="truncated"),
    ],
)
def test_x_request_id_is_echoed_sanitized(mock: LagoMock, given: str, echoed: str) -> None:
    assert header(ask(mock, AUTH, ("X-Request-Id", given)), "x-request-id") == echoed


def test_x_request_id_repeats_are_joined_then_sanitized(mock: LagoMock) -> None:
    reply = ask(mock, AUTH, ("X-Request-Id", "a"), ("X-Request-Id", "b"))
    assert header(reply, "x-request-id") == "ab"


def test_missing_request_ids_come_from_the_seed() -> None:
    def ids(seed: int) -> list[str | None]:
        mock = LagoMock(api_key=API_KEY, seed=seed)
        return [header(ask(mock, AUTH, ("X-Request-Id", " ")), "x-request-id") for _ in range(2)]

    assert ids(1) == ids(1) != ids(2)
    assert all(re.fullmatch(r"[0-9a-f-]{36}", str(i)) for i in ids(1))
    assert len(set(ids(1))) == 2


def test_answers_carry_rails_headers(mock: LagoMock) -> None:
    ok, unauthorized = ask(mock, AUTH), ask(mock)
    digest = hashlib.sha256(ok.body).hexdigest()[:32]
    assert header(ok, "etag") == f'W/"{digest}"'
    assert header(ok, "cache-control") == "max-age=0, private, must-revalidate"
    assert header(unauthorized, "cache-control") == "no-cache"
    assert header(unauthorized, "etag") is None
    for reply in (ok, unauthorized):
        assert header(reply, "x-frame-options") == "SAMEORIGIN"
        assert header(reply, "x-content-type-options") == "nosniff"
        assert re.fullmatch(r"[0-9]+\.[0-9]{6}", str(header(reply, "x-runtime")))
        assert header(reply, "vary") == "Origin"
        assert header(reply, "content-encoding") is None


def test_error_pages_have_no_controller_headers(mock: LagoMock) -> None:
    page = ask(mock, method="OPTIONS")
    assert header(page, "x-frame-options") is None
    assert header(page, "cache-control") is None
    assert header(page, "vary") == "Origin"


FRONT = "http://localhost"
CORS = {
    "access-control-allow-origin": FRONT,
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD",
    "access-control-expose-headers": "x-lago-token",
    "access-control-max-age": "7200",
}


@pytest.mark.parametrize(
    ("origin", "cors"),
    [
        pytest.param(FRONT, True, id="front-origin"),
        pytest.param("https://localhost", True, id="any-scheme"),
        pytest.param("http://localhost:8080", False, id="other-port"),
        pytest.param("https://evil.example", False, id="other-origin"),
        pytest.param("", False, id="empty"),
    ],
)
def test_cors_on_a_simple_request(mock: LagoMock, origin: str, cors: bool) -> None:
    reply = ask(mock, AUTH, ("Origin", origin))
    OK.check(reply)
    got = {k: v for k, v in reply.headers if k.startswith("access-control-")}
    # the allowed origin is echoed as sent
    assert got == ({**CORS, "access-control-allow-origin": origin} if cors else {})


def test_x_origin_stands_in_for_origin(mock: LagoMock) -> None:
    reply = ask(mock, AUTH, ("X-Origin", FRONT))
    assert header(reply, "access-control-allow-origin") == FRONT


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(
            [("Origin", FRONT), ("Access-Control-Request-Method", "POST")], CORS, id="allowed"
        ),
        pytest.param(
            [
                ("Origin", FRONT),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "authorization"),
            ],
            {**CORS, "access-control-allow-headers": "authorization"},
            id="with-headers",
        ),
        pytest.param(
            [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")],
            {},
            id="other-origin",
        ),
        pytest.param(
            [("Origin", FRONT), ("Access-Control-Request-Method", "QUERY")],
            {},
            id="method-not-allowed",
        ),
    ],
)
def test_a_preflight_is_answered_by_rack_cors(
    mock: LagoMock, headers: list[tuple[str, str]], expected: dict[str, str]
) -> None:
    reply = ask(mock, *headers, method="OPTIONS")
    assert (reply.status, reply.content_type, reply.body, dict(reply.headers)) == (
        200,
        None,
        b"",
        expected,
    )


def test_options_without_a_request_method_is_a_routing_error(mock: LagoMock) -> None:
    EMPTY_404.check(ask(mock, ("Origin", FRONT), method="OPTIONS"))


def test_no_front_url_allows_no_origin() -> None:
    mock = LagoMock(api_key=API_KEY, front_url=None)
    reply = mock.respond(Request("POST", payable_path(mock), "", (AUTH, ("Origin", FRONT))))
    assert header(reply, "access-control-allow-origin") is None
    assert header(reply, "vary") == "Origin"


@pytest.mark.parametrize(
    ("headers", "lago"),
    [
        # Mime::Type#match? is a substring search: html's synonym application/xhtml+xml is first
        pytest.param([("Accept", "application/*")], EMPTY_404, id="application-star-is-html"),
        pytest.param([("Accept", "text/*")], EMPTY_404, id="text-star-is-html"),
        # an XMLHttpRequest makes an empty Accept stand for its Content-Type
        pytest.param(
            [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
            Lago(404, PAGE_JSON, body=b'{"status":404,"error":"Not Found"}'),
            id="xhr-json-content-type",
        ),
        pytest.param([("X-Requested-With", "XMLHttpRequest")], EMPTY_404, id="xhr-js-no-page"),
    ],
)
def test_the_error_page_format_follows_rails_formats(
    mock: LagoMock, headers: list[tuple[str, str]], lago: Lago
) -> None:
    lago.check(ask(mock, *headers, method="TRACE"))


def test_an_unregistered_path_extension_falls_back_to_html() -> None:
    mock = LagoMock(api_key=API_KEY)
    reply = ask(mock, method="HEAD", path=payable_path(mock, ".JSON"), query="a=%E9")
    assert (reply.status, reply.content_type) == (400, "text/html; charset=UTF-8")


@pytest.mark.parametrize(
    ("value", "closing"), [("close", True), ("Close", True), ("keep-alive", False)]
)
def test_puma_answers_connection_close_as_asked(value: str, closing: bool) -> None:
    mock = LagoMock(api_key=API_KEY)
    reply = ask(mock, AUTH, ("Connection", value))
    assert (("connection", "close") in reply.headers) is closing


def test_the_root_path_has_no_route_not_even_the_catch_all() -> None:
    mock = LagoMock(api_key=API_KEY)
    EMPTY_404.check(ask(mock, AUTH, path="/"))
    Lago(404, code="resource_not_found").check(ask(mock, AUTH, path="/x"))
