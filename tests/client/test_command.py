from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance._client.calling.adapters import command_subject
from conformance._client.suite import ClientOptions, run_subject

if TYPE_CHECKING:
    from conformance._report.findings import Report

pytestmark = pytest.mark.http

ROOT = Path(__file__).resolve().parents[2]
PYTHON = shlex.quote(sys.executable)
# The read timeout given to the reference and curl clients (LAGO_TIMEOUT), and the harness's
# kill timeout for them: room for a slow start on a loaded machine, both well under the 30 s
# a client may wait for a server that never answers.
CLIENT_TIMEOUT = 5
KILL_TIMEOUT = 20


def faulty_command(**flags: Any) -> str:
    args = " ".join(shlex.quote(f"{name}={json.dumps(value)}") for name, value in flags.items())
    return f"cd {shlex.quote(str(ROOT))} && {PYTHON} -m tests.faulty_clients {args}"


def run(
    command: str, *scenarios: str, timeout: float = 10, examples: int = 3, explore: int = 0
) -> Report:
    # Four at once: the scenarios that wait (never-answers, 200-trickles) leave the cores idle.
    options = ClientOptions(
        max_examples=examples, scenarios=scenarios, timeout=timeout, jobs=4, explore=explore
    )
    return run_subject(command_subject(command), options)


def flagged(report: Report) -> set[tuple[str, str]]:
    return {(result.scenario, result.check) for result in report.results if result.findings}


def test_reference_command_passes_every_scenario_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAGO_TIMEOUT", str(CLIENT_TIMEOUT))
    command = f"cd {shlex.quote(str(ROOT))} && {PYTHON} -m conformance._client.calling.reference"
    report = run(command, timeout=KILL_TIMEOUT, explore=8)  # generated answers too
    assert report.findings == []
    generated = report.metadata["scenarios"]["generated"]
    assert (generated["cases"], generated["calls"] > 8) == (8, True)
    hung = report.timings["never-answers"]
    assert CLIENT_TIMEOUT <= hung < KILL_TIMEOUT
    skipped = {result.scenario for result in report.results if result.skipped}
    # default-base-url: a generic command has no interception of the documented servers.
    assert skipped == {
        "request-us",
        "request-eu",
        "base-explicit-port",
        "base-http",
        "default-base-url",
    }
    # The reference gives up on a trickling body at its deadline (2 x LAGO_TIMEOUT).
    assert report.timings["200-trickles"] < KILL_TIMEOUT
    assert report.subject["transport"] == "http"


@pytest.mark.parametrize(
    ("flags", "scenario", "check"),
    [
        pytest.param(
            {"auth_scheme": "Token"}, "request-self-hosted", "request_shape", id="wrong-auth"
        ),
        pytest.param(
            {"path": "invoice/{id}/payment_url"},
            "request-self-hosted",
            "request_shape",
            id="wrong-path",
        ),
        pytest.param(
            {"encode_id": False},
            "request-reserved-characters",
            "id_percent_encoded",
            id="no-encoding",
        ),
        pytest.param({"non_json_status": 500}, "502-html", "keeps_http_status", id="loses-status"),
        pytest.param(
            {"drop_error_details": True},
            "422-third_party_error",
            "all_error_fields",
            id="drops-details",
        ),
        pytest.param(
            {"transport_status": 0}, "connection-refused", "transport_fault", id="refused"
        ),
        pytest.param({"transport_status": 500}, "connection-reset", "transport_fault", id="reset"),
        pytest.param(
            {"retries_4xx": 1}, "404-invoice_not_found", "no_retry_after_4xx", id="retries-4xx"
        ),
        pytest.param({"retries_429": None}, "429-always", "rate_limit_bounded", id="runaway-429"),
        pytest.param(
            {"forbid_unknown": True}, "200-generated", "success_details", id="unknown-fields"
        ),
    ],
)
def test_faults_are_flagged_over_http_too(flags: dict[str, Any], scenario: str, check: str) -> None:
    report = run(faulty_command(**flags), scenario, examples=15)
    assert (scenario, check) in flagged(report)


def test_a_client_without_timeout_is_killed_past_the_bound() -> None:
    report = run(faulty_command(timeout=None), "never-answers", timeout=1.5)
    (finding,) = report.findings
    assert "did not finish within 1.5 s and was killed" in finding.received
    assert report.timings["never-answers"] < 5


@pytest.mark.parametrize(
    ("command", "message"),
    [
        pytest.param("exit 3", "the command exited with status 3", id="non-zero-exit"),
        pytest.param("echo hello", "the command printed no JSON outcome", id="no-json"),
        pytest.param("echo '[1]'", "invalid outcome", id="not-an-outcome"),
        pytest.param("sleep 20", "did not finish within 1 s", id="hangs"),
    ],
)
def test_a_broken_command_is_a_finding_not_a_harness_error(command: str, message: str) -> None:
    report = run(command, "401-unauthorized", timeout=1)
    (finding,) = report.findings
    assert finding.severity == "MUST"
    assert message in finding.received


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_readme_curl_client_passes_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAGO_TIMEOUT", str(CLIENT_TIMEOUT))
    command = shlex.quote(str(ROOT / "tests" / "clients" / "curl-client.sh"))
    report = run(command, timeout=KILL_TIMEOUT, examples=10, explore=8)
    assert report.findings == []
    hung = report.timings["never-answers"]
    assert CLIENT_TIMEOUT <= hung < KILL_TIMEOUT


def test_generated_answers_are_judged_over_a_command() -> None:
    # A wrapper that logs the request it sent in the failure's message: every failure shows it.
    report = run(faulty_command(key_in_message=True), "generated", explore=6)
    assert flagged(report) == {("generated", "key_never_in_outcome")}
    finding = report.findings[0]
    assert finding.severity == "MUST"
    assert "--replay" in finding.reproduce
    assert "--command" in finding.reproduce
