"""What stands in front of Lago, at the wire: correct fronts (nginx, Cloudflare, Varnish, a
limiter...) and faulty ones (broken framing, a 1xx with a body, a WAF, a login redirect...).

Each is a ``Behaviour`` for ``tests.fronts.Front``: it gets the request and a way to forward it
to Lago, and returns the bytes to write back. ``CORRECT`` must give zero findings; each entry of
``FAULTY`` names the checks that must catch it.
"""

from __future__ import annotations

import email.utils
import gzip
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.fronts import Out, message

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fronts import Incoming, Upstream

    Forward = Callable[[Incoming], Upstream]
    Behaviour = Callable[[Incoming, Forward], Out]


def http_date(offset: float = 0.0) -> str:
    """An IMF-fixdate (RFC 9110 section 5.6.7), ``offset`` seconds from now."""
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def _relay(extra: tuple[tuple[str, str], ...], *, framing: str = "length") -> Behaviour:
    def behaviour(request: Incoming, forward: Forward) -> Out:
        answer = forward(request)
        return Out(message(answer.status, answer.without() + extra, answer.body, framing=framing))

    return behaviour


def nginx(request: Incoming, forward: Forward) -> Out:
    """nginx as a reverse proxy: its Server and Date, keep-alive."""
    extra = (("Server", "nginx/1.27.3"), ("Date", http_date()), ("Connection", "keep-alive"))
    return _relay(extra)(request, forward)


def cloudflare(request: Incoming, forward: Forward) -> Out:
    """Cloudflare: its Server, CF-Ray and cache status, and a chunked body."""
    extra = (
        ("Date", http_date()),
        ("CF-Cache-Status", "DYNAMIC"),
        ("Server", "cloudflare"),
        ("CF-Ray", "8f3c2a1b4d5e6f70-CDG"),
        ("alt-svc", 'h3=":443"; ma=86400'),
    )
    return _relay(extra, framing="chunked")(request, forward)


def varnish(request: Incoming, forward: Forward) -> Out:
    """Varnish passing an uncached answer through: Via, X-Varnish, Age."""
    extra = (
        ("Date", http_date()),
        ("X-Varnish", "32770"),
        ("Age", "0"),
        ("Via", "1.1 varnish (Varnish/7.6)"),
        ("Accept-Ranges", "bytes"),
    )
    return _relay(extra)(request, forward)


_SECURITY = (
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "geolocation=(), camera=(), microphone=()"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
)


def security_headers(request: Incoming, forward: Forward) -> Out:
    """A front that adds the security headers Lago does not send already."""
    answer = forward(request)
    present = {name.lower() for name, _ in answer.headers}
    extra = tuple((k, v) for k, v in _SECURITY if k.lower() not in present)
    return Out(message(answer.status, answer.without() + extra, answer.body))


def chunked(request: Incoming, forward: Forward) -> Out:
    """A proxy that re-frames every body as chunked, 7 bytes a chunk."""
    answer = forward(request)
    return Out(message(answer.status, answer.without(), answer.body, framing="chunked", chunk=7))


