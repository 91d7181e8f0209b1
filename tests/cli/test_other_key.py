"""The command line's --other-api-key (and LAGO_OTHER_API_KEY), --payable-calls and --stateful, and
the pytest plugin's --lago-other-api-key."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conformance._cli.main import main
from conformance._cli.options import SERVER_OPTION_NAMES
from conformance._mock.app import DEFAULT_API_KEY
from tests.test_pytest_plugin import plugin_outcomes

if TYPE_CHECKING:
    from pathlib import Path

OTHER = "cli-other-organization-key-77"
SCENARIO = "stateful/sequence"


def _run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    code = main(["server", "--report-dir", str(tmp_path), "--max-examples", "5", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (DEFAULT_API_KEY, "--other-api-key is the run's own key"),
        ("two words", "the other organization's key holds whitespace"),
    ],
)
def test_a_bad_other_key_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, key: str, message: str
) -> None:
    code, err = _run(capsys, tmp_path, "--other-api-key", key)
    assert code == 2
    assert err.count("\n") == 1
    assert message in err


def test_the_other_key_from_the_environment_is_judged_and_never_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAGO_OTHER_API_KEY", OTHER)
    code, _err = _run(capsys, tmp_path)
    assert code == 0
    data = json.loads((tmp_path / "server.json").read_text())
    assert data["metadata"]["other_organization"] is True
    assert data["metadata"]["requests_by_phase"]["tenant"] >= 2
    assert {r["scenario"] for r in data["results"]} >= {"tenant/payable", SCENARIO}
    for path in tmp_path.iterdir():
        assert OTHER not in path.read_text(), path.name


def test_payable_calls_and_stateful_bound_what_is_sent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _err = _run(capsys, tmp_path, "--payable-calls", "0", "--stateful", "0")
    assert code == 0
    metadata = json.loads((tmp_path / "server.json").read_text())["metadata"]
    assert metadata["payable_calls"] == {"limit": 0}
    assert metadata["stateful"] == {"requests": 0}
    assert "stateful" not in metadata["requests_by_phase"]


def test_the_pytest_plugin_takes_the_other_key(pytester: pytest.Pytester) -> None:
    assert "other_api_key" in SERVER_OPTION_NAMES
    args = ["--lago-max-examples", "5", "--lago-other-api-key", OTHER]
    outcomes = plugin_outcomes(pytester, args)
    assert outcomes["tenant_isolation[tenant/payable]"] == "passed"
    assert outcomes[f"sequence_refuses[{SCENARIO}]"] == "passed"
    assert "failed" not in outcomes.values()
