"""``nox -s bench``, client part: the whole catalogue against ``reference``, in-process and over HTTP.

Each transport also runs a baseline in the same job, interleaved over rounds: an adapter (or a
command) that answers at once with a fixed outcome, so the harness's own cost is visible next
to the reference client's. Results go to ``reports/bench-client.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from benches.server import write_bench_report
from conformance._client.calling.adapters import Subject, command_subject, load_adapter
from conformance._client.calls.outcome import failure
from conformance._client.suite import ClientOptions, run_subject
from conformance._errors import UsageError

if TYPE_CHECKING:
    from conformance._client.calls.outcome import Outcome

__all__ = ["IN_PROCESS_TARGET_SECONDS", "bench_client", "main"]

IN_PROCESS_TARGET_SECONDS = 5.0
JOBS_TARGET_SECONDS = 30.0
_FIXED = json.dumps(failure(None, message="baseline"))


_HTTP = httpx.Client(timeout=5)


def _baseline(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """One request on a shared client, then a fixed outcome: what the harness costs on its own."""
    with contextlib.suppress(httpx.HTTPError):
        _HTTP.post(f"{base_url}/invoices/{lago_id}/payment_url")
    return json.loads(_FIXED)  # type: ignore[no-any-return]


def _time(subject: Subject, examples: int, timeout: float) -> tuple[float, int, int]:
    start = time.perf_counter()
    report = run_subject(subject, ClientOptions(max_examples=examples, timeout=timeout))
    seconds = time.perf_counter() - start
    calls = sum(entry["calls"] for entry in report.metadata["scenarios"].values())
    return seconds, calls, len(report.findings)


def _compare(
    subject: Subject, baseline: Subject, examples: int, rounds: int, timeout: float
) -> dict[str, Any]:
    runs, base_runs, calls, findings = [], [], 0, 0
    for _ in range(rounds):
        seconds, calls, findings = _time(subject, examples, timeout)
        runs.append(seconds)
        base_runs.append(_time(baseline, examples, timeout)[0])
    median, base = statistics.median(runs), statistics.median(base_runs)
    return {
        "generated_bodies": examples,
        "calls": calls,
        "reference_findings": findings,
        "seconds": round(median, 3),
        "baseline_seconds": round(base, 3),
        "ms_per_call": round(1000 * median / calls, 2),
        "cost_ratio": round(median / base, 2) if base else None,
    }


def bench_client(examples: int, command_examples: int, rounds: int) -> dict[str, dict[str, Any]]:
    """The catalogue against ``reference`` and against a baseline, on both transports."""
    os.environ.setdefault("LAGO_TIMEOUT", "1")  # the never-answers scenario then costs 1 s, not 10
    python = shlex.quote(sys.executable)
    results = {
        "client_in_process": _compare(
            load_adapter("reference"), Subject("baseline", None, _baseline), examples, rounds, 35
        ),
        "client_over_http": _compare(
            command_subject(f"{python} -m conformance._client.calling.reference"),
            command_subject(f"echo {shlex.quote(_FIXED)}"),
            command_examples,
            1,
            35,
        ),
    }
    results["client_in_process"]["target_seconds"] = IN_PROCESS_TARGET_SECONDS
    return results


def bench_jobs(examples: int) -> dict[str, Any]:
    """The JavaScript SDK's whole catalogue at ``--jobs 1`` and at the default, side by side.

    Falls back to the reference client as a command when the SDK is not installed (NODE_PATH).
    """
    try:
        subject, name = load_adapter("lago-javascript-client"), "lago-javascript-client"
    except UsageError:
        python = shlex.quote(sys.executable)
        subject = command_subject(f"{python} -m conformance._client.calling.reference")
        name = "reference (command; the JS SDK is not installed)"
    timings = {}
    for label, jobs in (("jobs_1", 1), ("jobs_default", None)):
        start = time.perf_counter()
        run_subject(subject, ClientOptions(max_examples=examples, jobs=jobs))
        timings[label] = round(time.perf_counter() - start, 2)
    default = ClientOptions().jobs_for(subject)
    return {
        "subject": name,
        "generated_bodies": examples,
        "default_jobs": default,
        "seconds_jobs_1": timings["jobs_1"],
        "seconds_jobs_default": timings["jobs_default"],
        "speedup": round(timings["jobs_1"] / timings["jobs_default"], 2),
        "target_seconds": JOBS_TARGET_SECONDS,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the client benchmarks, print a table, write the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m benches.client")
    parser.add_argument("--examples", type=int, default=100, help="generated 200 bodies in-process")
    parser.add_argument(
        "--command-examples", type=int, default=10, help="generated bodies over HTTP"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=Path("reports/bench-client.json"))
    args = parser.parse_args(argv)
    results = bench_client(args.examples, args.command_examples, args.rounds)
    print(
        f"{'benchmark':<18} {'calls':>6} {'seconds':>8} {'ms/call':>8} {'baseline s':>11} {'ratio':>6}"
    )
    for name, row in results.items():
        target = row.get("target_seconds")
        verdict = (
            ""
            if target is None
            else (" ok" if row["seconds"] <= target else " OVER") + f" (target {target:g} s)"
        )
        print(
            f"{name:<18} {row['calls']:>6} {row['seconds']:>8.2f} {row['ms_per_call']:>8.2f}"
            f" {row['baseline_seconds']:>11.2f} {row['cost_ratio']:>5}x{verdict}"
        )
    jobs = bench_jobs(args.command_examples)
    print(
        f"\n{jobs['subject']}, whole catalogue over HTTP: {jobs['seconds_jobs_1']:.1f} s at --jobs 1,"
        f" {jobs['seconds_jobs_default']:.1f} s at the default ({jobs['default_jobs']} jobs):"
        f" {jobs['speedup']:.2f}x (target under {JOBS_TARGET_SECONDS:g} s)"
    )
    write_bench_report(args.output, {**results, "client_jobs": jobs})
    return 0


if __name__ == "__main__":
    sys.exit(main())
