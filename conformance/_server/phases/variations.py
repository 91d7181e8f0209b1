"""What the exploration varies: every part of a request the contract leaves open.

The operators come from what Lago's stack reads, ignores or refuses (docs/lago-behaviour.md), not
from faults anyone imagined: the credential channels and forms Rails and lago-api read; the
headers that negotiate, type, proxy, CORS and size a request, their encodings and repeats; bodies
and query strings, which the route does not take; path forms and boundary ids; other verbs. Each
operator changes one part of a base request. Within a dimension they go from the plainest to the
oddest, so that Hypothesis, which shrinks towards the first, reports the plainest that shows a
difference.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._contract.request import Request

__all__ = [
    "APPLY_ORDER",
    "DIMENSIONS",
    "OTHER_ORGANIZATION",
    "Variation",
    "apply_all",
    "variations",
]

DIMENSIONS = ("credentials", "headers", "body", "query", "path", "id", "method")
# The order variations are applied in: the id before the path forms around it, the verb last.
APPLY_ORDER = ("id", "credentials", "headers", "body", "query", "path", "method")
# Verbs Puma knows (lib/puma/const.rb SUPPORTED_HTTP_METHODS); the last three it answers 501.
_METHODS = ("GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "QUERY", "PROPFIND", "FOO")
# The credentials variation that carries another organization's key.
OTHER_ORGANIZATION = "another organization's key"
_PAD_1K = "x" * 1024
# Header values an idempotency or request-id cache may key stored answers on: a replay keyed on
# the value alone shows only when the same value reaches two requests (Variation.twice).
_STORE_KEYS = frozenset({"Idempotency-Key", "X-Request-Id"})
_PAD_8K = "y" * 8192


@dataclass(frozen=True)
class Variation:
    """One change to a base request: its dimension, a name that says what it does, and how;
    ``twice``: the exploration's sweep sends it on two bases in turn (a header value a
    middleware may key stored answers on, which Lago reads nowhere)."""

    dimension: str
    name: str
    apply: Callable[[Request], Request]
    twice: bool = False

    def __repr__(self) -> str:
        return f"<{self.dimension}: {self.name}>"


def _set_authorization(value: str | None) -> Callable[[Request], Request]:
    def apply(request: Request) -> Request:
        bare = request.without("authorization")
        return (
            bare
            if value is None
            else bare.replace(headers=(("Authorization", value), *bare.headers))
        )

    return apply


def _add(*headers: tuple[str, str]) -> Callable[[Request], Request]:
    return lambda request: request.adding(*headers)


def _body(body: bytes, content_type: str | None) -> Callable[[Request], Request]:
    def apply(request: Request) -> Request:
        typed = request.without("content-type")
        if content_type is not None:
            typed = typed.adding(("Content-Type", content_type))
        return typed.replace(body=body)

    return apply


def _query(query: str) -> Callable[[Request], Request]:
    return lambda request: request.replace(
        query=f"{request.query}&{query}" if request.query else query
    )


def _path(change: Callable[[str], str]) -> Callable[[Request], Request]:
    return lambda request: request.replace(path=change(request.path))


def _id(change: Callable[[str], str]) -> Callable[[Request], Request]:
    def apply(request: Request) -> Request:
        head, lago_id, tail = request.path.rsplit("/", 2)
        return request.replace(path=f"{head}/{change(lago_id)}/{tail}")

    return apply


def _method(method: str) -> Callable[[Request], Request]:
    # A body goes with POST only: on a live target no other verb ever carries one.
    return lambda request: (
        request.replace(method=method, body=b"").without("content-type").without("expect")
    )


def _credentials(key: str, other_key: str | None = None) -> list[Variation]:
    basic = base64.b64encode(f"{key}:".encode()).decode()
    forms: list[tuple[str, Callable[[Request], Request]]] = [
        ("scheme in lower case", _set_authorization(f"bearer {key}")),
        ("scheme in upper case", _set_authorization(f"BEARER {key}")),
        ("another scheme (Token)", _set_authorization(f"Token {key}")),
        ("Basic with the key as user", _set_authorization(f"Basic {basic}")),
        ("the key alone", _set_authorization(key)),
        ("a wrong key", _set_authorization("Bearer lago-conformance-wrong-key")),
        ("two spaces after the scheme", _set_authorization(f"Bearer  {key}")),
        ("a tab after the scheme", _set_authorization(f"Bearer\t{key}")),
        ("a word after the key", _set_authorization(f"Bearer {key} extra")),
        ("a comma after the key", _set_authorization(f"Bearer {key},")),
        ("the header sent twice", lambda r: _set_authorization(f"Bearer {key}")(r).adding(("Authorization", f"Bearer {key}"))),
        ("a wrong key, then the key", lambda r: _set_authorization("Bearer wrong-key-0")(r).adding(("Authorization", f"Bearer {key}"))),
        ("the header name in lower case", lambda r: r.without("authorization").adding(("authorization", f"Bearer {key}"))),
        ("no header, the key in X-Api-Key", lambda r: r.without("authorization").adding(("X-Api-Key", key))),
        ("no header, the key in the query", lambda r: _query(f"api_key={key}")(r.without("authorization"))),
        ("no header, the key as access_token", lambda r: _query(f"access_token={key}")(r.without("authorization"))),
        ("no header, the key in a JSON body", lambda r: _body(json.dumps({"api_key": key}).encode(), "application/json")(r.without("authorization"))),
        ("an empty bearer, the key in X-Api-Key", lambda r: _set_authorization("Bearer")(r).adding(("X-Api-Key", key))),
        ("no header at all", _set_authorization(None)),
    ]  # fmt: skip
    if other_key is not None:
        # Another organization's key (--other-api-key): it authenticates and owns none of the
        # invoices, so Lago answers it 404 invoice_not_found wherever the run's key finds one.
        forms.insert(5, (OTHER_ORGANIZATION, _set_authorization(f"Bearer {other_key}")))
    return [Variation("credentials", name, apply) for name, apply in forms]


def _headers() -> list[Variation]:
    added: list[tuple[str, str]] = [
        ("Accept", "application/json"),
        ("Accept", "*/*"),
        ("Accept", "text/html"),
        ("Accept", "application/xml"),
        ("Accept", "text/plain"),
        ("Accept", "application/json;q=0"),
        ("Accept", ""),
        ("Accept-Encoding", "gzip"),
        ("Accept-Encoding", "br"),
        ("Accept-Encoding", "identity"),
        ("Accept-Language", "fr-FR"),
        ("User-Agent", "curl/8.5.0"),
        # Every other request names the suite; some WAFs refuse a request without one.
        ("User-Agent", ""),
        ("Cache-Control", "no-cache"),
        ("If-None-Match", "*"),
        ("If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("Content-Type", "application/json"),
        ("Content-Type", "text/plain"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Forwarded-For", "203.0.113.7"),
        ("X-Forwarded-Proto", "http"),
        ("X-Forwarded-Host", "billing.example.com"),
        ("Forwarded", "for=203.0.113.7;proto=https"),
        ("X-Real-IP", "203.0.113.7"),
        ("X-Request-Id", "lago-conformance-0001"),
        ("Idempotency-Key", "lago-conformance-0001"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("Origin", "https://app.example.com"),
        ("Origin", "null"),
        ("X-HTTP-Method-Override", "GET"),
        ("X-HTTP-Method-Override", "DELETE"),
        ("X-Padding", _PAD_1K),
        ("X-Padding", _PAD_8K),
        ("X-Note", "caf\xe9"),
        ("Connection", "close"),
    ]
    forms = [
        Variation("headers", f"{name}: {value[:40] or '(empty)'}", _add((name, value)),
                  twice=name in _STORE_KEYS)
        for name, value in added
    ]  # fmt: skip
    forms += [
        Variation("headers", "X-Forwarded-For not an address", _add(("X-Forwarded-For", "not-an-address"))),
        Variation("headers", "Client-IP and X-Forwarded-For disagree", _add(("Client-IP", "198.51.100.1"), ("X-Forwarded-For", "203.0.113.7"))),
        Variation("headers", "Accept sent twice", _add(("Accept", "application/json"), ("Accept", "text/html"))),
        Variation("headers", "an unknown header sent twice", _add(("X-Trace", "a"), ("X-Trace", "b"))),
        Variation("headers", "Content-Type sent twice", _add(("Content-Type", "application/json"), ("Content-Type", "text/plain"))),
        Variation("headers", "40 unknown headers", _add(*((f"X-Extra-{n}", str(n)) for n in range(40)))),
    ]  # fmt: skip
    # Framings HTTP makes equivalent, which Puma answers alike (client.rb, setup_body): no
    # Content-Length on a bodiless POST (RFC 9112 section 6.3: no content), and a body sent
    # with Expect: 100-continue (RFC 9110 section 10.1.1: Puma sends 100 Continue at once).
    forms += [
        Variation("headers", "no Content-Length (bodiless, as curl -X POST)", lambda r: r.replace(length=False)),
        Variation("headers", "Expect: 100-continue with a JSON body", lambda r: _body(b"{}", "application/json")(r).adding(("Expect", "100-continue"))),
    ]  # fmt: skip
    return forms


def _bodies(other_id: str) -> list[Variation]:
    json_type = "application/json"
    bodies: list[tuple[str, bytes, str | None]] = [
        ("an empty JSON object", b"{}", json_type),
        ("another invoice as lago_id", json.dumps({"lago_id": other_id}).encode(), json_type),
        ("another invoice as invoice_id", json.dumps({"invoice_id": other_id}).encode(), json_type),
        ("another invoice as id", json.dumps({"id": other_id}).encode(), json_type),
        ("a JSON array", b"[]", json_type),
        ("invalid JSON", b"{", json_type),
        ("a form body", b"a=1", "application/x-www-form-urlencoded"),
        ("binary junk", b"\x00\xff\xfe", "application/octet-stream"),
        ("an empty JSON object, untyped", b"{}", None),
        ("a 64 KB JSON body", json.dumps({"pad": "z" * 65536}).encode(), json_type),
    ]
    return [Variation("body", name, _body(body, kind)) for name, body, kind in bodies]


def _queries(other_id: str) -> list[Variation]:
    queries = [
        ("a=1", "a=1"),
        ("id of another invoice", f"id={other_id}"),
        ("lago_id of another invoice", f"lago_id={other_id}"),
        ("format=json", "format=json"),
        ("format=xml", "format=xml"),
        ("a key repeated", "a=1&a=2"),
        ("a JSONP callback", "callback=cb"),
        ("a locale", "locale=en"),
        ("a lone %", "%"),
        ("a bad escape", "a=%ZZ"),
        ("conflicting nested keys", "a[]=1&a[b]=2"),
        ("a 4 KB query", "q=" + "w" * 4096),
    ]
    return [Variation("query", name, _query(query)) for name, query in queries]


def _paths() -> list[Variation]:
    forms: list[tuple[str, Callable[[str], str]]] = [
        ("a trailing slash", lambda p: p + "/"),
        ("a doubled slash", lambda p: "/" + p),
        ("a .json suffix", lambda p: p + ".json"),
        ("a .xml suffix", lambda p: p + ".xml"),
        ("the action in upper case", lambda p: p.replace("/payment_url", "/PAYMENT_URL")),
        ("a percent-encoded letter", lambda p: p.replace("/invoices/", "/invoic%65s/")),
        ("a ;parameter", lambda p: p + ";x=1"),
    ]
    return [Variation("path", name, _path(change)) for name, change in forms]


def _ids() -> list[Variation]:
    forms: list[tuple[str, Callable[[str], str]]] = [
        ("the nil uuid", lambda _: "00000000-0000-0000-0000-000000000000"),
        ("the max uuid", lambda _: "ffffffff-ffff-ffff-ffff-ffffffffffff"),
        ("a version 1 uuid", lambda _: "c232ab00-9414-11ec-b3c8-9f6bdeced846"),
        ("a version 7 uuid", lambda _: "01932c07-209c-7d5a-9c8f-1b2f6a3c4d5e"),
        ("in upper case", str.upper),
        ("in braces", lambda i: f"%7B{i}%7D"),
        ("without hyphens", lambda i: i.replace("-", "")),
        ("a hyphen moved to another group", lambda i: i[:4] + "-" + i[4:8] + i[9:]),
        ("a hyphen inside a group", lambda i: i[:2] + "-" + i[2:]),
        ("a space before it", lambda i: "%20" + i),
        ("as a URN", lambda i: f"urn:uuid:{i}"),
    ]
    return [Variation("id", name, _id(change)) for name, change in forms]


def variations(api_key: str, other_id: str, other_key: str | None = None) -> list[Variation]:
    """Every operator of the exploration, dimension by dimension; ``other_id`` names an invoice
    other than the one a base request asks for (bodies and queries that name it); ``other_key``,
    another organization's key, is one more form of the credentials."""
    methods = [Variation("method", method, _method(method)) for method in _METHODS]
    return [
        *_credentials(api_key, other_key),
        *_headers(),
        *_bodies(other_id),
        *_queries(other_id),
        *_paths(),
        *_ids(),
        *methods,
    ]


def apply_all(request: Request, chosen: tuple[Variation, ...]) -> Request:
    """``request`` with every variation of ``chosen`` applied, in ``APPLY_ORDER``."""
    for variation in sorted(chosen, key=lambda v: APPLY_ORDER.index(v.dimension)):
        request = variation.apply(request)
    return request
