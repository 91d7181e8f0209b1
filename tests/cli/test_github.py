"""GitHub Actions output from the command line: the step summary and the workflow commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance._cli.main import main
from conformance._mock.serve import serving
from tests.faulty_servers import FAULTS, FaultyLago

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.http
def test_a_key_echoing_server_gives_errors_and_a_summary_without_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    fault = next(f for f in FAULTS if f.name == "api-key-echoed")
    app = FaultyLago(fault.run)
    key = app.mock.api_key
    monkeypatch.setenv("LAGO_API_KEY", key)
    with serving(app) as url:
        code = main(
            [
                "server",
                "--base-url",
                url + "/api/v1",
                "--max-examples",
                "5",
                "--report-dir",
                str(tmp_path / "r"),
            ]
        )
    out, err = capsys.readouterr()
    assert code == 1
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert commands
    echo = [line for line in commands if "no_secret_echo" in line]
    assert echo
    assert all(line.startswith("::error title=") for line in echo)
    assert "%0Ascenario: " in echo[0]
    assert "Reproduce with:%0A    curl " in echo[0]
    text = summary.read_text()
    assert text.startswith("earlier\n### lago-conformance server: NOT conformant\n")
    assert "(`no_secret_echo`, `" in text
    assert key not in out + err + text


def test_the_client_command_writes_the_summary_and_no_commands_without_github_actions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code = main(
        [
            "client",
            "--adapter",
            "reference",
            "--scenario",
            "200-example",
            "--report-dir",
            str(tmp_path / "r"),
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    assert not any(line.startswith("::") for line in out.splitlines())
    assert summary.read_text().startswith("### lago-conformance client: conformant\n")


def test_nothing_for_github_when_its_variables_are_unset(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    code = main(["client", "--scenario", "200-example", "--report-dir", "r"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert not any(line.startswith("::") for line in out.splitlines())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_an_unwritable_summary_is_a_warning_and_keeps_the_exit_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))
    code = main(["client", "--scenario", "200-example", "--report-dir", str(tmp_path / "r")])
    _, err = capsys.readouterr()
    assert code == 0
    assert "warning: cannot append to GITHUB_STEP_SUMMARY" in err
