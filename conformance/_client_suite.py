"""The client suite: runs the catalogue against one client, on respx or over HTTP, into a Report."""

from __future__ import annotations

import contextlib
import shlex
from typing import TYPE_CHECKING, Any

from conformance._errors import UsageError
from conformance._exchange import API_KEY, COMMAND_TIMEOUT, HANG_BOUND_SECONDS, Reply
from conformance._fault_server import fault_server
from conformance._findings import CaseResult, Finding, Report
from conformance._judges import Problem
from conformance._scenarios import BASE_URLS, catalogue, generated_bodies
from conformance._transports import call_command, call_in_process

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._adapters import Subject
    from conformance._console import Progress
    from conformance._contract import Level
    from conformance._exchange import Exchange, Serve
    from conformance._fault_server import FaultServer
    from conformance._findings import FailOn
    from conformance._scenarios import Scenario

__all__ = ["COMMAND_TIMEOUT", "run_client_suite", "scenario_names"]

# Findings kept per check and scenario: generated bodies that fail alike need not all be listed.
_MAX_FINDINGS = 3


def scenario_names() -> list[str]:
    """Every scenario's name, in catalogue order."""
    return [scenario.name for scenario in catalogue()]


def _reproduce(subject: Subject, level: Level, seed: int, max_examples: int, scenario: str) -> str:
    how = (
        f"--command {shlex.quote(subject.command)}"
        if subject.command
        else f"--adapter {shlex.quote(subject.name)}"
    )
    line = f"lago-conformance client {how} --level {level} --seed {seed} --scenario {scenario}"
    return line + (f" --max-examples {max_examples}" if scenario == "200-generated" else "")


def _variants(
    scenario: Scenario, level: Level, seed: int, max_examples: int
) -> list[tuple[Serve, ...]]:
    if scenario.generated:
        return [(Reply.of_json(200, body),) for body in generated_bodies(level, seed, max_examples)]
    return [scenario.serves]


def _judge(scenario: Scenario, checks: list[Any], exchange: Exchange) -> dict[str, list[Problem]]:
    problems: dict[str, list[Problem]] = {check.name: [] for check in checks}
    error_reported = False
    wants_reply = scenario.generated or any(isinstance(serve, Reply) for serve in scenario.serves)
    for check in checks:
        if (
            check.needs_outcome
            and exchange.outcome is not None
            and wants_reply
            and not exchange.last_reply
        ):
            received = f"{len(exchange.requests)} request(s) answered, outcome {exchange.outcome}"
            problems[check.name].append(
                Problem(
                    "the client reported an outcome without an answer",
                    received,
                    "one POST, then its outcome",
                )
            )
        elif exchange.outcome is not None or not check.needs_outcome:
            problems[check.name] += check.judge(exchange)
        elif not error_reported:
            title = (exchange.error or "no outcome").split(": ")[0]
            problems[check.name].append(
                Problem(title, exchange.error or "", "an outcome: one JSON object")
            )
            error_reported = True
    return problems


def _served_text(exchange: Exchange, scenario: Scenario) -> str:
    served = exchange.served or list(scenario.serves)
    return " then ".join(serve.describe() for serve in served[:3]) + (
        " …" if len(served) > 3 else ""
    )


