"""The detection report of ``tests.detection``: one line per fault, the totals, faults.md/.json.

No report holds the API key: commands are written with it replaced by ``[REDACTED]``, and the
written text is checked for it before it is saved.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shlex
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance._version import __version__
from tests.detection_runs import (
    MAX_REQUESTS,
    REDACTED,
    client_command,
    ours_server_command,
    schemathesis_command,
)
from tests.faulty_servers import API_KEY

if TYPE_CHECKING:
    from tests.detection_runs import Row, Settings

URL = "http://127.0.0.1:PORT/api/v1"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _checks(found: dict[str, str]) -> str:
    return ", ".join(f"{check} ({severity})" for check, severity in sorted(found.items())) or "-"


def _theirs(row: Row) -> str:
    if row.theirs is None:
        return "n/a"
    if row.kind == "baseline":
        return "fails: " + ", ".join(row.theirs) if row.theirs else "no failure"
    if row.theirs_new:
        return "yes: " + ", ".join(row.theirs_new)
    return "no" + (f" (only baseline failures: {', '.join(row.theirs)})" if row.theirs else "")


def _requests(row: Row, budget: int = MAX_REQUESTS) -> str:
    ours = "-" if row.ours_requests is None else str(row.ours_requests)
    theirs = "n/a" if row.theirs is None else str(row.theirs_requests)
    if row.theirs_requests is not None and row.theirs_requests > budget:
        theirs += f" (fault off past {budget})"
    return f"{ours} / {theirs}"


def progress_line(done: int, total: int, row: Row) -> str:
    """One line per finished fault, for the long run."""
    width = len(str(total))
    if row.error:
        verdict = f"ERROR {row.error}"
    else:
        ours = "caught" if row.caught else "no finding" if row.kind == "baseline" else "MISSED"
        mark = "" if row.kind in ("baseline", "wild") or row.intended else f" (not by {row.check})"
        mark += "" if row.aborted is None else f" (aborted: {row.aborted})"
        theirs = "n/a" if row.theirs is None else ", ".join(row.theirs) or "no failure"
        verdict = (
            f"ours {ours}{mark} [{', '.join(sorted(row.ours)) or '-'}]; schemathesis [{theirs}]"
        )
    return (f"[{done:>{width}}/{total}] {row.kind:<8} {row.name:<32} {verdict}; "
            f"requests {_requests(row)}; {row.seconds:.1f} s")  # fmt: skip


def _alone(row: Row) -> str:
    if row.caught_alone is None:
        return "n/a"
    if row.alone_exit == 2 and not row.alone:
        return "yes (exit 2)"
    return _checks(row.alone or {}) if row.caught_alone else "no"


def totals(rows: list[Row]) -> dict[str, Any]:
    """The counts the README quotes."""
    wild = [r for r in rows if r.kind == "wild"]
    servers = [r for r in rows if r.kind == "server"]
    clients = [r for r in rows if r.kind == "client"]
    base = next((r for r in rows if r.kind == "baseline"), None)
    st = [r for r in servers if r.caught_by_schemathesis]
    return {
        "servers": len(servers),
        "servers_caught_by_us": sum(r.caught for r in servers),
        "servers_caught_by_intended_check": sum(r.intended for r in servers),
        "servers_caught_by_us_at_must": sum("MUST" in r.ours.values() for r in servers),
        "servers_caught_by_schemathesis": len(st),
        "servers_caught_only_by_us": sum(r.caught and not r.caught_by_schemathesis for r in servers),
        "servers_caught_only_by_schemathesis": sum(not r.caught for r in st),
        "servers_caught_by_neither": sum(not r.caught and not r.caught_by_schemathesis for r in servers),
        "servers_caught_by_the_oracle_alone": sum(bool(r.caught_alone) for r in servers),
        "wild": len(wild),
        "wild_caught_by_us": sum(r.caught for r in wild),
        "wild_caught_by_the_oracle_alone": sum(bool(r.caught_alone) for r in wild),
        "wild_caught_by_schemathesis": sum(bool(r.caught_by_schemathesis) for r in wild),
        "server_requests_ours": sum(r.ours_requests or 0 for r in servers),
        "server_requests_schemathesis": sum(r.theirs_requests or 0 for r in servers),
        "clients": len(clients),
        "clients_caught_by_us": sum(r.caught for r in clients),
        "clients_caught_by_intended_check": sum(r.intended for r in clients),
        "baseline_findings_ours": None if base is None else sorted(base.ours),
        "baseline_failures_schemathesis": None if base is None else base.theirs,
        "errors": [f"{r.kind} {r.name}" for r in rows if r.error],
    }  # fmt: skip


def client_totals(rows: list[Row]) -> dict[str, Any]:
    """The faulty clients caught by the generated answers alone (the catalogue turned off)."""
    clients = [r for r in rows if r.kind == "client"]
    alone = [r for r in clients if r.generated]
    return {
        "clients_caught_by_generated_alone": len(alone),
        "clients_caught_by_generated_alone_intended": sum(r.check in (r.generated or {}) for r in alone),
    }  # fmt: skip


def _client_lines(rows: list[Row]) -> list[str]:
    clients = [r for r in rows if r.kind == "client"]
    if not clients:
        return []
    t = client_totals(rows)
    return [
        f"Faulty clients caught by the generated answers alone (the hand-written catalogue turned"
        f" off): {t['clients_caught_by_generated_alone']}/{len(clients)}."
    ]


def _client_generated_table(rows: list[Row]) -> list[str]:
    """The faulty clients: caught by the whole run, and by the generated answers alone."""
    clients = [r for r in rows if r.kind == "client"]
    if not clients:
        return []
    lines = ["", "## Faulty clients: the generated answers alone", "",
             "| fault | caught by us | caught by generated answers alone (checks with findings) |",
             "| --- | --- | --- |"]  # fmt: skip
    for row in clients:
        alone = "n/a" if row.generated is None else _checks(row.generated)
        caught = "yes" if row.caught else "**no**"
        lines.append("| " + " | ".join(_cell(c) for c in (row.name, caught, alone)) + " |")
    return lines


def totals_lines(rows: list[Row], wall: float, cpu: float | None = None) -> list[str]:
    """The totals, as printed and as the Markdown report's summary."""
    t = totals(rows)
    lines = [
        f"Faulty servers: {t['servers']}. Caught by us: {t['servers_caught_by_us']}/{t['servers']}"
        f" (by the check meant for the fault: {t['servers_caught_by_intended_check']};"
        f" with a MUST finding: {t['servers_caught_by_us_at_must']}). Caught by plain"
        f" schemathesis: {t['servers_caught_by_schemathesis']}/{t['servers']}. Only by us:"
        f" {t['servers_caught_only_by_us']}; only by schemathesis:"
        f" {t['servers_caught_only_by_schemathesis']}; by neither: {t['servers_caught_by_neither']}.",
        f"Caught by the oracle alone (--checks generic: no Lago-specific named check):"
        f" {t['servers_caught_by_the_oracle_alone']}/{t['servers']}.",
        f"Wild servers (faults from real deployments, written apart from the suite): {t['wild']}."
        f" Caught by us: {t['wild_caught_by_us']}/{t['wild']}; by the oracle alone:"
        f" {t['wild_caught_by_the_oracle_alone']}/{t['wild']}; by plain schemathesis:"
        f" {t['wild_caught_by_schemathesis']}/{t['wild']}.",
        f"Requests on the faulty servers: ours {t['server_requests_ours']}, schemathesis"
        f" {t['server_requests_schemathesis']}.",
        f"Faulty clients: {t['clients']}. Caught by us: {t['clients_caught_by_us']}/{t['clients']}"
        f" (by the check meant for the fault: {t['clients_caught_by_intended_check']}); plain"
        " schemathesis: n/a (it has no client side).",
    ]
    lines += _client_lines(rows)
    if t["baseline_findings_ours"] is not None:
        theirs = ", ".join(t["baseline_failures_schemathesis"] or []) or "none"
        lines.append(
            f"Faithful mock: our findings: {len(t['baseline_findings_ours'])}"
            f" (expected 0); plain schemathesis failures: {theirs}."
        )
    if t["errors"]:
        lines.append(f"Errors (no verdict): {', '.join(t['errors'])}.")
    spent = "" if cpu is None else f" (CPU time: {cpu:.0f} s)"
    lines.append(f"Wall time: {wall:.0f} s on {os.cpu_count()} cores{spent}.")
    return lines


