"""Cases drawn and shrunk with Hypothesis' public API, seeded.

Answers are drawn in blocks of ``BLOCK``, each block a run of ``@given`` (generate phase only)
from its own seed, so that a case can be drawn again from its block alone. To shrink a failing
case, the block is drawn again from its seed, with the generate and shrink phases, without
calling the client until that case; then Hypothesis shrinks it with the client in the loop,
keeping candidates that fail the same way, within a budget of calls and of draws.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from conformance._client.served.answer_strategy import Case, answers, cases, relation_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._client.calls.answers import Answer
    from conformance._contract.levels import Level
    from conformance._contract.spec import Spec
    from conformance._report.findings import Problem

__all__ = ["BLOCK", "SHRINK_CALLS", "SHRUNK_CASES", "draw_cases", "shape", "shrink"]

# Calls a shrink may make, and how many cases a run shrinks, in-process / over a command.
SHRINK_CALLS = {False: 40, True: 10}
SHRUNK_CASES = {False: 4, True: 1}
# Hypothesis draws more candidates than it runs (some are invalid): at most this many a call.
DRAWS_PER_CALL = 3
# Cases are drawn in blocks, each from its own seed (see draw_cases).
BLOCK = 10


def _settings(count: int, phases: list[Phase]) -> settings:
    return settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
    )


def _block_seed(seed: int, block: int) -> int:
    return seed * 7919 + block


def _draw_block(level: Level, seed: int, block: int, spec: Spec | None) -> list[Answer]:
    drawn: list[Answer] = []

    @hypothesis_seed(_block_seed(seed, block))
    @_settings(BLOCK + 1, [Phase.generate])
    @given(answers(level, spec))
    def collect(answer: Answer) -> None:
        drawn.append(answer)

    collect()
    # Every run starts with the simplest case: block 0 keeps it, the others skip it.
    return drawn[: BLOCK + 1] if block == 0 else drawn[1 : BLOCK + 1]


@functools.lru_cache(maxsize=8)
def _drawn(level: Level, seed: int, count: int, spec: Spec | None) -> tuple[Case, ...]:
    drawn: list[Answer] = []
    block = 0
    while len(drawn) < count:
        drawn += _draw_block(level, seed, block, spec)
        block += 1
    return tuple(Case(answer, relation_for(answer, i)) for i, answer in enumerate(drawn[:count]))


def draw_cases(level: Level, seed: int, count: int, spec: Spec | None = None) -> list[Case]:
    """``count`` cases, the same for the same seed and level: answers drawn in blocks of
    ``BLOCK``, each from its own seed, so that a case is drawn again (to shrink it) from its
    block alone; the relations in turn (``relation_for``). Cases are immutable: a process that
    runs the same seed again (tests, nox -s faults) draws them once."""
    return list(_drawn(level, seed, count, spec))


def _position(index: int) -> tuple[int, int]:
    """The block of case ``index``, and its place in that block's run of Hypothesis."""
    if index <= BLOCK:
        return 0, index
    block, offset = divmod(index - (BLOCK + 1), BLOCK)
    return block + 1, offset + 1


class _Failing(Exception):
    """The candidate fails the check being shrunk."""


class _Spent(BaseException):
    """The shrink's budget of draws is spent: not an Exception, so Hypothesis lets it through."""


@st.composite
def _counted(draw: st.DrawFn, inner: st.SearchStrategy[Case], state: dict[str, Any]) -> Case:
    state["draws"] += 1
    if state["draws"] > state["max_draws"]:
        raise _Spent
    return draw(inner)


def shape(title: str) -> str:
    """A problem's title, numbers aside: what makes two problems the same kind."""
    return re.sub(r"\d+", "N", title)


def shrink(
    case: Case, fails: Callable[[Case], list[Problem]], *, title: str,
    shrinking: tuple[Level, int, Spec | None], index: int, budget: int,
) -> tuple[Case, list[Problem]] | None:  # fmt: skip
    """The smallest case found that fails like ``case`` (the ``index``-th of the seed's cases),
    with a problem of the same ``title`` (numbers aside); ``budget``: calls at most."""
    level, seed, spec = shrinking
    block, place = _position(index)
    state: dict[str, Any] = {"seen": 0, "on": False, "left": budget, "best": None, "draws": 0,
                             "max_draws": place + 1 + budget * DRAWS_PER_CALL}  # fmt: skip

    @hypothesis_seed(_block_seed(seed, block))
    @_settings(BLOCK + 1, [Phase.generate, Phase.shrink])
    @given(_counted(cases(level, spec, case.relation), state))
    def probe(candidate: Case) -> None:
        if not state["on"]:
            state["seen"] += 1
            if state["seen"] - 1 != place or candidate.answer != case.answer:
                return  # before the case (or, if generation drifted, never: no shrink)
            state["on"] = True
        best = state["best"]
        # Hypothesis replays the smallest failure: no call needed (and one raise, one origin).
        failing = best is not None and candidate == best[0]
        if not failing and state["left"] > 0:
            state["left"] -= 1
            problems = [p for p in fails(candidate) if shape(p.title) == shape(title)]
            if problems:
                state["best"], failing = (candidate, problems), True
        if failing:
            raise _Failing

    with contextlib.suppress(Exception, _Spent):  # _Failing, or Hypothesis' report of it
        probe()
    return state["best"]  # type: ignore[no-any-return]
