"""``--lago-baseline``: the pytest front end gives the CLI's verdicts on a baseline."""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING

import pytest

from conformance import dump_fixtures
from conformance._cli.main import main
from conformance._mock.serve import serving
from tests.faulty_servers import FAULTS, FaultyLago
from tests.test_pytest_plugin import PLUGIN, TEST_FILE

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TODAY = datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC)
LIVE = '[[accept]]\ncheck = "payable_invoice"\nreason = "fix in 1.2"\nexpires = 2027-01-31\n'
EXPIRED = LIVE.replace("2027-01-31", "2026-11-24")
STALE = '[[accept]]\ncheck = "invoice_echo"\nreason = "never seen"\nexpires = 2027-01-31\n'


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(TODAY.timestamp())))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """A server that refuses payable invoices, and the options that check it."""
    app = FaultyLago(next(f for f in FAULTS if f.name == "payable-refused").run)
    fixtures = tmp_path_factory.mktemp("fixtures") / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures))
    with serving(app) as url:
        # The documented level: a SHOULD finding fails the CLI's row but not the plugin's test.
        yield [
            "--level=documented",
            "--max-examples=3",
            f"--api-key={app.mock.api_key}",
            f"--base-url={url}/api/v1",
            f"--fixtures={fixtures}",
        ]


def both(
    pytester: pytest.Pytester, tmp_path: Path, options: list[str]
) -> tuple[tuple[int, dict[str, str]], tuple[int, dict[str, str]]]:
    """(exit code, outcome per test) from the CLI, then from pytest."""
    code = main(["server", *options, "--report-dir", str(tmp_path / "cli")])
    data = json.loads((tmp_path / "cli" / "server.json").read_text())
    cli = {f"{r['check']}[{r['scenario']}]": r["outcome"] for r in data["results"]}
    pytester.makepyfile(test_lago=TEST_FILE)
    plugin_options = [option.replace("--", "--lago-", 1) for option in options]
    result = pytester.runpytest_inprocess(*PLUGIN, "-p", "no:cacheprovider", "-q", *plugin_options)
    outcomes: dict[str, str] = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        if report.when == "call" or (report.when == "setup" and report.skipped):
            name = report.nodeid.split("test_lago[", 1)[1][:-1]
            outcomes[name] = "xfailed" if hasattr(report, "wasxfail") else report.outcome
    return (code, cli), (int(result.ret), outcomes)


def accepted(outcomes: dict[str, str], outcome: str) -> set[str]:
    return {name for name, value in outcomes.items() if value == outcome}


PAYABLE = {"payable_invoice[invoice/payable]", "payable_invoice[invoice/payable-again]"}


@pytest.mark.http
def test_a_live_entry_passes_in_both(
    pytester: pytest.Pytester, tmp_path: Path, server: list[str]
) -> None:
    (tmp_path / "b.toml").write_text(LIVE)
    (code, cli), (ret, plugin) = both(
        pytester, tmp_path, [*server, f"--baseline={tmp_path}/b.toml"]
    )
    assert code == ret == 0
    assert accepted(cli, "accepted") == accepted(plugin, "xfailed") == PAYABLE
    assert accepted(plugin, "failed") == set()


@pytest.mark.http
def test_an_expired_entry_fails_in_both(
    pytester: pytest.Pytester, tmp_path: Path, server: list[str]
) -> None:
    (tmp_path / "b.toml").write_text(EXPIRED)
    (code, cli), (ret, plugin) = both(
        pytester, tmp_path, [*server, f"--baseline={tmp_path}/b.toml"]
    )
    assert code == ret == 1
    assert accepted(cli, "failed") == accepted(plugin, "failed") == PAYABLE


@pytest.mark.http
def test_a_stale_entry_fails_in_both_unless_allowed(
    pytester: pytest.Pytester, tmp_path: Path, server: list[str]
) -> None:
    (tmp_path / "b.toml").write_text(LIVE + STALE)
    options = [*server, f"--baseline={tmp_path}/b.toml"]
    (code, _), (ret, plugin) = both(pytester, tmp_path, options)
    assert code == ret == 1
    assert accepted(plugin, "failed") == {"baseline[stale entry 1]"}
    (code, _), (ret, plugin) = both(pytester, tmp_path, [*options, "--allow-stale"])
    assert code == ret == 0


def test_a_bad_baseline_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text(LIVE.replace("payable_invoice", "nope"))
    pytester.makepyfile(test_lago=TEST_FILE)
    result = pytester.runpytest_inprocess(*PLUGIN, f"--lago-baseline={tmp_path}/b.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*lago-conformance: *names unknown check 'nope'*"])
