"""HTTP itself, judged by httplint against Lago: the checks of the "http" group.

Every answer is linted, and so is Lago's own answer to the same request (the twin's). A note
the target's answer gets that Lago's does not get is a finding; a note Lago's answer gets too
(no ``Date``, the deprecated ``X-XSS-Protection`` Rails sends) is Lago's, not the deployment's.
The severity comes from the note: httplint's "bad" citing an RFC is MUST (HTTP itself), any
other "bad" and every "warning" is SHOULD, "info" and "good" are never findings. A warning about
a field Lago's answer does not carry (a front's own ``Report-To``, ``Keep-Alive``) is advice
to that front, not a difference from Lago, and is left out.

On top, what an answer that carries a checkout link needs, and what Lago's answers all carry:
no shared cache may store the link (RFC 9111), no cookie comes with it, and the security
headers and ``Cache-Control`` Rails sends are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance._contract.rules import payment_details
from conformance._report.findings import Check, Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._contract.rules import Reply
    from conformance._server.transport.exchange import Exchange
    from conformance._server.twin.http_lint import Linted, LintNote

__all__ = ["HTTP_CHECKS", "HttpPair", "carries_link", "cookie_names", "shared_cache_may_store"]

# Notes a stricter answer than Lago's gets: "private, no-store" is redundant, not wrong (no-store
# overrides the rest, RFC 9111 section 5.2.2.5), and stricter than Lago's "private".
_STRICTER = frozenset({"CC_CONFLICTING"})
# httplint's notes on the status code itself (a 414, a 5xx): a status Lago would not give is
# judged by the named checks and the oracle, a proxy's 414 to a long request is an answer.
_STATUS_NOTES = "STATUS_"
# The headers every answer of Rails carries (ActionDispatch::Response.default_headers, railties
# load_defaults 7.1 and later) and Cache-Control (Rack::ETag, ActionDispatch::Response), but
# X-XSS-Protection: "0" only turns off a filter browsers no longer have (httplint: deprecated).
_KEPT = (
    "x-content-type-options",
    "x-frame-options",
    "x-permitted-cross-domain-policies",
    "referrer-policy",
    "cache-control",
)
# Fields that speak to shared caches over Cache-Control (RFC 9213; Fastly's, Akamai's).
_TARGETED = ("cdn-cache-control", "surrogate-control")


@dataclass(frozen=True)
class HttpPair:
    """One request's two answers, the target's and Lago's, each with httplint's notes; and the
    names of the cookies the target set on its answers so far that carry no checkout link."""

    exchange: Exchange
    lago: Reply
    target: Linted
    twin: Linted
    cookies_elsewhere: frozenset[str] = frozenset()


def carries_link(exchange: Exchange) -> bool:
    """Whether the answer is a success carrying a checkout link."""
    status = exchange.status or 0
    details = payment_details(exchange.body_json()) if 200 <= status < 300 else None
    return isinstance(details, dict) and isinstance(details.get("payment_url"), str)


def _directives(value: Any) -> dict[str, object]:
    if isinstance(value, list):
        return {str(name).lower(): item for name, item in value if isinstance(name, str)}
    return {}


def shared_cache_may_store(exchange: Exchange, cache_control: Any) -> str | None:
    """What lets a shared cache store the answer, or None: ``no-store`` or a bare ``private``
    (not ``private="field"``, which keeps only those fields) in ``Cache-Control`` (parsed by
    httplint), unless a field aimed at CDNs (RFC 9213) says otherwise."""
    directives = _directives(cache_control)
    for name in _TARGETED:
        for value in exchange.headers.get_list(name, split_commas=True):
            if value.split("=", 1)[0].strip().lower() not in ("no-store", "private"):
                return f"{name}: {', '.join(exchange.headers.get_list(name))}"
    if "no-store" in directives or ("private" in directives and directives["private"] is None):
        return None
    shown = exchange.headers.get("cache-control")
    return f"cache-control: {shown}" if shown is not None else "no Cache-Control"


def _new_notes(pair: HttpPair) -> Iterator[LintNote]:
    exchange = pair.exchange
    if exchange.status is None or exchange.rate_limited:
        return
    lago = pair.twin.keys()
    no_store = "no-store" in _directives(pair.target.parsed.get("cache-control"))
    for note in pair.target.notes:
        if note.key in lago or (note.name in _STRICTER and no_store):
            continue
        if note.name.startswith(_STATUS_NOTES):
            continue  # what the status code says is the named checks' and the oracle's
        if note.level == "warning" and note.field and note.field not in pair.twin.fields:
            continue
        yield note


def _problem(note: LintNote, exchange: Exchange) -> Problem:
    value = ", ".join(exchange.headers.get_list(note.field)) if note.field else ""
    on = f" ({note.field}: {value})" if value else ""
    cited = f"{note.rfc} ({note.cites})" if note.rfc else note.cites
    return Problem(
        note.summary.rstrip("."),
        f"{exchange.status} answer{on}: httplint notes {note.summary!r}",
        "no such note: Lago's own answer to the same request gets none",
        source=f"httplint note {note.name} ({note.level}, {note.category}), citing {cited}",
    )


def http_lint_must(pair: HttpPair) -> Iterator[Problem]:
    """httplint finds the answer breaks an RFC (a "bad" note) where Lago's own answer does not."""
    for note in _new_notes(pair):
        if note.level == "bad" and note.rfc:
            yield _problem(note, pair.exchange)


