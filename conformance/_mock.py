"""A faithful Lago mock of ``POST /api/v1/invoices/{lago_id}/payment_url``, as a bare ASGI app.

Routing, auth and lookups follow lago-api (see shared/lago-behaviour.md): the router answers
``resource_not_found`` before auth; the token is the second word of ``Authorization``; ids are
cast the way Rails casts uuids; checkout links are stored and reused for 24 hours.
"""

from __future__ import annotations

import json
import math
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance._contract import REASON_PHRASES
from conformance._mock_data import (
    Invoice,
    build_invoices,
    checkout_url,
    fixtures_for,
    generate_payment_url,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    from conformance._fixtures import Fixtures

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

__all__ = ["DEFAULT_API_KEY", "LagoMock", "MockResponse"]

DEFAULT_API_KEY = "lago-conformance-mock-key"
API_PREFIX = "/api/v1"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
LINK_LIFETIME_SECONDS = 24 * 60 * 60
# config/routes.rb: `post :payment_url, on: :member`; a Rails segment never holds / . or ?
_ROUTE = re.compile(r"^/api/v1/invoices/(?P<id>[^/.?]+)/payment_url(?:\.[^/.?]+)?$")
# ActiveRecord's PostgreSQL OID::Uuid::ACCEPTABLE_UUID (a conditional group closes the brace)
_ACCEPTABLE_UUID = re.compile(r"(\{)?([a-fA-F0-9]{4}-?){8}(?(1)\}|)")
_RUBY_WHITESPACE = " \t\n\v\f\r"


@dataclass(frozen=True)
class MockResponse:
    """A status, a JSON body and extra headers."""

    status: int
    body: dict[str, object]
    headers: tuple[tuple[str, str], ...] = ()

    def encode(self) -> bytes:
        """The body as Rails renders it: compact UTF-8 JSON."""
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


def _error(status: int, code: str | None = None, **extra: object) -> MockResponse:
    body: dict[str, object] = {"status": status, "error": REASON_PHRASES[status]}
    if code is not None:
        body["code"] = code
    body.update(extra)
    return MockResponse(status, body)


def normalize_path(path: str) -> str:
    """Rails' Journey ``normalize_path``: one leading slash, no repeated or trailing slashes."""
    path = re.sub(r"/+", "/", "/" + path)
    return path.rstrip("/") or "/"


def cast_uuid(value: str) -> str | None:
    """Rails' uuid cast: the canonical lower-case form, or None where Rails gives nil."""
    value = value.lower()
    # Postgres itself refuses a hyphen after the last group; treat that as a miss too.
    if not _ACCEPTABLE_UUID.fullmatch(value) or value.rstrip("}").endswith("-"):
        return None
    hex_digits = value.strip("{}").replace("-", "")
    return "-".join(
        (hex_digits[:8], hex_digits[8:12], hex_digits[12:16], hex_digits[16:20], hex_digits[20:])
    )


def bearer_token(authorization: str | None) -> str | None:
    """``header&.split(" ")&.second``: Ruby splits on runs of whitespace, dropping leading ones."""
    if authorization is None:
        return None
    words = [word for word in re.split(f"[{_RUBY_WHITESPACE}]+", authorization) if word]
    return words[1] if len(words) > 1 else None


@dataclass
class _RateLimiter:
    """Lago Cloud's limiter: ``limit`` requests in each one-second window."""

    limit: int
    clock: Callable[[], float]
    _window: int = -1
    _count: int = 0

    def take(self) -> tuple[bool, tuple[tuple[str, str], ...]]:
        now = self.clock()
        window = math.floor(now)
        if window != self._window:
            self._window, self._count = window, 0
        self._count += 1
        allowed = self._count <= self.limit
        reset = max(1, math.ceil(window + 1 - now))
        headers = (
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(max(0, self.limit - self._count))),
            ("x-ratelimit-reset", str(reset)),
        )
        return allowed, headers


@dataclass
class _Link:
    url: str
    expires_at: float


