"""``nox -s faults``: detection power, i.e. which faults our suites catch, beside plain schemathesis.

Every faulty server of ``tests.faulty_servers.FAULTS`` (and the faithful mock, as a baseline) is
served over HTTP on 127.0.0.1 and checked twice, with the same key, seed and request budget:

- by ``lago-conformance server`` at ``--level strict`` with the mock's fixtures: caught = the
  checks with findings (MUST or SHOULD);
- by plain ``schemathesis run`` on the bundled documented spec, as a new user types it (default
  checks): caught = a failing check the faithful mock does not also fail.

Every faulty client of ``tests.faulty_clients.CLIENT_FAULTS`` goes through ``lago-conformance
client`` (in-process, as ``--adapter tests.detection:client-NAME``); schemathesis has no client
side. Writes ``reports/faults.md`` and ``reports/faults.json``; ``python -m tests.detection``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.detection_runs import (
    CLIENT_PREFIX,
    FAITHFUL,
    MAX_REQUESTS,
    ROOT,
    SEED,
    Row,
    Settings,
    client_command,
    client_row,
    named_server_row,
    server_kinds,
)
from tests.faulty_clients import CLIENT_FAULTS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def __getattr__(name: str) -> Any:
    """``client-NAME``: the client of the CLIENT_FAULTS entry NAME, for ``--adapter``."""
    if name.startswith(CLIENT_PREFIX):
        for fault in CLIENT_FAULTS:
            if fault.name == name.removeprefix(CLIENT_PREFIX):
                return fault.client
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Job:
    """One row to compute."""

    name: str
    kind: str
    compute: Callable[[], Row]


def jobs(settings: Settings, only: set[str] | None = None) -> Iterator[Job]:
    """The baseline, every faulty server, then every faulty client (``only``: these names)."""

    def wanted(name: str) -> bool:
        return only is None or name in only

    if wanted(FAITHFUL):
        yield Job(FAITHFUL, "baseline", partial(named_server_row, FAITHFUL, settings))
    for name, (kind, *_rest) in server_kinds().items():
        if wanted(name):
            yield Job(name, kind, partial(named_server_row, name, settings))
    for client in CLIENT_FAULTS:
        if wanted(client.name):
            yield Job(
                client.name, "client", partial(client_row, client.name, client.check, settings)
            )


def run_all(
    settings: Settings, workers: int, only: set[str] | None = None,
    on_row: Callable[[int, int, Row], None] | None = None,
) -> list[Row]:  # fmt: skip
    """Compute every row, ``workers`` at once; rows in catalogue order, baseline applied."""
    todo = list(jobs(settings, only))
    # Longest first: a client over --command waits out a real-time kill (35 s) on its own.
    slow = {job.name for job in todo if "--command" in _typed(job, settings)}
    submitted = [job for job in todo if job.name in slow] + [j for j in todo if j.name not in slow]
    rows: dict[tuple[str, str], Row] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(job.compute): job for job in submitted}
        for done, future in enumerate(as_completed(futures), 1):
            row = future.result()
            rows[(row.kind, row.name)] = row
            if on_row is not None:
                on_row(done, len(todo), row)
    ordered = [rows[(job.kind, job.name)] for job in todo]
    apply_baseline(ordered)
    return ordered


def _typed(job: Job, settings: Settings) -> list[str]:
    return client_command(job.name, Path("-"), settings) if job.kind == "client" else []


def apply_baseline(rows: list[Row]) -> None:
    """A schemathesis failure counts only if the faithful mock does not fail the same check."""
    base = next((r for r in rows if r.kind == "baseline"), None)
    known = set(base.theirs or ()) if base is not None else set()
    for row in rows:
        if row.theirs is not None and row.kind != "baseline":
            row.theirs_new = [check for check in row.theirs if check not in known]
        elif row.kind == "baseline":
            row.theirs_new = list(row.theirs or ())


def main(argv: list[str] | None = None) -> int:
    """Run the whole catalogue (or ``--only`` names), print a line per fault, write the reports."""
    from tests.detection_report import progress_line, totals_lines, write_reports

    parser = argparse.ArgumentParser(prog="python -m tests.detection", description=__doc__)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "reports")
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--only", action="append", help="a fault's name (repeatable)")
    parser.add_argument("--max-examples", type=int, help="both tools (default: each one's own)")
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--schemathesis-checks", help="e.g. all (default: its default checks)")
    parser.add_argument("--ours-only", action="store_true", help="do not run schemathesis")
    parser.add_argument(
        "--no-alone", action="store_true", help="do not run ours again with --checks generic"
    )
    args = parser.parse_args(argv)
    known = {job.name for job in jobs(Settings())}
    if unknown := sorted(set(args.only or ()) - known):
        parser.error(f"--only: no fault named {', '.join(unknown)}")
    settings = Settings(
        args.max_examples, args.max_requests, args.seed, args.schemathesis_checks,
        schemathesis=not args.ours_only, alone=not args.no_alone,
    )  # fmt: skip
    start = time.perf_counter()
    rows = run_all(
        settings, args.jobs, set(args.only) if args.only else None,
        lambda done, total, row: print(progress_line(done, total, row), flush=True),
    )  # fmt: skip
    wall = time.perf_counter() - start
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)  # the servers here, and every command
    write_reports(args.output_dir, rows, settings, wall, args.jobs, cpu)
    print("\n".join(totals_lines(rows, wall, cpu)))
    print(f"written to {args.output_dir / 'faults.md'} and faults.json")
    # A run that could not judge a fault, or a finding on the faithful mock, is not a result.
    false_alarm = any(row.kind == "baseline" and row.caught for row in rows)
    return 1 if false_alarm or any(row.error for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
