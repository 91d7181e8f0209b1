"""How the client suite judges one exchange: each judge returns the problems it sees."""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Any, NamedTuple

from conformance._exchange import API_KEY, HANG_BOUND_SECONDS, MAX_ATTEMPTS, Reply
from conformance._outcome import DETAIL_FIELDS

if TYPE_CHECKING:
    from conformance._exchange import Exchange

__all__ = [
    "Problem",
    "exposes_all_fields",
    "fails_keeping_status",
    "fails_not_silently",
    "fails_with_served_error",
    "gives_up_on_transport_fault",
    "no_retry_after_4xx",
    "rate_limit_bounded",
    "rate_limit_retried",
    "request_shape",
    "succeeds_with_served_details",
]


class Problem(NamedTuple):
    """One thing wrong: a title, what was received and what was expected."""

    title: str
    received: str
    expected: str


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _served(exchange: Exchange) -> Reply:
    reply = exchange.last_reply
    if reply is None:  # pragma: no cover - every judged scenario serves an answer
        raise ValueError("this judge needs a served reply")
    return reply


def _outcome(exchange: Exchange) -> dict[str, Any]:
    assert exchange.outcome is not None
    return exchange.outcome


def succeeds_with_served_details(exchange: Exchange) -> list[Problem]:
    """A 200 is a success, and every field the client exposes equals what was served."""
    outcome, reply = _outcome(exchange), _served(exchange)
    body = reply.json()
    served = body.get("invoice_payment_details") if isinstance(body, dict) else None
    assert isinstance(served, dict)
    if not outcome["ok"]:
        return [Problem("a documented 200 was reported as a failure", _show(outcome), "ok: true")]
    problems = []
    for name, value in outcome["details"].items():
        if name in served and value != served[name]:
            problems.append(
                Problem(
                    f"the client exposes {name} different from what was served",
                    f"{name} = {_show(value)}",
                    f"{name} = {_show(served[name])}",
                )
            )
        elif name not in served and value is not None:
            problems.append(
                Problem(
                    f"the client exposes {name}, which was not served, as a value",
                    f"{name} = {_show(value)}",
                    f"{name} absent or null",
                )
            )
    return problems


def exposes_all_fields(exchange: Exchange) -> list[Problem]:
    """A success exposes all five fields of ``invoice_payment_details``."""
    outcome = _outcome(exchange)
    if not outcome["ok"]:
        return []  # judged by succeeds_with_served_details
    dropped = [name for name in DETAIL_FIELDS if outcome["details"].get(name) is None]
    if not dropped:
        return []
    return [
        Problem(
            f"the client drops {len(dropped)} of the 5 success fields: {', '.join(dropped)}",
            f"exposed: {', '.join(sorted(outcome['details'])) or 'nothing'}",
            f"all of {', '.join(DETAIL_FIELDS)}",
        )
    ]


def fails_with_served_error(exchange: Exchange) -> list[Problem]:
    """A documented error is a failure with the served status, code and error_details."""
    outcome, reply = _outcome(exchange), _served(exchange)
    if outcome["ok"]:
        return [
            Problem(
                f"a documented {reply.status} was reported as a success",
                _show(outcome),
                "ok: false",
            )
        ]
    body = reply.json()
    assert isinstance(body, dict)
    expected = {
        "status": reply.status,
        "code": body.get("code"),
        "error_details": body.get("error_details"),
    }
    return [
        Problem(
            f"the failure's {key} is not what was served",
            f"{key} = {_show(outcome.get(key))}",
            f"{key} = {_show(value)}",
        )
        for key, value in expected.items()
        if outcome.get(key) != value
    ]


def no_retry_after_4xx(exchange: Exchange) -> list[Problem]:
    """A non-idempotent POST answered with a 4xx (other than 429) is not sent again."""
    count = len(exchange.requests)
    if count <= 1:
        return []
    return [
        Problem(
            f"the client retried a POST after a {_served(exchange).status}",
            f"{count} requests",
            "exactly 1 request",
        )
    ]


