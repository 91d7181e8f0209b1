"""Deployments around a correct Lago that get HTTP itself wrong, each found by one check of the
"http" group alone; and correct deployments that only look different, which pass.

``HTTP_FAULTS`` names, for each fault, the check that decides. ``LOOK_ALIKES`` are what a
correct front does: its own headers, gzip when asked, a stricter Cache-Control.
"""

from __future__ import annotations

import email.utils
import gzip
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.faulty_servers import FaultyLago, Reply, Request


def _set(reply: Reply, name: str, value: str | None) -> Reply:
    """``reply`` with the header ``name`` replaced by ``value`` (None: removed)."""
    kept = tuple((k, v) for k, v in reply.headers if k.lower() != name)
    return replace(reply, headers=kept if value is None else (*kept, (name, value)))


def _link(reply: Reply) -> bool:
    return reply.status == 200 and b'"payment_url"' in reply.body


def cache_public_link(server: FaultyLago, request: Request) -> Reply:
    """A CDN rule that marks API successes cacheable by everyone."""
    reply = server.faithful(request)
    return _set(reply, "cache-control", "public, max-age=300") if _link(reply) else reply


def cookie_on_link(server: FaultyLago, request: Request) -> Reply:
    """A session cookie set with the checkout link, and on no other answer."""
    reply = server.faithful(request)
    if _link(reply):
        return replace(reply, headers=(*reply.headers, ("set-cookie", "lb=a1; Path=/; HttpOnly")))
    return reply


def nosniff_dropped_on_errors(server: FaultyLago, request: Request) -> Reply:
    """A proxy that rebuilds error answers' headers and forgets X-Content-Type-Options."""
    reply = server.faithful(request)
    return _set(reply, "x-content-type-options", None) if reply.status >= 400 else reply


def cache_control_semicolon(server: FaultyLago, request: Request) -> Reply:
    """A proxy rule that writes the errors' Cache-Control with a semicolon for a comma."""
    reply = server.faithful(request)
    return _set(reply, "cache-control", "no-cache; max-age=0") if reply.status >= 400 else reply


def content_type_without_charset_value(server: FaultyLago, request: Request) -> Reply:
    """A gateway that rewrites Content-Type and leaves a parameter without its value."""
    reply = server.faithful(request)
    if any(k == "content-type" and v.startswith("application/json") for k, v in reply.headers):
        return _set(reply, "content-type", "application/json; charset")
    return reply


def referrer_policy_typo(server: FaultyLago, request: Request) -> Reply:
    """A front that overwrites Referrer-Policy with a misspelt value browsers ignore."""
    return _set(server.faithful(request), "referrer-policy", "origin-when-crossorigin")


@dataclass(frozen=True)
class HttpFault:
    """A deployment with one HTTP fault, and the check that decides."""

    name: str
    run: Callable[[FaultyLago, Request], Reply]
    check: str
    severity: str


HTTP_FAULTS: tuple[HttpFault, ...] = (
    HttpFault("link-cached-publicly", cache_public_link, "link_not_shared_cacheable", "MUST"),
    HttpFault("cookie-on-the-link", cookie_on_link, "link_sets_no_cookie", "SHOULD"),
    HttpFault("nosniff-dropped-on-errors", nosniff_dropped_on_errors, "lago_headers_kept", "SHOULD"),
    HttpFault("cache-control-semicolon", cache_control_semicolon, "http_lint_must", "MUST"),
    HttpFault("content-type-bare-charset", content_type_without_charset_value, "http_lint_must", "MUST"),
    HttpFault("referrer-policy-typo", referrer_policy_typo, "http_lint_should", "SHOULD"),
)  # fmt: skip


def behind_a_front(server: FaultyLago, request: Request) -> Reply:
    """nginx, Cloudflare and Varnish at once: their own headers on every answer."""
    reply = server.faithful(request)
    return replace(
        reply,
        headers=(
            *reply.headers,
            ("server", "cloudflare"),
            ("date", email.utils.formatdate(usegmt=True)),
            ("via", "1.1 varnish (Varnish/7.4)"),
            ("age", "0"),
            ("x-varnish", "32770"),
            ("cf-ray", "8e1f2a3b4c5d6e7f-CDG"),
            ("cf-cache-status", "DYNAMIC"),
            ("strict-transport-security", "max-age=31536000; includeSubDomains"),
            ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
            ("permissions-policy", "geolocation=(), camera=()"),
            ("cross-origin-opener-policy", "same-origin"),
            ("x-content-type-options", "nosniff"),
            ("report-to", '{"group":"cf-nel","max_age":604800,"endpoints":[{"url":"https://a"}]}'),
            ("nel", '{"success_fraction":0,"report_to":"cf-nel","max_age":604800}'),
            ("connection", "keep-alive"),
            ("keep-alive", "timeout=5"),
        ),
    )


def gzip_when_asked(server: FaultyLago, request: Request) -> Reply:
    """nginx's gzip for a client that asks for it (and Vary: Accept-Encoding)."""
    reply = server.faithful(request)
    if "gzip" not in (request.header("accept-encoding") or "") or not reply.body:
        return reply
    vary = ", ".join([*(v for k, v in reply.headers if k == "vary"), "Accept-Encoding"])
    reply = _set(replace(reply, body=gzip.compress(reply.body, mtime=0)), "vary", vary)
    return replace(reply, headers=(*reply.headers, ("content-encoding", "gzip")))


def stricter_cache_control(server: FaultyLago, request: Request) -> Reply:
    """A front that marks every answer ``private, no-store``: stricter than Lago."""
    return _set(server.faithful(request), "cache-control", "private, no-store")


def nginx_security_snippet(server: FaultyLago, request: Request) -> Reply:
    """nginx's usual ``add_header`` lines, which repeat what Rails already sends."""
    reply = server.faithful(request)
    return replace(
        reply,
        headers=(
            *reply.headers,
            ("x-frame-options", "SAMEORIGIN"),
            ("x-content-type-options", "nosniff"),
            ("x-xss-protection", "1; mode=block"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("strict-transport-security", "max-age=63072000; includeSubDomains; preload"),
        ),
    )


def sticky_cookies(server: FaultyLago, request: Request) -> Reply:
    """A load balancer's stickiness cookie on every answer (AWS ALB's), the link's included."""
    reply = server.faithful(request)
    return replace(reply, headers=(*reply.headers, ("set-cookie", "AWSALB=q1Xv9b; Path=/")))


LOOK_ALIKES: dict[str, Callable[[FaultyLago, Request], Reply]] = {
    "sticky-cookies": sticky_cookies,
    "behind-a-front": behind_a_front,
    "nginx-security-snippet": nginx_security_snippet,
    "gzip-when-asked": gzip_when_asked,
    "stricter-cache-control": stricter_cache_control,
}
