"""What answered, when the preflight meets something other than Lago: a redirect to a login page,
a WAF's page, a proxy's error page, or a site that is not an API; named in a few words, with
what to do about it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance._server.transport.exchange import Exchange

__all__ = ["advice", "looks_like_lago", "what_answered"]

_LOGIN = re.compile(r"log-?in|sign-?in|sso|oauth|saml|auth", re.IGNORECASE)
_WAF = re.compile(
    r"cloudflare|access denied|request (?:was )?blocked|you have been blocked|mod_?security|"
    r"incapsula|imperva|akamai|sucuri|web application firewall|\bwaf\b|forbidden",
    re.IGNORECASE,
)
_TITLE = re.compile(rb"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_PROXY_ERRORS = frozenset({502, 503, 504})


def looks_like_lago(exchange: Exchange) -> bool:
    """Whether an answer could be Lago's: a 401 (whatever its body), or JSON text."""
    return exchange.status == 401 or exchange.json()[0]


def _words(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _page(exchange: Exchange) -> str:
    title = _TITLE.search(exchange.body[:65536])
    text = title.group(1) if title else exchange.body[:200]
    return _words(text.decode("utf-8", "replace"))


def _kind(exchange: Exchange) -> str:
    status = exchange.status or 0
    page = exchange.body[:65536].decode("utf-8", "replace")
    if 300 <= status < 400:
        return "login" if _LOGIN.search(exchange.headers.get("location", "")) else "redirect"
    if status in _PROXY_ERRORS and exchange.media_type != "application/json":
        return "proxy"
    if status in (403, 406, 429, 503) and _WAF.search(page):
        return "waf"
    return "other"


def what_answered(exchange: Exchange) -> str:
    """The answer in a few words: what kind of front it comes from when that shows."""
    status, media = exchange.status, exchange.media_type or "with no content type"
    server = exchange.headers.get("server")
    by = f" from {_words(server, 40)}" if server else ""
    kind = _kind(exchange)
    if kind in ("login", "redirect"):
        where = _words(exchange.headers.get("location", "(no Location)"), 80)
        return f"{status} redirect to {where}{' (a login page)' if kind == 'login' else ''}{by}"
    if status == 101:
        upgrade = _words(exchange.headers.get("upgrade", "another protocol"), 40)
        return f"101, a switch to {upgrade} that no request asked for{by}"
    if kind == "proxy":
        return f"{status} {media}, a proxy's error page ({_page(exchange)}){by}"
    if kind == "waf":
        return f"{status} {media}, a WAF's page ({_page(exchange)}){by}"
    if exchange.truncated:
        return f"{status} {media} with a body over 1 MiB{by}"
    return f"{status} {media}, not JSON{by}"


def advice(exchange: Exchange) -> str:
    """What to do about it, in a few words."""
    kind = _kind(exchange)
    if kind == "login":
        return "--base-url reaches a login front, not the API: point it at Lago's API"
    if kind == "proxy":
        return "the proxy in front of Lago cannot reach it: check that Lago is up behind it"
    if kind == "waf":
        return (
            "a WAF refuses the suite's requests: let them through, or run from an allowed address"
        )
    return "check that --base-url ends in /api/v1"
