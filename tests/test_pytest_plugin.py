"""The pytest front end gives the same verdicts as the command line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conformance import dump_fixtures
from conformance._cli.main import main
from conformance._mock.serve import serving
from tests.contract.documents import bundled, with_required, write
from tests.faulty_servers import FAULTS, FaultyLago

if TYPE_CHECKING:
    from pathlib import Path

TEST_FILE = """
def test_lago(lago_check):
    lago_check.verdict()
"""
# The entry point may or may not be installed: load the plugin explicitly, once.
PLUGIN = ("-p", "no:lago_conformance", "-p", "conformance.pytest_plugin")


def cli_outcomes(tmp_path: Path, args: list[str]) -> dict[str, str]:
    main(["server", *args, "--report-dir", str(tmp_path / "cli")])
    data = json.loads((tmp_path / "cli" / "server.json").read_text())
    return {f"{r['check']}[{r['scenario']}]": r["outcome"] for r in data["results"]}


def plugin_outcomes(pytester: pytest.Pytester, args: list[str]) -> dict[str, str]:
    pytester.makepyfile(test_lago=TEST_FILE)
    result = pytester.runpytest_inprocess(*PLUGIN, "-p", "no:cacheprovider", "-q", "-rA", *args)
    reports = result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    outcomes: dict[str, str] = {}
    for report in reports:
        if report.when == "call" or (report.when == "setup" and report.skipped):
            name = report.nodeid.split("test_lago[", 1)[1][:-1]
            outcomes[name] = report.outcome
    return outcomes


def test_the_embedded_mock_passes_from_pytest(pytester: pytest.Pytester, tmp_path: Path) -> None:
    plugin = plugin_outcomes(pytester, ["--lago-max-examples", "5"])
    cli = cli_outcomes(tmp_path, ["--max-examples", "5"])
    assert plugin.keys() == cli.keys()
    assert set(plugin.values()) == set(cli.values()) == {"passed"}


@pytest.mark.http
def test_pytest_and_the_cli_agree_on_a_faulty_server(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    app = FaultyLago(next(f for f in FAULTS if f.name == "payable-refused").run)
    fixtures = tmp_path / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures))
    with serving(app) as url:
        # The documented level: a SHOULD finding fails the CLI's row but not the plugin's test.
        common = [
            "--level",
            "documented",
            "--max-examples",
            "5",
            "--api-key",
            app.mock.api_key,
            "--base-url",
            url + "/api/v1",
            "--fixtures",
            str(fixtures),
        ]
        cli = cli_outcomes(tmp_path, common)
        plugin = plugin_outcomes(
            pytester,
            [arg.replace("--", "--lago-", 1) if arg.startswith("--") else arg for arg in common],
        )
    assert plugin.keys() == cli.keys()
    assert {name for name, outcome in plugin.items() if outcome == "failed"} == {
        name for name, outcome in cli.items() if outcome == "failed"
    }
    assert "payable_invoice[invoice/payable]" in {
        name for name, outcome in plugin.items() if outcome == "failed"
    }


@pytest.mark.http
@pytest.mark.parametrize(("fail_on", "outcome"), [("must", "passed"), ("should", "failed")])
def test_should_findings_fail_only_with_fail_on_should(
    pytester: pytest.Pytester, tmp_path: Path, fail_on: str, outcome: str
) -> None:
    app = FaultyLago(next(f for f in FAULTS if f.name == "url-changes-per-call").run)
    fixtures = tmp_path / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures))
    with serving(app) as url:
        plugin = plugin_outcomes(
            pytester,
            [
                "--lago-max-examples",
                "5",
                "--lago-api-key",
                app.mock.api_key,
                "--lago-base-url",
                url + "/api/v1",
                "--lago-fixtures",
                str(fixtures),
                "--lago-fail-on",
                fail_on,
            ],
        )
    assert plugin["payment_url_stable[invoice/payable]"] == outcome


def test_a_bad_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_lago=TEST_FILE)
    result = pytester.runpytest_inprocess(*PLUGIN, "--lago-base-url", "https://lago.example.com")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*lago-conformance: --base-url 'https://lago.example.com' must end in /api/v1*"]
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--lago-max-examples=0", "0 must be 1 or more"),
        ("--lago-timeout=never", "'never' is not a number of seconds"),
    ],
)
def test_bad_numbers_are_usage_errors(pytester: pytest.Pytester, option: str, message: str) -> None:
    pytester.makepyfile(test_lago=TEST_FILE)
    result = pytester.runpytest_inprocess(*PLUGIN, option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_lago_spec_checks_against_another_document_as_spec_does(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # A newer document that requires a field Lago does not send: the payable invoice fails it.
    document = with_required(bundled())
    details = document["components"]["schemas"]["InvoicePaymentUrl"]["properties"]
    schema = details["invoice_payment_details"]["allOf"][0]
    schema["properties"]["checkout_expires_at"] = {"type": "string"}
    schema["required"] = [*schema["required"], "checkout_expires_at"]
    spec = write(tmp_path / "newer.yaml", document)
    common = ["--max-examples", "3", "--level", "documented", "--spec", str(spec)]
    cli = cli_outcomes(tmp_path, common)
    plugin = plugin_outcomes(pytester, [arg.replace("--", "--lago-", 1) for arg in common])
    assert plugin == cli
    assert plugin["response_schema_conformance[invoice/payable]"] == "failed"


def test_a_bad_lago_spec_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("title: not OpenAPI\n")
    pytester.makepyfile(test_lago=TEST_FILE)
    result = pytester.runpytest_inprocess(*PLUGIN, "--lago-spec", str(tmp_path / "notes.yaml"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*lago-conformance: the spec * is not an OpenAPI 3.x document*"])
