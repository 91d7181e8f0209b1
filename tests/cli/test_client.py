from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conformance._cli.main import main
from conformance._client.calls.call import API_KEY

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--adapter", "nosuch:thing"], "no module named 'nosuch'", id="no-module"),
        pytest.param(
            ["--adapter", "json:nothing"], "module 'json' has no attribute 'nothing'", id="no-attr"
        ),
        pytest.param(["--adapter", "json:__doc__"], "is not callable", id="not-callable"),
        pytest.param(["--adapter", "bogus"], "neither a built-in", id="not-built-in"),
        pytest.param(
            ["--adapter", "tests.data.broken_adapter:call"],
            "importing 'tests.data.broken_adapter' failed: RuntimeError: adapter setup failed",
            id="import-fails",
        ),
        pytest.param(
            ["--command", "no-such-program-xyz"], "not found or not executable", id="no-program"
        ),
        pytest.param(["--command", ""], "--command is empty", id="empty-command"),
        pytest.param(["--command", "'unclosed"], "cannot be parsed", id="bad-quoting"),
        pytest.param(["--scenario", "nope"], "unknown --scenario nope", id="unknown-scenario"),
        pytest.param(
            ["--client-option", "nope=1"],
            "reference takes NAME=VALUE with NAME one of max_retries, timeout",
            id="unknown-client-option",
        ),
        pytest.param(
            ["--client-option", "max_retries=two"],
            "max_retries='two' for reference: expected a whole number such as 3",
            id="client-option-not-a-number",
        ),
        pytest.param(
            ["--adapter", "lago-python-client", "--client-option", "retry_on_rate_limit=maybe"],
            "expected true or false",
            id="client-option-not-a-bool",
        ),
    ],
)
def test_client_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    assert main(["client", *args, "--report-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--adapter", "reference", "--command", "ls"], "not allowed with argument", id="both"
        ),
        pytest.param(["--timeout", "0"], "must be more than 0", id="zero-timeout"),
        pytest.param(["--level", "loose"], "invalid choice: 'loose'", id="bad-level"),
    ],
)
def test_client_argument_errors_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["client", *args])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_client_reference_writes_four_reports_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["client", "--adapter", "reference", "--max-examples", "5", "--report-dir", str(tmp_path)]
    )
    assert code == 0
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["client.html", "client.json", "client.junit.xml", "client.md"]
    data = json.loads((tmp_path / "client.json").read_text(encoding="utf-8"))
    assert data["suite"] == "client"
    assert data["subject"]["adapter"] == "reference"
    assert data["conformant"] is True
    assert "conformant at --fail-on must" in capsys.readouterr().out


def test_client_exits_1_on_must_findings(tmp_path: Path) -> None:
    # FaultyClient is a class: calling it makes a client, not an outcome, so every scenario fails.
    args = ["client", "--adapter", "tests.faulty_clients:FaultyClient", "--max-examples", "2"]
    assert main([*args, "--report-dir", str(tmp_path)]) == 1


def test_should_findings_fail_only_with_fail_on_should(tmp_path: Path) -> None:
    args = ["client", "--adapter", "tests.data.status_losing_adapter:call", "--max-examples", "2"]
    assert main([*args, "--report-dir", str(tmp_path)]) == 0
    assert main([*args, "--fail-on", "should", "--report-dir", str(tmp_path)]) == 1
    assert API_KEY not in (tmp_path / "client.md").read_text(encoding="utf-8")
