"""The client checks: what one call of a client is judged on.

Each check judges a ``Call`` (what was served, what the client sent, the outcome it reported)
and returns the problems it sees. All but ``request_shape`` need an outcome: ``judge_call``
reports a client that gave none once per call, as a problem of its first such check.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from conformance._client.call import HANG_BOUND_SECONDS, MAX_ATTEMPTS
from conformance._client.outcome import DETAIL_FIELDS
from conformance._client.request_checks import request_shape
from conformance._contract.rules import Reply, payment_details
from conformance._report.findings import Check, Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from conformance._client.call import Call
    from conformance._contract.levels import Severity

__all__ = [
    "ALL_SUCCESS_FIELDS",
    "ERROR_FIELDS",
    "KEEPS_HTTP_STATUS",
    "NO_RETRY_AFTER_4XX",
    "NO_SILENT_SUCCESS",
    "RATE_LIMIT_BOUNDED",
    "RATE_LIMIT_RETRIED",
    "REQUEST_SHAPE",
    "SUCCESS_DETAILS",
    "TRANSPORT_FAULT",
    "judge_call",
]

OUTCOME = "outcome"


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _served(call: Call) -> Reply:
    reply = call.last_reply
    if reply is None:  # pragma: no cover - every judged scenario serves an answer
        raise ValueError("this judge needs a served reply")
    return reply


def _outcome(call: Call) -> dict[str, Any]:
    assert call.outcome is not None
    return call.outcome


def success_details(call: Call) -> list[Problem]:
    """A 200 is a success, and every field the client exposes equals what was served."""
    outcome, reply = _outcome(call), _served(call)
    served = payment_details(reply.json())
    assert served is not None
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


def all_success_fields(call: Call) -> list[Problem]:
    """A success exposes all five fields of ``invoice_payment_details``."""
    outcome = _outcome(call)
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
    """A documented error is a failure with the served status, code and error_details."""
    outcome, reply = _outcome(call), _served(call)
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


def no_retry_after_4xx(call: Call) -> list[Problem]:
    """A non-idempotent POST answered with a 4xx (other than 429) is not sent again."""
    count = len(call.requests)
    if count <= 1:
        return []
    return [
        Problem(
            f"the client retried a POST after a {_served(call).status}",
            f"{count} requests",
            "exactly 1 request",
        )
    ]


def keeps_http_status(call: Call) -> list[Problem]:
    """An error without a usable JSON body is still a failure with the real HTTP status."""
    outcome, reply = _outcome(call), _served(call)
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


def no_silent_success(call: Call) -> list[Problem]:
    """A 200 that cannot be read is a failure, never a success with empty values."""
    outcome = _outcome(call)
    if outcome["ok"]:
        return [
            Problem(
                "an unreadable 200 was reported as a success",
                _show(outcome),
                "ok: false (the body has no invoice_payment_details object)",
            )
        ]
    return []


def rate_limit_bounded(call: Call) -> list[Problem]:
    """A lasting 429 ends, within a bounded number of requests, in a failure with status 429."""
    outcome, count = _outcome(call), len(call.requests)
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


def rate_limit_retried(call: Call) -> list[Problem]:
    """A 429 with a 0-second hint, then a 200: the client retries once and succeeds."""
    outcome, count = _outcome(call), len(call.requests)
    if outcome["ok"] and count == 2:
        return []
    return [
        Problem(
            "the client did not retry a 429 whose hint said to retry now",
            f"{count} request(s), outcome {_show(outcome)}",
            "2 requests, then ok: true",
        )
    ]


def transport_fault(call: Call) -> list[Problem]:
    """A network fault is a failure without an HTTP status, reported within the bound."""
    outcome = _outcome(call)
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


def _check(
    severity: Severity, judge: Callable[[Call], list[Problem]], *, needs_outcome: bool = True
) -> Check[Call]:
    return Check(judge.__name__, severity, judge, frozenset({OUTCOME}) if needs_outcome else None)


SUCCESS_DETAILS = _check("MUST", success_details)
ALL_SUCCESS_FIELDS = _check("SHOULD", all_success_fields)
ERROR_FIELDS = _check("MUST", error_fields)
NO_RETRY_AFTER_4XX = _check("SHOULD", no_retry_after_4xx)
REQUEST_SHAPE = _check("MUST", request_shape, needs_outcome=False)
KEEPS_HTTP_STATUS = _check("SHOULD", keeps_http_status)
NO_SILENT_SUCCESS = _check("SHOULD", no_silent_success)
RATE_LIMIT_BOUNDED = _check("SHOULD", rate_limit_bounded)
RATE_LIMIT_RETRIED = _check("SHOULD", rate_limit_retried)
TRANSPORT_FAULT = _check("SHOULD", transport_fault)


def judge_call(
    checks: Sequence[Check[Call]], call: Call, *, wants_reply: bool
) -> dict[str, list[Problem]]:
    """Each check's problems with ``call``; ``wants_reply``: the scenario serves an answer."""
    problems: dict[str, list[Problem]] = {check.name: [] for check in checks}
    kind = OUTCOME if call.outcome is not None else "no outcome"
    missing_reported = False
    for check in checks:
        if check.applies_to(kind):
            if check.kinds is not None and wants_reply and not call.last_reply:
                received = f"{len(call.requests)} request(s) answered, outcome {call.outcome}"
                problems[check.name].append(
                    Problem(
                        "the client reported an outcome without an answer",
                        received,
                        "one POST, then its outcome",
                    )
                )
            else:
                problems[check.name] += check.judge(call)
        elif not missing_reported:
            title = (call.error or "no outcome").split(": ")[0]
            problems[check.name].append(
                Problem(title, call.error or "", "an outcome: one JSON object")
            )
            missing_reported = True
    return problems
