"""The server checks of Lago's behaviour (SHOULD): what lago-api answers beyond the contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._contract.document import contract
from conformance._contract.rules import (
    THIRD_PARTY_ERROR,
    VALIDATION_ERRORS,
    cast_uuid,
    error_reasons,
    payment_details,
)
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._server.answer import Answer
    from conformance._server.exchange import Exchange

__all__ = [
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
    """A wrong verb reaches Rails' router: 404 ``resource_not_found``."""
    status = answer.exchange.status
    if status is not None and (status, _code(answer)) != (404, "resource_not_found"):
        yield Problem(
            "Wrong verb not answered as Lago's router does",
            answer.exchange.describe(),
            '404 {"code": "resource_not_found"}',
        )


def invoice_not_found(answer: Answer) -> Iterator[Problem]:
    """An unknown or malformed id is 404 ``invoice_not_found``."""
    if answer.exchange.status == 404 and _code(answer) != "invoice_not_found":
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


def unprocessable_reason(answer: Answer) -> Iterator[Problem]:
    """A fixture invoice's 422 gives the reason it was named for."""
    body, reason = answer.exchange.body_json(), answer.expectation.reason
    if answer.exchange.status != 422 or not isinstance(body, dict):
        return
    if reason == THIRD_PARTY_ERROR:
        right = body.get("code") == THIRD_PARTY_ERROR
    else:
        reasons = error_reasons(body)
        right = body.get("code") == VALIDATION_ERRORS and reasons is not None and reason in reasons
    if not right:
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
