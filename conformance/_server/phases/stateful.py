"""The stateful phase: sequences of requests, drawn by a Hypothesis rule-based state machine,
each answer judged against one twin that keeps its state across the sequence, as Lago keeps a
checkout link.

Its rules are the requests the run can send: an unknown invoice or a named one, or the payable
invoice within ``--payable-calls``, with the run's key, the other organization's, none or a wrong
one, and any variation of ``variations.py``. Its invariants, judged after every step
(``sequence_checks.py``): the answer is Lago's at that point; the payable invoice's link does not
change; a refused or failed call changes nothing a later call sees. A difference is shrunk by
Hypothesis to the shortest sequence that shows it, and reported with one curl line per step.
The target is not reset between sequences (nothing can reset a deployment): a sequence is
judged on its own steps only, so that its reproduction holds on the target as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import hypothesis
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from conformance._server.judging.sequence_checks import (
    SEQUENCE_NO_SIDE_EFFECT,
    Step,
    every_call,
    judge_step,
    same_values,
)
from conformance._server.phases.search import Difference, search_settings
from conformance._server.transport.target import (
    BudgetExhausted,
    RateLimitedThroughout,
    TargetUnusable,
    Unsendable,
)

if TYPE_CHECKING:
    from conformance._contract.request import Request
    from conformance._report.findings import Check, Problem
    from conformance._server.judging.recorder import Recorder
    from conformance._server.phases.payable import PayableCalls
    from conformance._server.phases.variations import Variation
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target
    from conformance._server.twin.oracle import Twin

__all__ = ["DEFAULT_STATEFUL_REQUESTS", "SCENARIO", "Credentials", "StatefulPhase"]

DEFAULT_STATEFUL_REQUESTS = 40
SCENARIO = "stateful/sequence"
# Steps in one sequence; rounds of the machine (each after a new kind of difference).
STEPS = 6
ROUNDS = 3
# Calls to the payable invoice in one sequence, at most; requests kept for the control of a
# change after a refused call (the same request twice more).
PAYABLE_STEPS = 4
CONTROL = 2
_WRONG = "Bearer lago-conformance-wrong-key"


@dataclass(frozen=True)
class Credentials:
    """The keys a step may carry: the run's, the other organization's (None: not given)."""

    own: str
    other: str | None = None

    def forms(self) -> tuple[tuple[str, str | None], ...]:
        """(label, Authorization value) of each form a step draws from."""
        forms: list[tuple[str, str | None]] = [
            ("the run's key", f"Bearer {self.own}"),
            ("no key", None),
            ("a wrong key", _WRONG),
        ]
        if self.other is not None:
            forms.insert(1, ("the other organization's key", f"Bearer {self.other}"))
        return tuple(forms)

    def rotation(self) -> tuple[tuple[str, str | None], ...]:
        """The forms the payable invoice's calls walk through in a sequence: the run's key, then
        the refused forms, then the key again (what a refused call may have changed shows)."""
        own, *others = self.forms()
        refused = [form for form in others if form[0] != "the other organization's key"]
        other = [form for form in others if form[0] == "the other organization's key"]
        return (own, *refused, own, *other)


@dataclass(frozen=True)
class _Found:
    check: Check[Any]
    problem: Problem
    steps: tuple[Step, ...]
    lago: str


@dataclass
class StatefulPhase:
    """One run's stateful phase: ``budget`` requests at most, seeded by ``seed``."""

    target: Target
    recorder: Recorder
    twin: Twin
    credentials: Credentials
    bases: list[Request]
    payable: Request | None
    payable_calls: PayableCalls
    variations: list[Variation]
    budget: int
    seed: int
    # The calls to the payable invoice this phase may make, of the run's ``--payable-calls``.
    payable_share: int = 0
    sent: int = 0
    sequences: int = 0
    found: list[_Found] = field(default_factory=list)
    # Checks not judged at the run's level.
    unjudged: set[str] = field(default_factory=set)
    _stop: BaseException | None = None
    _round: list[_Found] = field(default_factory=list)

    def run(self) -> None:
        """Round after round, until nothing new shows or the budget is spent; each difference is
        recorded with its shortest sequence. Re-raises what stopped the target."""
        if self.budget <= 0 or not self.bases:
            return
        for number in range(ROUNDS):
            self._round = []
            self._machine(number)
            if self._round:
                first = self._round[0].check.name
                best = min(
                    (f for f in self._round if f.check.name == first), key=lambda f: len(f.steps)
                )
                best = self._controlled(best)
                self.found.append(best)
                self._record(best)
            if self._stop is not None:
                raise self._stop
            if not self._round or self.sent >= self.budget:
                return

    def _controlled(self, found: _Found) -> _Found:
        """A change after a refused call is blamed on that call only when the same request, sent
        twice more in a row, gets the same answer twice: else it changes at every call."""
        if found.check is not SEQUENCE_NO_SIDE_EFFECT:
            return found
        last = found.steps[-1]
        first, second = (self._alone(last.exchange.request, last.payable) for _ in range(CONTROL))
        if first is None or second is None or same_values(first, second):
            return found
        check, problem = every_call(last, found.problem, (first, second))
        return _Found(check, problem, found.steps, found.lago)

    def _alone(self, request: Request, payable: bool) -> Exchange | None:
        """One request of the control, within what the phase kept for it."""
        if payable and not self.payable_calls.take("stateful"):
            return None
        try:
            exchange = self.target.send(request)
        except (Unsendable, BudgetExhausted, TargetUnusable, RateLimitedThroughout):
            if payable:
                self.payable_calls.give_back("stateful")
            return None
        self.sent += 1
        return None if exchange.status is None or exchange.rate_limited else exchange

    def _record(self, found: _Found) -> None:
        lines = tuple(step.curl() for step in found.steps)
        last = found.steps[-1].exchange
        self.recorder.sequence(
            found.check, SCENARIO, found.problem, lines=lines, last=last, lago=found.lago
        )

    def _machine(self, number: int) -> None:
        phase = self
        forms = self.credentials.forms()
        rotation = self.credentials.rotation()
        everywhere = st.one_of(st.none(), st.sampled_from(self.variations))

        # The payable invoice as often as the other bases together, while its share lasts.
        targets: list[Request | None] = [None, *self.bases] if self.payable else [*self.bases]
        base = (
            st.one_of(st.just(None), st.sampled_from(targets))
            if self.payable
            else st.sampled_from(targets)
        )

        class Sequence(RuleBasedStateMachine):
            def __init__(self) -> None:
                super().__init__()
                self.steps: list[Step] = []
                phase.sequences += 1

            @rule(
                base=base,
                choice=st.integers(0, len(forms) * len(rotation) - 1),
                variation=everywhere,
            )
            def call(self, base: Request | None, choice: int, variation: Variation | None) -> None:
                form = forms[choice % len(forms)]
                if base is None:
                    # The payable invoice's calls walk the rotation (the simplest sequence, which
                    # Hypothesis tries first, sends each form in turn), at most PAYABLE_STEPS.
                    called = sum(step.payable for step in self.steps)
                    if called >= PAYABLE_STEPS:
                        base = phase.bases[0]
                    else:
                        base = phase.payable
                        form = rotation[(choice + called) % len(rotation)]
                    # No other verb on the payable invoice: only POST may reach its checkout.
                    if variation is not None and variation.dimension == "method":
                        variation = None
                assert base is not None
                phase.step(self.steps, base, form, variation)

        # Enough sequences to spend the budget, and a few more for the steps sent nowhere.
        settings = search_settings(-(-self.budget // STEPS) + 3, stateful_step_count=STEPS)

        @hypothesis.seed(self.seed * 1000 + 500 + number)
        def factory() -> Sequence:
            return Sequence()

        try:
            run_state_machine_as_test(factory, settings=settings)  # type: ignore[arg-type]
        except (Difference, Flaky):
            # A difference (ours), or Hypothesis finding its last replay not failing (the target
            # keeps state): what was seen is in ``_round`` either way.
            return

    def step(
        self,
        steps: list[Step],
        base: Request,
        form: tuple[str, str | None],
        variation: Variation | None,
    ) -> None:
        """Send one request of a sequence and judge it; raises ``Difference`` on a new one."""
        # The last CONTROL requests (and payable calls) are kept for ``_controlled``.
        if self.sent >= self.budget - CONTROL or self._stop is not None:
            return None
        label, authorization = form
        request = base.without("authorization")
        if authorization is not None:
            request = request.replace(headers=(("Authorization", authorization), *request.headers))
        if variation is not None:
            request = variation.apply(request)
            label = f"{label}, {variation.dimension}: {variation.name}"
        payable = self.payable_calls.names(request)
        if payable and (
            self.payable_calls.by_phase["stateful"] >= self.payable_share - CONTROL
            or not self.payable_calls.take("stateful")
        ):
            # Its share spent: the same step on an invoice no one has, instead.
            return self.step(steps, self.bases[0], form, variation)
        try:
            exchange = self.target.send(request)
        except Unsendable:
            if payable:
                self.payable_calls.give_back("stateful")
            return None
        except BudgetExhausted:
            if payable:
                self.payable_calls.give_back("stateful")
            self.sent = self.budget
            return None
        except (TargetUnusable, RateLimitedThroughout) as error:
            self._stop, self.sent = error, self.budget
            return None
        self.sent += 1
        steps.append(Step(exchange, self.twin(request), label, payable))
        known = self.unjudged | {found.check.name for found in self.found}
        judged = judge_step(steps, known)
        if judged is not None:
            check, problem, lago = judged
            self._round.append(_Found(check, problem, tuple(steps), lago))
            raise Difference
        return None
