"""The server checks: what each response is judged on.

Response checks apply to every answer. Expectation checks apply to the answers of one kind of
scenario (an auth probe, a fixture invoice, a wrong verb...). Each check has one severity: MUST
for the published contract (and for leaks of secrets or internals), SHOULD for Lago's behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from conformance._contract import JSON_MEDIA_TYPE, REASON_PHRASES, THIRD_PARTY_ERROR, contract

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conformance._findings import Severity
    from conformance._target import Exchange

__all__ = ["CHECKS", "Check", "Expectation", "Kind", "checks_for"]

Kind = Literal["any", "reject", "unauthorized", "wrong_verb", "payable", "reason", "not_found"]
# (title, received, expected)
Problem = tuple[str, str, str]
_LEAKS = re.compile(
    r"<!doctype html|<html|Traceback \(most recent call last\)|\.rb:\d+:in [`']|"
    r"\bat [\w$.]+\([\w$]+\.(?:java|kt|scala):\d+\)|ActiveRecord::|NoMethodError|/gems/",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Expectation:
    """What a scenario's answer must be, beyond the contract."""

    kind: Kind = "any"
    reason: str | None = None
    lago_id: str | None = None


@dataclass(frozen=True)
class Check:
    """A named rule with its severity; ``kinds`` limits it to scenarios of those kinds."""

    name: str
    severity: Severity
    run: Callable[[Exchange, Expectation, tuple[str, ...]], Iterator[Problem]]
    kinds: frozenset[Kind] | None = None

    def applies_to(self, expectation: Expectation) -> bool:
        """Whether this check judges answers to scenarios like ``expectation``."""
        return self.kinds is None or expectation.kind in self.kinds


def _documented(status: int | None) -> bool:
    return status in contract("documented").statuses


def _body(exchange: Exchange) -> Any:
    return exchange.json()[1]


def not_a_server_error(
    exchange: Exchange, _: Expectation, __: tuple[str, ...]
) -> Iterator[Problem]:
    """No 5xx, whatever was sent."""
    if exchange.status is None:
        yield "No response", exchange.describe(), "an HTTP response within the timeout"
    elif exchange.status >= 500:
        yield "Server error", exchange.describe(), "a documented status: 200, 401, 404 or 422"


def status_code_conformance(
    exchange: Exchange, _: Expectation, __: tuple[str, ...]
) -> Iterator[Problem]:
    """Only documented statuses (5xx is the server-error check's)."""
    if exchange.status is not None and exchange.status < 500 and not _documented(exchange.status):
        yield (
            f"Undocumented status code {exchange.status}",
            exchange.describe(),
            "one of the documented statuses: 200, 401, 404, 422",
        )


def content_type_conformance(
    exchange: Exchange, _: Expectation, __: tuple[str, ...]
) -> Iterator[Problem]:
    """Documented answers are application/json."""
    if _documented(exchange.status) and exchange.media_type != JSON_MEDIA_TYPE:
        received = exchange.headers.get("content-type", "no Content-Type header")
        yield "Undocumented Content-Type", f"{exchange.status} with {received}", JSON_MEDIA_TYPE


def response_schema_conformance(
    exchange: Exchange, _: Expectation, __: tuple[str, ...]
) -> Iterator[Problem]:
    """Documented answers have bodies valid against the published schema."""
    status = exchange.status
    if status is None or not _documented(status):
        return
    ok, body = exchange.json()
    if not ok:
        yield "Response body is not JSON", exchange.describe(), f"a JSON body for {status}"
        return
    violations = contract("documented").violations(status, body)
    if violations:
        received = "; ".join(map(str, violations))
        yield (
            f"Response violates the documented {status} schema",
            received,
            "a body valid against the published contract",
        )


