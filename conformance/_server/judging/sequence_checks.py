"""The stateful phase's invariants, judged after every step of a sequence.

- ``sequence_refuses`` (MUST): where Lago, at this point, answers 401, the target does not
  authenticate; where it answers 404, no 2xx (a stored answer replayed to another key, or to
  none, shows here);
- ``sequence_answers`` (SHOULD): the answer has the shape of Lago's at this point, and equals the
  target's earlier answer, in the same sequence, to a request Lago answered alike;
- ``sequence_link_kept`` (SHOULD): the payable invoice's ``payment_url`` is the one the sequence
  first got (lago-api ``app/services/payment_intents/fetch_service.rb``);
- ``sequence_no_side_effect`` (SHOULD): such a change, when a call Lago refuses or fails (401,
  404, 422) came between the two answers, is that call's doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance._contract.rules import ROOT_KEY
from conformance._report.findings import Check, Problem
from conformance._server.twin.oracle import (
    Comparison,
    describe_lago,
    lago_reacts,
    lago_refuses,
    lago_values,
    target_values,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from conformance._contract.rules import Reply
    from conformance._server.transport.exchange import Exchange

__all__ = [
    "SEQUENCE_ANSWERS",
    "SEQUENCE_CHECKS",
    "SEQUENCE_LINK_KEPT",
    "SEQUENCE_NO_SIDE_EFFECT",
    "SEQUENCE_REFUSES",
    "Step",
    "every_call",
    "judge_step",
    "same_values",
]


def _judges(observed: Iterable[Problem]) -> Iterator[Problem]:
    # The phase decides its problems itself (``judge_step``); a check here only names them.
    yield from observed


SEQUENCE_REFUSES: Check[Iterable[Problem]] = Check("sequence_refuses", _judges)
SEQUENCE_ANSWERS: Check[Iterable[Problem]] = Check("sequence_answers", _judges)
SEQUENCE_LINK_KEPT: Check[Iterable[Problem]] = Check("sequence_link_kept", _judges)
SEQUENCE_NO_SIDE_EFFECT: Check[Iterable[Problem]] = Check("sequence_no_side_effect", _judges)
SEQUENCE_CHECKS = (SEQUENCE_REFUSES, SEQUENCE_ANSWERS, SEQUENCE_LINK_KEPT, SEQUENCE_NO_SIDE_EFFECT)


@dataclass(frozen=True)
class Step:
    """One step of a sequence: what the target answered, what Lago's twin answered at that
    point, which credentials and variation it carried, and whether it asked for the payable
    invoice."""

    exchange: Exchange
    lago: Reply
    label: str
    payable: bool

    @property
    def refused(self) -> bool:
        """Whether Lago refuses or fails this call (a 4xx)."""
        return self.lago.status >= 400

    def curl(self) -> str:
        """The step's curl line, with what it carries said after it (the keys are redacted)."""
        return f"{self.exchange.curl()}  # {self.label}"


def _link(exchange: Exchange) -> str | None:
    body = exchange.body_json() if exchange.status == 200 else None
    details = body.get(ROOT_KEY) if isinstance(body, dict) else None
    link = details.get("payment_url") if isinstance(details, dict) else None
    return link if isinstance(link, str) else None


def _between(steps: list[Step], start: int) -> list[int]:
    """The steps after ``start`` and before the last that Lago refuses or fails (1-based)."""
    return [number + 1 for number in range(start + 1, len(steps) - 1) if steps[number].refused]


def _changed(
    steps: list[Step], earlier: int, title: str, check: Check[Any]
) -> tuple[Check[Any], Problem]:
    refused = _between(steps, earlier)
    now = steps[-1].exchange
    then = steps[earlier].exchange
    expected = f"what step {earlier + 1} got: {then.describe()}"
    if refused:
        named = ", ".join(str(n) for n in refused)
        problem = Problem(
            f"A refused or failed call changed what a later call sees (steps {named})",
            f"step {len(steps)}: {now.describe()}",
            expected,
        )
        return SEQUENCE_NO_SIDE_EFFECT, problem
    return check, Problem(title, f"step {len(steps)}: {now.describe()}", expected)


