"""What the server run's searches share: a round stops at its first difference, shrinks it within
its budget of requests, and ends with it when the target stops meanwhile."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from hypothesis import strategies as st

from conformance._contract.request import Request
from conformance._server.phases.search import Sender, first_difference, search_settings
from conformance._server.transport.target import TargetUnusable

if TYPE_CHECKING:
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target


class _Target:
    """Answers every request; with ``stops``, none after the first that shows a difference."""

    def __init__(self, stops: bool) -> None:
        self.stops = stops
        self.seen = False
        self.sent: list[str] = []

    def send(self, request: Request) -> Exchange:
        if self.seen and self.stops:
            raise TargetUnusable("stopped answering")
        self.sent.append(request.target)
        return cast("Exchange", object())


def _round(target: _Target) -> tuple[Sender, int | None]:
    """A round over invoice numbers in which a number of 500 or more shows a difference."""
    sender = Sender(cast("Target", target), budget=100, shrink=20)

    def look(number: int) -> int | None:
        # As the phases do: nothing more once the target stopped.
        if sender.stop is not None:
            return None
        if sender.answer(Request.of("POST", f"/invoices/{number}/payment_url")) is None:
            return None
        target.seen = target.seen or number >= 500
        return number if number >= 500 else None

    return sender, first_difference(st.integers(0, 1000), search_settings(50), 7, sender, look)


def test_a_round_shrinks_its_difference_within_its_budget() -> None:
    target = _Target(stops=False)
    sender, found = _round(target)
    numbers = [int(sent.split("/")[2]) for sent in target.sent]
    first = next(i for i, number in enumerate(numbers) if number >= 500)
    assert sender.stop is None
    assert found is not None
    assert 500 <= found < numbers[first]
    # Shrinking sent something, and no more than its budget.
    assert 0 < len(numbers) - first - 1 <= 20


def test_a_target_that_stops_while_a_difference_shrinks_ends_the_round_with_it() -> None:
    target = _Target(stops=True)
    sender, found = _round(target)
    assert isinstance(sender.stop, TargetUnusable)
    assert found is not None
    assert found >= 500
