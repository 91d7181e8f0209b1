"""The client checks of what the contract does not document: 5xx pages, unreadable 200s, 429s and
network faults."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._client.call import HANG_BOUND_SECONDS, MAX_ATTEMPTS, show
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from conformance._client.call import Call

__all__ = [
    "keeps_http_status",
    "no_silent_success",
    "rate_limit_bounded",
    "rate_limit_retried",
    "transport_fault",
]


def keeps_http_status(call: Call) -> list[Problem]:
    """An error without a usable JSON body is still a failure with the real HTTP status."""
    outcome, reply = call.reported, call.reply
    if outcome["ok"]:
        return [
            Problem(f"an HTTP {reply.status} was reported as a success", show(outcome), "ok: false")
        ]
    if outcome["status"] != reply.status:
        return [
            Problem(
                "the failure loses the real HTTP status",
                f"status = {show(outcome['status'])}",
                f"status = {reply.status}",
            )
        ]
    return []


def no_silent_success(call: Call) -> list[Problem]:
    """A 200 that cannot be read is a failure, never a success with empty values."""
    outcome = call.reported
    if outcome["ok"]:
        return [
            Problem(
                "an unreadable 200 was reported as a success",
                show(outcome),
                "ok: false (the body has no invoice_payment_details object)",
            )
        ]
    return []


def rate_limit_bounded(call: Call) -> list[Problem]:
    """A lasting 429 ends, within a bounded number of requests, in a failure with status 429."""
    outcome, count = call.reported, len(call.requests)
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
                show(outcome),
                "ok: false, status: 429",
            )
        )
    return problems


def rate_limit_retried(call: Call) -> list[Problem]:
    """A 429 with a 0-second hint, then a 200: the client retries once and succeeds."""
    outcome, count = call.reported, len(call.requests)
    if outcome["ok"] and count == 2:
        return []
    return [
        Problem(
            "the client did not retry a 429 whose hint said to retry now",
            f"{count} request(s), outcome {show(outcome)}",
            "2 requests, then ok: true",
        )
    ]


def transport_fault(call: Call) -> list[Problem]:
    """A network fault is a failure without an HTTP status, reported within the bound."""
    outcome = call.reported
    if outcome["ok"]:
        return [Problem("a network fault was reported as a success", show(outcome), "ok: false")]
    if outcome["status"] is not None:
        return [
            Problem(
                "a network fault was reported with an HTTP status no server sent",
                f"status = {show(outcome['status'])}",
                f"status = null (within {HANG_BOUND_SECONDS:g} s)",
            )
        ]
    return []
