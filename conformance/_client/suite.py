"""The client suite: runs the catalogue against one client, on respx or over HTTP, into a Report."""

from __future__ import annotations

import contextlib
import queue
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance._client.calling.adapters import Subject, command_subject, declared, load_adapter
from conformance._client.calling.configs import OPTIONS, configured
from conformance._client.calling.fault_server import fault_server
from conformance._client.calling.options import ClientOptions, reproduce_line
from conformance._client.calling.transports import call_command, call_in_process
from conformance._client.calls.call import API_KEY, HANG_BOUND_SECONDS, Fault
from conformance._client.judging.checks import judge_call
from conformance._client.served.catalogue import BASE_URLS, catalogue, generated_bodies
from conformance._client.served.generated_scenario import case_count, judge_generated
from conformance._contract.document import spec_metadata
from conformance._contract.rules import Reply
from conformance._errors import UsageError
from conformance._report.findings import CaseResult, Report, redact

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._client.calling.fault_server import FaultServer
    from conformance._client.calls.call import Call, Serve
    from conformance._client.served.catalogue import Scenario
    from conformance._report.findings import Check, Finding, Problem

__all__ = ["ClientOptions", "run_subject", "scenario_names", "subject_for"]

# Findings kept per check and scenario: generated bodies that fail alike need not all be listed.
_MAX_FINDINGS = 3
_SHOULD_AT_STRICT = "SHOULD checks run at --level strict"
_NO_DEFAULT = (
    "the client takes no default base URL (built-in adapters do; a Python adapter says so with "
    "default_base_url = True and is then called with None)"
)


@dataclass
class _Judged:
    """What one scenario gave: its results, its record for the report, its verdict."""

    results: list[CaseResult] = field(default_factory=list)
    record: dict[str, Any] | None = None
    verdict: str = "pass"
    seconds: float = 0.0


def subject_for(options: ClientOptions) -> Subject:
    """The client the options name; a ``UsageError`` when it cannot be loaded."""
    if options.command is not None:
        if options.client_options:
            raise UsageError("--client-option configures a built-in adapter, not a --command")
        return command_subject(options.command)
    if callable(options.adapter):
        name = getattr(options.adapter, "__qualname__", type(options.adapter).__name__)
        return declared(Subject(name, None, options.adapter))
    subject = load_adapter(options.adapter)
    if not options.client_options:
        return subject
    if subject.name not in OPTIONS:
        raise UsageError(
            f"--client-option configures the built-in adapters ({', '.join(OPTIONS)}); "
            f"the adapter {subject.name!r} configures itself"
        )
    return configured(subject.name, subject, options.client_options)


def scenario_names() -> list[str]:
    """Every scenario's name, in catalogue order."""
    return [scenario.name for scenario in catalogue()]


def _variants(scenario: Scenario, options: ClientOptions) -> list[tuple[Serve, ...]]:
    if scenario.generated:
        bodies = generated_bodies(options.level, options.seed, options.max_examples, options.spec)
        return [(Reply.of_json(200, body),) for body in bodies]
    return [scenario.serves]


class _ClientRun:
    """One run's state: the subject and the options; each call gets the server it runs on."""

    def __init__(self, subject: Subject, options: ClientOptions) -> None:
        self.subject, self.options = subject, options

    def call(
        self, scenario: Scenario, serves: tuple[Serve, ...], server: FaultServer | None
    ) -> Call:
        given = scenario.base != "default"  # else the client's own default base URL
        if self.subject.call is not None:
            call = call_in_process(
                self.subject.call, serves, BASE_URLS[scenario.base], scenario.lago_id, given=given
            )
        else:
            assert server is not None
            assert self.subject.command is not None
            call = call_command(
                self.subject.command,
                server,
                serves=serves,
                path_prefix=urllib.parse.urlsplit(BASE_URLS[scenario.base]).path,
                lago_id=scenario.lago_id,
                timeout=self.options.timeout,
                given=given,
            )
        call.allowed_retries = self.subject.allowed_retries
        return call

    def scenario(
        self,
        scenario: Scenario,
        variants: list[tuple[Serve, ...]],
        server: FaultServer | None,
        step: Callable[[str], None],
    ) -> _Judged:
        if scenario.explore:
            jobs = self.options.jobs_for(self.subject)
            return _Judged(*judge_generated(self.subject, self.options, scenario, jobs, step))
        checks = [c for c in scenario.checks if c.runs_at(self.options.level)]
        skipped = scenario.skipped_on(command=self.subject.command is not None)
        if scenario.base == "default" and not self.subject.default_base_url:
            skipped = _NO_DEFAULT
        if not any(check.runs_at(self.options.level) for check in scenario.own_checks):
            skipped = _SHOULD_AT_STRICT
        if skipped is not None:
            results = [
                CaseResult(c.name, scenario.name, c.severity, skipped=skipped)
                for c in scenario.checks
            ]
            return _Judged(results, None, f"not run: {skipped}")
        found: dict[str, list[Finding]] = {check.name: [] for check in checks}
        judged: dict[str, bool] = dict.fromkeys(found, False)
        failed, seconds = 0, 0.0
        wants_reply = scenario.generated or any(isinstance(s, Reply) for s in scenario.serves)
        record: dict[str, Any] = {}
        for serves in variants:
            call = self.call(scenario, serves, server)
            step(scenario.name)
            problems = judge_call(checks, call, wants_reply=wants_reply)
            kind = "outcome" if call.outcome is not None else "no outcome"
            for check in checks:
                judged[check.name] |= check.applies_to(kind)
                for problem in problems[check.name][: _MAX_FINDINGS - len(found[check.name])]:
                    found[check.name].append(self.finding(scenario, check, problem, call))
            if any(problems.values()):
                failed += 1
            if not record or (failed == 1 and any(problems.values())):
                record, seconds = self.record(scenario, call), call.seconds
        record.update(calls=len(variants), failed_calls=failed)
        judgement = _Judged(record=record, seconds=seconds)
        for check in checks:
            skip = None if judged[check.name] or found[check.name] else "the client gave no outcome"
            judgement.results.append(
                CaseResult(
                    check.name, scenario.name, check.severity, tuple(found[check.name]), skip
                )
            )
        judgement.results += [
            CaseResult(c.name, scenario.name, c.severity, skipped=_SHOULD_AT_STRICT)
            for c in scenario.checks
            if c not in checks
        ]
        worst = [f"[{c.severity}] {c.name}" for c in checks if found[c.name]]
        if worst:
            bodies = f" ({failed}/{len(variants)} bodies)" if scenario.generated else ""
            judgement.verdict = f"FAIL {', '.join(worst)}{bodies}"
        return judgement

    def finding(
        self, scenario: Scenario, check: Check[Call], problem: Problem, call: Call
    ) -> Finding:
        received = f"{problem.received}; served: {call.served_text(scenario.serves)}"
        return check.finding(
            problem._replace(received=received),
            reproduce_line(self.subject, self.options, scenario.name),
            (API_KEY,),
            title=f"{scenario.name}: {problem.title}",
        )

    def record(self, scenario: Scenario, call: Call) -> dict[str, Any]:
        return {
            "group": scenario.group,
            "severity": scenario.severity,
            "served": [call.shown_url(serve.describe()) for serve in call.served]
            or [s.describe() for s in scenario.serves],
            "requests": [f"{r.method} {call.shown_url(r.url)}" for r in call.requests[:5]],
            "request_count": len(call.requests),
            "outcome": call.outcome,
            "error": call.error,
        }


