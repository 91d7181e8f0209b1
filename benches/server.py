"""``nox -s bench``: what the mock and the suites cost, each beside a baseline in the same job.

- the mock per request, as a ratio to a bare ASGI handler: both in this process, interleaved
  over several rounds, medians compared, so machine load affects both alike;
- the twin (the oracle): the default run in-process with it and without it, the same requests;
- httplint (the "http" checks): the default run in-process with them and without them;
- the server suite's default run, end to end, and its cost per case beside plain
  ``schemathesis run`` with the same example budget against the same mock over HTTP (requests
  counted on the server side for both).

Results go to ``reports/bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from conformance._asgi import ASGISyncTransport
from conformance._contract.document import openapi_dir
from conformance._mock.app import DEFAULT_API_KEY, LagoMock
from conformance._mock.serve import serving
from conformance._version import __version__

__all__ = ["bare_app", "main", "write_bench_report"]

MOCK_TARGET_RATIO = 2.0
SERVER_TARGET_SECONDS = 10.0
SERVER_TARGET_RATIO = 1.5
# The twin answers every request in-process beside the target: at most this much slower.
TWIN_TARGET_RATIO = 1.5
# httplint reads every answer and Lago's: at most this much slower, in-process (where nothing
# else costs); over the network a request costs far more than its linting.
HTTP_LINT_TARGET_RATIO = 1.6
_BARE_BODY = json.dumps(
    {"invoice_payment_details": {"lago_invoice_id": "1a901a90-1a90-1a90-1a90-1a901a901a90"}}
).encode()


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    """The baseline: an ASGI app that answers every request with one constant JSON body."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(_BARE_BODY))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _BARE_BODY})


def _rate(client: httpx.Client, path: str, requests: int) -> float:
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    start = time.perf_counter()
    for _ in range(requests):
        response = client.post(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"benchmark request answered {response.status_code}, not 200")
    return requests / (time.perf_counter() - start)