def _path_problems(exchange: Exchange, url: str) -> list[Problem]:
    base = urllib.parse.urlsplit(exchange.base_url)
    sent = urllib.parse.urlsplit(url)
    segment = urllib.parse.quote(exchange.lago_id, safe="")
    expected = f"{base.path}/invoices/{segment}/payment_url"
    if (sent.scheme, sent.netloc) != (base.scheme, base.netloc):
        return [
            Problem(
                "the request went to another host than the base URL",
                f"{sent.scheme}://{sent.netloc}",
                f"{base.scheme}://{base.netloc} (from the base URL {exchange.base_url})",
            )
        ]
    prefix, suffix = f"{base.path}/invoices/", "/payment_url"
    middle = sent.path[len(prefix) : -len(suffix)]
    if (
        sent.path.startswith(prefix)
        and sent.path.endswith(suffix)
        and len(sent.path) > len(prefix) + len(suffix)
        and "/" not in middle
        and urllib.parse.unquote(middle) == exchange.lago_id
        and not sent.query
    ):
        return []
    return [
        Problem(
            "the request path is not <base URL>/invoices/<lago_id, percent-encoded>/payment_url",
            sent.path + (f"?{sent.query}" if sent.query else ""),
            expected,
        )
    ]


def request_shape(exchange: Exchange) -> list[Problem]:
    """POST to <base>/invoices/<id>/payment_url, Authorization: Bearer <key>, no body."""
    if not exchange.requests:
        return [Problem("the client sent no request", "no request", "one POST")]
    request = exchange.requests[0]
    problems = []
    if request.method != "POST":
        problems.append(Problem("the request is not a POST", request.method, "POST"))
    problems += _path_problems(exchange, request.url)
    auth = request.headers.get("authorization")
    if auth != f"Bearer {API_KEY}":
        received = "no Authorization header" if auth is None else f"Authorization: {auth}"
        problems.append(
            Problem(
                "the request is not authorized as `Bearer <key>`",
                received,
                f"Authorization: Bearer {API_KEY}",
            )
        )
    if request.body:
        problems.append(
            Problem(
                "the request has a body", _show(request.body.decode("utf-8", "replace")), "no body"
            )
        )
    return problems


def fails_keeping_status(exchange: Exchange) -> list[Problem]:
    """An error without a usable JSON body is still a failure with the real HTTP status."""
    outcome, reply = _outcome(exchange), _served(exchange)
    if outcome["ok"]:
        return [
            Problem(
                f"an HTTP {reply.status} was reported as a success", _show(outcome), "ok: false"
            )
        ]
    if outcome["status"] != reply.status:
        return [
            Problem(
                "the failure loses the real HTTP status",
                f"status = {_show(outcome['status'])}",
                f"status = {reply.status}",
            )
        ]
    return []


def fails_not_silently(exchange: Exchange) -> list[Problem]:
    """A 200 that cannot be read is a failure, never a success with empty values."""
    outcome = _outcome(exchange)
    if outcome["ok"]:
        return [
            Problem(
                "an unreadable 200 was reported as a success",
                _show(outcome),
                "ok: false (the body has no invoice_payment_details object)",
            )
        ]
    return []


def rate_limit_bounded(exchange: Exchange) -> list[Problem]:
    """A lasting 429 ends, within a bounded number of requests, in a failure with status 429."""
    outcome, count = _outcome(exchange), len(exchange.requests)
    problems = []
    if count > MAX_ATTEMPTS:
        problems.append(
            Problem(
                "the client retried 429 too many times",
                f"{count} requests",
                f"at most {MAX_ATTEMPTS}",
            )
        )
    if outcome["ok"] or outcome["status"] != 429:
        problems.append(
            Problem(
                "a lasting 429 did not end in a failure with status 429",
                _show(outcome),
                "ok: false, status: 429",
            )
        )
    return problems


def rate_limit_retried(exchange: Exchange) -> list[Problem]:
    """A 429 with a 0-second hint, then a 200: the client retries once and succeeds."""
    outcome, count = _outcome(exchange), len(exchange.requests)
    if outcome["ok"] and count == 2:
        return []
    return [
        Problem(
            "the client did not retry a 429 whose hint said to retry now",
            f"{count} request(s), outcome {_show(outcome)}",
            "2 requests, then ok: true",
        )
    ]


def gives_up_on_transport_fault(exchange: Exchange) -> list[Problem]:
    """A network fault is a failure without an HTTP status, reported within the bound."""
    outcome = _outcome(exchange)
    if outcome["ok"]:
        return [Problem("a network fault was reported as a success", _show(outcome), "ok: false")]
    if outcome["status"] is not None:
        return [
            Problem(
                "a network fault was reported with an HTTP status no server sent",
                f"status = {_show(outcome['status'])}",
                f"status = null (within {HANG_BOUND_SECONDS:g} s)",
            )
        ]
    return []
