"""A limiter's hints held against the clock, against each other and against the organizations:
the window refills no earlier than ``X-RateLimit-Reset`` said, a 429's two waits agree, and two
organizations' keys spend two budgets.

Lago Cloud documents ``X-RateLimit-Reset`` as the seconds until the window resets, and its
limits per organization: "all of your API keys share the same budget"
(https://getlago.com/docs/api-reference/rate-limits). Self-hosted Lago sends no hint: these
checks judge nothing there. Every hint the run received is judged, in the order sent
(``Target.hints``); the budgets, on requests sent with the two keys in turn (``interleaved``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from conformance._report.findings import Check, Problem
from conformance._server.transport.answer import Expectation
from conformance._server.transport.hints import EPOCH, hint_of

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.hints import Hint
    from conformance._server.transport.target import Target

__all__ = [
    "RATE_LIMIT_PER_ORGANIZATION",
    "RATE_LIMIT_RESET_KEPT",
    "interleaved",
    "rate_limit_per_organization",
    "rate_limit_reset_kept",
]

# X-RateLimit-Reset is whole seconds, rounded up: the window ends within its last second.
_ROUNDING = 1.0
# Our clock and the limiter's, a request's way there: a refill this much early is not judged.
_SLACK = 0.5
# Requests sent with the two keys in turn; runs of three (key, other, key) that show one budget.
INTERLEAVED = 6
_SHOWN = 2


def rate_limit_reset_kept(hints: Sequence[Hint]) -> Iterator[Problem]:
    """A window refills no earlier than its ``X-RateLimit-Reset`` said, and a 429's
    ``Retry-After`` and ``X-RateLimit-Reset`` tell the same wait."""
    # An epoch in X-RateLimit-Reset is rate_limit_headers' to report.
    apart = [
        hint
        for hint in hints
        if hint.retry_after is not None and hint.reset is not None and hint.reset < EPOCH
        and abs(hint.retry_after - hint.reset) > _ROUNDING
    ]  # fmt: skip
    if apart:
        yield Problem(
            "Retry-After and X-RateLimit-Reset tell two different waits",
            f"{apart[0].status} with Retry-After: {apart[0].retry_after} and X-RateLimit-Reset: "
            f"{apart[0].reset}",
            "one wait, told alike by both (a client honours either)",
        )
    early = _refilled_early(hints)
    if early is not None:
        before, after = early
        gone, told = after.at - before.at, before.reset or 0
        yield Problem(
            "The window refilled long before X-RateLimit-Reset said",
            f"X-RateLimit-Remaining: {before.remaining}, X-RateLimit-Reset: {before.reset}; "
            f"{gone:.1f} s later, with the same key, X-RateLimit-Remaining: {after.remaining} of "
            f"{after.limit} (a new window, {told - gone:.0f} s before the reset it told)",
            "X-RateLimit-Reset: the seconds until the window resets, as Lago Cloud documents "
            "it; its clients wait that long",
        )


def _refilled_early(hints: Sequence[Hint]) -> tuple[Hint, Hint] | None:
    for number, before in enumerate(hints):
        if before.reset is None or before.remaining is None or before.reset > EPOCH:
            continue
        for after in hints[number + 1 :]:
            if after.who != before.who or after.remaining is None or after.limit is None:
                continue
            if after.remaining <= before.remaining:
                continue
            # A fresh window: the whole budget but this request's (a bucket refilling bit by
            # bit is not judged).
            if after.remaining >= after.limit - 1:
                deadline = before.at + before.reset - _ROUNDING - _SLACK
                if after.at < deadline:
                    return before, after
            break
    return None


def rate_limit_per_organization(
    observed: Sequence[tuple[str, Hint | None]],
) -> Iterator[Problem]:
    """The run's key and another organization's spend two budgets: requests sent with the two
    in turn do not count down one ``X-RateLimit-Remaining`` together."""
    runs = []
    for first, middle, last in zip(observed, observed[1:], observed[2:], strict=False):
        labels = (first[0], middle[0], last[0])
        counts = [hint.remaining if hint else None for _, hint in (first, middle, last)]
        if labels[0] != labels[2] or labels[0] == labels[1]:
            continue
        a, b, c = counts
        if a is not None and b == a - 1 and c == a - 2:
            runs.append(f"{labels[0]}: {a}, {labels[1]}: {b}, {labels[0]}: {c}")
    if len(runs) >= _SHOWN:
        yield Problem(
            "Two organizations' keys count down one rate-limit budget",
            "X-RateLimit-Remaining, requests sent with the two keys in turn: " + "; ".join(runs),
            "a budget per organization (Lago Cloud: rate limits apply per organization): each "
            "key's count goes down by one at each of its own requests only",
        )


RATE_LIMIT_RESET_KEPT: Check[Sequence[Hint]] = Check("rate_limit_reset_kept", rate_limit_reset_kept)
RATE_LIMIT_PER_ORGANIZATION: Check[Sequence[tuple[str, Hint | None]]] = Check(
    "rate_limit_per_organization", rate_limit_per_organization
)


class _Run(Protocol):
    target: Target

    def random_uuid(self) -> str: ...

    def send(
        self, scenario: str, method: str, lago_id: str, authorization: str | None, e: Expectation
    ) -> Exchange: ...


def interleaved(run: _Run, other_key: str) -> list[tuple[str, Hint | None]]:
    """When the target's answers carry ``X-RateLimit-Remaining``: an unknown invoice asked
    ``INTERLEAVED`` times, with the run's key and the other organization's in turn, and what
    each answer said (none: the target sends no hint, nothing is sent)."""
    if not any(hint.remaining is not None for hint in run.target.hints):
        return []
    lago_id = run.random_uuid()
    keys = (("the run's key", run.target.bearer()), ("the other key", f"Bearer {other_key}"))
    observed: list[tuple[str, Hint | None]] = []
    for number in range(INTERLEAVED):
        label, bearer = keys[number % 2]
        exchange = run.send("tenant/interleaved", "POST", lago_id, bearer, Expectation("not_found"))
        hint = hint_of(exchange, 0.0)
        # A wait or a 429 breaks the run of requests (None): counting starts again after it.
        usable = hint is not None and not exchange.throttled and hint.status != 429
        observed.append((label, hint if usable else None))
    return observed
