"""What a 429 says about when to come back: ``Retry-After`` (RFC 9110 section 10.2.3), Lago
Cloud's ``X-RateLimit-*`` and the answer's ``Date``, read and waited out within bounds.

Lago Cloud documents ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``,
the reset in seconds until the window resets (https://getlago.com/docs/api-reference/rate-limits);
its SDKs wait ``X-RateLimit-Reset``. ``Retry-After`` is delay-seconds or an HTTP-date, relative
to the answer's ``Date`` (RFC 9110 section 6.6.1).
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from conformance._server.transport.exchange import Exchange

__all__ = ["EPOCH", "Hint", "hint_of", "http_date", "retry_hint"]

# A number of seconds this large is an epoch timestamp, not a wait.
EPOCH = 1e9
_DELAY_SECONDS = re.compile(r"\d+")
# IMF-fixdate, the form a sender generates (RFC 9110 section 5.6.7).
_IMF_FIXDATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT"
)


def http_date(value: str) -> float | None:
    """An IMF-fixdate as a POSIX timestamp, or None when ``value`` is not one."""
    if not _IMF_FIXDATE.fullmatch(value.strip()):
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


def retry_hint(headers: httpx.Headers, now: float | None = None) -> float:
    """Seconds to wait before asking again: ``Retry-After`` (seconds, or a date taken relative to
    the answer's ``Date`` when it has one), else ``X-RateLimit-Reset`` (seconds; an epoch, which
    Lago does not send, is honoured as one), else 1 s. Never negative."""
    clock = time.time() if now is None else now
    retry_after = (headers.get("retry-after") or "").strip()
    if retry_after:
        if _DELAY_SECONDS.fullmatch(retry_after):
            return float(retry_after)
        when = http_date(retry_after)
        if when is not None:
            sent = http_date(headers.get("date") or "")
            return max(0.0, when - (sent if sent is not None else clock))
    for value in (retry_after, headers.get("x-ratelimit-reset") or ""):
        try:
            seconds = float(value)
        except ValueError:
            continue
        if seconds > EPOCH:
            seconds -= clock
        return max(0.0, seconds)
    return 1.0


@dataclass(frozen=True)
class Hint:
    """What one answer said of the rate limit (whole numbers; None where it said nothing or not
    a number), and when its request went out (the target's clock)."""

    at: float
    # The request's Authorization: compared to tell keys apart, never shown.
    who: str | None = field(repr=False)
    status: int | None
    limit: int | None
    remaining: int | None
    reset: int | None
    retry_after: int | None


def _whole(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def hint_of(exchange: Exchange, at: float) -> Hint | None:
    """The rate-limit hints ``exchange``'s answer carries, or None when it carries none."""
    headers = exchange.headers
    names = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after")
    if exchange.status is None or not any(name in headers for name in names):
        return None
    limit, remaining, reset, retry_after = (_whole(headers.get(name)) for name in names)
    return Hint(at, exchange.authorization, exchange.status, limit, remaining, reset, retry_after)
