"""The current suite on the wild servers: ``python -m tests.wild_baseline [--out FILE]``.

Each wild server (and the faithful mock, first, as a control) is served over HTTP on 127.0.0.1
and checked by ``lago-conformance server --level strict --fail-on should`` with the mock's
fixtures, as a user would type it (a separate process). Caught = exit 1 (findings) or 2 (the
target refused); missed = exit 0. The checks with findings are read from the JSON report.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from conformance._contract.fixtures import dump_fixtures
from conformance._mock.serve import serving
from tests.wild_asgi import API_KEY, Answer, Incoming, WildApp
from tests.wild_servers import WILD_SERVERS

ROOT = Path(__file__).resolve().parents[1]
FAITHFUL = "faithful-mock"
BY_NAME = {server.name: server for server in WILD_SERVERS}


@dataclass
class Outcome:
    """One server's run: exit code, the checks with findings (check -> severity), time."""

    name: str
    exit_code: int
    checks: dict[str, str] = field(default_factory=dict)
    aborted: str | None = None
    seconds: float = 0.0
    last_line: str = ""

    @property
    def caught(self) -> bool:
        """Findings (exit 1) or a refused target (exit 2)."""
        return self.exit_code in (1, 2)


def command(url: str, fixtures: Path, report_dir: Path) -> list[str]:
    """``lago-conformance server`` on ``url``, strict, failing on SHOULD findings too."""
    return [sys.executable, "-m", "conformance", "server", "--base-url", url,
            "--api-key", API_KEY, "--fixtures", str(fixtures), "--level", "strict",
            "--fail-on", "should", "--report-dir", str(report_dir)]  # fmt: skip


async def _faithful(app: WildApp, request: Incoming) -> Answer:
    return await app.faithful(request)


def run_one(name: str, app: WildApp, report_root: Path) -> Outcome:
    """Serve ``app`` on 127.0.0.1 and run the suite on it, in a separate process."""
    report_dir = report_root / name
    report_dir.mkdir(parents=True, exist_ok=True)
    fixtures = report_dir / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures), encoding="utf-8")
    start = time.perf_counter()
    with serving(app) as url:
        done = subprocess.run(
            command(url + "/api/v1", fixtures, report_dir), cwd=ROOT, capture_output=True,
            text=True, timeout=600, check=False,
        )  # fmt: skip
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    outcome = Outcome(name, done.returncode, seconds=time.perf_counter() - start)
    outcome.last_line = tail[0].replace(API_KEY, "[REDACTED]")
    written = report_dir / "server.json"
    if written.exists():
        report = json.loads(written.read_text(encoding="utf-8"))
        for result in report["results"]:
            if result["findings"]:
                outcome.checks.setdefault(result["check"], result["severity"])
        outcome.aborted = report.get("aborted")
    return outcome


def markdown(outcomes: list[Outcome], wall: float) -> str:
    """The baseline table."""
    wild = [o for o in outcomes if o.name != FAITHFUL]
    caught = sum(o.caught for o in wild)
    control = next((o for o in outcomes if o.name == FAITHFUL), None)
    lines = [
        "# The current suite on the wild servers (baseline)",
        "",
        "`lago-conformance server --level strict --fail-on should` with the mock's fixtures, on each",
        "server of `tests/wild_servers.py` served on 127.0.0.1 (`python -m tests.wild_baseline`).",
        "Caught = exit 1 (findings) or 2 (target refused); missed = exit 0.",
        "",
        f"**Caught {caught} of {len(wild)}.** Control: the faithful mock exits "
        f"{control.exit_code if control else '?'}. Wall time {wall:.0f} s.",
        "",
        "| wild server | caught? | exit | checks with findings | witness (the last request) |",
        "|---|---|---|---|---|",
    ]
    for outcome in wild:
        checks = ", ".join(f"`{c}` ({s})" for c, s in sorted(outcome.checks.items())) or "-"
        if outcome.aborted:
            checks += f"; aborted: {outcome.aborted}"
        verdict = "yes" if outcome.caught else "**no**"
        witness = BY_NAME[outcome.name].witness[-1].describe().replace("|", "\\|")
        row = f"| `{outcome.name}` | {verdict} | {outcome.exit_code} | {checks} | `{witness}` |"
        lines.append(row)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the baseline; print a line per server; write the table to ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m tests.wild_baseline", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "wild-baseline.md")
    parser.add_argument("--report-root", type=Path, default=Path("/tmp/wild"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", action="append", help="a wild server's name (repeatable)")
    args = parser.parse_args(argv)
    todo: list[tuple[str, WildApp]] = [(FAITHFUL, WildApp(_faithful))]
    todo += [(s.name, s.app()) for s in WILD_SERVERS if not args.only or s.name in args.only]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, name, app, args.report_root) for name, app in todo]
        outcomes = []
        for future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            print(f"{outcome.name}: exit {outcome.exit_code} {sorted(outcome.checks)} "
                  f"({outcome.seconds:.0f} s) {outcome.last_line}", flush=True)  # fmt: skip
    args.out.write_text(markdown(outcomes, time.perf_counter() - start), encoding="utf-8")
    print(f"written to {args.out}")
    return 1 if outcomes[0].caught else 0


if __name__ == "__main__":
    sys.exit(main())
