"""Reports that diff cleanly: with SOURCE_DATE_EPOCH, the same seed writes the same bytes; without
it, only the timestamp differs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from conformance import ClientOptions, ServerOptions, run_client_suite, run_server_suite
from conformance._report.writers import write_reports

if TYPE_CHECKING:
    from pathlib import Path

    from conformance import Report

_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def server() -> Report:
    return run_server_suite(ServerOptions(seed=3, max_examples=5))


def client() -> Report:
    scenarios = ("200-example", "200-generated", "404-invoice_not_found", "429-then-200")
    return run_client_suite(ClientOptions(seed=3, max_examples=5, scenarios=scenarios))


def written(report: Report, where: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in write_reports(report, where)}


@pytest.mark.parametrize("run", [server, client], ids=["server", "client"])
def test_the_same_seed_writes_the_same_bytes_under_source_date_epoch(
    run: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    assert callable(run)
    first, again = written(run(), tmp_path / "1"), written(run(), tmp_path / "2")
    assert first == again
    stamped = [name for name, text in first.items() if "2025-11-24T16:00:00+00:00" in text]
    assert sorted(stamped) == sorted(name for name in first if not name.endswith(".md"))


@pytest.mark.parametrize("run", [server, client], ids=["server", "client"])
def test_without_it_only_the_timestamp_differs(
    run: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert callable(run)
    first, again = written(run(), tmp_path / "1"), written(run(), tmp_path / "2")
    assert {name: _STAMP.sub("T", text) for name, text in first.items()} == {
        name: _STAMP.sub("T", text) for name, text in again.items()
    }
    assert all(_STAMP.search(text) for name, text in first.items() if not name.endswith(".md"))


def test_a_source_date_epoch_that_is_not_a_number_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from conformance._cli.main import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert main(["server", "--max-examples", "2", "--report-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "lago-conformance: error: SOURCE_DATE_EPOCH 'yesterday' is not a number of seconds"
        " since 1970-01-01; fix it or unset it\n"
    )
