"""The suite on the wild fronts, as a user runs it: ``python -m tests.wild_fronts_run``.

Each deployment of ``tests/wild_fronts.py`` (after two controls: the organizations with no front,
and the front with no fault) is served on 127.0.0.1 and checked by ``lago-conformance server
--level strict --fail-on should`` with the first organization's fixtures and key (from
``LAGO_API_KEY``), plus ``--other-api-key`` when ``lago-conformance server --help`` lists it, in a
separate process, one at a time unless ``--jobs``. A faulty deployment is caught by exit 1 with
findings, or exit 2 (the target refused); any finding on a correct one is a false positive. Writes a Markdown table to ``--out``
and the same as JSON beside it; exits 1 when a control has a finding (a defect of the fronts).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from conformance._contract.fixtures import dump_fixtures
from tests.wild_front_server import KEY_A, KEY_B, organizations, reference, running
from tests.wild_fronts import DEPLOYMENTS, TRANSPARENT, Deployment

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
NO_FRONT = Deployment("no-front", "correct", "The two organizations with no front (a control)",
                      TRANSPARENT.build, ())  # fmt: skip


@dataclass
class Outcome:
    """One deployment's run: exit code, the checks with findings (check -> severity), time."""

    name: str
    kind: str
    cause: str
    exit_code: int
    checks: dict[str, str] = field(default_factory=dict)
    findings: int = 0
    aborted: str | None = None
    seconds: float = 0.0
    last_line: str = ""

    @property
    def verdict(self) -> str:
        """caught / missed for a faulty deployment; clean / false positive for a correct one."""
        flagged = self.exit_code == 2 or (self.exit_code == 1 and self.findings > 0)
        if self.kind == "faulty":
            return "caught" if flagged else "missed"
        return "false positive" if flagged or self.findings else "clean"


