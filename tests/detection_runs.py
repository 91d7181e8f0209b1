"""One row of ``nox -s faults``: a faulty server through both tools, or a faulty client through ours.

A server is served on 127.0.0.1 (a free port, stopped afterwards), behind ``Budgeted``, which
counts the requests and switches the fault off past the budget. Plain schemathesis runs as a
command; ours runs through the command line's own entry point (``conformance._cli.main.main``,
the same arguments) in the worker process, which spares an interpreter start per row. Each
report is read back: our JSON report, schemathesis' NDJSON events.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance._cli.main import main as conformance_main
from conformance._client.judging.checks import CHECKS as CLIENT_CHECKS
from conformance._client.served.catalogue import catalogue
from conformance._contract.fixtures import dump_fixtures
from conformance._mock.serve import serving
from conformance._server.options import ServerOptions
from tests.faulty_clients import CLIENT_FAULTS, FaultyClient
from tests.faulty_servers import API_KEY, FAULTS, FaultyLago, Reply, Request
from tests.oracle_faults import ORACLE_FAULTS
from tests.wild_servers import wild_faults

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "payment-url.yaml"
FAITHFUL = "faithful-mock"
CLIENT_PREFIX = "client-"
SEED = 0
# The request budget of each tool on each server: our --max-requests, and a cap on schemathesis.
MAX_REQUESTS = ServerOptions.max_requests  # the default run's budget
# Schemathesis waits as long as our suite's default --timeout for each answer.
REQUEST_TIMEOUT = 10
REDACTED = "[REDACTED]"


def faithful(server: FaultyLago, request: Request) -> Reply:
    """No fault: the mock's own answer."""
    return server.faithful(request)


class Budgeted:
    """An ASGI app that counts requests; past ``limit`` the fault is off (the faithful answer).

    So a tool that sent more than the budget can find nothing more with the extra requests.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit, self.requests = app, limit, 0
        self.fault_off = FaultyLago(faithful, mock=app.mock)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.requests += 1
        app = self.app if self.requests <= self.limit else self.fault_off
        await app(scope, receive, send)


@dataclass
class Settings:
    """What every run shares: seed, budgets, and where the scratch files go."""

    max_examples: int | None = None  # None: each tool's own default
    max_requests: int = MAX_REQUESTS
    seed: int = SEED
    schemathesis_checks: str | None = None  # None: its default checks, as a new user runs it
    schemathesis: bool = True  # False: our suite only (a quick run)
    alone: bool = True  # also run ours with --checks generic: the oracle alone
    timeout: float = 240.0


@dataclass
class Row:
    """One fault's result: what our suite found, and what plain schemathesis found."""

    name: str
    kind: str  # "server", "client" or "baseline"
    check: str
    severity: str
    ours: dict[str, str] = field(default_factory=dict)  # check -> severity, for findings
    ours_exit: int | None = None
    ours_requests: int | None = None
    theirs: list[str] | None = None  # failing schemathesis checks; None: not run (clients)
    theirs_exit: int | None = None
    theirs_requests: int | None = None
    theirs_new: list[str] = field(default_factory=list)  # failing, and not on the baseline
    aborted: str | None = None  # our run stopped on an unusable target (exit 2): why
    # Ours with --checks generic (no Lago-specific named check): the oracle and the invariants of
    # any API. None: not run (clients, or --no-alone).
    alone: dict[str, str] | None = None
    alone_exit: int | None = None
    seconds: float = 0.0
    error: str | None = None
    # A client's findings with the catalogue turned off (--scenario generated); None: not run.
    generated: dict[str, str] | None = None

    @property
    def caught(self) -> bool:
        """Our suite reported at least one finding, or refused the target (exit 2)."""
        return bool(self.ours) or self.aborted is not None

    @property
    def intended(self) -> bool:
        """The check meant for this fault reported a finding."""
        return self.check in self.ours

    @property
    def caught_alone(self) -> bool | None:
        """Ours with only the oracle and the generic invariants caught it (None: not run)."""
        return None if self.alone is None else bool(self.alone) or self.alone_exit == 2

    @property
    def caught_by_schemathesis(self) -> bool | None:
        """Plain schemathesis failed a check the faithful mock passes (None: not applicable)."""
        return None if self.theirs is None else bool(self.theirs_new)


def _run(
    command: list[str], cwd: Path, settings: Settings, codes: tuple[int, ...] = (0, 1)
) -> tuple[int, str]:
    """Run ``command``; its exit code and the last line of its stderr (redacted)."""
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, timeout=settings.timeout
    )
    tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [""]
    last = tail[0].replace(API_KEY, REDACTED)
    if result.returncode not in codes:
        raise RuntimeError(f"exit {result.returncode}: {last}")
    return result.returncode, last