def same_values(first: Exchange, second: Exchange) -> bool:
    """Whether two answers are equal, values included, but for what a deployment owns."""
    return target_values(first) == target_values(second)


def every_call(
    step: Step, problem: Problem, control: tuple[Exchange, Exchange]
) -> tuple[Check[Any], Problem]:
    """The change ``problem`` blamed on a refused call, when the control (the same request twice
    more) showed that it changes at every call anyway: the link, or the answer, is not kept."""
    links = [_link(exchange) for exchange in control]
    moved = step.payable and links[0] is not None and links[0] != links[1]
    check = SEQUENCE_LINK_KEPT if moved else SEQUENCE_ANSWERS
    what = "checkout link" if check is SEQUENCE_LINK_KEPT else "answer"
    title = (
        f"The payable invoice's {what} changes at every call"
        if step.payable
        else ("Answered otherwise at every call, where Lago answers alike")
    )
    expected = (
        f"{problem.expected}; the same request sent twice more got two different answers too: "
        "it changes whatever came between"
    )
    return check, Problem(title, problem.received, expected)


def judge_step(steps: list[Step], known: set[str]) -> tuple[Check[Any], Problem, str] | None:
    """The first invariant the sequence's last step breaks (checks in ``known`` already found
    are passed over), with Lago's answer at that point; None when it breaks none."""
    step = steps[-1]
    exchange, lago = step.exchange, step.lago
    if exchange.status is None or exchange.rate_limited:
        return None
    shown = describe_lago(lago, exchange.method)
    comparison = Comparison(exchange, lago)
    found = _first(steps, comparison, known)
    return (found[0], found[1], shown) if found is not None else None


def _first(
    steps: list[Step], comparison: Comparison, known: set[str]
) -> tuple[Check[Any], Problem] | None:
    for problem in lago_refuses(comparison):
        if SEQUENCE_REFUSES.name not in known:
            return SEQUENCE_REFUSES, problem._replace(
                title=f"{problem.title}, at step {len(steps)} of a sequence"
            )
    step = steps[-1]
    link = _link(step.exchange) if step.payable else None
    if link is not None:
        first = next(i for i, s in enumerate(steps) if s.payable and _link(s.exchange))
        if link != _link(steps[first].exchange):
            found = _changed(
                steps, first, "The payable invoice's checkout link changed", SEQUENCE_LINK_KEPT
            )
            return None if found[0].name in known else found
    for problem in lago_reacts(comparison):
        if SEQUENCE_ANSWERS.name not in known:
            return SEQUENCE_ANSWERS, problem._replace(
                title=f"Not answered as Lago answers at step {len(steps)} of a sequence"
            )
    return _values(steps, known)


def _values(steps: list[Step], known: set[str]) -> tuple[Check[Any], Problem] | None:
    """The target's answer equals its earlier one in the sequence to a request Lago answered
    alike (its own answer is the reference: nothing about its live data needs to be known)."""
    step = steps[-1]
    exchange = step.exchange
    # A proxy may refuse a long request line (400, 414): an answer, whatever Lago says.
    if exchange.status in (400, 414) or exchange.truncated:
        return None
    lago = lago_values(step.lago, exchange.request)
    for number, earlier in enumerate(steps[:-1]):
        then = earlier.exchange
        if then.status is None or then.rate_limited or then.status in (400, 414):
            continue
        if lago_values(earlier.lago, then.request) != lago:
            continue
        if target_values(then) == target_values(exchange):
            return None
        found = _changed(
            steps,
            number,
            f"Answered otherwise than step {number + 1}, which Lago answers alike",
            SEQUENCE_ANSWERS,
        )
        return None if found[0].name in known else found
    return None
