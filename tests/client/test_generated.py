"""Generated answers (issue 15): each relation and invariant has a faulty client only it catches,
the oracle's checks fail by their own judge, cases are seeded, shrunk and replayable.

The reference client's zero findings over seeds 0-19 are in test_generated_reference.py.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from conformance._cli.main import main
from conformance._client.calling.adapters import Subject, declared
from conformance._client.calls.answers import Answer
from conformance._client.judging.checks import GENERATED, INVARIANTS, RELATION_CHECKS
from conformance._client.served.answer_strategy import Case
from conformance._client.served.catalogue import catalogue
from conformance._client.served.explore import draw_cases
from conformance._client.suite import ClientOptions, run_subject
from tests.faulty_clients import CLIENT_FAULTS, FaultyClient

if TYPE_CHECKING:
    from pathlib import Path

    from conformance._report.findings import Report

FAULTS = {fault.name: fault for fault in CLIENT_FAULTS}
IN_PROCESS = tuple(s.name for s in catalogue() if s.only != "command")
# Each relation and each invariant, and the faulty client that only it catches.
ONLY_IT = {
    **{
        fault.check: fault.name
        for fault in CLIENT_FAULTS
        if fault.name.startswith("retries-gateway")
    },
    "key_never_in_outcome": "key-in-error-message",
    "no_resend_after_4xx": "retries-409",
    "call_within_bound": "retries-timeouts",
    "key_only_in_authorization": "key-in-header",
    "key_never_written": "logs-headers-at-debug",
    "retries_as_configured": "ignores-no-retry-option",
}


def run(call: Any, *scenarios: str, **options: Any) -> Report:
    return run_subject(
        declared(Subject("faulty", None, call)), ClientOptions(scenarios=scenarios, **options)
    )


def flagged(report: Report) -> set[tuple[str, str]]:
    return {(result.scenario, result.check) for result in report.results if result.findings}


def test_every_relation_and_invariant_has_a_faulty_client_of_its_own() -> None:
    assert set(ONLY_IT) == {check.name for check in (*RELATION_CHECKS, *INVARIANTS)}
    # And every check of the generated answers is some faulty client's intended check.
    assert {check.name for check in GENERATED} <= {fault.check for fault in CLIENT_FAULTS}


def test_the_faulty_client_without_faults_passes_the_generated_answers() -> None:
    assert run(FaultyClient(), "generated").findings == []


@pytest.mark.parametrize(("check", "fault"), sorted(ONLY_IT.items()))
def test_only_its_relation_or_invariant_catches_the_faulty_client(check: str, fault: str) -> None:
    report = run(FAULTS[fault].client, *IN_PROCESS)  # the whole catalogue, generated answers too
    assert {found for _, found in flagged(report)} == {check}
    assert ("generated", check) in flagged(report)
    finding = next(f for f in report.findings if f.check == check and f.title.startswith("gener"))
    assert "--replay" in finding.reproduce
    assert "of --seed 0 --explore 200" in finding.received


@pytest.mark.parametrize(
    "fault", ["needs-lago-content-type", "2xx-as-empty-success", "error-details-only-on-422"]
)
def test_each_check_of_the_oracle_fails_by_its_own_judge(fault: str) -> None:
    entry = FAULTS[fault]
    report = run(entry.client, "generated")
    assert ("generated", entry.check) in flagged(report)
    assert report.exit_code == entry.exit_code
    # The catalogue, whose answers are Lago's own forms, does not see these faults.
    assert run(entry.client, *IN_PROCESS[:-1]).findings == []


def test_a_documented_answer_is_judged_at_must_and_another_at_should() -> None:
    strict = run(FaultyClient(needs_lago_content_type=True), "generated")
    severities = {(f.check, f.severity) for f in strict.findings}
    assert ("served_as_documented", "MUST") in severities  # a documented 200 as a failure
    documented = run(FaultyClient(empty_2xx_success=True), "generated", level="documented")
    assert documented.findings == []  # a 201 or 204 is not documented: SHOULD, strict only


def test_cases_are_seeded_and_the_report_is_the_same_for_the_same_seed() -> None:
    assert draw_cases("strict", 3, 40) == draw_cases("strict", 3, 40)
    assert draw_cases("strict", 3, 40) != draw_cases("strict", 4, 40)
    client = FaultyClient(non_json_status=500)
    first, again = (run(client, "generated", seed=3, explore=60) for _ in range(2))
    assert first.findings
    assert first.findings == again.findings
    assert first.metadata["scenarios"] == again.metadata["scenarios"]


def test_a_failing_answer_is_shrunk_and_replays_from_its_file(tmp_path: Path) -> None:
    client = FaultyClient(non_json_status=500)
    report = run(client, "generated", explore=60)
    finding = next(f for f in report.findings if "loses the real HTTP status" in f.title)
    assert ", shrunk)" in finding.received
    cases = report.metadata["scenarios"]["generated"]["case_files"]
    name = finding.reproduce.rsplit(" ", 1)[1]
    case = cases[name]
    answer = Answer.from_json(case["answer"])
    # Shrunk: no extra header, no fault, Content-Length framing, no coding; still a non-JSON body.
    assert (answer.transport, answer.framing, answer.coding) == ("", "length", "identity")
    assert len(answer.headers) <= 1
    assert answer.json() is not None
    path = tmp_path / name
    path.write_text(json.dumps(case), encoding="utf-8")
    replayed = run(client, replay=str(path))
    assert [(f.check, f.title) for f in replayed.findings] == [(finding.check, finding.title)]
    assert replayed.metadata["scenarios"]["generated"]["cases"] == 1
    assert set(replayed.metadata["scenarios"]) == {"generated"}


def test_the_command_line_writes_case_files_and_replays_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    adapter = "tests.detection:client-2xx-as-empty-success"
    args = ["client", "--adapter", adapter, "--scenario", "generated", "--explore", "40"]
    assert main([*args, "--report-dir", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.glob("client-case-*.json"))
    assert written
    markdown = (tmp_path / "client.md").read_text(encoding="utf-8")
    assert f"--replay {tmp_path / written[0]}" in markdown
    replay = ["client", "--adapter", adapter, "--replay", str(tmp_path / written[0])]
    assert main([*replay, "--report-dir", str(tmp_path / "again")]) == 0
    data = json.loads((tmp_path / "again" / "client.json").read_text(encoding="utf-8"))
    assert [r["check"] for r in data["results"] if r["findings"]] == ["served_as_answered"]
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    capsys.readouterr()
    assert main(["client", "--replay", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not a case file written by lago-conformance" in err


def test_explore_0_runs_no_generated_answer() -> None:
    report = run(FaultyClient(non_json_status=500), "generated", explore=0)
    assert report.findings == []
    assert {result.skipped for result in report.results} == {"--explore 0"}


def test_the_virtual_clock_counts_each_read_timeout_at_the_clients_own_value() -> None:
    # Four reads of 7 s: 28 s, within the bound; five: 35 s, past it (transport_fault passes both).
    assert run(FaultyClient(retry_timeouts=3, timeout=7), "never-answers").findings == []
    report = run(FaultyClient(retry_timeouts=4, timeout=7), "never-answers")
    (finding,) = report.findings
    assert finding.check == "call_within_bound"
    assert finding.title == "never-answers: the call would take 35 s"
    assert finding.received.count("read timeout 7 s") == 5


def test_a_deadline_kept_with_time_monotonic_sees_the_virtual_clock() -> None:
    seen: list[float] = []

    def sleepy(base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
        import time

        start = time.monotonic()
        time.sleep(12)
        seen.append(time.monotonic() - start)
        return FaultyClient()(base_url, api_key, lago_id)

    report = run(sleepy, "200-example")
    assert report.findings == []
    assert seen
    assert 12 <= seen[0] < 13


def test_every_generated_check_is_in_the_generated_scenario() -> None:
    (generated,) = [scenario for scenario in catalogue() if scenario.explore]
    assert generated.checks == GENERATED
    assert generated.severity == "MUST"


def test_a_case_file_round_trips() -> None:
    answer = Answer(503, (("Retry-After", "{date+5}"),), b"\xff\xfe", "chunked", "gzip", "cut")
    case = Case(answer, "framing")
    again = Case(Answer.from_json(case.to_json()["answer"]), case.to_json()["relation"])
    assert again == case