def gzip_when_asked(request: Incoming, forward: Forward) -> Out:
    """nginx's gzip: a body compressed only for a request that accepts gzip."""
    answer = forward(request)
    headers = answer.without()
    body = answer.body
    if body and "gzip" in (request.header("accept-encoding") or "").lower():
        body = gzip.compress(body, mtime=0)
        headers += (("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
    return Out(message(answer.status, headers, body))


def close_each(request: Incoming, forward: Forward) -> Out:
    """A front that closes the connection after each answer, and says so."""
    answer = forward(request)
    return Out(
        message(answer.status, (*answer.without(), ("Connection", "close")), answer.body),
        close=True,
    )


def early_hints(request: Incoming, forward: Forward) -> Out:
    """A CDN that sends 103 Early Hints before each answer (RFC 8297)."""
    answer = forward(request)
    hints = message(103, (("Link", "</assets/app.css>; rel=preload; as=style"),), framing="none")
    return Out(hints + message(answer.status, answer.without(), answer.body))


@dataclass
class Limiter:
    """Lago Cloud's limiter (``rate`` requests in each one-second window of ``clock``): a 429 with
    ``Retry-After`` and ``X-RateLimit-*`` (the reset in seconds), as Lago documents them; every
    answer carries ``X-RateLimit-*``. ``reset``, ``retry_after`` and ``date`` say how a faulty one
    words its hints."""

    rate: int = 20
    clock: Callable[[], float] = time.monotonic
    reset: Callable[[int], str] = str
    retry_after: Callable[[int], str] = str
    date: Callable[[], str] = http_date
    # A faulty limiter's 429 may say nothing of when to come back.
    hints: bool = True
    limited: int = field(default=0, init=False)
    _window: int = field(default=-1, init=False)
    _count: int = field(default=0, init=False)

    def __call__(self, request: Incoming, forward: Forward) -> Out:
        """Forward within the rate, else answer 429 with the hints."""
        now = self.clock()
        window = math.floor(now)
        if window != self._window:
            self._window, self._count = window, 0
        self._count += 1
        seconds = max(1, math.ceil(window + 1 - now))
        limits = (
            ("X-RateLimit-Limit", str(self.rate)),
            ("X-RateLimit-Remaining", str(max(0, self.rate - self._count))),
            ("X-RateLimit-Reset", self.reset(seconds)),
        )
        if self._count > self.rate:
            self.limited += 1
            hints: tuple[tuple[str, str], ...] = ()
            if self.hints:
                hints = (("Date", self.date()), ("Retry-After", self.retry_after(seconds)), *limits)
            body = b'{"status":429,"error":"Too Many Requests"}'
            return Out(message(429, (("Content-Type", "application/json"), *hints), body))
        answer = forward(request)
        return Out(message(answer.status, answer.without() + limits, answer.body))


def epoch(seconds: int) -> str:
    """An ``X-RateLimit-Reset`` as an epoch timestamp, as GitHub's API words it."""
    return str(int(time.time()) + seconds)


def hours_off() -> str:
    """A ``Date`` three hours behind the clock."""
    return http_date(-3 * 3600)


def fraction(seconds: int) -> str:
    """A ``Retry-After`` with a fraction, which delay-seconds (digits only) cannot be."""
    return f"{seconds - 0.5}"


@dataclass
class Every:
    """A fault on every ``n``-th answer (from the third on, so the preflight meets Lago); the
    others relayed as they came."""

    fault: Behaviour
    n: int = 4
    seen: int = field(default=0, init=False)

    def __call__(self, request: Incoming, forward: Forward) -> Out:
        """The fault, or the answer relayed."""
        self.seen += 1
        if self.seen >= 3 and self.seen % self.n == 3 % self.n:
            return self.fault(request, forward)
        answer = forward(request)
        return Out(message(answer.status, answer.without(), answer.body))


def both_lengths(request: Incoming, forward: Forward) -> Out:
    """Content-Length and Transfer-Encoding both (RFC 9112 section 6.1: a sender MUST NOT)."""
    answer = forward(request)
    chunks = message(answer.status, (), answer.body, framing="chunked").split(b"\r\n\r\n", 1)[1]
    headers = (*answer.without(), ("Content-Length", str(len(answer.body))))
    return Out(message(answer.status, headers, b"", framing="chunked")[:-5] + chunks)


def gzip_label_only(request: Incoming, forward: Forward) -> Out:
    """``Content-Encoding: gzip`` on a body that is not gzip (section 1's linter judges it)."""
    answer = forward(request)
    return Out(
        message(answer.status, (*answer.without(), ("Content-Encoding", "gzip")), answer.body)
    )


def cut_short(request: Incoming, forward: Forward) -> Out:
    """A body cut short: Content-Length promises it whole, half comes, the connection closes."""
    answer = forward(request)
    data = message(answer.status, answer.without(), answer.body)
    return Out(data[: len(data) - max(1, len(answer.body) // 2)], close=True)


def interim_with_body(request: Incoming, forward: Forward) -> Out:
    """A 100 Continue with a body (a 1xx ends at its header section, RFC 9112 section 6.3)."""
    answer = forward(request)
    interim = message(100, (("Content-Length", "9"),), b"continue!", framing="none")
    return Out(interim + message(answer.status, answer.without(), answer.body))


def unsolicited_101(request: Incoming, forward: Forward) -> Out:
    """101 Switching Protocols to a request that asked for no upgrade (RFC 9110 section 15.2.2)."""
    del request, forward
    headers = (("Upgrade", "websocket"), ("Connection", "Upgrade"))
    return Out(message(101, headers, framing="none") + b"\x81\x05hello", close=True)


_WAF_PAGE = (
    b"<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>"
    b"<h1>Sorry, you have been blocked</h1><p>Ray ID: 8f3c2a1b4d5e6f70</p></body></html>"
)


def waf_without_user_agent(request: Incoming, forward: Forward) -> Out:
    """A WAF that refuses a request with no or an empty User-Agent (as ModSecurity's core rules
    920320 and 920330 can), with its HTML page."""
    if (request.header("user-agent") or "").strip():
        return nginx(request, forward)
    headers = (("Server", "cloudflare"), ("Content-Type", "text/html; charset=UTF-8"))
    return Out(message(403, headers, _WAF_PAGE))


def login_redirect(request: Incoming, forward: Forward) -> Out:
    """An SSO front that sends every request without a Bearer key to its login page."""
    if (request.header("authorization") or "").lower().startswith("bearer "):
        return nginx(request, forward)
    headers = (
        ("Location", "/login?next=%2Fapi%2Fv1"),
        ("Content-Type", "text/html; charset=utf-8"),
        ("Server", "nginx/1.27.3"),
    )
    return Out(message(302, headers, b'<a href="/login?next=%2Fapi%2Fv1">Found</a>.'))


_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    b"Gateway</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n"
)


def bad_gateway(request: Incoming, forward: Forward) -> Out:
    """nginx with no upstream: its 502 page to everything."""
    del request, forward
    headers = (("Server", "nginx/1.27.3"), ("Date", http_date()), ("Content-Type", "text/html"))
    return Out(message(502, headers, _BAD_GATEWAY))
