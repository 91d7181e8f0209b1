"""The checks of the wire: how each answer was framed (RFC 9112), and what a 429 the run waited
out said about when to come back (RFC 9110, Lago Cloud's documented headers).

They judge the connection, not the request: the exploration's preview leaves them out, so that
a deployment that breaks framing is not taken for one that reacts to every variation.
"""

from __future__ import annotations

import email.utils
import time
from typing import TYPE_CHECKING

from conformance._report.findings import Problem
from conformance._server.transport.hints import EPOCH, http_date

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._server.transport.answer import Answer
    from conformance._server.transport.exchange import Exchange

__all__ = [
    "MAX_CLOCK_SKEW",
    "WIRE_CHECKS",
    "date_near_clock",
    "interim_answers",
    "message_framing",
    "rate_limit_headers",
    "retry_after_hint",
]

# How far an answer's Date may be from this machine's clock (RFC 9110 section 6.6.1: an origin
# with a clock sends its best approximation of the current time).
MAX_CLOCK_SKEW = 300.0
WIRE_CHECKS = frozenset(
    {
        "message_framing",
        "interim_answers",
        "retry_after_hint",
        "rate_limit_headers",
        "date_near_clock",
    }
)
_RATE_LIMIT = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def _head(exchange: Exchange) -> str:
    return exchange.head.line if exchange.head is not None else str(exchange.status)


def message_framing(answer: Answer) -> Iterator[Problem]:
    """The answer is framed as HTTP/1.1 frames a message (RFC 9112 sections 6 and 7): one length,
    told one way, and the whole body before the connection closes."""
    exchange = answer.exchange
    for fault in exchange.framing:
        yield Problem(
            "Answer framed against HTTP/1.1",
            f"{_head(exchange)}: {fault}",
            "one message length (Content-Length or chunked Transfer-Encoding, never both) and "
            "every byte it announces",
        )


def interim_answers(answer: Answer) -> Iterator[Problem]:
    """A 1xx answer ends at its header section, and 101 answers only a request to upgrade
    (RFC 9112 section 6.3, RFC 9110 section 15.2)."""
    exchange = answer.exchange
    for fault in exchange.interim_faults:
        yield Problem(
            "Interim answer against HTTP",
            f"{_head(exchange)}: {fault}",
            "1xx answers without a body, and no 101 to a request that asked for no upgrade",
        )


def retry_after_hint(answer: Answer) -> Iterator[Problem]:
    """A 429's ``Retry-After`` is delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    for limited in answer.exchange.throttled:
        value = limited.headers.get("retry-after")
        if value is None or value.strip().isdigit() or http_date(value) is not None:
            continue
        yield Problem(
            "Retry-After is neither seconds nor an HTTP-date",
            f"429 with Retry-After: {value}",
            "Retry-After: 2 (delay-seconds, digits only) or an IMF-fixdate such as "
            "Sun, 06 Nov 1994 08:49:37 GMT",
        )


def rate_limit_headers(answer: Answer) -> Iterator[Problem]:
    """A 429 says when to come back, and its ``X-RateLimit-*`` are Lago Cloud's: whole numbers,
    the reset in seconds until the window resets (not an epoch timestamp)."""
    for limited in answer.exchange.throttled:
        headers = limited.headers
        if not any(name in headers for name in (*_RATE_LIMIT, "retry-after")):
            yield Problem(
                "A 429 that says nothing of when to come back",
                limited.describe(),
                "X-RateLimit-Reset (seconds until the window resets), as Lago Cloud sends it, "
                "or Retry-After",
            )
            continue
        for name in _RATE_LIMIT:
            value = (headers.get(name) or "").strip()
            if value and not value.isdigit():
                yield Problem(
                    f"{name} is not a whole number",
                    f"429 with {name}: {value}",
                    f"{name} as Lago Cloud documents it: a whole number",
                )
            elif name == "x-ratelimit-reset" and value and int(value) > EPOCH:
                yield Problem(
                    "X-RateLimit-Reset is an epoch timestamp, not seconds",
                    f"429 with X-RateLimit-Reset: {value}",
                    "the seconds until the window resets, as Lago Cloud documents it "
                    "(a client that waits that many seconds waits for decades)",
                )


def date_near_clock(answer: Answer) -> Iterator[Problem]:
    """A 429's ``Date`` is an HTTP-date within minutes of this machine's clock (RFC 9110
    section 6.6.1): a ``Retry-After`` date is read against it."""
    for limited in answer.exchange.throttled:
        value = limited.headers.get("date")
        if value is None:
            continue
        sent = http_date(value)
        now = time.time()
        if sent is None:
            yield Problem(
                "Date is not an HTTP-date",
                f"429 with Date: {value}",
                "an IMF-fixdate such as Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110 section 5.6.7)",
            )
        elif abs(sent - now) > MAX_CLOCK_SKEW:
            yield Problem(
                "Date is far from the clock",
                f"429 with Date: {value} ({(sent - now) / 60:+.0f} minutes from this machine's clock)",
                f"a Date within {MAX_CLOCK_SKEW / 60:.0f} minutes of "
                f"{email.utils.formatdate(now, usegmt=True)}",
            )
