"""The exploration: base requests varied in every part the contract leaves open, and the oracle
(``oracle.py``) saying whether the target answered each variant as Lago does.

The bases are an unknown invoice with the key, the same without it, and a named 422 invoice. A
sweep first sends every variation of ``variations.py`` once, alone, on the bases in rotation (the
seed turns the rotation; credentials and ids only where they decide the answer). The payable
invoice gets its share of ``--payable-calls`` (``payable.py``): a fresh keyed call as its base,
proxy headers and a seeded choice of keyed variations, then the refused credential forms. Then Hypothesis
combines two or three variations of different dimensions on any base with the rest of the
budget; an example that shows a difference is shrunk to a minimal one. Each difference is
recorded as its own scenario, ``explore/<dimension>/<variation>``, and later rounds look for
differences that do not contain one already found. Identical requests are sent once (a cache),
the run's request budget bounds the sweep, every round and its shrinking, and the same seed sends
the same requests to a target that answers alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from hypothesis import strategies as st

from conformance._server.phases.payable import payable_variations
from conformance._server.phases.search import Sender, first_difference, search_settings
from conformance._server.phases.variations import DIMENSIONS, apply_all
from conformance._server.transport.answer import Expectation

if TYPE_CHECKING:
    from conformance._contract.request import Request
    from conformance._server.judging.recorder import Recorder
    from conformance._server.phases.payable import PayableCalls
    from conformance._server.phases.variations import Variation
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["Base", "Exploration"]

MAX_ROUNDS = 8
# New requests a round may spend shrinking the difference it found.
SHRINK_REQUESTS = 24
_EXPLORE = Expectation("explore")
# Dimensions whose variations decide nothing on a request without the key: the sweep sends
# them on keyed bases only (credentials set the Authorization header themselves).
_KEYED_ONLY = frozenset({"id", "method"})


class _Run(Protocol):
    target: Target
    recorder: Recorder

    def send_request(self, scenario: str, request: Request, e: Expectation) -> Exchange: ...


@dataclass(frozen=True)
class Base:
    """A request the exploration varies, named, with what its own answer must be."""

    name: str
    request: Request
    expectation: Expectation


@dataclass(frozen=True)
class _Found:
    base: Exchange
    chosen: tuple[Variation, ...]
    exchange: Exchange


@dataclass
class Exploration:
    """One run's exploration: ``wanted`` requests at most (fewer when the run's budget has less
    to spare beyond ``reserve``, kept for the property tests), seeded by ``seed``."""

    run: _Run
    bases: list[Base]
    variations: list[Variation]
    wanted: int
    seed: int
    reserve: int = 0
    # Variants sent, by dimension; and the minimal variation sets that showed a difference.
    explored: Counter[str] = field(default_factory=Counter)
    found: list[frozenset[str]] = field(default_factory=list)
    # Differences found, by the dimension of the scenario each is recorded under.
    differences: Counter[str] = field(default_factory=Counter)
    _base_answers: list[Exchange] = field(default_factory=list)
    # The payable invoice's first answer (the fixture scenario's), and the run's budget of calls
    # to it, of which the exploration takes ``payable_share`` at most: a link built from a
    # proxy's header, a cache or a replay there would hand a checkout link to anyone.
    payable: Exchange | None = None
    payable_calls: PayableCalls | None = None
    payable_share: int = 0
    # The budget is set when the exploration starts, from what the run has left by then.
    _sender: Sender = field(init=False)

    def __post_init__(self) -> None:
        self._sender = Sender(self.run.target, 0, SHRINK_REQUESTS)

    @property
    def sent(self) -> int:
        """Requests sent: the bases and the variants."""
        return self._sender.sent

    @property
    def withheld(self) -> int:
        """Variants kept back (a safety rule, or no client can send them)."""
        return self._sender.kept_back

    def explore(self) -> None:
        """Send the bases, then explore round after round until nothing new shows or the budget
        is spent; re-raises what stopped the target (budget, rate limits, no answers)."""
        # One request stays for the run's last consistency probe.
        spare = self.run.target.remaining - 1
        budget = self._sender.budget = min(self.wanted, max(spare - self.reserve, spare // 2))
        if not self.bases or budget <= len(self.bases):
            return
        for base in self.bases:
            scenario = f"explore/base/{base.name}"
            self._base_answers.append(
                self.run.send_request(scenario, base.request, base.expectation)
            )
            self._sender.sent += 1
        self._sweep()
        self._payable_sweep()
        if self._sender.stop is not None:
            raise self._sender.stop
        for number in range(MAX_ROUNDS):
            found = self._round(number)
            if self._sender.stop is not None:
                raise self._sender.stop
            if found is None:
                return
            self._record(found)

    def table(self) -> list[list[Any]]:
        """The report's Exploration table: variants sent and differences, per dimension."""
        rows: list[list[Any]] = [["dimension", "variants sent", "differences"]]
        return rows + [[d, self.explored.get(d, 0), self.differences.get(d, 0)] for d in DIMENSIONS]

    def _sweep(self) -> None:
        """Every variation once, alone, on the bases in rotation."""
        position: Counter[str] = Counter()
        keyed = [i for i, base in enumerate(self.bases) if base.request.authorization is not None]
        # An id's form decides something on an invoice that exists: the named one, when known.
        named = [i for i, base in enumerate(self.bases) if base.expectation.reason is not None]
        for variation in self.variations:
            eligible = list(range(len(self.bases)))
            if variation.dimension in _KEYED_ONLY:
                eligible = keyed
            if variation.dimension == "id" and named:
                eligible = named
            turn = position[variation.dimension] + self.seed
            position[variation.dimension] += 1
            twice = variation.twice and len(eligible) > 1
            for at in (turn, turn + 1) if twice else (turn,):
                found = self._evaluate(eligible[at % len(eligible)], (variation,))
                if self._sender.stop is not None:
                    return
                if found is not None:
                    self._record(found)
                    break

    def _payable_sweep(self) -> None:
        """Variations on the payable invoice, within its share of ``--payable-calls``: keyed ones
        against a fresh answer to it, then the forms that carry no key of the organization,
        which Lago refuses (401, or 404 to another organization), so none reaches a checkout."""
        calls, first = self.payable_calls, self.payable
        # Only Lago's twin can say what a variant gets: without it, nothing goes to the invoice.
        unknown = self.run.recorder.twin is None or calls is None
        if unknown or first is None or first.status != 200 or self._sender.stop is not None:
            return
        assert calls is not None
        chosen = payable_variations(self.variations, min(self.payable_share, calls.left), self.seed)
        base = first
        for variation in chosen:
            request = variation.apply(first.request)
            keyed = self.run.recorder.lago(request).status == 200
            if keyed and base is first:
                # A fresh answer: what a variant shows is the variation's doing, not the run's.
                fresh = self._answer(first.request, (), payable=calls)
                if fresh is None or fresh.status != 200 or fresh.rate_limited:
                    continue
                base = fresh
            exchange = self._answer(request, (variation,), payable=calls)
            shows = exchange is not None and not exchange.rate_limited
            if shows and exchange and self.run.recorder.preview(exchange, _EXPLORE, base):
                self._record(_Found(base, (variation,), exchange))
            if self._sender.stop is not None:
                return

    def _record(self, found: _Found) -> None:
        names = frozenset(f"{v.dimension}: {v.name}" for v in found.chosen)
        self.found.append(names)
        label = " + ".join(sorted(names))
        dimension = found.chosen[0].dimension
        self.differences[dimension] += 1
        scenario = f"explore/{dimension}/{label}"
        recorder = self.run.recorder
        recorder.record(found.exchange, _EXPLORE, scenario, self.run.target.phase, found.base)

    def _round(self, number: int) -> _Found | None:
        strategy = st.tuples(
            st.integers(0, len(self.bases) - 1),
            st.lists(
                st.sampled_from(self.variations),
                min_size=2,
                max_size=3,
                unique_by=lambda v: v.dimension,
            ),
        )
        settings = search_settings(max(10, self._sender.left + 10))
        return first_difference(
            strategy,
            settings,
            self.seed * 1000 + number,
            self._sender,
            lambda example: self._evaluate(example[0], tuple(example[1])),
        )

    def _known(self, chosen: tuple[Variation, ...]) -> bool:
        names = {f"{v.dimension}: {v.name}" for v in chosen}
        return any(known <= names for known in self.found)

    def _evaluate(self, index: int, chosen: tuple[Variation, ...]) -> _Found | None:
        if self._sender.stop is not None or self._known(chosen):
            return None
        base = self._base_answers[index]
        if base.status is None or base.rate_limited:
            return None
        request = apply_all(self.bases[index].request, chosen)
        if request == base.request:
            return None
        exchange = self._answer(request, chosen)
        if exchange is None or exchange.rate_limited:
            return None
        if self.run.recorder.preview(exchange, _EXPLORE, base):
            return _Found(base, chosen, exchange)
        return None

    def _answer(
        self,
        request: Request,
        chosen: tuple[Variation, ...],
        *,
        payable: PayableCalls | None = None,
    ) -> Exchange | None:
        """A variant's answer (None: not sent); a call to the payable invoice goes out afresh,
        within ``payable``'s share for the exploration."""
        sent = self._sender.sent
        if payable is None:
            exchange = self._sender.answer(request)
        else:
            take = partial(payable.take, "exploration")
            back = partial(payable.give_back, "exploration")
            exchange = self._sender.answer(request, cached=False, admit=take, release=back)
        if self._sender.sent > sent:
            for dimension in {v.dimension for v in chosen}:
                self.explored[dimension] += 1
        return exchange
