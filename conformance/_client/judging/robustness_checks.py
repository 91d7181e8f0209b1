"""The client checks of what the contract does not document: 5xx pages, unreadable 200s, 429s,
redirects, bodies that are not UTF-8 or never end, and network faults."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._client.calls.call import HANG_BOUND_SECONDS, MAX_ATTEMPTS, show
from conformance._contract.rules import Reply
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from conformance._client.calls.call import Call

__all__ = [
    "keeps_http_status",
    "no_redirect_followed",
    "no_silent_success",
    "rate_limit_bounded",
    "rate_limit_retried",
    "rate_limit_wait_bounded",
    "slow_body_bounded",
    "transport_fault",
    "undecodable_body",
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
    if (outcome["ok"] and count == 2) or call.allowed_retries == 0:
        return []  # told not to retry: retries_as_configured judges it
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


def no_redirect_followed(call: Call) -> list[Problem]:
    """A redirect is a failure carrying its 3xx status, not followed: a payment link must come
    from the API itself, not from wherever a proxy or an attacker points."""
    redirect = call.served[0] if call.served else None
    if not isinstance(redirect, Reply):  # pragma: no cover - redirect scenarios serve a reply
        return []
    outcome, status, problems = call.reported, redirect.status, []
    if len(call.requests) > 1:
        followed = call.requests[1]
        problems.append(
            Problem(
                f"the client followed a {status} redirect",
                f"{len(call.requests)} requests; then {followed.method} "
                f"{call.shown_url(followed.url)}",
                "1 request, the redirect reported as a failure",
            )
        )
    if outcome["ok"]:
        problems.append(
            Problem(
                f"a {status} redirect was reported as a success",
                show(outcome),
                f"ok: false, status: {status}",
            )
        )
    elif outcome["status"] != status:
        problems.append(
            Problem(
                "the failure does not carry the redirect's status",
                f"status = {show(outcome['status'])}",
                f"status = {status}",
            )
        )
    return problems


def rate_limit_wait_bounded(call: Call) -> list[Problem]:
    """A 429 whose hint asks for an hour: the client gives up or caps its wait, and the call ends
    within the bound as a failure with status 429 (in-process, the sleeps asked for count)."""
    outcome, problems = call.reported, []
    total = call.elapsed
    if total > HANG_BOUND_SECONDS:
        asked = f"; sleeps asked: {', '.join(f'{s:g} s' for s in call.slept)}" if call.slept else ""
        problems.append(
            Problem(
                f"the client would take {total:.0f} s over a 429 whose hint asks for an hour",
                f"{len(call.requests)} requests in {call.seconds:.1f} s{asked}",
                f"give up or cap the wait: the call ends within {HANG_BOUND_SECONDS:g} s",
            )
        )
    if outcome["ok"] or outcome["status"] != 429:
        problems.append(
            Problem(
                "a 429 the client did not wait out did not end in a failure with status 429",
                show(outcome),
                "ok: false, status: 429",
            )
        )
    return problems


def undecodable_body(call: Call) -> list[Problem]:
    """A body that is not UTF-8 does not crash the client (a crash is reported under this check)
    and is never a success. Its status is ``keeps_http_status``'s, as for any unreadable body."""
    outcome, reply = call.reported, call.reply
    if outcome["ok"]:
        return [
            Problem(
                f"an HTTP {reply.status} whose body is not UTF-8 was reported as a success",
                show(outcome),
                "ok: false",
            )
        ]
    return []


def slow_body_bounded(call: Call) -> list[Problem]:
    """A body that trickles in a byte a second: the client gives up within the bound, as a
    failure (its status null, or the 200 its headers carried)."""
    outcome = call.reported
    if outcome["ok"]:
        return [
            Problem(
                "a body that never finished was reported as a success", show(outcome), "ok: false"
            )
        ]
    if call.seconds > HANG_BOUND_SECONDS:
        return [
            Problem(
                "the client waited too long for a trickling body",
                f"{call.seconds:.0f} s",
                f"a failure within {HANG_BOUND_SECONDS:g} s",
            )
        ]
    return []