@dataclass
class LagoMock:
    """The mock Lago server: an ASGI app over a seeded organization."""

    api_key: str = DEFAULT_API_KEY
    seed: int = 0
    rate_limit: int | None = None
    clock: Callable[[], float] = time.monotonic
    invoices: tuple[Invoice, ...] = field(init=False)
    _by_id: dict[str, Invoice] = field(init=False, repr=False)
    _links: dict[str, _Link] = field(init=False, repr=False, default_factory=dict)
    _generations: dict[str, int] = field(init=False, repr=False, default_factory=dict)
    _limiter: _RateLimiter | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        if not self.api_key or any(c in self.api_key for c in _RUBY_WHITESPACE):
            raise ValueError("The mock's API key must be non-empty and hold no whitespace")
        self.invoices = build_invoices(self.seed)
        self._by_id = {invoice.lago_id: invoice for invoice in self.invoices}
        if self.rate_limit is not None:
            if self.rate_limit < 1:
                raise ValueError(f"Invalid rate limit {self.rate_limit!r}, please use 1 or more")
            self._limiter = _RateLimiter(self.rate_limit, self.clock)

    @property
    def fixtures(self) -> Fixtures:
        """The fixtures file describing this mock's invoices."""
        return fixtures_for(self.invoices)

    def invoice(self, name: str) -> Invoice:
        """The invoice called ``name`` (see ``invoices``)."""
        for invoice in self.invoices:
            if invoice.name == name:
                return invoice
        raise KeyError(f"No mock invoice named {name!r}")

    def respond(self, method: str, raw_path: str, authorization: str | None) -> MockResponse:
        """The whole request pipeline, without I/O: limiter, router, auth, controller."""
        limit_headers: tuple[tuple[str, str], ...] = ()
        if self._limiter is not None:
            allowed, limit_headers = self._limiter.take()
            if not allowed:
                response = _error(429)
                return MockResponse(429, response.body, limit_headers)
        response = self._route(method, raw_path, authorization)
        return MockResponse(response.status, response.body, response.headers + limit_headers)

    def _route(self, method: str, raw_path: str, authorization: str | None) -> MockResponse:
        match = _ROUTE.match(normalize_path(raw_path.partition("?")[0]))
        if match is None or method != "POST":
            return _error(404, "resource_not_found")
        if bearer_token(authorization) != self.api_key:
            return _error(401)
        lago_id = cast_uuid(urllib.parse.unquote(match["id"]))
        invoice = self._by_id.get(lago_id) if lago_id else None
        if invoice is None or not invoice.visible:
            return _error(404, "invoice_not_found")
        outcome = generate_payment_url(invoice, self._checkout_link)
        if outcome.payment_url is None:
            return _error(422, outcome.code, error_details=outcome.error_details)
        details = {
            "lago_customer_id": invoice.customer.lago_id,
            "external_customer_id": invoice.customer.external_id,
            "payment_provider": invoice.customer.provider,
            "lago_invoice_id": invoice.lago_id,
            "payment_url": outcome.payment_url,
        }
        return MockResponse(200, {"invoice_payment_details": details})

    def _checkout_link(self, invoice: Invoice) -> str:
        # Lago stores the link with expires_at = 24.hours.from_now and reuses it (lago-api #3518).
        now = self.clock()
        link = self._links.get(invoice.lago_id)
        if link is None or link.expires_at <= now:
            generation = self._generations.get(invoice.lago_id, 0) + 1
            self._generations[invoice.lago_id] = generation
            provider = invoice.customer.provider or ""
            url = checkout_url(provider, self.seed, invoice.lago_id, generation)
            link = self._links[invoice.lago_id] = _Link(url, now + LINK_LIFETIME_SECONDS)
        return link.url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":  # websockets: nothing here speaks them
            raise RuntimeError(f"LagoMock serves HTTP only, not {scope['type']!r}")
        raw_path = scope.get("raw_path") or scope["path"].encode()
        authorization = None
        for name, value in scope["headers"]:
            if name.lower() == b"authorization":
                authorization = value.decode("latin-1")
                break
        response = self.respond(scope["method"], raw_path.decode("latin-1"), authorization)
        body = response.encode()
        headers = [
            (b"content-type", JSON_CONTENT_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            *((name.encode(), value.encode()) for name, value in response.headers),
        ]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