def http_lint_should(pair: HttpPair) -> Iterator[Problem]:
    """httplint warns about the answer (or finds it breaks a text other than an RFC) where
    Lago's own answer gets no such note."""
    for note in _new_notes(pair):
        if note.level != "bad" or not note.rfc:
            yield _problem(note, pair.exchange)


def link_not_shared_cacheable(pair: HttpPair) -> Iterator[Problem]:
    """An answer carrying a checkout link is marked so that no shared cache stores it."""
    exchange = pair.exchange
    if not carries_link(exchange):
        return
    storable = shared_cache_may_store(exchange, pair.target.parsed.get("cache-control"))
    if storable is not None:
        lago = {k.lower(): v for k, v in pair.lago.all_headers()}.get("cache-control")
        yield Problem(
            "The checkout link may be stored by a shared cache",
            f"{exchange.status} with a payment_url, {storable}",
            f"Cache-Control with private or no-store, as Lago's ({lago or 'private'})",
        )


def cookie_names(exchange: Exchange) -> set[str]:
    """The names of the cookies an answer sets."""
    return {cookie.split("=", 1)[0].strip() for cookie in exchange.headers.get_list("set-cookie")}


def link_sets_no_cookie(pair: HttpPair) -> Iterator[Problem]:
    """An answer carrying a checkout link sets no cookie of its own (lago-api's session cookie is
    written only when a request uses the session, which no API controller does); a cookie the
    front sets on every answer (a load balancer's stickiness) is the front's, not the link's."""
    exchange = pair.exchange
    own = sorted(cookie_names(exchange) - pair.cookies_elsewhere)
    if own and carries_link(exchange):
        yield Problem(
            "The checkout link comes with a cookie",
            f"{exchange.status} with a payment_url and Set-Cookie ({', '.join(own)}), a cookie"
            " no answer without a link set",
            "no Set-Cookie tied to the link, as Lago sends none",
        )


def lago_headers_kept(pair: HttpPair) -> Iterator[Problem]:
    """Where the target answers with Lago's status, it carries the security headers and the
    Cache-Control Lago's answer carries (X-Content-Type-Options: nosniff, X-Frame-Options...)."""
    exchange, lago = pair.exchange, pair.lago
    if exchange.status != lago.status or exchange.rate_limited:
        return
    sent = {name.lower(): value for name, value in lago.all_headers()}
    link = carries_link(exchange)
    missing = []
    for name in _KEPT:
        if name not in sent or (name == "cache-control" and link):
            continue  # the link's Cache-Control is link_not_shared_cacheable's
        values = exchange.headers.get_list(name)
        nosniff = {value.strip().lower() for value in values} == {"nosniff"}
        if not values or (name == "x-content-type-options" and not nosniff):
            missing.append(f"{name}: {sent[name]}")
    if missing:
        yield Problem(
            "A header Lago sends is missing",
            f"{exchange.status} without {'; '.join(missing)}",
            f"the headers Lago's {lago.status} carries: {'; '.join(missing)}",
        )


HTTP_CHECKS: tuple[Check[HttpPair], ...] = (
    Check("http_lint_must", http_lint_must),
    Check("http_lint_should", http_lint_should),
    Check("link_not_shared_cacheable", link_not_shared_cacheable),
    Check("link_sets_no_cookie", link_sets_no_cookie),
    Check("lago_headers_kept", lago_headers_kept),
)
