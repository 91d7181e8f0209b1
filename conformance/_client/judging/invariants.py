"""Invariants judged on every call: the key stays out of outcomes, a POST is not resent after a
4xx other than 429, and the whole call ends within 30 s, counting every wait the client let pass.

In-process the time is the virtual clock's (``Call.elapsed``): real time plus each sleep the
client asked for, each read timeout it let expire (at its own timeout value) and each gap of a
slow body it waited through. Over ``--command`` it is real time.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from conformance._client.calls.answers import Answer
from conformance._client.calls.call import API_KEY, CRASHED, HANG_BOUND_SECONDS
from conformance._contract.rules import Reply
from conformance._report.findings import REDACTED, Problem

if TYPE_CHECKING:
    from conformance._client.calls.call import Call

__all__ = ["call_within_bound", "key_never_in_outcome", "key_never_written", "no_resend_after_4xx"]

# Characters of what a client wrote shown on each side of the key.
_AROUND = 60


def key_never_in_outcome(call: Call) -> list[Problem]:
    """The key never appears in what the client reports (a message, a detail, an error it
    raised): applications log failures."""
    places = []
    if call.outcome is not None:
        places += [
            key
            for key, value in call.outcome.items()
            if API_KEY in json.dumps(value, ensure_ascii=False)
        ]
    # An exception's message is what applications log (the harness's own errors are not judged).
    if call.error is not None and call.error.startswith(CRASHED) and API_KEY in call.error:
        places.append("the error it raised")
    if not places:
        return []
    return [
        Problem(
            "the API key appears in the client's outcome",
            f"the key is in {', '.join(places)}",
            "no outcome, message or error holds the key",
        )
    ]


def key_never_written(call: Call) -> list[Problem]:
    """The key is in nothing the client writes during the call: a log record of any logger at
    any level, a warning, stdout or stderr (over a command, beyond its outcome line)."""
    for place, text in call.written:
        at = text.find(API_KEY)
        if at < 0:
            continue
        start, end = max(0, at - _AROUND), at + len(API_KEY) + _AROUND
        shown = text[start:end].replace(API_KEY, REDACTED).replace("\n", " ")
        shown = ("…" if start else "") + shown + ("…" if end < len(text) else "")
        return [
            Problem(
                "key leak: the client writes the API key",
                f"in {place}: {shown}",
                "no log record, warning, stdout or stderr holds the key",
            )
        ]
    return []


def _status(served: object) -> int | None:
    # An answer cut, reset or slowed mid-body may not have reached the client: not counted.
    if isinstance(served, Answer) and served.transport:
        return None
    return served.status if isinstance(served, (Reply, Answer)) else None


def no_resend_after_4xx(call: Call) -> list[Problem]:
    """A POST answered with a 4xx other than 429 is not sent again (RFC 9110 section 9.2.2: POST
    is not idempotent, and a 4xx says the request itself was refused)."""
    for index, served in enumerate(call.served[:-1] if len(call.requests) > 1 else []):
        status = _status(served)
        if status is not None and 400 <= status < 500 and status != 429:
            return [
                Problem(
                    f"the client sent the POST again after a {status}",
                    f"{len(call.requests)} requests; request {index + 2} followed the {status}",
                    f"no request after a {status}",
                )
            ]
    return []


def call_within_bound(call: Call) -> list[Problem]:
    """The whole call ends within 30 s, every wait counted: in-process the sleeps asked for, the
    read timeouts let expire and a slow body's gaps advance a virtual clock."""
    if call.elapsed <= HANG_BOUND_SECONDS:
        return []
    waits = [f"slept {s:g} s" for s in call.slept] + [f"{what} {s:g} s" for what, s in call.waited]
    shown = ", ".join(waits[:8]) + (" …" if len(waits) > 8 else "")
    return [
        Problem(
            f"the call would take {call.elapsed:.0f} s",
            f"{len(call.requests)} requests in {call.seconds:.1f} s of real time"
            + (f"; {shown}" if shown else ""),
            f"the call ends within {HANG_BOUND_SECONDS:g} s",
        )
    ]
