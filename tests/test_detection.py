"""The detection harness (``nox -s faults``) on a tiny subset: the table is computed honestly."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

import tests.detection as detection
from tests.detection import apply_baseline, run_all
from tests.detection_report import commands, totals, write_reports
from tests.detection_runs import FAITHFUL, Row, Settings, client_command, server_row
from tests.faulty_clients import CLIENT_FAULTS
from tests.faulty_servers import API_KEY, FAULTS, FaultyLago, Reply, Request
from tests.oracle_faults import ORACLE_FAULTS
from tests.wild_servers import WILD_SERVERS

# The faithful mock (the baseline), a fault both tools catch, and a faulty client: a few seconds.
SUBSET = {FAITHFUL, "500-html-on-odd-input", "swallows-422"}


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return run_all(Settings(max_examples=1), workers=3, only=SUBSET)


@pytest.mark.http
def test_the_faithful_mock_has_no_finding_and_faults_show_our_check(rows: list[Row]) -> None:
    by_name = {row.name: row for row in rows}
    assert [row.error for row in rows] == [None] * 3
    assert [row.name for row in rows] == [FAITHFUL, "500-html-on-odd-input", "swallows-422"]
    base = by_name[FAITHFUL]
    assert base.ours == {}
    assert base.ours_exit == 0
    # Plain schemathesis fails real Lago, and so the faithful mock, on one request only: Puma's
    # 501 to QUERY (its coverage phase's undeclared method).
    assert base.theirs == ["not_a_server_error (QUERY)", "unsupported_method (QUERY)"]
    crash = by_name["500-html-on-odd-input"]
    assert crash.ours["not_a_server_error"] == "MUST"
    assert crash.intended
    assert crash.ours_exit == 1
    # At this budget plain schemathesis meets the fault only on its QUERY request, where it fails
    # faithful Lago too (Puma's 501): not a catch.
    assert crash.theirs == base.theirs
    assert crash.caught_by_schemathesis is False
    client = by_name["swallows-422"]
    assert client.intended
    assert client.theirs is None
    assert client.caught_by_schemathesis is None
    for row in rows:
        if row.kind != "client":
            assert 0 < (row.ours_requests or 0) <= 300
            assert (row.theirs_requests or 0) > 0


@pytest.mark.http
def test_the_reports_hold_the_rows_and_never_the_key(rows: list[Row], tmp_path: Path) -> None:
    md, js = write_reports(tmp_path, rows, Settings(max_examples=1), 12.3, 4)
    text = md.read_text(encoding="utf-8")
    data = json.loads(js.read_text(encoding="utf-8"))
    assert API_KEY not in text
    assert API_KEY not in js.read_text(encoding="utf-8")
    assert "[REDACTED]" in data["commands"]["schemathesis"]
    assert data["commands"]["schemathesis"].startswith("schemathesis run openapi/payment-url.yaml")
    assert [row["name"] for row in data["rows"]] == [row.name for row in rows]
    assert data["totals"]["servers"] == 1
    assert data["totals"]["servers_caught_by_us"] == 1
    assert data["totals"]["servers_caught_by_schemathesis"] == 0  # its QUERY 501, as on Lago
    assert data["totals"]["servers_caught_only_by_us"] == 1
    assert data["totals"]["clients_caught_by_us"] == 1
    assert (
        "| faithful-mock | baseline | - | - | - | no |"
        " fails: not_a_server_error (QUERY), unsupported_method (QUERY) |"
    ) in text
    client = next(line for line in text.splitlines() if line.startswith("| swallows-422 |"))
    # Its row names the check meant for it, then every check that found it (the cell is ours).
    found = ", ".join(f"{check} ({severity})" for check, severity in sorted(rows[2].ours.items()))
    assert client.startswith(f"| swallows-422 | client | `error_fields` (MUST) | {found} | yes |")
    assert "error_fields (MUST)" in found
    assert "| yes | n/a | n/a |" in client  # no oracle-alone run, no schemathesis: servers only
    # A generic invariant: it is kept when the oracle is alone.
    crash = next(row for row in data["rows"] if row["name"] == "500-html-on-odd-input")
    assert crash["caught_alone"] is True
    assert crash["alone"]["not_a_server_error"] == "MUST"
    assert data["totals"]["servers_caught_by_the_oracle_alone"] == 1


def refuses_every_key(server: FaultyLago, request: Request) -> Reply:
    return server.faithful(replace(request, authorization="Bearer another-key"))


@pytest.mark.http
def test_a_target_our_suite_refuses_to_judge_counts_as_caught_with_the_reason() -> None:
    row = server_row("refuses-every-key", partial(FaultyLago, refuses_every_key), "auth_required",
                     "MUST", "server", Settings(max_examples=1, schemathesis=False))  # fmt: skip
    assert row.error is None
    assert row.ours_exit == 2
    assert row.aborted is not None
    assert "key" in row.aborted
    assert API_KEY not in row.aborted
    assert row.caught
    assert not row.intended
    assert row.theirs is None  # not run here


def test_a_schemathesis_failure_the_faithful_mock_also_has_is_not_a_catch() -> None:
    rows = [
        Row(FAITHFUL, "baseline", "-", "-", theirs=["status_code_conformance"]),
        Row("same", "server", "x", "MUST", theirs=["status_code_conformance"]),
        Row(
            "more", "server", "x", "MUST", theirs=["not_a_server_error", "status_code_conformance"]
        ),
        Row("client", "client", "x", "MUST", ours={"x": "MUST"}),
    ]
    rows[1].ours = {"x": "MUST"}  # only we catch "same"; only schemathesis catches "more"
    apply_baseline(rows)
    assert [row.caught_by_schemathesis for row in rows[1:]] == [False, True, None]
    assert rows[2].theirs_new == ["not_a_server_error"]
    counted = totals(rows)
    assert counted["baseline_failures_schemathesis"] == ["status_code_conformance"]
    assert counted["servers_caught_only_by_us"] == 1
    assert counted["servers_caught_only_by_schemathesis"] == 1
    assert counted["servers_caught_by_neither"] == 0


def test_every_catalogue_entry_is_a_job_and_each_client_is_an_adapter() -> None:
    names = [job.name for job in detection.jobs(Settings())]
    servers = [*(f.name for f in FAULTS), *(f.name for f in ORACLE_FAULTS)]
    wild = [f.name for f in WILD_SERVERS]
    assert names == [FAITHFUL, *servers, *wild, *(c.name for c in CLIENT_FAULTS)]
    for fault in CLIENT_FAULTS:
        assert getattr(detection, f"client-{fault.name}") is fault.client
    with pytest.raises(AttributeError):
        _ = detection.__getattr__("client-no-such-fault")


@pytest.mark.parametrize("python", [sys.executable, ".nox/faults/bin/python"])
def test_the_recorded_commands_are_what_a_user_types(
    python: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under nox the interpreter lives in the working directory: it is named all the same.
    monkeypatch.setattr(sys, "executable", str(Path.cwd() / python))
    cmds = commands(Settings())
    assert cmds["ours_server"].startswith(
        "lago-conformance server --base-url http://127.0.0.1:PORT"
    )
    assert "--checks" not in cmds["schemathesis"]  # its default checks
    assert "--max-examples" not in cmds["schemathesis"]  # its default budget (ours: --max-requests)
    assert all(API_KEY not in line for line in cmds.values())
    assert cmds["schemathesis"].startswith("schemathesis run openapi/payment-url.yaml --url ")
    assert cmds["ours_client"].startswith("lago-conformance client --level strict --seed 0")
    assert cmds["ours_client"].endswith("--adapter tests.detection:client-NAME")


def test_a_fault_for_a_command_only_scenario_runs_as_that_command() -> None:
    fault = next(f for f in CLIENT_FAULTS if f.name == "no-total-deadline")
    command = client_command(fault.name, Path("DIR"), Settings())
    assert command[command.index("--scenario") + 1] == "200-trickles"
    typed = command[command.index("--command") + 1]
    assert typed.endswith("-m tests.faulty_clients deadline=null")