def status_field_matches(
    exchange: Exchange, _: Expectation, __: tuple[str, ...]
) -> Iterator[Problem]:
    """An error body's ``status`` is the HTTP status."""
    body = _body(exchange)
    if isinstance(body, dict) and "status" in body and body["status"] != exchange.status:
        yield (
            "Body status differs from the HTTP status",
            f"HTTP {exchange.status}, body status {body['status']!r}",
            f"status {exchange.status} in the body",
        )


def no_error_leak(exchange: Exchange, _: Expectation, __: tuple[str, ...]) -> Iterator[Problem]:
    """No HTML error page or stack trace in an answer."""
    text = exchange.body[:65536].decode("utf-8", errors="replace")
    match = _LEAKS.search(text)
    if match:
        yield (
            "Response leaks an error page or stack trace",
            f"{exchange.status}: ...{text[max(0, match.start() - 40) : match.end() + 40]}...",
            "a JSON error body with no internals",
        )


def no_secret_echo(
    exchange: Exchange, _: Expectation, secrets: tuple[str, ...]
) -> Iterator[Problem]:
    """The API key presented never comes back in an answer."""
    header_text = "\n".join(f"{name}: {value}" for name, value in exchange.headers.multi_items())
    for secret in secrets:
        places = [
            name
            for name, text in (
                ("headers", header_text),
                ("body", exchange.body.decode("utf-8", "replace")),
            )
            if secret in text
        ]
        if places:
            yield (
                "The API key is echoed in the response",
                f"the key presented appears in the response {' and '.join(places)}",
                "the key never sent back",
            )


def _status_is(
    expected: int, title: str
) -> Callable[[Exchange, Expectation, tuple[str, ...]], Iterator[Problem]]:
    def check(
        exchange: Exchange, expectation: Expectation, _: tuple[str, ...]
    ) -> Iterator[Problem]:
        if exchange.status is not None and exchange.status != expected:
            yield (
                title.format(reason=expectation.reason),
                exchange.describe(),
                f"{expected} {REASON_PHRASES.get(expected, 'OK')}",
            )

    check.__doc__ = f"The answer is {expected}."
    return check


def not_accepted(
    exchange: Exchange, expectation: Expectation, _: tuple[str, ...]
) -> Iterator[Problem]:
    """Invalid input or an undocumented verb is never answered with a 2xx."""
    if exchange.status is not None and 200 <= exchange.status < 300:
        title = (
            "Undocumented method accepted"
            if expectation.kind == "wrong_verb"
            else "Invalid lago_id accepted"
        )
        yield title, exchange.describe(), "a 4xx rejection"


def strict_schema_conformance(
    exchange: Exchange, _: Expectation, __: tuple[str, ...]
) -> Iterator[Problem]:
    """Documented-valid answers are also valid against Lago's behaviour."""
    status, (ok, body) = exchange.status, exchange.json()
    if (
        status is None
        or not _documented(status)
        or not ok
        or not contract("documented").is_valid(status, body)
    ):
        return
    violations = contract("strict").violations(status, body)
    if violations:
        yield (
            f"Response differs from Lago's {status}",
            "; ".join(map(str, violations)),
            "a body as lago-api renders it (strict level)",
        )


def resource_not_found(
    exchange: Exchange, _: Expectation, __: tuple[str, ...]
) -> Iterator[Problem]:
    """A wrong verb reaches Rails' router: 404 ``resource_not_found``."""
    body = _body(exchange)
    code = body.get("code") if isinstance(body, dict) else None
    if exchange.status is not None and (exchange.status, code) != (404, "resource_not_found"):
        yield (
            "Wrong verb not answered as Lago's router does",
            exchange.describe(),
            '404 {"code": "resource_not_found"}',
        )


def invoice_not_found(exchange: Exchange, _: Expectation, __: tuple[str, ...]) -> Iterator[Problem]:
    """An unknown or malformed id is 404 ``invoice_not_found``."""
    body = _body(exchange)
    code = body.get("code") if isinstance(body, dict) else None
    if exchange.status == 404 and code != "invoice_not_found":
        yield (
            "Unknown invoice not answered with invoice_not_found",
            exchange.describe(),
            '404 {"code": "invoice_not_found"}',
        )


