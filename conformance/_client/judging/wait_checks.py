"""The floor of a wait: after a 429 with a hint, the next request comes once the hint has elapsed.

A hint is ``Retry-After`` in seconds or as an HTTP-date (RFC 9110 section 10.2.3), or
``X-RateLimit-Reset`` in seconds until the window resets, as Lago Cloud documents it ("back off
until X-RateLimit-Reset reaches zero"). Both say when the server will take the request again: the
floor is the larger valid one. A hint that is not of those forms (``soon``, ``-5``, ``1.5``) is
no hint, and any backoff is fine. The time between two requests is the virtual clock's
in-process (each sleep asked for counts) and real time over ``--command``.
"""

from __future__ import annotations

import email.utils
import re
from typing import TYPE_CHECKING

from conformance._client.calls.answers import Answer
from conformance._contract.rules import Reply
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from conformance._client.calls.call import Call

__all__ = ["hint_floor", "rate_limit_hint_waited"]

# A generated answer's date placeholder, as served (answers.py fills it in when it is sent).
_PLACEHOLDER = re.compile(r"\{date\+(\d+)\}")
# Clocks and sleeps are floats: a wait this much shorter than the hint is still the hint.
_SLACK = 0.01


def _date_seconds(value: str, served_at: float) -> float | None:
    placeholder = _PLACEHOLDER.fullmatch(value)
    if placeholder is not None:
        # Sent as a whole second: the date may fall up to 1 s before served_at + N.
        return int(placeholder[1]) - 1.0
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp() - served_at


def hint_floor(headers: Iterable[tuple[str, str]], served_at: float) -> float | None:
    """The seconds a 429's hints ask to wait, from ``served_at`` (epoch); None without a hint."""
    floors: list[float] = []
    seen: set[str] = set()
    for name, raw in headers:
        key, value = name.lower(), raw.strip()
        if key in seen:
            continue  # the first of a repeated header is the one clients read
        seen.add(key)
        if key == "retry-after":
            date = None if value.isdigit() else _date_seconds(value, served_at)
            floors += [float(value)] if value.isdigit() else [date] if date is not None else []
        elif key == "x-ratelimit-reset" and value.isdigit():
            floors.append(float(value))
    positive = [floor for floor in floors if floor > 0]
    return max(positive) if positive else None


def _headers(served: object) -> list[tuple[str, str]] | None:
    """A 429's headers, or None for anything else (an answer cut mid-body never arrived)."""
    if isinstance(served, Answer) and served.status == 429 and not served.transport:
        return list(served.headers)
    if isinstance(served, Reply) and served.status == 429:
        return served.all_headers()
    return None


def rate_limit_hint_waited(call: Call) -> list[Problem]:
    """After a 429 with a hint, the next request does not come before the hint has elapsed
    (RFC 9110 section 10.2.3; Lago Cloud's X-RateLimit-Reset)."""
    for index, (served, sent) in enumerate(zip(call.served, call.requests, strict=False)):
        headers = _headers(served)
        if headers is None or index + 1 >= len(call.requests):
            continue
        floor = hint_floor(headers, sent.at)
        gap = call.requests[index + 1].at - sent.at
        if floor is not None and gap < floor - _SLACK:
            hints = "; ".join(
                f"{name}: {value}"
                for name, value in headers
                if name.lower() in ("retry-after", "x-ratelimit-reset")
            )
            return [
                Problem(
                    "the client retried before the 429's hint had elapsed",
                    f"request {index + 2} came {gap:.3g} s after the 429 ({hints})",
                    f"no request within {floor:g} s of the 429",
                )
            ]
    return []
