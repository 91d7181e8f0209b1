"""What every Hypothesis search of a server run shares (the exploration's rounds, the drawn
requests, the stateful phase): seeded settings, with no example database, no deadline, one
difference at a time, and quiet, since the run reports what it finds itself; a round that stops
at its first difference and lets Hypothesis shrink it within a few requests; and a sender that
spends a search's budget, sends each identical request once and keeps what stopped the target
until Hypothesis has returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis.errors import Flaky

from conformance._server.transport.target import (
    BudgetExhausted,
    RateLimitedThroughout,
    TargetUnusable,
    Unsendable,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from hypothesis.strategies import SearchStrategy

    from conformance._contract.request import Request
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["Difference", "Sender", "first_difference", "search_settings"]

_Example = TypeVar("_Example")
_Found = TypeVar("_Found")


class Difference(Exception):
    """Raised inside a search at a difference: Hypothesis stops there and shrinks it."""


def search_settings(max_examples: int, **more: Any) -> hypothesis.settings:
    """Settings for a seeded search of at most ``max_examples`` examples (``more``: any other)."""
    return hypothesis.settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        **more,
    )


@dataclass
class Sender:
    """A search's requests to ``target``: ``budget`` at most, each identical request sent once,
    and ``shrink`` more at most once a round has found its difference. ``keep`` is the phase's
    own rule for requests it keeps back unsent."""

    target: Target
    budget: int
    shrink: int
    keep: Callable[[Request], bool] | None = None
    sent: int = 0
    # Requests kept back: by ``keep``, a safety rule of the target, or no client can send them.
    kept_back: int = 0
    # What stopped the target (no answers, 429s throughout): the phase re-raises it once
    # Hypothesis has returned, since an error raised inside a search would be shrunk as a bug.
    stop: BaseException | None = None
    shrink_left: int | None = None
    answers: dict[Request, Exchange | None] = field(default_factory=dict)

    @property
    def left(self) -> int:
        """Requests the budget still holds."""
        return self.budget - self.sent

    def answer(
        self,
        request: Request,
        *,
        cached: bool = True,
        admit: Callable[[], bool] | None = None,
        release: Callable[[], None] | None = None,
    ) -> Exchange | None:
        """``request``'s answer, from the cache when ``cached``; None when kept back, past the
        budget, refused by ``admit`` (``release`` gives back what it took when nothing went
        out), or when the target stopped."""
        if cached and request in self.answers:
            return self.answers[request]
        if self.sent >= self.budget or self.shrink_left == 0:
            return None
        if self.keep is not None and self.keep(request):
            self.kept_back += 1
            self.answers[request] = None
            return None
        if admit is not None and not admit():
            return None
        try:
            exchange: Exchange | None = self.target.send(request)
        except Unsendable:
            exchange = None
            self.kept_back += 1
            if release is not None:
                release()
        except BudgetExhausted:
            if release is not None:
                release()
            return None
        except (TargetUnusable, RateLimitedThroughout) as error:
            self.stop = error
            return None
        else:
            self.sent += 1
            if self.shrink_left is not None:
                self.shrink_left -= 1
        self.answers[request] = exchange
        return exchange


def first_difference(
    strategy: SearchStrategy[_Example],
    settings: hypothesis.settings,
    seed: int,
    sender: Sender,
    look: Callable[[_Example], _Found | None],
) -> _Found | None:
    """One seeded round: the first example ``look`` finds a difference in, shrunk by Hypothesis
    within ``sender.shrink`` new requests; the last (smallest) one found, or None. A target
    that stops meanwhile ends the round with what was found (``sender.stop`` says why)."""
    last: list[_Found] = []
    sender.shrink_left = None

    @settings
    @hypothesis.seed(seed)
    @hypothesis.given(strategy)
    def probe(example: _Example) -> None:
        found = look(example)
        if found is not None:
            last.append(found)
            if sender.shrink_left is None:
                sender.shrink_left = sender.shrink
            raise Difference

    try:
        probe()
    except (Difference, Flaky):
        # Flaky: the target stopped while Hypothesis shrank, so its last replay of the smallest
        # difference found nothing (``look`` sends no more once ``sender.stop`` is set).
        return last[-1] if last else None
    return None
