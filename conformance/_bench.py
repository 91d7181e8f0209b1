"""``nox -s bench``: what the mock costs per request, as a ratio to a bare ASGI handler.

Both apps run side by side in this process, interleaved over several rounds, and the median of
each is compared, so machine load affects both alike. Results go to ``reports/bench.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from conformance._asgi import ASGISyncTransport
from conformance._mock import DEFAULT_API_KEY, LagoMock
from conformance._serve import serving
from conformance._version import __version__

__all__ = ["bare_app", "main"]

MOCK_TARGET_RATIO = 2.0
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print a table, write the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m conformance._bench")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path("reports/bench.json"))
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
    report = {
        "tool_version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