def _ours(command: list[str], codes: tuple[int, ...] = (0, 1)) -> tuple[int, str]:
    """Run our command line (``command`` as typed, after ``python -m conformance``) in-process;
    its exit code and the last line it printed (redacted)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = conformance_main(command[3:])
    tail = out.getvalue().strip().splitlines()[-1:] or [""]
    last = tail[0].replace(API_KEY, REDACTED)
    if code not in codes:
        raise RuntimeError(f"exit {code}: {last}")
    return code, last


def ours_server_command(
    url: str, fixtures: Path, report_dir: Path, settings: Settings, *, alone: bool = False
) -> list[str]:
    """``lago-conformance server`` on ``url`` with the mock's fixtures, at the shared budget;
    ``alone``: with ``--checks generic`` (the oracle and the invariants of any API)."""
    command = [sys.executable, "-m", "conformance", "server", "--base-url", url,
               "--api-key", API_KEY, "--fixtures", str(fixtures), "--level", "strict",
               "--seed", str(settings.seed), "--max-requests", str(settings.max_requests),
               "--report-dir", str(report_dir)]  # fmt: skip
    if alone:
        command += ["--checks", "generic"]
    if settings.max_examples is not None:
        command += ["--max-examples", str(settings.max_examples)]
    return command


def schemathesis_command(url: str, report_dir: Path, settings: Settings) -> list[str]:
    """Plain ``schemathesis run`` on the bundled documented spec: default checks, our key, seed."""
    command = [sys.executable, "-m", "schemathesis.cli", "run", str(SPEC), "--url", url,
               "-H", f"Authorization: Bearer {API_KEY}", "--seed", str(settings.seed),
               "--request-timeout", str(REQUEST_TIMEOUT), "--no-color", "--report", "ndjson", "--report-dir", str(report_dir)]  # fmt: skip
    if settings.max_examples is not None:
        command += ["--max-examples", str(settings.max_examples)]
    if settings.schemathesis_checks is not None:
        command += ["--checks", settings.schemathesis_checks]
    return command


def findings(report: dict[str, Any]) -> dict[str, str]:
    """The checks with findings in a lago-conformance JSON report, and their severity."""
    return {r["check"]: r["severity"] for r in report["results"] if r["findings"]}


def schemathesis_failures(report_dir: Path) -> list[str]:
    """The schemathesis checks that failed (and errors, as ``error: TITLE``), from its NDJSON.

    A failure on a verb other than the operation's POST is named with it, ``check (QUERY)``: real
    Lago's Puma answers 501 to QUERY, so the faithful mock fails plain schemathesis there, and a
    fault caught by the same check on the POST must still count as caught.
    """
    failed: set[str] = set()
    for path in report_dir.glob("*.ndjson"):
        for line in path.read_text(encoding="utf-8").splitlines():
            (kind, event), *_ = json.loads(line).items()
            if kind == "ScenarioFinished":
                recorder = event["recorder"]
                for case_id, checks in recorder.get("checks", {}).items():
                    case = recorder.get("cases", {}).get(case_id, {}).get("value", {})
                    method = str(case.get("method", "POST")).upper()
                    suffix = "" if method == "POST" else f" ({method})"
                    failed |= {c["name"] + suffix for c in checks if c["status"] == "failure"}
            elif kind == "NonFatalError":
                failed.add(f"error: {event.get('info', {}).get('title', 'error')}")
    return sorted(failed)


def server_row(
    name: str, make: Callable[[], Any], check: str, severity: str, kind: str, settings: Settings,
) -> Row:  # fmt: skip
    """Serve one faulty server (a fresh ``make()`` for each tool) on 127.0.0.1 and run both tools
    on it, one after the other; ours twice, the second time with the oracle alone."""
    row, start = Row(name, kind, check, severity), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="faults-") as scratch:
        try:
            _ours_on_server(row, make, Path(scratch), settings)
            if settings.alone:
                _ours_on_server(row, make, Path(scratch), settings, alone=True)
            if settings.schemathesis:
                _schemathesis_on_server(row, make, Path(scratch), settings)
        except (RuntimeError, OSError, ValueError, KeyError, subprocess.TimeoutExpired) as error:
            row.error = f"{type(error).__name__}: {error}".replace(API_KEY, REDACTED)
    row.seconds = time.perf_counter() - start
    return row


def server_kinds() -> dict[str, tuple[str, Callable[[], Any], str, str]]:
    """Every faulty server by name: its kind (``server``: the catalogues written with the suite;
    ``wild``: the batch written apart from it), how to make it, its intended check and severity."""
    known: dict[str, tuple[str, Callable[[], Any], str, str]] = {}
    for fault in FAULTS:
        known[fault.name] = ("server", partial(FaultyLago, fault.run), fault.check, fault.severity)
    for oracle in ORACLE_FAULTS:
        known[oracle.name] = (
            "server",
            partial(FaultyLago, oracle.run),
            oracle.check,
            oracle.severity,
        )
    for wild in wild_faults():
        known[wild.name] = ("wild", wild.app, "-", "-")
    return known


def named_server_row(name: str, settings: Settings) -> Row:
    """``server_row`` for the faithful mock or the faulty server ``name`` (a worker process gets
    the name: a fault made by a factory cannot be pickled)."""
    if name == FAITHFUL:
        return server_row(FAITHFUL, partial(FaultyLago, faithful), "-", "-", "baseline", settings)
    kind, make, check, severity = server_kinds()[name]
    return server_row(name, make, check, severity, kind, settings)


def _ours_on_server(
    row: Row, make: Callable[[], Any], tmp: Path, settings: Settings, *, alone: bool = False
) -> None:
    app = make()
    fixtures = tmp / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures), encoding="utf-8")
    ours = Budgeted(app, settings.max_requests)
    where = tmp / ("alone" if alone else "ours")
    with serving(ours) as url:
        command = ours_server_command(url + "/api/v1", fixtures, where, settings, alone=alone)
        code, last = _ours(command, codes=(0, 1, 2))
    written = where / "server.json"
    # Exit 2: the target refused or unusable; before any report (preflight), or mid-run.
    report = json.loads(written.read_text(encoding="utf-8")) if written.exists() else {}
    if alone:
        row.alone, row.alone_exit = (findings(report) if report else {}), code
        return
    row.ours_exit, row.ours_requests = code, ours.requests
    row.ours = findings(report) if report else {}
    if row.ours_exit == 2:
        row.aborted = report.get("aborted") or report.get("incomplete") or last


def _schemathesis_on_server(
    row: Row, make: Callable[[], Any], tmp: Path, settings: Settings
) -> None:
    # A fresh server: the same fault, the mock's state (its checkout links) reset.
    theirs = Budgeted(make(), settings.max_requests)
    with serving(theirs) as url:
        command = schemathesis_command(url + "/api/v1", tmp / "st", settings)
        row.theirs_exit, _ = _run(command, tmp, settings)  # its cache goes in scratch
    row.theirs_requests = theirs.requests
    row.theirs = schemathesis_failures(tmp / "st")


def client_row(name: str, check: str, settings: Settings) -> Row:
    """Run ``lago-conformance client`` on one faulty client, in-process."""
    severity = next((c.severity for c in CLIENT_CHECKS if c.name == check), "?")
    row, start = Row(name, "client", check, severity), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="faults-") as scratch:
        tmp = Path(scratch)
        command = client_command(name, tmp / "ours", settings)
        try:
            row.ours_exit, _ = _ours(command)
            report = json.loads((tmp / "ours" / "client.json").read_text(encoding="utf-8"))
            row.ours = findings(report)
            calls = [entry.get("calls", 0) for entry in report["metadata"]["scenarios"].values()]
            row.ours_requests = sum(calls)
            row.generated = _generated_alone(name, tmp / "generated", settings)
        except (RuntimeError, OSError, ValueError, KeyError, subprocess.TimeoutExpired) as error:
            row.error = f"{type(error).__name__}: {error}"
    row.seconds = time.perf_counter() - start
    return row


def _generated_alone(name: str, report_dir: Path, settings: Settings) -> dict[str, str]:
    """The findings of the generated answers alone, the hand-written catalogue turned off."""
    _ours(generated_command(name, report_dir, settings))
    return findings(json.loads((report_dir / "client.json").read_text(encoding="utf-8")))


def generated_command(name: str, report_dir: Path, settings: Settings) -> list[str]:
    """``lago-conformance client --scenario generated`` on the CLIENT_FAULTS entry ``name``,
    in-process (the virtual clock stands for real time)."""
    return [sys.executable, "-m", "conformance", "client", "--level", "strict",
            "--seed", str(settings.seed), "--report-dir", str(report_dir),
            "--adapter", f"tests.detection:{CLIENT_PREFIX}{name}", "--scenario", "generated"]  # fmt: skip


def client_command(name: str, report_dir: Path, settings: Settings) -> list[str]:
    """``lago-conformance client`` on the CLIENT_FAULTS entry ``name``, at --level strict.

    In-process as ``--adapter tests.detection:client-NAME``; a fault meant for a scenario that
    runs over ``--command`` only (real time) goes as that command, on that scenario.
    """
    command = [sys.executable, "-m", "conformance", "client", "--level", "strict",
               "--seed", str(settings.seed), "--report-dir", str(report_dir)]  # fmt: skip
    fault = next((f for f in CLIENT_FAULTS if f.name == name), None)
    only = {scenario.name: scenario.only for scenario in catalogue()}
    if fault is not None and only.get(fault.scenario) == "command":
        command += ["--command", _as_command(fault.client), "--scenario", fault.scenario]
    else:
        command += ["--adapter", f"tests.detection:{CLIENT_PREFIX}{name}"]
    if settings.max_examples is not None:
        command += ["--max-examples", str(settings.max_examples)]
    return command


def _as_command(client: object) -> str:
    """A FaultyClient as the command ``python -m tests.faulty_clients FLAG=JSON ...``."""
    if not isinstance(client, FaultyClient):
        raise ValueError(f"{client!r} cannot run as a command")
    flags = [
        f"{field.name}={json.dumps(getattr(client, field.name))}"
        for field in dataclasses.fields(client)
        if getattr(client, field.name) != field.default
    ]
    return shlex.join([sys.executable, "-m", "tests.faulty_clients", *flags])
