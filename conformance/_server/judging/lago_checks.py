"""The server checks of Lago's behaviour (SHOULD): what lago-api answers beyond the contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._contract.document import contract
from conformance._contract.rules import (
    CATCH_ALL_VERBS,
    SERVER_METHODS,
    THIRD_PARTY_ERROR,
    VALIDATION_ERRORS,
    cast_uuid,
    error_reasons,
    payment_details,
)
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._server.transport.answer import Answer
    from conformance._server.transport.exchange import Exchange

__all__ = [
    "has_reason",
    "invoice_echo",
    "invoice_not_found",
    "payment_url_stable",
    "router_not_found",
    "strict_schema_conformance",
    "unprocessable_reason",
]


def strict_schema_conformance(answer: Answer) -> Iterator[Problem]:
    """Documented-valid answers are also valid against Lago's behaviour."""
    exchange = answer.exchange
    status, (ok, body) = exchange.status, exchange.json()
    if (
        status is None
        or status not in contract("documented", answer.spec).statuses
        or not ok
        or not contract("documented", answer.spec).is_valid(status, body)
    ):
        return
    violations = contract("strict", answer.spec).violations(status, body)
    if violations:
        yield Problem(
            f"Response differs from Lago's {status}",
            "; ".join(map(str, violations)),
            "a body as lago-api renders it (strict level)",
        )


def _code(answer: Answer) -> object:
    body = answer.exchange.body_json()
    return body.get("code") if isinstance(body, dict) else None


def router_not_found(answer: Answer) -> Iterator[Problem]:
    """A wrong verb reaches Rails' router: 404 ``resource_not_found`` (a bodiless 404 for HEAD,
    and for a verb the catch-all does not take, such as OPTIONS or TRACE); a verb Puma does not
    support (QUERY, PROPFIND) never reaches Rails: 501."""
    exchange = answer.exchange
    if exchange.status is None:
        return
    code = _code(answer)
    if exchange.method == "HEAD":
        right, expected = exchange.status == 404, "404, no body (HEAD)"
    elif exchange.method not in SERVER_METHODS:
        right = exchange.status == 501
        expected = f"501, as Puma answers a verb it does not support ({exchange.method})"
    elif exchange.method not in CATCH_ALL_VERBS:
        # Puma answers 501 to a verb it does not know (QUERY, PROPFIND...): RFC 9110's answer too.
        right = (exchange.status == 404 and code in (None, "resource_not_found")) or (
            exchange.status == 501 and exchange.method not in _HTTP_VERBS
        )
        expected = f"404, as Rails answers a verb its routes do not take ({exchange.method})"
    else:
        right, expected = (exchange.status, code) == (404, "resource_not_found"), _ROUTER_404
    if not right:
        yield Problem(
            f"{exchange.method} not answered as Lago's router does", exchange.describe(), expected
        )


_ROUTER_404 = '404 {"code": "resource_not_found"}'
_HTTP_VERBS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)
# Ids Lago cannot find whatever their invoice: a 401 or a 422 for one is not Lago's answer.
_NEVER_FOUND = frozenset({"hostile", "near_absent"})


def invoice_not_found(answer: Answer) -> Iterator[Problem]:
    """An unknown or malformed id is 404 ``invoice_not_found``."""
    status = answer.exchange.status
    never_found = answer.kind in _NEVER_FOUND and status in (401, 422)
    if (status == 404 and _code(answer) != "invoice_not_found") or never_found:
        yield Problem(
            "Unknown invoice not answered with invoice_not_found",
            answer.exchange.describe(),
            '404 {"code": "invoice_not_found"}',
        )


def invoice_echo(answer: Answer) -> Iterator[Problem]:
    """A 200 names the invoice of the path."""
    expected = answer.expectation.lago_id
    if answer.exchange.status != 200 or expected is None:
        return
    body = answer.exchange.body_json()
    if not isinstance(body, dict):
        return
    details = payment_details(body)
    echoed = details.get("lago_invoice_id") if details is not None else None
    # The path may hold any form Rails casts (upper case, braces, no hyphens): compare the casts.
    cast = cast_uuid(echoed) if isinstance(echoed, str) else None
    if cast is None or cast != cast_uuid(expected):
        yield Problem(
            "Payment URL answered for another invoice",
            f"lago_invoice_id {echoed!r}",
            f"lago_invoice_id {expected!r}, the id in the path",
        )


def has_reason(body: object, reason: str) -> bool:
    """Whether a 422 body gives ``reason``: a ``validation_errors`` reason or ``third_party_error``."""
    if not isinstance(body, dict):
        return False
    if reason == THIRD_PARTY_ERROR:
        return body.get("code") == THIRD_PARTY_ERROR
    reasons = error_reasons(body)
    return body.get("code") == VALIDATION_ERRORS and reasons is not None and reason in reasons


def unprocessable_reason(answer: Answer) -> Iterator[Problem]:
    """A fixture invoice's 422 gives the reason it was named for."""
    body, reason = answer.exchange.body_json(), answer.expectation.reason
    if answer.exchange.status != 422 or not isinstance(body, dict) or reason is None:
        return
    if not has_reason(body, reason):
        yield Problem(
            f"Wrong 422 reason for the {reason} invoice",
            answer.exchange.describe(),
            f"422 with {reason!r}",
        )


def payment_url_stable(pair: tuple[Exchange, Exchange]) -> Iterator[Problem]:
    """Two calls on the payable invoice give the same ``payment_url`` (Lago reuses the link)."""
    first, again = pair
    if first.status != 200 or again.status != 200:
        return
    urls = [(payment_details(e.body_json()) or {}).get("payment_url") for e in pair]
    if urls[0] != urls[1]:
        yield Problem(
            "Payment URL changed between two calls",
            f"{urls[0]!r}, then {urls[1]!r}",
            "the same payment_url for 24 hours (Lago reuses the checkout link)",
        )