def invoice_echo(
    exchange: Exchange, expectation: Expectation, _: tuple[str, ...]
) -> Iterator[Problem]:
    """A 200 names the invoice of the path."""
    body = _body(exchange)
    if exchange.status != 200 or not isinstance(body, dict) or expectation.lago_id is None:
        return
    details = body.get("invoice_payment_details")
    echoed = details.get("lago_invoice_id") if isinstance(details, dict) else None
    if not isinstance(echoed, str) or echoed.lower() != expectation.lago_id.lower():
        yield (
            "Payment URL answered for another invoice",
            f"lago_invoice_id {echoed!r}",
            f"lago_invoice_id {expectation.lago_id!r}, the id in the path",
        )


def unprocessable_reason(
    exchange: Exchange, expectation: Expectation, _: tuple[str, ...]
) -> Iterator[Problem]:
    """A fixture invoice's 422 gives the reason it was named for."""
    body = _body(exchange)
    if exchange.status != 422 or not isinstance(body, dict):
        return
    details = body.get("error_details")
    if expectation.reason == THIRD_PARTY_ERROR:
        right = body.get("code") == THIRD_PARTY_ERROR
    else:
        base = details.get("base") if isinstance(details, dict) else None
        right = (
            body.get("code") == "validation_errors"
            and isinstance(base, list)
            and expectation.reason in base
        )
    if not right:
        yield (
            f"Wrong 422 reason for the {expectation.reason} invoice",
            exchange.describe(),
            f"422 with {expectation.reason!r}",
        )


# The published contract speaks of POST only: what another verb gets is judged by fewer checks.
_OPERATION: set[Kind] = {"any", "reject", "unauthorized", "payable", "reason", "not_found"}


def _must(name: str, run: Any, kinds: set[Kind] | None = None) -> Check:
    return Check(name, "MUST", run, frozenset(kinds) if kinds else None)


def _should(name: str, run: Any, kinds: set[Kind] | None = None) -> Check:
    return Check(name, "SHOULD", run, frozenset(kinds) if kinds else None)


CHECKS: tuple[Check, ...] = (
    _must("not_a_server_error", not_a_server_error),
    _must("status_code_conformance", status_code_conformance, _OPERATION),
    _must("content_type_conformance", content_type_conformance, _OPERATION),
    _must("response_schema_conformance", response_schema_conformance, _OPERATION),
    _must("status_field_matches", status_field_matches, _OPERATION),
    _must("no_error_leak", no_error_leak),
    _must("no_secret_echo", no_secret_echo),
    _must("negative_data_rejection", not_accepted, {"reject"}),
    _must("unsupported_method", not_accepted, {"wrong_verb"}),
    _must(
        "auth_required",
        _status_is(401, "Request without valid credentials not answered 401"),
        {"unauthorized"},
    ),
    _must("payable_invoice", _status_is(200, "Payable invoice not answered 200"), {"payable"}),
    _must(
        "unprocessable_invoice",
        _status_is(422, "The {reason} invoice not answered 422"),
        {"reason"},
    ),
    _must("unknown_invoice", _status_is(404, "Unknown invoice not answered 404"), {"not_found"}),
    _should("strict_schema_conformance", strict_schema_conformance, _OPERATION),
    _should("router_not_found", resource_not_found, {"wrong_verb"}),
    _should("invoice_not_found", invoice_not_found, {"not_found", "any"}),
    _should("invoice_echo", invoice_echo, {"payable"}),
    _should("unprocessable_reason", unprocessable_reason, {"reason"}),
)


def checks_for(level: str) -> tuple[Check, ...]:
    """The checks run at ``level``: MUST ones always, SHOULD ones at strict."""
    return tuple(check for check in CHECKS if level == "strict" or check.severity == "MUST")
