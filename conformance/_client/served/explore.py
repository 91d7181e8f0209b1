"""Generated answers, run: cases drawn (seeded), served, judged, and a failing one shrunk.

The cases of a run are drawn first, in order (``case_draws``): the same seed gives the same
cases, at any ``--jobs``. Each case is one call (and a second on its twin when it has a
relation), judged by the oracle, the relations and the invariants. The first failing case of
each kind of problem is shrunk. A case is saved as the JSON of a ``--replay`` file.
"""

from __future__ import annotations

import contextlib
import json
import queue
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from conformance._client.calling.fault_server import fault_server
from conformance._client.calls.answers import Answer
from conformance._client.judging.checks import judge_call
from conformance._client.judging.oracle import documented
from conformance._client.served.answer_strategy import Case
from conformance._client.served.case_draws import (
    SHRINK_CALLS,
    SHRUNK_CASES,
    draw_cases,
    shape,
    shrink,
)
from conformance._errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from conformance._client.calling.fault_server import FaultServer
    from conformance._client.calls.call import Call
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
# Findings kept per check: one for each kind of problem (its title, numbers aside).
MAX_FINDINGS = 4


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
    from conformance._client.judging.relations import twin

    call = call_one(case.answer)
    other = twin(case.answer, case.relation) if case.relation else None
    if other is not None:
        call.relation, call.twin = case.relation, call_one(other)
    return call


def _ordered(checks: Sequence[Check[Call]], call: Call) -> list[Check[Call]]:
    """``checks``, with the oracle check of the answer's severity first: a client that gives no
    outcome is reported once, under it (MUST on a documented answer, SHOULD otherwise). On an
    answer the contract does not document, ``served_as_documented`` has nothing to judge and is
    left out, so that a crash there is never a MUST (at the documented level, not reported)."""
    answer = call.served[0] if call.served else None
    is_documented = isinstance(answer, Answer) and documented(answer)
    first = "served_as_documented" if is_documented else "served_as_answered"
    kept = [c for c in checks if is_documented or c.name != "served_as_documented"]
    return sorted(kept, key=lambda check: check.name != first)


class _Run:
    """One run of generated answers: how a case is called and judged, and shrunk."""

    def __init__(
        self, call_on: Callable[[Answer, FaultServer | None], Call],
        checks: Sequence[Check[Call]], *, command: bool,
        shrinking: tuple[Level, int, Spec | None] | None,
    ) -> None:  # fmt: skip
        self.call_on, self.checks, self.command, self.shrinking = (
            call_on,
            checks,
            command,
            shrinking,
        )
        self.servers: list[FaultServer] = []
        self.shrunk = 0

    def call(self, case: Case, server: FaultServer | None) -> Call:
        return _call_case(lambda answer: self.call_on(answer, server), case)

    def judge(self, call: Call) -> dict[str, list[Problem]]:
        judged = judge_call(_ordered(self.checks, call), call, wants_reply=True)
        return {check.name: judged.get(check.name, []) for check in self.checks}

    def smallest(
        self, index: int, case: Case, name: str, problem: Problem
    ) -> tuple[Case, Problem, bool]:
        """The case shrunk, and its problem, when a shrink is due; else as they were."""
        # The first case is the simplest the strategy has: nothing to shrink.
        if not self.shrinking or index == 0 or self.shrunk >= SHRUNK_CASES[self.command]:
            return case, problem, False
        self.shrunk += 1
        server = self.servers[0] if self.servers else None

        def fails(candidate: Case) -> list[Problem]:
            return self.judge(self.call(candidate, server))[name]

        best = shrink(case, fails, title=problem.title, shrinking=self.shrinking, index=index,
                      budget=SHRINK_CALLS[self.command])  # fmt: skip
        return (case, problem, False) if best is None else (best[0], best[1][0], True)

    def record(self, result: Explored, index: int, call: Call) -> None:
        """Judge the ``index``-th call into ``result``: a finding per kind of problem."""
        result.calls += 1 + (call.twin is not None)
        problems = self.judge(call)
        kind = "outcome" if call.outcome is not None else "no outcome"
        for check in self.checks:
            result.judged[check.name] |= check.applies_to(kind)
            found = result.found[check.name]
            for problem in problems[check.name]:
                if shape(problem.title) in {shape(p.title) for p, *_ in found}:
                    continue
                if len(found) < MAX_FINDINGS:
                    case, smallest, shrunk = self.smallest(
                        index, result.cases[index], check.name, problem
                    )
                    found.append((smallest, case, index, shrunk))
        if any(problems.values()):
            result.failed += 1
            if result.failed == 1:
                result.first = call


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
    call with ``checks``, shrink the first failure of each kind (``shrinking``: level, seed)."""
    result = Explored(
        drawn, {c.name: [] for c in checks}, dict.fromkeys((c.name for c in checks), False)
    )
    run = _Run(call_on, checks, command=command, shrinking=shrinking)
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        run.servers = [stack.enter_context(fault_server()) for _ in range(jobs if command else 0)]
        free: queue.Queue[FaultServer] = queue.Queue()
        for server in run.servers:
            free.put(server)

        def serve(index: int) -> Call:
            # Each call (and its twin) has a server to itself.
            server = free.get() if run.servers else None
            try:
                return run.call(drawn[index], server)
            finally:
                if server is not None:
                    free.put(server)
                step("generated")

        if len(run.servers) > 1:
            with ThreadPoolExecutor(max_workers=len(run.servers)) as pool:
                calls = list(pool.map(serve, range(len(drawn))))
        else:
            calls = [serve(i) for i in range(len(drawn))]
        result.first = calls[0] if calls else None
        for index, call in enumerate(calls):
            run.record(result, index, call)
    result.seconds = time.perf_counter() - start
    return result


def load_case(path: str) -> Case:
    """The case a ``--replay`` file holds; a one-line ``UsageError`` when it cannot be read."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("lago_conformance_case") != 1:
            raise ValueError("not a lago-conformance case file")
        relation = data.get("relation")
        return Case(
            Answer.from_json(data["answer"]), relation if isinstance(relation, str) else None
        )
    except OSError as error:
        raise UsageError(f"--replay {path!r}: cannot read it ({error.strerror})") from None
    except (ValueError, TypeError, KeyError) as error:
        raise UsageError(
            f"--replay {path!r}: not a case file written by lago-conformance ({error}); "
            "use a client-case-N.json from a report directory"
        ) from None
