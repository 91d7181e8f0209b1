"""Lago's stack, in-process: credentials, bodies, query strings, paths, ids and methods.

Each expectation is written from the source named in docs/lago-behaviour.md, not from the mock.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

import pytest

from tests.conftest import API_KEY
from tests.mock.stack import (
    AUTH,
    EMPTY_400,
    EMPTY_404,
    HTML,
    INVOICE_NOT_FOUND,
    OK,
    OTHER_ID,
    PUMA_400,
    RESOURCE_NOT_FOUND,
    UNAUTHORIZED,
    Lago,
    ask,
)

if TYPE_CHECKING:
    from conformance import LagoMock

K = API_KEY
BASIC = base64.b64encode(f"{K}:".encode()).decode()


@pytest.mark.parametrize(
    ("headers", "query", "body", "lago"),
    [
        pytest.param([("Authorization", f"Bearer {K}")], "", b"", OK, id="bearer"),
        pytest.param([("Authorization", f"BEARER {K}")], "", b"", OK, id="scheme-upper-case"),
        pytest.param([("Authorization", f"Token {K}")], "", b"", OK, id="other-scheme-token"),
        pytest.param([("Authorization", f"Basic {BASIC}")], "", b"", UNAUTHORIZED, id="basic"),
        pytest.param([("Authorization", K)], "", b"", UNAUTHORIZED, id="key-alone"),
        pytest.param([("Authorization", f"Bearer  {K}")], "", b"", OK, id="two-spaces"),
        pytest.param([("Authorization", f"Bearer\t{K}")], "", b"", OK, id="tab"),
        pytest.param([("Authorization", f"Bearer {K} x")], "", b"", OK, id="trailing-word"),
        pytest.param(
            [("Authorization", f"Bearer {K},")], "", b"", UNAUTHORIZED, id="trailing-comma"
        ),
        pytest.param([("authorization", f"Bearer {K}")], "", b"", OK, id="name-lower-case"),
        # Puma joins repeats with ", " (puma_http11.c http_field): "Bearer K, Bearer K"
        pytest.param([AUTH, AUTH], "", b"", UNAUTHORIZED, id="twice-same"),
        pytest.param(
            [AUTH, ("Authorization", "Bearer other")], "", b"", UNAUTHORIZED, id="twice-different"
        ),
        pytest.param(
            [("Authorization", "Bearer"), ("Authorization", K)], "", b"", OK, id="twice-split"
        ),
        pytest.param([], f"api_key={K}", b"", UNAUTHORIZED, id="query-api-key"),
        pytest.param([], f"access_token={K}", b"", UNAUTHORIZED, id="query-access-token"),
        pytest.param([("X-Api-Key", K)], "", b"", UNAUTHORIZED, id="x-api-key"),
        pytest.param(
            [("Content-Type", "application/json")],
            "",
            json.dumps({"api_key": K}).encode(),
            UNAUTHORIZED,
            id="json-body-member",
        ),
    ],
)
def test_credential_channels_and_forms(
    mock: LagoMock, headers: list[tuple[str, str]], query: str, body: bytes, lago: Lago
) -> None:
    lago.check(ask(mock, *headers, query=query, body=body))


JSON_CT = ("Content-Type", "application/json")


@pytest.mark.parametrize(
    ("headers", "body", "lago"),
    [
        pytest.param([], b"", OK, id="none"),
        pytest.param([JSON_CT], b"", OK, id="json-empty"),
        pytest.param([JSON_CT], b"{}", OK, id="json-object"),
        pytest.param(
            [JSON_CT],
            json.dumps({"lago_id": OTHER_ID, "invoice_id": OTHER_ID, "id": OTHER_ID}).encode(),
            OK,
            id="json-naming-another-invoice",
        ),
        pytest.param([JSON_CT], b"[1, 2]", OK, id="json-array"),
        pytest.param([JSON_CT], b'"text"', OK, id="json-scalar"),
        pytest.param([JSON_CT], b'{"a": "' + b"x" * 1_000_000 + b'"}', OK, id="json-1mb"),
        pytest.param([JSON_CT], b"{bad", EMPTY_400, id="json-invalid"),
        pytest.param([JSON_CT], b"NaN", EMPTY_400, id="json-nan"),
        pytest.param([JSON_CT], b"\xff\xfe\x00junk", EMPTY_400, id="json-binary-junk"),
        pytest.param([JSON_CT], b"\xef\xbb\xbf{}", EMPTY_400, id="json-byte-order-mark"),
        pytest.param([JSON_CT], b"[" * 100 + b"]" * 100, OK, id="json-nested-100"),
        pytest.param([JSON_CT], b"[" * 101 + b"]" * 101, EMPTY_400, id="json-nested-101"),
        pytest.param([JSON_CT], b'{"a":' * 101 + b"1" + b"}" * 101, EMPTY_400, id="json-deep-obj"),
        pytest.param(
            [("Content-Type", "application/problem+json")],
            b"{bad",
            EMPTY_400,
            id="json-synonym-invalid",
        ),
        pytest.param([], b"{bad", OK, id="invalid-json-without-content-type-is-a-form"),
        pytest.param([], b"\x00\xff\xfe", OK, id="binary-junk-without-content-type"),
        pytest.param([], b"a=%ZZ", EMPTY_400, id="bad-escape-in-form-without-content-type"),
        pytest.param(
            [("Content-Type", "application/x-www-form-urlencoded")], b"a=1&b=2", OK, id="form"
        ),
        pytest.param(
            [("Content-Type", "application/x-www-form-urlencoded")],
            b"a=%FF",
            EMPTY_400,
            id="form-not-utf8",
        ),
        pytest.param(
            [("Content-Type", "application/x-www-form-urlencoded")],
            b"a[]=1&a[b]=2",
            EMPTY_400,
            id="form-type-conflict",
        ),
        pytest.param([], b"a=" + b"x" * 4_194_304, EMPTY_400, id="form-over-4mib"),
        pytest.param([], b"&".join([b"a"] * 4097), EMPTY_400, id="form-over-4096-params"),
        pytest.param([("Content-Type", "text/plain")], b"{bad", OK, id="text-plain-is-not-read"),
        pytest.param(
            [("Content-Type", "application/octet-stream")], b"\x00\xff", OK, id="octet-stream"
        ),
        pytest.param(
            [("Content-Type", "multipart/form-data")], b"junk", OK, id="multipart-no-boundary"
        ),
        # Rack's multipart parser returns nothing without a boundary: the body is read as a form
        pytest.param(
            [("Content-Type", "multipart/form-data")],
            b"a=%ZZ",
            EMPTY_400,
            id="multipart-no-boundary-read-as-form",
        ),
        pytest.param(
            [("Content-Type", "multipart/mixed")],
            b"a[]=1&a[b]=2",
            EMPTY_400,
            id="multipart-mixed-no-boundary-read-as-form",
        ),
        pytest.param(
            [("Content-Type", "multipart/form-data; boundary=XX")],
            b'--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XX--\r\n',
            OK,
            id="multipart",
        ),
        pytest.param(
            [("Content-Type", "multipart/form-data; boundary=XX")],
            b"junk",
            EMPTY_400,
            id="multipart-bad-body",
        ),
        # Rack raises an error Rails does not rescue (real Lago: 500, a Lago bug); Lago should 400
        pytest.param(
            [("Content-Type", "multipart/form-data; boundary=" + "b" * 71)],
            b"junk",
            EMPTY_400,
            id="multipart-boundary-too-long",
        ),
        pytest.param(
            [("Content-Type", "multipart/form-data; boundary =XX")],
            b"junk",
            EMPTY_400,
            id="multipart-space-before-equals",
        ),
        # Mime::Type.lookup refuses it: InvalidType, 406 (exception_wrapper.rb)
        pytest.param(
            [("Content-Type", "garbage")],
            b"{}",
            Lago(406, "text/html; charset=UTF-8", body=b""),
            id="content-type-garbage",
        ),
        # ParamsWrapper looks any Content-Type up, body or not (params_wrapper.rb)
        pytest.param(
            [("Content-Type", "garbage")],
            b"",
            Lago(406, HTML, body=b""),
            id="content-type-garbage-no-body",
        ),
        pytest.param(
            [("Content-Type", "")], b"", Lago(406, HTML, body=b""), id="content-type-empty"
        ),
        pytest.param(
            [("Content-Type", "Application/JSON; charset=x")], b"{}", OK, id="content-type-any-case"
        ),
    ],
)
def test_bodies(mock: LagoMock, headers: list[tuple[str, str]], body: bytes, lago: Lago) -> None:
    lago.check(ask(mock, AUTH, *headers, body=body))


def test_a_bad_body_is_refused_before_authentication(mock: LagoMock) -> None:
    # set_json_format (a before_action ahead of authenticate) reads the parameters
    EMPTY_400.check(ask(mock, JSON_CT, body=b"{bad"))
    EMPTY_400.check(ask(mock, JSON_CT, method="GET", body=b"{bad"))


@pytest.mark.parametrize(
    ("query", "lago"),
    [
        pytest.param("a=1", OK, id="plain"),
        pytest.param(f"id={OTHER_ID}", OK, id="id-of-another-invoice"),
        pytest.param("format=xml", OK, id="format-xml"),
        pytest.param("format=json", OK, id="format-json"),
        pytest.param("a=1&a=2", OK, id="repeated-key"),
        pytest.param("_method=GET", OK, id="method-override-param"),
        pytest.param("a;b=1", OK, id="semicolon"),
        pytest.param("%", EMPTY_400, id="lone-percent"),
        pytest.param("a=%ZZ", EMPTY_400, id="bad-escape"),
        pytest.param("a=%FF", EMPTY_400, id="not-utf8"),
        pytest.param("a[]=1&a[b]=2", EMPTY_400, id="nested-type-conflict"),
        pytest.param("a" + "[b]" * 101 + "=1", EMPTY_400, id="too-deep"),
        pytest.param("a=" + "x" * 10_000, OK, id="10000-bytes"),
        pytest.param("a=" + "x" * 10_300, PUMA_400, id="over-puma-query-limit"),
    ],
)
def test_query_strings(mock: LagoMock, query: str, lago: Lago) -> None:
    lago.check(ask(mock, AUTH, query=query))


def test_a_bad_query_is_refused_before_authentication(mock: LagoMock) -> None:
    # ActionController::Instrumentation reads filtered_parameters before any callback
    EMPTY_400.check(ask(mock, query="a=%ZZ"))


@pytest.mark.parametrize(
    ("path", "lago"),
    [
        pytest.param("/api/v1/invoices/{id}/payment_url/", OK, id="trailing-slash"),
        pytest.param("/api/v1//invoices//{id}/payment_url", OK, id="doubled-slashes"),
        pytest.param("/api/v1/invoices/{id}/payment_url.json", OK, id="json-suffix"),
        pytest.param("/api/v1/invoices/{id}/payment_url.xml", OK, id="xml-suffix-still-json"),
        pytest.param("/API/v1/invoices/{id}/payment_url", RESOURCE_NOT_FOUND, id="upper-case"),
        pytest.param(
            "/api/v1/invoic%65s/{id}/payment_url", RESOURCE_NOT_FOUND, id="encoded-letter"
        ),
        pytest.param(
            "/api/v1/invoices/../invoices/{id}/payment_url", RESOURCE_NOT_FOUND, id="dot-segments"
        ),
        pytest.param(
            "/api/v1/invoices/{id}/payment_url;a=1", RESOURCE_NOT_FOUND, id="semicolon-param"
        ),
        pytest.param(
            "/api/v1/invoices/{id};a/payment_url", INVOICE_NOT_FOUND, id="semicolon-in-id"
        ),
        pytest.param(
            "/api/v1/invoices/{id}/payment_url/rails/active_storage",
            EMPTY_404,
            id="catch-all-excluded",
        ),
        pytest.param("/api/v1/x%FF", EMPTY_400, id="catch-all-not-utf8"),
        pytest.param("http://lago.test/api/v1/invoices/{id}/payment_url", OK, id="absolute-form"),
        pytest.param("relative/path", PUMA_400, id="no-leading-slash"),
        pytest.param("/api/v1/invoices/{id}/payment_url#frag", OK, id="fragment-ignored"),
        pytest.param(
            "/api/v1/invoices/{id}/payment_url#" + "f" * 1025, PUMA_400, id="fragment-over-1024"
        ),
        pytest.param('/api/v1/invoices/"{id}"/payment_url', PUMA_400, id="quote-refused-by-puma"),
        pytest.param("/api/v1/invoices/<{id}>/payment_url", PUMA_400, id="angle-refused-by-puma"),
        pytest.param(
            "/api/v1/invoices/" + "a" * 8200 + "/payment_url", PUMA_400, id="over-puma-path-limit"
        ),
    ],
)
def test_path_forms(mock: LagoMock, path: str, lago: Lago) -> None:
    lago.check(ask(mock, AUTH, path=path.format(id=mock.invoice("payable").lago_id)))


@pytest.mark.parametrize(
    ("spell", "lago"),
    [
        pytest.param(lambda i: "00000000-0000-0000-0000-000000000000", INVOICE_NOT_FOUND, id="nil"),
        pytest.param(lambda i: "ffffffff-ffff-ffff-ffff-ffffffffffff", INVOICE_NOT_FOUND, id="max"),
        pytest.param(lambda i: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", INVOICE_NOT_FOUND, id="v1"),
        pytest.param(lambda i: "018f3e5c-7b1a-7cde-8f00-123456789abc", INVOICE_NOT_FOUND, id="v7"),
        pytest.param(str.upper, OK, id="upper-case"),
        pytest.param(lambda i: "{" + i + "}", OK, id="braces"),
        pytest.param(lambda i: "%7B" + i + "%7D", OK, id="encoded-braces"),
        pytest.param(lambda i: i.replace("-", ""), OK, id="no-hyphens"),
        pytest.param(
            lambda i: "-".join(i.replace("-", "")[n : n + 4] for n in range(0, 32, 4)),
            OK,
            id="hyphen-every-four",
        ),
        pytest.param(
            lambda i: i.replace("-", "")[:6] + "-" + i.replace("-", "")[6:],
            INVOICE_NOT_FOUND,
            id="odd-hyphen",
        ),
        pytest.param(lambda i: "%20" + i + "%20", INVOICE_NOT_FOUND, id="encoded-spaces"),
        pytest.param(lambda i: i + "%0A", INVOICE_NOT_FOUND, id="encoded-newline"),
        pytest.param(lambda i: i + "%C3%A9", INVOICE_NOT_FOUND, id="encoded-utf8"),
        # Request#path_parameters= checks the encoding: BadRequest, before authentication
        pytest.param(lambda i: i + "%FF", EMPTY_400, id="encoded-not-utf8"),
        pytest.param(lambda i: i + "\xe9", EMPTY_400, id="raw-latin-1-byte"),
    ],
)
def test_boundary_ids(mock: LagoMock, spell: object, lago: Lago) -> None:
    lago_id = spell(mock.invoice("payable").lago_id)  # type: ignore[operator]
    lago.check(ask(mock, AUTH, path=f"/api/v1/invoices/{lago_id}/payment_url"))


@pytest.mark.parametrize("method", ["QUERY", "PROPFIND", "FOO", "CONNECT", "LINK"])
def test_verbs_puma_does_not_support_are_501_before_the_app(mock: LagoMock, method: str) -> None:
    # lib/puma/request.rb handle_request; no content type, no Rails header
    reply = ask(mock, AUTH, method=method)
    assert (reply.status, reply.content_type, reply.headers) == (501, None, ())
    assert reply.body == f"{method} method is not supported".encode()


@pytest.mark.parametrize(
    "method", [pytest.param("post", id="lower-case"), pytest.param("A" * 21, id="21-chars")]
)
def test_method_tokens_puma_cannot_parse_are_400(mock: LagoMock, method: str) -> None:
    PUMA_400.check(ask(mock, AUTH, method=method))


@pytest.mark.parametrize(
    ("method", "lago"),
    [
        pytest.param("OPTIONS", EMPTY_404, id="options-routing-error"),
        pytest.param("TRACE", EMPTY_404, id="trace-routing-error"),
        pytest.param("HEAD", Lago(404, body=b""), id="head-rides-on-get"),
        pytest.param("GET", RESOURCE_NOT_FOUND, id="get-catch-all"),
        pytest.param("DELETE", RESOURCE_NOT_FOUND, id="delete-catch-all"),
    ],
)
def test_supported_verbs(mock: LagoMock, method: str, lago: Lago) -> None:
    lago.check(ask(mock, AUTH, method=method))
