"""The client checks of documented answers: a 200 and each documented error reach the application
as they were served."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance._client.calls.call import show
from conformance._client.calls.outcome import DETAIL_FIELDS
from conformance._contract.rules import payment_details
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from collections.abc import Mapping

    from conformance._client.calls.call import Call

__all__ = [
    "all_error_fields",
    "all_success_fields",
    "error_fields",
    "exposed_otherwise",
    "failure_names_error",
    "no_invented_values",
    "no_retry_after_4xx",
    "success_details",
]


def _default(value: object) -> bool:
    return value in ("", 0, False)  # False == 0 == 0.0: each an empty default


def success_details(call: Call) -> list[Problem]:
    """A 200 is a success, and every field the client exposes equals what was served."""
    outcome, reply = call.reported, call.reply
    served = payment_details(reply.json())
    assert served is not None
    if not outcome["ok"]:
        return [Problem("a documented 200 was reported as a failure", show(outcome), "ok: true")]
    return exposed_otherwise(outcome["details"], served)


def exposed_otherwise(exposed: Mapping[str, Any], served: Mapping[str, Any]) -> list[Problem]:
    """Each field a success exposes otherwise than served: another value, or a value for a field
    that was not served (null, or an empty default, is a field left out)."""
    problems = []
    for name, value in exposed.items():
        if name in served and value != served[name]:
            problems.append(
                Problem(
                    f"the client exposes {name} different from what was served",
                    f"{name} = {show(value)}",
                    f"{name} = {show(served[name])}",
                )
            )
        elif name not in served and value is not None and not _default(value):
            problems.append(
                Problem(
                    f"the client exposes {name}, which was not served, as a value",
                    f"{name} = {show(value)}",
                    f"{name} absent or null",
                )
            )
    return problems


def no_invented_values(call: Call) -> list[Problem]:
    """A field that was not served is not exposed as an empty or default value."""
    outcome, served = call.reported, payment_details(call.reply.json()) or {}
    if not outcome["ok"]:
        return []  # judged by success_details
    return [
        Problem(
            f"the client invents a value for {name}, which was not served",
            f"{name} = {show(value)}",
            f"{name} absent or null, so that the application sees it is missing",
        )
        for name, value in outcome["details"].items()
        if name not in served and _default(value)
    ]


def all_success_fields(call: Call) -> list[Problem]:
    """A success exposes all five fields of ``invoice_payment_details``."""
    outcome = call.reported
    if not outcome["ok"]:
        return []  # judged by success_details
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


def error_fields(call: Call) -> list[Problem]:
    """A documented error is a failure with the served status; code and error_details, when the
    client exposes them, are what was served."""
    outcome, reply = call.reported, call.reply
    if outcome["ok"]:
        return [
            Problem(
                f"a documented {reply.status} was reported as a success",
                show(outcome),
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
            f"{key} = {show(outcome.get(key))}",
            f"{key} = {show(value)}",
        )
        for key, value in expected.items()
        if outcome.get(key) != value and not (key != "status" and outcome.get(key) is None)
    ]


def all_error_fields(call: Call) -> list[Problem]:
    """A documented error's ``code`` and ``error_details`` reach the application."""
    outcome, body = call.reported, call.reply.json()
    if outcome["ok"] or not isinstance(body, dict):
        return []  # judged by error_fields
    return [
        Problem(
            f"the client drops the served {key}",
            f"{key} = null",
            f"{key} = {show(body[key])}",
        )
        for key in ("code", "error_details")
        if body.get(key) is not None and outcome.get(key) is None
    ]


def no_retry_after_4xx(call: Call) -> list[Problem]:
    """A non-idempotent POST answered with a 4xx (other than 429) is not sent again."""
    count = len(call.requests)
    if count <= 1:
        return []
    return [
        Problem(
            f"the client retried a POST after a {call.reply.status}",
            f"{count} requests",
            "exactly 1 request",
        )
    ]


def failure_names_error(call: Call) -> list[Problem]:
    """A documented error reads as itself: the failure's message (the text a user sees, the
    exception's message or the error's string) names the served ``error`` or ``code``."""
    outcome, body = call.reported, call.reply.json()
    if outcome["ok"] or not isinstance(body, dict):
        return []  # judged by error_fields
    message = outcome.get("message") or ""
    names = [body[key] for key in ("error", "code") if isinstance(body.get(key), str) and body[key]]
    if not names or any(name.lower() in message.lower() for name in names):
        return []
    return [
        Problem(
            "the failure's message does not name the served error or code"
            if message.strip()
            else "the failure's message is empty",
            f"message = {show(message)}",
            f"a message naming {' or '.join(show(name) for name in names)}",
        )
    ]