def _compare(
    mock_client: httpx.Client, bare_client: httpx.Client, requests: int, rounds: int
) -> dict[str, float]:
    path = f"/api/v1/invoices/{LagoMock().invoice('payable').lago_id}/payment_url"
    _rate(mock_client, path, requests // 10)  # warm-up
    _rate(bare_client, path, requests // 10)
    mock_rates, bare_rates = [], []
    for _ in range(rounds):
        mock_rates.append(_rate(mock_client, path, requests))
        bare_rates.append(_rate(bare_client, path, requests))
    mock_rps, bare_rps = statistics.median(mock_rates), statistics.median(bare_rates)
    return {
        "mock_rps": round(mock_rps, 1),
        "baseline_rps": round(bare_rps, 1),
        "cost_ratio": round(bare_rps / mock_rps, 3),
        "target_ratio": MOCK_TARGET_RATIO,
    }


def bench_mock(requests: int, rounds: int) -> dict[str, dict[str, float]]:
    """The mock against the bare handler, in-process (ASGI) and over HTTP on loopback."""
    results = {}
    with (
        httpx.Client(transport=ASGISyncTransport(LagoMock()), base_url="http://bench") as mock,
        httpx.Client(transport=ASGISyncTransport(bare_app), base_url="http://bench") as bare,
    ):
        results["mock_in_process"] = _compare(mock, bare, requests, rounds)
    with (
        serving(LagoMock()) as mock_url,
        serving(bare_app) as bare_url,
        httpx.Client(base_url=mock_url, timeout=10) as mock,
        httpx.Client(base_url=bare_url, timeout=10) as bare,
    ):
        results["mock_over_http"] = _compare(mock, bare, requests // 4, rounds)
    return results


def bench_twin(rounds: int) -> dict[str, float]:
    """The default run in-process with Lago's twin judging every answer, beside the same run
    (the same requests: the exploration's budget given) with the oracle off; interleaved."""
    from conformance._api import run_server_suite
    from conformance._server.options import ServerOptions

    with_twin = ServerOptions()
    first = run_server_suite(with_twin)  # warm-up, and the exploration's share to give the other
    without = ServerOptions(
        oracle=False, explore=first.metadata["requests_by_phase"]["exploration"]
    )
    timings: dict[str, list[float]] = {"twin": [], "off": []}
    requests: dict[str, int] = {}
    for _ in range(rounds):
        for name, options in (("twin", with_twin), ("off", without)):
            start = time.perf_counter()
            report = run_server_suite(options)
            timings[name].append(time.perf_counter() - start)
            requests[name] = report.metadata["requests"]
    twin, off = statistics.median(timings["twin"]), statistics.median(timings["off"])
    return {
        "twin_wall_s": round(twin, 3),
        "off_wall_s": round(off, 3),
        "twin_requests": requests["twin"],
        "off_requests": requests["off"],
        "cost_ratio": round(twin / off, 3),
        "target_ratio": TWIN_TARGET_RATIO,
    }


def bench_http_lint(rounds: int) -> dict[str, float]:
    """The default run in-process with the "http" checks (httplint on every answer and on
    Lago's, its caches emptied first), beside the same run without them; interleaved, medians
    of CPU time compared (a shared machine's load moves wall time more than either run)."""
    from unittest import mock

    from conformance._api import run_server_suite
    from conformance._server.options import ServerOptions
    from conformance._server.twin.http_checks import HTTP_CHECKS
    from conformance._server.twin.http_lint import forget

    options = ServerOptions()
    run_server_suite(options)  # warm-up
    timings: dict[str, list[float]] = {"on": [], "off": []}
    requests = 0
    for _ in range(rounds):
        for name, checks in (("on", HTTP_CHECKS), ("off", ())):
            with mock.patch("conformance._server.suite.HTTP_CHECKS", checks):
                forget()  # every answer linted anew, as in a run of its own
                start = time.process_time()
                requests = run_server_suite(options).metadata["requests"]
                timings[name].append(time.process_time() - start)
    on, off = statistics.median(timings["on"]), statistics.median(timings["off"])
    return {
        "lint_cpu_s": round(on, 3),
        "off_cpu_s": round(off, 3),
        "requests": requests,
        "ms_per_request": round((on - off) * 1000 / requests, 2),
        "cost_ratio": round(on / off, 3),
        "target_ratio": HTTP_LINT_TARGET_RATIO,
    }


class CountingApp:
    """Wraps an ASGI app and counts the HTTP requests it answers."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


def _timed_command(
    command: list[str], counter: CountingApp | None = None
) -> tuple[float, int, int]:
    before = counter.requests if counter is not None else 0
    start = time.perf_counter()
    # In a scratch directory: schemathesis keeps a .schemathesis/ cache where it runs.
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=600, cwd=scratch
        )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{command[0]} exited {result.returncode}: {result.stderr[-500:]}")
    return elapsed, (counter.requests - before) if counter is not None else 0, result.returncode


def bench_server(max_examples: int, seed: int, report_dir: Path) -> dict[str, dict[str, float]]:
    """The default main job, and the suite beside plain ``schemathesis run`` over HTTP."""
    exe = [sys.executable, "-m", "conformance"]
    report_dir = report_dir.resolve()
    default_wall, _, default_code = _timed_command(
        [*exe, "server", "--report-dir", str(report_dir / "bench-default")]
    )
    spec = openapi_dir() / "payment-url.yaml"
    counter = CountingApp(LagoMock())
    with serving(counter) as url:
        api = url + "/api/v1"
        ours = _timed_command(
            [*exe, "server", "--base-url", api, "--api-key", DEFAULT_API_KEY, "--seed", str(seed),
             "--max-examples", str(max_examples), "--report-dir", str(report_dir / "bench-http")],
            counter,
        )  # fmt: skip
        theirs = _timed_command(
            [sys.executable, "-m", "schemathesis.cli", "run", str(spec), "--url", api,
             "-H", f"Authorization: Bearer {DEFAULT_API_KEY}", "--max-examples", str(max_examples),
             "--seed", str(seed), "--phases", "examples,coverage,fuzzing", "--mode", "all", "--no-color"],
            counter,
        )  # fmt: skip
    ours_cost, theirs_cost = ours[0] / ours[1], theirs[0] / theirs[1]
    return {
        "server_default_run": {
            "wall_s": round(default_wall, 2),
            "exit_code": default_code,
            "target_s": SERVER_TARGET_SECONDS,
        },
        "server_vs_schemathesis_http": {
            "suite_wall_s": round(ours[0], 2),
            "suite_requests": ours[1],
            "suite_cases_per_s": round(ours[1] / ours[0], 1),
            "schemathesis_wall_s": round(theirs[0], 2),
            "schemathesis_requests": theirs[1],
            "schemathesis_cases_per_s": round(theirs[1] / theirs[0], 1),
            "cost_ratio": round(ours_cost / theirs_cost, 3),
            "target_ratio": SERVER_TARGET_RATIO,
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print a table, write the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m benches.server")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path("reports/bench.json"))
    parser.add_argument(
        "--max-examples", type=int, default=50, help="example budget of both server runs"
    )
    args = parser.parse_args(argv)
    results = bench_mock(args.requests, args.rounds)
    print(
        f"{'benchmark':<18} {'subject rps':>12} {'baseline rps':>13} {'cost ratio':>11} {'target':>7}"
    )
    for name, row in results.items():
        verdict = "ok" if row["cost_ratio"] <= row["target_ratio"] else "OVER"
        print(
            f"{name:<18} {row['mock_rps']:>12.0f} {row['baseline_rps']:>13.0f}"
            f" {row['cost_ratio']:>10.2f}x {row['target_ratio']:>5.1f}x {verdict}"
        )
    twin = results["server_twin"] = bench_twin(args.rounds)
    print(
        f"\nserver default run in-process, Lago's twin judging: {twin['twin_wall_s']:.2f} s for"
        f" {twin['twin_requests']} requests; oracle off, the same requests: {twin['off_wall_s']:.2f}"
        f" s for {twin['off_requests']}; cost ratio {twin['cost_ratio']:.2f}x"
        f" (target {twin['target_ratio']:.1f}x)"
    )
    lint = results["server_http_lint"] = bench_http_lint(args.rounds)
    print(
        f"server default run in-process, httplint on every answer: {lint['lint_cpu_s']:.2f} s CPU;"
        f" without: {lint['off_cpu_s']:.2f} s ({lint['requests']} requests);"
        f" {lint['ms_per_request']:.2f} ms per request, cost ratio {lint['cost_ratio']:.2f}x"
        f" (target {lint['target_ratio']:.1f}x)"
    )
    server = bench_server(args.max_examples, 0, args.output.parent)
    results.update(server)
    default = server["server_default_run"]
    print(f"\nserver default run (embedded mock, CLI): {default['wall_s']:.1f} s"
          f" (target under {default['target_s']:.0f} s)")  # fmt: skip
    row = server["server_vs_schemathesis_http"]
    print(
        f"server suite over HTTP: {row['suite_requests']} requests in {row['suite_wall_s']:.1f} s"
        f" ({row['suite_cases_per_s']:.0f}/s); plain schemathesis run: {row['schemathesis_requests']}"
        f" requests in {row['schemathesis_wall_s']:.1f} s ({row['schemathesis_cases_per_s']:.0f}/s);"
        f" cost per case {row['cost_ratio']:.2f}x (target {row['target_ratio']:.1f}x)"
    )
    write_bench_report(args.output, results, requests_per_round=args.requests, rounds=args.rounds)
    return 0


def write_bench_report(path: Path, results: dict[str, Any], **settings: object) -> None:
    """Write ``results`` with the tool and machine they were measured with, and say where."""
    report = {
        "tool_version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        **settings,
        "results": results,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    sys.exit(main())
