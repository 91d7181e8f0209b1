"""The server checks: what each answer is judged on, and the table of every check.

Every check judges one ``Answer``: an exchange, what its scenario expects, and the secrets that
were presented. Checks without ``kinds`` judge every answer; the others judge the answers of
scenarios of those kinds (an auth probe, a fixture invoice, a wrong verb...). MUST is the published
contract (and leaks of secrets or internals); SHOULD is Lago's behaviour. ``payment_url_stable``
judges a pair of answers, the payable invoice asked twice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from conformance._contract.document import contract
from conformance._contract.rules import (
    JSON_MEDIA_TYPE,
    REASON_PHRASES,
)
from conformance._report.findings import Check, Problem
from conformance._server.judging.lago_checks import (
    invoice_echo,
    invoice_not_found,
    payment_url_stable,
    router_not_found,
    strict_schema_conformance,
    unprocessable_reason,
)
from conformance._server.judging.probe_checks import (
    cast_form_found,
    consistent_answers,
    scheme_case_insensitive,
)
from conformance._server.judging.tenant import tenant_isolation
from conformance._server.judging.wire_checks import (
    date_near_clock,
    interim_answers,
    message_framing,
    rate_limit_headers,
    retry_after_hint,
)
from conformance._server.transport.answer import OPERATION_KINDS, long_header_line

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from conformance._contract.levels import Level
    from conformance._server.transport.answer import Answer
    from conformance._server.transport.exchange import Exchange

__all__ = [
    "CHECKS",
    "CONSISTENT_ANSWERS",
    "GENERIC",
    "MUST_IMPLEMENT",
    "PAYMENT_URL_STABLE",
    "checks_at",
]

# RFC 9110 section 9.1: GET and HEAD must be supported, and POST is the operation.
MUST_IMPLEMENT = frozenset({"GET", "HEAD", "POST"})
# The invariants that hold whatever the API: what the oracle keeps when the checks of Lago's
# rules are turned off (``--checks generic``).
GENERIC = frozenset({"not_a_server_error", "response_schema_conformance", "no_secret_echo"})

_LEAKS = re.compile(
    r"<!doctype html|<html|Traceback \(most recent call last\)|\.rb:\d+:in [`']|"
    r"\bat [\w$.]+\([\w$]+\.(?:java|kt|scala):\d+\)|ActiveRecord::|NoMethodError|/gems/",
    re.IGNORECASE,
)


def _documented(status: int | None, answer: Answer) -> bool:
    return status in contract("documented", answer.spec).statuses


def _status_problem(answer: Answer, expected: int, title: str) -> Iterator[Problem]:
    exchange = answer.exchange
    if exchange.status is not None and exchange.status != expected:
        yield Problem(
            title, exchange.describe(), f"{expected} {REASON_PHRASES.get(expected, 'OK')}"
        )


def not_a_server_error(answer: Answer) -> Iterator[Problem]:
    """No 5xx, whatever was sent; a 501 to a verb the server does not implement is HTTP's answer
    (RFC 9110 section 15.6.2), as Puma gives it for QUERY or PROPFIND."""
    exchange = answer.exchange
    if exchange.status is None:
        yield Problem("No response", exchange.describe(), "an HTTP response within the timeout")
    elif exchange.status == 501 and exchange.method not in MUST_IMPLEMENT:
        return
    elif exchange.status >= 500:
        yield Problem(
            "Server error", exchange.describe(), "a documented status: 200, 401, 404 or 422"
        )


def status_code_conformance(answer: Answer) -> Iterator[Problem]:
    """Only documented statuses (5xx is the server-error check's)."""
    status = answer.exchange.status
    if _proxy_refusal(answer):
        return
    if status is not None and status < 500 and not _documented(status, answer):
        yield Problem(
            f"Undocumented status code {status}",
            answer.exchange.describe(),
            "one of the documented statuses: 200, 401, 404, 422",
        )


def content_type_conformance(answer: Answer) -> Iterator[Problem]:
    """Documented answers are application/json."""
    exchange = answer.exchange
    if _documented(exchange.status, answer) and exchange.media_type != JSON_MEDIA_TYPE:
        received = exchange.headers.get("content-type", "no Content-Type header")
        yield Problem(
            "Undocumented Content-Type", f"{exchange.status} with {received}", JSON_MEDIA_TYPE
        )


def response_schema_conformance(answer: Answer) -> Iterator[Problem]:
    """Documented answers have bodies valid against the published schema."""
    exchange = answer.exchange
    status = exchange.status
    if status is None or not _documented(status, answer):
        return
    ok, body = exchange.json()
    if not ok:
        why = exchange.json_text.problem if not exchange.truncated else "over 1 MiB"
        yield Problem(
            f"Response body is not JSON text{f' ({why})' if why else ''}",
            exchange.describe(),
            f"a JSON body for {status} (RFC 8259: UTF-8, no byte-order mark, one value, unique names)",
        )
        return
    violations = contract("documented", answer.spec).violations(status, body)
    if violations:
        yield Problem(
            f"Response violates the documented {status} schema",
            "; ".join(map(str, violations)),
            "a body valid against the published contract",
        )


def status_field_matches(answer: Answer) -> Iterator[Problem]:
    """An error body's ``status`` is the HTTP status."""
    exchange = answer.exchange
    body = exchange.body_json()
    if isinstance(body, dict) and "status" in body and body["status"] != exchange.status:
        yield Problem(
            "Body status differs from the HTTP status",
            f"HTTP {exchange.status}, body status {body['status']!r}",
            f"status {exchange.status} in the body",
        )


def _proxy_refusal(answer: Answer) -> bool:
    """An HTTP server's or proxy's refusal of an id over 1,024 characters: an answer, whatever its
    body. A 414 from a proxy, or a 400 from Puma, which serves Lago (request paths over 8 KB);
    or a 400 or 431 to a header line over 8 KB (``long_header_line``)."""
    status = answer.exchange.status
    if status in (400, 431) and long_header_line(answer.exchange.request):
        return True
    return status in (400, 414) and answer.expectation.long_id


def no_error_leak(answer: Answer) -> Iterator[Problem]:
    """No HTML error page or stack trace in an answer (a proxy's 414 page excepted)."""
    exchange = answer.exchange
    if _proxy_refusal(answer):
        return
    text = exchange.body[:65536].decode("utf-8", errors="replace")
    match = _LEAKS.search(text)
    if match:
        yield Problem(
            "Response leaks an error page or stack trace",
            f"{exchange.status}: ...{text[max(0, match.start() - 40) : match.end() + 40]}...",
            "a JSON error body with no internals",
        )


def no_secret_echo(answer: Answer) -> Iterator[Problem]:
    """The API key presented never comes back in an answer."""
    exchange = answer.exchange
    header_text = "\n".join(f"{name}: {value}" for name, value in exchange.headers.multi_items())
    body_text = exchange.body.decode("utf-8", "replace")
    for secret in answer.secrets:
        places = [
            name for name, text in (("headers", header_text), ("body", body_text)) if secret in text
        ]
        if places:
            yield Problem(
                "The API key is echoed in the response",
                f"the key presented appears in the response {' and '.join(places)}",
                "the key never sent back",
            )


def _accepted(answer: Answer, title: str) -> Iterator[Problem]:
    status = answer.exchange.status
    if status is not None and 200 <= status < 300:
        yield Problem(title, answer.exchange.describe(), "a 4xx rejection")


def negative_data_rejection(answer: Answer) -> Iterator[Problem]:
    """A malformed id is never answered with a 2xx."""
    return _accepted(answer, "Invalid lago_id accepted")


def unsupported_method(answer: Answer) -> Iterator[Problem]:
    """An undocumented verb is never answered with a 2xx."""
    return _accepted(answer, "Undocumented method accepted")


def auth_required(answer: Answer) -> Iterator[Problem]:
    """A request without valid credentials is answered 401."""
    return _status_problem(answer, 401, "Request without valid credentials not answered 401")


def payable_invoice(answer: Answer) -> Iterator[Problem]:
    """The payable fixture invoice is answered 200."""
    return _status_problem(answer, 200, "Payable invoice not answered 200")


def unprocessable_invoice(answer: Answer) -> Iterator[Problem]:
    """A fixture invoice named for a 422 reason is answered 422."""
    title = f"The {answer.expectation.reason} invoice not answered 422"
    return _status_problem(answer, 422, title)


def unknown_invoice(answer: Answer) -> Iterator[Problem]:
    """An unknown or malformed id is answered 404."""
    return _status_problem(answer, 404, "Unknown invoice not answered 404")


# The published contract speaks of POST only: what another verb gets is judged by fewer checks.
_OPERATION = OPERATION_KINDS


def _check(judge: Callable[[Answer], Iterator[Problem]], *kinds: str) -> Check[Answer]:
    return Check(judge.__name__, judge, frozenset(kinds) if kinds else None)


CHECKS: tuple[Check[Answer], ...] = (
    _check(not_a_server_error),
    _check(status_code_conformance, *_OPERATION),
    _check(content_type_conformance, *_OPERATION),
    _check(response_schema_conformance, *_OPERATION),
    _check(status_field_matches, *_OPERATION),
    _check(no_error_leak),
    _check(no_secret_echo),
    _check(negative_data_rejection, "reject", "hostile"),
    _check(unsupported_method, "wrong_verb"),
    _check(auth_required, "unauthorized"),
    _check(payable_invoice, "payable"),
    _check(unprocessable_invoice, "reason"),
    _check(unknown_invoice, "not_found"),
    _check(strict_schema_conformance, *_OPERATION),
    _check(router_not_found, "wrong_verb", "other_verb"),
    _check(invoice_not_found, "not_found", "any", "hostile", "near_absent"),
    _check(invoice_echo, "payable", "cast_form"),
    _check(unprocessable_reason, "reason"),
    _check(cast_form_found, "cast_form"),
    _check(scheme_case_insensitive, "scheme_case"),
    _check(message_framing),
    _check(interim_answers),
    _check(retry_after_hint),
    _check(rate_limit_headers),
    _check(date_near_clock),
    _check(tenant_isolation, "other_organization"),
)
PAYMENT_URL_STABLE: Check[tuple[Exchange, Exchange]] = Check(
    "payment_url_stable", payment_url_stable
)
CONSISTENT_ANSWERS: Check[Sequence[Exchange]] = Check("consistent_answers", consistent_answers)


def checks_at(level: Level, *, generic_only: bool = False) -> tuple[Check[Answer], ...]:
    """The answer checks judged at ``level``: MUST ones always, SHOULD ones at strict; with
    ``generic_only``, only the invariants of any API (``GENERIC``)."""
    return tuple(
        check
        for check in CHECKS
        if check.runs_at(level) and (not generic_only or check.name in GENERIC)
    )