def run_subject(
    subject: Subject, options: ClientOptions, step: Callable[[str], None] | None = None
) -> Report:
    """Serve the catalogue (or the scenarios the options name) to ``subject``, judge each call."""
    chosen = catalogue(options.spec)
    if options.replay is not None:
        chosen = [scenario for scenario in chosen if scenario.explore]
    elif options.scenarios:
        unknown = sorted(set(options.scenarios) - {scenario.name for scenario in chosen})
        if unknown:
            raise UsageError(
                f"unknown --scenario {', '.join(unknown)}; known: {', '.join(scenario_names())}"
            )
        chosen = [scenario for scenario in chosen if scenario.name in options.scenarios]
    report = Report(
        "client",
        subject.identity(),
        options.level,
        options.fail_on,
        options.seed,
        secrets=(API_KEY,),
    )
    report.describe(
        adapter=subject.identity(),
        hang_bound_seconds=HANG_BOUND_SECONDS,
        max_examples=options.max_examples,
        explore=case_count(subject, options),
        **spec_metadata(options.spec),
        scenarios={},
    )
    report.note(
        "In-process, the sleeps a client asks for are recorded, not slept: a 429's wait counts "
        f"as if slept. A client must give up on a silent server within {HANG_BOUND_SECONDS:g} s."
    )
    run = _ClientRun(subject, options)
    # Bodies are generated here, in order, so that a run gives the same report at any --jobs.
    variants = [_variants(scenario, options) for scenario in chosen]
    judged = _judge_all(run, chosen, variants, options.jobs_for(subject), step or (lambda _: None))
    rows: list[list[str]] = [["scenario", "group", "severity", "verdict"]]
    for scenario, judgement in zip(chosen, judged, strict=True):
        report.results += judgement.results
        if judgement.record is not None:
            report.metadata["scenarios"][scenario.name] = redact(judgement.record, report.secrets)
            report.timings[scenario.name] = round(judgement.seconds, 3)
        rows.append([scenario.name, scenario.group, scenario.severity, judgement.verdict])
    report.coverage["tables"] = {"Scenario x verdict": rows}
    return report


def _judge_all(
    run: _ClientRun,
    chosen: list[Scenario],
    variants: list[list[tuple[Serve, ...]]],
    jobs: int,
    step: Callable[[str], None],
) -> list[_Judged]:
    """Each scenario's judgement, in catalogue order; ``jobs`` at once, each on its own server."""
    if run.subject.command is None or all(scenario.explore for scenario in chosen):
        return [run.scenario(sc, vs, None, step) for sc, vs in zip(chosen, variants, strict=True)]
    # The generated answers spread over --jobs servers of their own: after the others.
    if chosen[-1].explore:
        head = _judge_all(run, chosen[:-1], variants[:-1], jobs, step)
        return [*head, run.scenario(chosen[-1], variants[-1], None, step)]
    with contextlib.ExitStack() as stack:
        servers: queue.Queue[FaultServer] = queue.Queue()
        for _ in range(min(jobs, len(chosen)) or 1):
            servers.put(stack.enter_context(fault_server()))

        def judge(index: int) -> _Judged:
            server = servers.get()
            try:
                return run.scenario(chosen[index], variants[index], server, step)
            finally:
                servers.put(server)

        # The scenarios that wait out a silent server go first, so the others run beside them.
        order = sorted(range(len(chosen)), key=lambda i: not _waits(chosen[i]))
        with ThreadPoolExecutor(max_workers=servers.qsize()) as pool:
            futures = {index: pool.submit(judge, index) for index in order}
            return [futures[index].result() for index in range(len(chosen))]


def _waits(scenario: Scenario) -> bool:
    return any(isinstance(s, Fault) and s.kind in {"hang", "trickle"} for s in scenario.serves)
