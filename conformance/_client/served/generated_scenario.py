"""The ``generated`` scenario: generated answers served to the subject, into results and a record.

Its findings carry the failing case, shrunk, and a reproduction line with ``--replay`` and the
case file's name; the cases themselves go in the report's metadata (``generated.cases``), which
the command line writes out as ``client-case-N.json`` beside the report.
"""

from __future__ import annotations

import os
import shlex
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance._client.calling.options import reproduce_line
from conformance._client.calling.transports import call_command, call_in_process
from conformance._client.calls.call import API_KEY, INVOICE_ID
from conformance._client.served.explore import (
    DEFAULT_EXPLORE,
    DEFAULT_EXPLORE_COMMAND,
    draw_cases,
    explore,
    load_case,
)
from conformance._client.served.scenario import BASE_URLS
from conformance._report.findings import CaseResult

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._client.calling.adapters import Subject
    from conformance._client.calling.fault_server import FaultServer
    from conformance._client.calling.options import ClientOptions
    from conformance._client.calls.answers import Answer
    from conformance._client.calls.call import Call
    from conformance._client.served.answer_strategy import Case
    from conformance._client.served.scenario import Scenario
    from conformance._report.findings import Finding

__all__ = ["GENERATED_NAME", "case_count", "judge_generated"]

GENERATED_NAME = "generated"


def case_count(subject: Subject, options: ClientOptions) -> int:
    """How many cases this run draws."""
    if options.replay is not None:
        return 1
    if options.explore is not None:
        return options.explore
    return DEFAULT_EXPLORE if subject.command is None else DEFAULT_EXPLORE_COMMAND


def _caller(
    subject: Subject, options: ClientOptions
) -> Callable[[Answer, FaultServer | None], Call]:
    base = BASE_URLS["us"]

    def call_on(answer: Answer, server: FaultServer | None) -> Call:
        if subject.call is not None:
            call = call_in_process(subject.call, (answer,), base, INVOICE_ID)
        else:
            assert server is not None
            assert subject.command is not None
            call = call_command(subject.command, server, serves=(answer,),
                                path_prefix=urllib.parse.urlsplit(base).path, lago_id=INVOICE_ID,
                                timeout=options.timeout)  # fmt: skip
        call.allowed_retries = subject.allowed_retries
        return call

    return call_on


def _served(case: Case) -> str:
    from conformance._client.judging.relations import twin

    text = case.answer.describe()
    other = twin(case.answer, case.relation) if case.relation else None
    return text + (f"; its twin ({case.relation}): {other.describe()}" if other else "")


def judge_generated(
    subject: Subject, options: ClientOptions, scenario: Scenario, jobs: int,
    step: Callable[[str], None],
) -> tuple[list[CaseResult], dict[str, Any], str, float]:  # fmt: skip
    """Serve the generated cases, judge them; results, the record, the verdict and the time."""
    checks = [check for check in scenario.checks if check.runs_at(options.level)]
    count, command = case_count(subject, options), subject.command is not None
    if count == 0:
        skipped = [CaseResult(c.name, scenario.name, c.severity, skipped="--explore 0")
                   for c in scenario.checks]  # fmt: skip
        return (
            skipped,
            {"group": scenario.group, "calls": 0, "cases": 0},
            "not run: --explore 0",
            0.0,
        )
    if options.replay is not None:
        drawn, shrinking = [load_case(options.replay)], None
    else:
        drawn = draw_cases(options.level, options.seed, count, options.spec)
        shrinking = (options.level, options.seed, options.spec)
    explored = explore(_caller(subject, options), drawn, checks, command=command,
                       jobs=jobs, step=step, shrinking=shrinking)  # fmt: skip
    cases: dict[str, Any] = {}
    results = []
    where = "" if options.case_dir is None else str(Path(options.case_dir)) + os.sep
    for check in scenario.checks:
        if check not in checks:
            results.append(CaseResult(check.name, scenario.name, check.severity,
                                      skipped="SHOULD checks run at --level strict"))  # fmt: skip
            continue
        findings: list[Finding] = []
        for problem, case, index, shrunk in explored.found[check.name]:
            name = f"client-case-{len(cases) + 1}.json"
            cases[name] = case.to_json()
            origin = ("the case in --replay" if options.replay else
                      f"case {index} of --seed {options.seed} --explore {count}"
                      + (", shrunk" if shrunk else ""))  # fmt: skip
            received = f"{problem.received}; served ({origin}): {_served(case)}"
            findings.append(check.finding(
                problem._replace(received=received),
                reproduce_line(subject, options, scenario.name, f"--replay {shlex.quote(where + name)}"),
                (API_KEY,), title=f"{scenario.name}: {problem.title}",
            ))  # fmt: skip
        skip = None if explored.judged[check.name] or findings else "the client gave no outcome"
        results.append(CaseResult(check.name, scenario.name, check.severity, tuple(findings), skip))
    statuses = Counter(case.answer.status for case in drawn)
    first = explored.first
    record: dict[str, Any] = {
        "group": scenario.group,
        "severity": scenario.severity,
        "served": [first.served[0].describe()] if first is not None and first.served else [],
        "requests": [f"{r.method} {r.url}" for r in first.requests[:5]] if first else [],
        "request_count": len(first.requests) if first else 0,
        "outcome": first.outcome if first else None,
        "error": first.error if first else None,
        "calls": explored.calls,
        "failed_calls": explored.failed,
        "cases": len(drawn),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "relations": dict(sorted(Counter(c.relation or "none" for c in drawn).items())),
        "transports": dict(sorted(Counter(c.answer.transport or "none" for c in drawn).items())),
        "case_files": cases,
    }
    worst = [f"[{c.severity}] {c.name}" for c in checks if explored.found[c.name]]
    verdict = f"FAIL {', '.join(worst)} ({explored.failed}/{len(drawn)} cases)" if worst else "pass"
    return results, record, verdict, explored.seconds
