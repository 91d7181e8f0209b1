"""Generated answers, run: cases drawn (seeded), served, judged, and a failing one shrunk.

The cases of a run are drawn first, in order, with Hypothesis' generate phase: the same seed
gives the same cases, at any ``--jobs``. Each case is one call (and a second on its twin when it
has a relation), judged by the oracle, the relations and the invariants. The first failing case
of each check is shrunk: Hypothesis draws the same cases again from the same seed, without
calling the client until that case, then shrinks it with the client in the loop, within a budget
of calls. A case is saved as the JSON of a ``--replay`` file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import queue
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from conformance._client.answer_strategy import Case, answers, cases, relation_for
from conformance._client.answers import Answer
from conformance._client.checks import judge_call
from conformance._client.fault_server import fault_server
from conformance._client.oracle import documented
from conformance._errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from conformance._client.call import Call
    from conformance._client.fault_server import FaultServer
    from conformance._contract.levels import Level
    from conformance._contract.spec import Spec
    from conformance._report.findings import Check, Problem

__all__ = [
    "DEFAULT_EXPLORE",
    "DEFAULT_EXPLORE_COMMAND",
    "Explored",
    "draw_cases",
    "explore",
    "load_case",
]

# As many as fit in about 5 s in-process (lago-python-client, the slower built-in, on 2 cores).
DEFAULT_EXPLORE = 200
# Over --command every call starts a process: fewer, spread over --jobs.
DEFAULT_EXPLORE_COMMAND = 24
# Calls a shrink may make, and how many checks get a shrunk case, in-process / over a command.
SHRINK_CALLS = {False: 40, True: 10}
SHRUNK_CASES = {False: 4, True: 1}
# Hypothesis draws more candidates than it runs (some are invalid): at most this many a call.
DRAWS_PER_CALL = 3
# Findings kept per check: one for each kind of problem (its title, numbers aside).
MAX_FINDINGS = 4
# Cases are drawn in blocks, each from its own seed (see draw_cases).
BLOCK = 10


def _settings(count: int, phases: list[Phase]) -> Any:
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


def _shape(title: str) -> str:
    return re.sub(r"\d+", "N", title)


def shrink(
    level: Level, seed: int, count: int, index: int, case: Case,
    fails: Callable[[Case], list[Problem]], title: str, budget: int, spec: Spec | None = None,
) -> tuple[Case, list[Problem]] | None:  # fmt: skip
    """The smallest case found that fails like ``case`` (the ``index``-th of the seed's cases)."""
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
            problems = [p for p in fails(candidate) if _shape(p.title) == _shape(title)]
            if problems:
                state["best"], failing = (candidate, problems), True
        if failing:
            raise _Failing

    with contextlib.suppress(Exception, _Spent):  # _Failing, or Hypothesis' report of it
        probe()
    return state["best"]  # type: ignore[no-any-return]


@dataclass
class Explored:
    """What a run of generated answers gave: per check, its findings as (problem, case, index,
    shrunk); which checks judged a call; the calls that failed; time taken."""

    cases: list[Case]
    found: dict[str, list[tuple[Problem, Case, int, bool]]] = field(default_factory=dict)
    judged: dict[str, bool] = field(default_factory=dict)
    failed: int = 0
    calls: int = 0
    seconds: float = 0.0
    first: Call | None = None


def _call_case(call_one: Callable[[Answer], Call], case: Case) -> Call:
    from conformance._client.relations import twin

    call = call_one(case.answer)
    other = twin(case.answer, case.relation) if case.relation else None
    if other is not None:
        call.relation, call.twin = case.relation, call_one(other)
    return call


def _ordered(checks: Sequence[Check[Call]], call: Call) -> list[Check[Call]]:
    """``checks``, with the oracle check of the answer's severity first: a client that gives no
    outcome is reported once, under it (MUST on a documented answer, SHOULD otherwise)."""
    answer = call.served[0] if call.served else None
    first = "served_as_documented" if isinstance(answer, Answer) and documented(answer) else (
        "served_as_answered")  # fmt: skip
    return sorted(checks, key=lambda check: check.name != first)


def _shrink_one(
    shrinking: tuple[Level, int, Spec | None], call_on: Callable[[Answer, FaultServer | None], Call],
    servers: list[FaultServer], checks: Sequence[Check[Call]], name: str, count: int,
    index: int, case: Case, problem: Problem, command: bool,
) -> tuple[Case, list[Problem]] | None:  # fmt: skip
    level, seed, spec = shrinking
    server = servers[0] if servers else None

    def fails(candidate: Case) -> list[Problem]:
        again = _call_case(lambda answer: call_on(answer, server), candidate)
        return judge_call(_ordered(checks, again), again, wants_reply=True)[name]

    return shrink(level, seed, count, index, case, fails, problem.title, SHRINK_CALLS[command], spec)


def explore(
    call_on: Callable[[Answer, FaultServer | None], Call],
    drawn: list[Case],
    checks: Sequence[Check[Call]],
    *,
    command: bool,
    jobs: int,
    step: Callable[[str], None],
    shrinking: tuple[Level, int, Spec | None] | None,
) -> Explored:
    """Serve every case (``jobs`` at once over a command, each on its own server), judge each
    call with ``checks``, shrink the first failure of each check (``shrinking``: level, seed)."""
    result = Explored(drawn, {c.name: [] for c in checks}, dict.fromkeys((c.name for c in checks), False))
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(fault_server()) for _ in range(jobs if command else 0)]

        free: queue.Queue[FaultServer] = queue.Queue()
        for server in servers:
            free.put(server)

        def run(index: int) -> Call:
            # Each call (and its twin) has a server to itself.
            server = free.get() if servers else None
            try:
                call = _call_case(lambda answer: call_on(answer, server), drawn[index])
            finally:
                if server is not None:
                    free.put(server)
            step("generated")
            return call

        if len(servers) > 1:
            with ThreadPoolExecutor(max_workers=len(servers)) as pool:
                calls = list(pool.map(run, range(len(drawn))))
        else:
            calls = [run(i) for i in range(len(drawn))]
        shrunk = 0
        for index, call in enumerate(calls):
            result.calls += 1 + (call.twin is not None)
            result.first = result.first or call
            problems = judge_call(_ordered(checks, call), call, wants_reply=True)
            kind = "outcome" if call.outcome is not None else "no outcome"
            for check in checks:
                result.judged[check.name] |= check.applies_to(kind)
                found = result.found[check.name]
                for problem in problems[check.name]:
                    shapes = {_shape(p.title) for p, *_ in found}
                    if _shape(problem.title) in shapes or len(found) >= MAX_FINDINGS:
                        continue
                    case, was_shrunk = drawn[index], False
                    # The first case is the simplest the strategy has: nothing to shrink.
                    if shrinking and index > 0 and shrunk < SHRUNK_CASES[command]:
                        shrunk += 1
                        best = _shrink_one(shrinking, call_on, servers, checks, check.name,
                                           len(drawn), index, case, problem, command)  # fmt: skip
                        if best is not None:
                            (case, (problem, *_)), was_shrunk = best, True
                    found.append((problem, case, index, was_shrunk))
            if any(problems.values()):
                result.failed += 1
                if result.failed == 1:
                    result.first = call
    result.seconds = time.perf_counter() - start
    return result


def load_case(path: str) -> Case:
    """The case a ``--replay`` file holds; a one-line ``UsageError`` when it cannot be read."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("lago_conformance_case") != 1:
            raise ValueError("not a lago-conformance case file")
        relation = data.get("relation")
        return Case(Answer.from_json(data["answer"]), relation if isinstance(relation, str) else None)
    except OSError as error:
        raise UsageError(f"--replay {path!r}: cannot read it ({error.strerror})") from None
    except (ValueError, TypeError, KeyError) as error:
        raise UsageError(
            f"--replay {path!r}: not a case file written by lago-conformance ({error}); "
            "use a client-case-N.json from a report directory"
        ) from None