def commands(settings: Settings) -> dict[str, str]:
    """The command lines run for each fault, as a user types them, the key redacted."""
    here = Path.cwd()
    raw = {
        "ours_server": ours_server_command(URL, Path("FIXTURES.toml"), Path("DIR"), settings),
        "ours_alone": ours_server_command(
            URL, Path("FIXTURES.toml"), Path("DIR"), settings, alone=True
        ),
        "schemathesis": schemathesis_command(URL, Path("DIR"), settings),
        "ours_client": client_command("NAME", Path("DIR"), settings),
    }
    text = {}
    python = shlex.quote(sys.executable)
    for name, command in raw.items():
        line = shlex.join(command).replace(API_KEY, REDACTED)
        line = line.replace(f"{python} -m schemathesis.cli", "schemathesis")
        line = line.replace(f"{python} -m conformance", "lago-conformance")
        text[name] = line.replace(f"{here}{os.sep}", "")
    return text


def _table(rows: list[Row], budget: int) -> list[str]:
    lines = [
        "| fault | kind | intended check | caught by us (checks with findings) | intended check fired"
        " | caught by the oracle alone | caught by plain schemathesis | requests ours / theirs |",
        "| --- | --- | --- | --- | --- | --- | --- | ---: |",
    ]
    for row in rows:
        fired = "-" if row.kind in ("baseline", "wild") else "yes" if row.intended else "**no**"
        ours = f"ERROR: {row.error}" if row.error else _checks(row.ours)
        if row.aborted is not None:
            ours = f"run aborted (exit 2): {row.aborted}; findings: {ours}"
        intended = "-" if row.kind == "baseline" else f"`{row.check}` ({row.severity or '-'})"
        cells = [row.name, row.kind, intended, ours, fired, _alone(row), _theirs(row),
                 _requests(row, budget)]  # fmt: skip
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def write_reports(
    out: Path, rows: list[Row], settings: Settings, wall: float, jobs: int, cpu: float | None = None
) -> tuple[Path, Path]:
    """Write faults.md and faults.json under ``out``; neither holds the API key."""
    cmds = commands(settings)
    summary = totals_lines(rows, wall, cpu)
    which = "its default" if settings.schemathesis_checks is None else settings.schemathesis_checks
    md = [
        "# Detection power: faulty servers and clients",
        "",
        "Regenerate with `nox -s faults` (or `python -m tests.detection`).",
        "",
        *[f"- {line}" for line in summary],
        "",
        "Each faulty server is served on 127.0.0.1 and checked with the same key, seed and",
        f"request budget ({settings.max_requests} requests, past which the fault is switched off):",
        "",
        f"- ours: `{cmds['ours_server']}`",
        f"- ours, the oracle alone: `{cmds['ours_alone']}`",
        f"- plain schemathesis ({which} checks, on the documented spec): `{cmds['schemathesis']}`",
        f"- faulty clients: `{cmds['ours_client']}`",
        "",
        "Schemathesis catches a fault when a check fails that does not fail on the faithful mock;",
        "we catch it when a check has a finding, or when our run refuses the target (exit 2).",
        "For a faulty client, the requests are the calls our suite made to it.",
        "",
        *_table(rows, settings.max_requests),
        *_client_generated_table(rows),
    ]
    data = {
        "tool_version": __version__,
        "schemathesis_version": importlib.metadata.version("schemathesis"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "jobs": jobs,
        "wall_s": round(wall, 1),
        "cpu_s": None if cpu is None else round(cpu, 1),
        "settings": asdict(settings),
        "commands": cmds,
        "totals": {**totals(rows), **client_totals(rows)},
        "rows": [
            {**asdict(row), "caught": row.caught, "intended_fired": row.intended,
             "caught_alone": row.caught_alone,
             "caught_by_schemathesis": row.caught_by_schemathesis, "seconds": round(row.seconds, 1)}
            for row in rows
        ],
    }  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    paths = out / "faults.md", out / "faults.json"
    for path, text in zip(
        paths, ["\n".join(md) + "\n", json.dumps(data, indent=2) + "\n"], strict=True
    ):
        if API_KEY in text:
            raise AssertionError(f"{path.name} would hold the API key")
        path.write_text(text, encoding="utf-8")
    return paths