class _Run:
    """One run's state: the subject, its transport and the findings so far."""

    def __init__(
        self, subject: Subject, level: Level, seed: int, max_examples: int, timeout: float
    ) -> None:
        self.subject, self.level, self.seed = subject, level, seed
        self.max_examples, self.timeout = max_examples, timeout
        self.server: FaultServer | None = None

    def call(self, scenario: Scenario, serves: tuple[Serve, ...]) -> Exchange:
        if self.subject.call is not None:
            return call_in_process(
                self.subject.call, serves, BASE_URLS[scenario.base], scenario.lago_id
            )
        assert self.server is not None
        assert self.subject.command is not None
        prefix = "/lago/api/v1" if scenario.base == "self-hosted" else "/api/v1"
        return call_command(
            self.subject.command,
            self.server,
            serves=serves,
            path_prefix=prefix,
            lago_id=scenario.lago_id,
            timeout=self.timeout,
        )

    def scenario(self, scenario: Scenario, report: Report, step: Callable[[str], None]) -> str:
        checks = [c for c in scenario.checks if self.level == "strict" or c.severity == "MUST"]
        skipped = None
        if not checks:
            skipped = "SHOULD checks run at --level strict"
        elif self.subject.command is not None and scenario.in_process_only:
            skipped = "needs a public host name: runs in-process only"
        if skipped is not None:
            report.results += [
                CaseResult(c.name, scenario.name, c.severity, skipped=skipped)
                for c in scenario.checks
            ]
            return f"not run: {skipped}"
        found: dict[str, list[Finding]] = {check.name: [] for check in checks}
        judged: dict[str, bool] = dict.fromkeys(found, False)
        failed, variants = 0, _variants(scenario, self.level, self.seed, self.max_examples)
        record: dict[str, Any] = {}
        for serves in variants:
            exchange = self.call(scenario, serves)
            step(scenario.name)
            problems = _judge(scenario, checks, exchange)
            for check in checks:
                judged[check.name] |= exchange.outcome is not None or not check.needs_outcome
                for problem in problems[check.name][: _MAX_FINDINGS - len(found[check.name])]:
                    found[check.name].append(
                        self.finding(scenario, check.name, check.severity, problem, exchange)
                    )
            if any(problems.values()):
                failed += 1
            if not record or (failed == 1 and any(problems.values())):
                record = self.record(scenario, exchange)
        report.metadata["scenarios"][scenario.name] = {
            **record,
            "calls": len(variants),
            "failed_calls": failed,
        }
        for check in checks:
            skip = None if judged[check.name] or found[check.name] else "the client gave no outcome"
            report.results.append(
                CaseResult(
                    check.name, scenario.name, check.severity, tuple(found[check.name]), skip
                )
            )
        report.results += [
            CaseResult(
                c.name, scenario.name, c.severity, skipped="SHOULD checks run at --level strict"
            )
            for c in scenario.checks
            if c not in checks
        ]
        worst = [f"[{c.severity}] {c.name}" for c in checks if found[c.name]]
        return (
            f"FAIL {', '.join(worst)}"
            + (f" ({failed}/{len(variants)} bodies)" if scenario.generated else "")
            if worst
            else "pass"
        )

    def finding(
        self, scenario: Scenario, check: str, severity: Any, problem: Problem, exchange: Exchange
    ) -> Finding:
        return Finding(
            check=check,
            severity=severity,
            title=f"{scenario.name}: {problem.title}",
            received=f"{problem.received}; served: {_served_text(exchange, scenario)}",
            expected=problem.expected,
            reproduce=_reproduce(
                self.subject, self.level, self.seed, self.max_examples, scenario.name
            ),
        )

    def record(self, scenario: Scenario, exchange: Exchange) -> dict[str, Any]:
        return {
            "group": scenario.group,
            "severity": scenario.severity,
            "served": [serve.describe() for serve in exchange.served]
            or [s.describe() for s in scenario.serves],
            "requests": [f"{r.method} {r.url}" for r in exchange.requests[:5]],
            "request_count": len(exchange.requests),
            "outcome": exchange.outcome,
            "error": exchange.error,
            "seconds": round(exchange.seconds, 3),
        }


def run_client_suite(
    subject: Subject,
    *,
    level: Level = "strict",
    fail_on: FailOn = "must",
    seed: int = 0,
    max_examples: int = 100,
    scenarios: list[str] | None = None,
    timeout: float = COMMAND_TIMEOUT,
    progress: Progress | None = None,
) -> Report:
    """Serve the catalogue (or the named ``scenarios``) to ``subject`` and judge each call."""
    chosen = catalogue()
    if scenarios:
        unknown = sorted(set(scenarios) - {scenario.name for scenario in chosen})
        if unknown:
            raise UsageError(
                f"unknown --scenario {', '.join(unknown)}; known: {', '.join(scenario_names())}"
            )
        chosen = [scenario for scenario in chosen if scenario.name in scenarios]
    report = Report(
        suite="client",
        subject=subject.identity(),
        level=level,
        fail_on=fail_on,
        seed=seed,
        secrets=(API_KEY,),
    )
    report.metadata.update(
        {
            "adapter": subject.identity(),
            "hang_bound_seconds": HANG_BOUND_SECONDS,
            "max_examples": max_examples,
            "scenarios": {},
        }
    )
    report.notes.append(
        f"429 answers carry 0-second hints, so no run sleeps: bounded retries are checked, the wait is not. "
        f"A client must give up on a silent server within {HANG_BOUND_SECONDS:g} s."
    )
    run = _Run(subject, level, seed, max_examples, timeout)
    rows: list[list[str]] = [["scenario", "group", "severity", "verdict"]]

    def step(name: str) -> None:
        if progress is not None:
            progress.step(name)

    with fault_server() if subject.command is not None else contextlib.nullcontext() as server:
        run.server = server
        for scenario in chosen:
            verdict = run.scenario(scenario, report, step)
            rows.append([scenario.name, scenario.group, scenario.severity, verdict])
    if progress is not None:
        progress.close()
    report.coverage["tables"] = {"Scenario x verdict": rows}
    return report