def other_key_option() -> bool:
    """Whether this suite's ``server`` command takes ``--other-api-key``."""
    shown = subprocess.run([sys.executable, "-m", "conformance", "server", "--help"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return "--other-api-key" in shown.stdout


def command(url: str, fixtures: Path, report_dir: Path, other_key: str | None) -> list[str]:
    """``lago-conformance server`` on ``url``, strict, failing on SHOULD findings too."""
    line = [sys.executable, "-m", "conformance", "server", "--base-url", url + "/api/v1",
            "--fixtures", str(fixtures), "--level", "strict", "--fail-on", "should",
            "--report-dir", str(report_dir)]  # fmt: skip
    return [*line, "--other-api-key", other_key] if other_key else line


@contextlib.contextmanager
def serve(deployment: Deployment) -> Iterator[str]:
    """The deployment on 127.0.0.1 on the real clock; the no-front control as the reference."""
    if deployment is NO_FRONT:
        with reference() as url:
            yield url
    else:
        with running(deployment.build(time.monotonic)) as url:
            yield url


def run_one(deployment: Deployment, report_root: Path, with_other_key: bool) -> Outcome:
    """Serve ``deployment`` and run the suite on it, in a separate process."""
    report_dir = report_root / deployment.name
    report_dir.mkdir(parents=True, exist_ok=True)
    fixtures = report_dir / "fixtures.toml"
    fixtures.write_text(dump_fixtures(organizations()["a"].fixtures), encoding="utf-8")
    (report_dir / "server.json").unlink(missing_ok=True)
    other = deployment.other_key if with_other_key else None
    env = {**os.environ, "LAGO_API_KEY": KEY_A}
    start = time.perf_counter()
    with serve(deployment) as url:
        try:
            done = subprocess.run(command(url, fixtures, report_dir, other), cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
            code, text = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            code, text = -1, "timed out after 900 s"
    outcome = Outcome(deployment.name, deployment.kind, deployment.cause, code)
    outcome.seconds = round(time.perf_counter() - start, 1)
    tail = text.strip().splitlines()[-1:] or [""]
    outcome.last_line = tail[0].replace(KEY_A, "[KEY]").replace(KEY_B, "[OTHER KEY]")
    written = report_dir / "server.json"
    if written.exists():
        report = json.loads(written.read_text(encoding="utf-8"))
        for result in report["results"]:
            if result["findings"]:
                outcome.checks.setdefault(result["check"], result["severity"])
                outcome.findings += len(result["findings"])
        outcome.aborted = report.get("aborted")
    return outcome


def markdown(outcomes: list[Outcome], wall: float, with_other_key: bool) -> str:
    """The results table."""
    faulty = [o for o in outcomes if o.kind == "faulty"]
    correct = [o for o in outcomes if o.kind == "correct"]
    caught = sum(o.verdict == "caught" for o in faulty)
    false = [o.name for o in correct if o.verdict == "false positive"]
    lines = [
        "# The suite on the wild fronts",
        "",
        "`lago-conformance server --level strict --fail-on should` with the first organization's "
        "fixtures and key"
        + (", and `--other-api-key`" if with_other_key else "")
        + ", on each deployment of `tests/wild_fronts.py` (`python -m tests.wild_fronts_run`).",
        "Caught = exit 1 with findings, or exit 2 (target refused). A correct deployment with any "
        "finding is a false positive.",
        "",
        f"**Faulty caught: {caught} of {len(faulty)}.** Correct deployments (controls included) with "
        f"a false positive: {len(false)} of {len(correct)}"
        + (f" ({', '.join(false)})" if false else "")
        + f". Wall time {wall:.0f} s.",
        "",
        "| deployment | kind | verdict | exit | checks with findings | time | cause |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        checks = ", ".join(f"`{c}` ({s})" for c, s in sorted(o.checks.items())) or "-"
        if o.aborted or o.exit_code == 2:
            checks += f"; {o.aborted or o.last_line}".replace("|", "\\|")
        verdict = o.verdict if o.verdict in ("caught", "clean") else f"**{o.verdict}**"
        lines.append(f"| `{o.name}` | {o.kind} | {verdict} | {o.exit_code} | {checks} | "
                     f"{o.seconds:.0f} s | {o.cause.replace('|', '/')} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the suite on every deployment, one after the other; write the tables."""
    parser = argparse.ArgumentParser(prog="python -m tests.wild_fronts_run", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "wild-fronts.md")
    parser.add_argument("--report-root", type=Path, default=Path("/tmp/wild-fronts"))
    parser.add_argument("--only", action="append", help="a deployment's name (repeatable)")
    parser.add_argument("--no-controls", action="store_true", help="skip the two controls")
    parser.add_argument(
        "--jobs", type=int, default=1, help="runs at once (default 1: the CPU is shared)"
    )
    args = parser.parse_args(argv)
    known = {d.name for d in (NO_FRONT, TRANSPARENT, *DEPLOYMENTS)}
    unknown = sorted(set(args.only or ()) - known)
    if unknown:
        parser.error(f"unknown deployment {unknown[0]!r}; one of: {', '.join(sorted(known))}")
    todo = [] if args.no_controls else [NO_FRONT, TRANSPARENT]
    todo = [d for d in (*todo, *DEPLOYMENTS) if not args.only or d.name in args.only]
    with_other_key = other_key_option()
    print(f"--other-api-key: {'passed' if with_other_key else 'not offered by this suite'}")
    start, outcomes = time.perf_counter(), []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        runs = [pool.submit(run_one, d, args.report_root, with_other_key) for d in todo]
        for future in runs:
            outcome = future.result()
            outcomes.append(outcome)
            print(f"{outcome.name}: {outcome.verdict}, exit {outcome.exit_code} "
                  f"{sorted(outcome.checks)} ({outcome.seconds:.0f} s) {outcome.last_line}",
                  flush=True)  # fmt: skip
    wall = time.perf_counter() - start
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(outcomes, wall, with_other_key), encoding="utf-8")
    rows = [{**asdict(o), "verdict": o.verdict} for o in outcomes]
    summary = {"other_api_key": with_other_key, "wall_seconds": round(wall), "deployments": rows}
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out} and {args.out.with_suffix('.json')}")
    controls = {NO_FRONT.name, TRANSPARENT.name}
    # a finding on a control is a defect of these fronts, not of the suite
    return 1 if any(o.name in controls and o.verdict != "clean" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
