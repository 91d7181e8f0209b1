"""A faithful Lago mock of ``POST /api/v1/invoices/{lago_id}/payment_url``, as a bare ASGI app.

``respond`` runs Lago's whole stack in order (docs/lago-behaviour.md): Puma (puma.py), rack-cors
(cors.py), Rails' middleware, router and callbacks (rails.py, params.py, negotiation.py), then
lago-api's action here: the token is the second word of ``Authorization``; ids are cast the way
Rails casts uuids; checkout links are stored and reused for 24 hours.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance._contract.request import Request
from conformance._contract.rules import ROOT_KEY, RUBY_WHITESPACE, Reply, bearer_token, cast_uuid
from conformance._mock import cors, puma, rails
from conformance._mock.organization import (
    Invoice,
    build_invoices,
    checkout_url,
    fixtures_for,
    generate_payment_url,
    invoices_for,
)

if TYPE_CHECKING:
    import re
    from collections.abc import Awaitable, Callable, MutableMapping

    from conformance._contract.fixtures import Fixtures

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

__all__ = ["DEFAULT_API_KEY", "LagoMock", "read_request"]

DEFAULT_API_KEY = "lago-conformance-mock-key"
LINK_LIFETIME_SECONDS = 24 * 60 * 60


@dataclass
class _RateLimiter:
    """Lago Cloud's limiter: ``limit`` requests in each one-second window, per organization
    ("all of your API keys share the same budget", https://getlago.com/docs/api-reference/rate-limits);
    a request with no organization's key counts against the first one's."""

    limit: int
    clock: Callable[[], float]
    _windows: dict[bool, tuple[int, int]] = field(default_factory=dict)

    def take(self, other: bool = False) -> tuple[bool, tuple[tuple[str, str], ...]]:
        now = self.clock()
        window = math.floor(now)
        seen, count = self._windows.get(other, (window, 0))
        count = (count if seen == window else 0) + 1
        self._windows[other] = (window, count)
        allowed = count <= self.limit
        reset = max(1, math.ceil(window + 1 - now))
        headers = (
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(max(0, self.limit - count))),
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
    # A second organization's key: it authenticates and owns none of the invoices.
    other_api_key: str | None = None
    rate_limit: int | None = None
    clock: Callable[[], float] = time.monotonic
    front_url: str | None = cors.DEFAULT_FRONT_URL
    # Only the invoices these fixtures name (Lago's twin of a deployment), instead of the seeded
    # organization.
    invoices_from: Fixtures | None = None
    invoices: tuple[Invoice, ...] = field(init=False)
    _by_id: dict[str, Invoice] = field(init=False, repr=False)
    _links: dict[str, _Link] = field(init=False, repr=False, default_factory=dict)
    _generations: dict[str, int] = field(init=False, repr=False, default_factory=dict)
    _limiter: _RateLimiter | None = field(init=False, repr=False, default=None)
    _origin: re.Pattern[str] | None = field(init=False, repr=False, default=None)
    _request_ids: int = field(init=False, repr=False, default=0)

    def __post_init__(self) -> None:
        for key in (self.api_key, self.other_api_key):
            if key is not None and (not key or any(c in key for c in RUBY_WHITESPACE)):
                raise ValueError("The mock's API keys must be non-empty and hold no whitespace")
        if self.other_api_key == self.api_key:
            raise ValueError("The other organization's key must differ from the mock's API key")
        if self.invoices_from is not None:
            self.invoices = invoices_for(self.invoices_from, self.seed)
        else:
            self.invoices = build_invoices(self.seed)
        self._by_id = {invoice.lago_id: invoice for invoice in self.invoices}
        self._origin = cors.front_origin(self.front_url)
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

    def respond(self, request: Request) -> Reply:
        """The whole stack, without I/O: limiter, Puma, rack-cors, Rails, then lago-api's action.

        ``request.path`` is the whole raw path, ``/api/v1`` included, as the server reads it.
        """
        limit_headers: tuple[tuple[str, str], ...] = ()
        if self._limiter is not None:
            other = self.other_api_key is not None and (
                bearer_token(request.header("authorization")) == self.other_api_key
            )
            allowed, limit_headers = self._limiter.take(other)
            if not allowed:
                return Reply.error(429).with_headers(*limit_headers)
        start = self.clock()
        env = puma.environ(request)
        refused = puma.refuse(request, env)
        reply = refused or cors.preflight(env, self._origin)
        if reply is None:
            request_id = rails.request_id(env, self._next_request_id)
            reply = rails.dispatch(env, functools.partial(self._action, env))
            # ActionDispatch::RequestId, then Rack::Runtime ("%0.6f" seconds), then rack-cors
            runtime = f"{max(0.0, self.clock() - start):.6f}"
            reply = reply.with_headers(("x-request-id", request_id), ("x-runtime", runtime))
            reply = cors.decorate(reply, env, self._origin)
        closing = () if refused is not None and refused.status == 400 else puma.connection(env)
        return reply.with_headers(*limit_headers, *closing)

    def _next_request_id(self) -> str:
        # Rails uses SecureRandom.uuid; the mock's ids come from its seed and a counter.
        self._request_ids += 1
        digest = hashlib.sha256(f"request-id:{self.seed}:{self._request_ids}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def _action(self, env: puma.Env, route: rails.Route) -> Reply:
        """lago-api's controllers: ``ApplicationController#not_found`` or ``payment_url``."""
        if route.action == "not_found":
            return Reply.error(404, "resource_not_found")
        # Api::BaseController#auth_token reads the env value, where Puma joined repeats
        token = bearer_token(env.header("Authorization"))
        if token is None or token not in (self.api_key, self.other_api_key):
            return Reply.error(401)
        # current_organization.invoices: another organization's key finds none of them
        lago_id = cast_uuid(route.lago_id or "") if token == self.api_key else None
        invoice = self._by_id.get(lago_id) if lago_id else None
        if invoice is None or not invoice.visible:
            return Reply.error(404, "invoice_not_found")
        decision = generate_payment_url(invoice, self._checkout_link)
        if decision.payment_url is None:
            return Reply.error(422, decision.code, decision.error_details)
        details = {
            "lago_customer_id": invoice.customer.lago_id,
            "external_customer_id": invoice.customer.external_id,
            "payment_provider": invoice.customer.provider,
            "lago_invoice_id": invoice.lago_id,
            "payment_url": decision.payment_url,
        }
        return Reply.of_json(200, {ROOT_KEY: details})

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
        reply = self.respond(await read_request(scope, receive))
        body = reply.body
        headers = [
            (b"content-length", str(len(body)).encode()),
            # The HTTP server decides the connection's fate and writes its own Connection header
            *(
                (name.encode(), _wire(value))
                for name, value in reply.all_headers()
                if name != "connection"
            ),
        ]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


def _wire(value: str) -> bytes:
    # Header values travel as bytes; an echoed request value came in as latin-1
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


async def read_request(scope: Scope, receive: Receive) -> Request:
    """The ``Request`` an ASGI server hands over: raw path and query, headers in order, body."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    path, _, query = raw_path.decode("latin-1").partition("?")
    query = query or scope.get("query_string", b"").decode("latin-1")
    headers = tuple(
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
    )
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return Request(scope["method"], path, query, headers, bytes(body))


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
