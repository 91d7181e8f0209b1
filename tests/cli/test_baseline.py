"""``--baseline`` on both suites, ``--allow-stale``, and the ``baseline`` command."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from conformance import dump_fixtures
from conformance._cli.main import main
from conformance._mock.serve import serving
from tests.faulty_servers import FAULTS, FaultyLago

TODAY = datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC)
# Two scenarios of a client that fails every one: success_details and error_fields find.
CLIENT = [
    "client",
    "--adapter",
    "tests.faulty_clients:FaultyClient",
    "--scenario",
    "200-example",
    "--scenario",
    "401-unauthorized",
]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(TODAY.timestamp())))


def accept(check: str, expires: str = "2027-01-31", scenario: str | None = None) -> str:
    where = f'scenario = "{scenario}"\n' if scenario else ""
    return (
        f'[[accept]]\ncheck = "{check}"\n{where}reason = "SDK 2.0 fixes it"\nexpires = {expires}\n'
    )


def client(tmp_path: Path, baseline: str, *args: str) -> tuple[int, dict[str, object]]:
    path = tmp_path / "baseline.toml"
    path.write_text(baseline)
    reports = tmp_path / "reports"
    code = main([*CLIENT, "--baseline", str(path), "--report-dir", str(reports), *args])
    return code, json.loads((reports / "client.json").read_text())


BOTH = accept("success_details") + accept("error_fields", scenario="401-unauthorized")


def test_live_entries_accept_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = client(tmp_path, BOTH)
    out = capsys.readouterr().out
    assert code == 0
    assert data["conformant"] is True
    assert data["counts"]["accepted"] == 2  # type: ignore[index]
    assert out.count("accepted until 2027-01-31: SDK 2.0 fixes it") == 2
    md = (tmp_path / "reports" / "client.md").read_text()
    junit = (tmp_path / "reports" / "client.junit.xml").read_text()
    assert "accepted until 2027-01-31: SDK 2.0 fixes it" in md
    assert "accepted until 2027-01-31: SDK 2.0 fixes it" in junit


def test_an_expired_entry_counts_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = client(tmp_path, accept("success_details", "2026-11-24") + accept("error_fields"))
    assert code == 1
    assert "accepted until 2026-11-24, expired: SDK 2.0 fixes it" in capsys.readouterr().out


def test_a_stale_entry_fails_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = BOTH + accept("no_silent_success")
    code, data = client(tmp_path, stale)
    out = capsys.readouterr().out
    message = 'stale baseline entry 3 (check = "no_silent_success") matched nothing in this run'
    assert code == 1
    assert message in out
    assert "NOT conformant" in out
    assert data["conformant"] is False
    code, data = client(tmp_path, stale, "--allow-stale")
    assert code == 0
    assert any(message in note for note in data["notes"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["client", "server"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[[accept]\n", "is not valid TOML", id="malformed"),
        pytest.param(accept("no_such_check"), "unknown check 'no_such_check'", id="unknown-check"),
        pytest.param(
            '[[accept]]\ncheck = "error_fields"\nexpires = 2027-01-31\n',
            "has no reason",
            id="reason",
        ),
        pytest.param(accept("error_fields", "2027-11-26"), "more than a year ahead", id="too-far"),
        pytest.param(None, "cannot read --baseline", id="missing-file"),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, text: str | None, message: str
) -> None:
    path = tmp_path / "baseline.toml"
    if text is not None:
        path.write_text(text)
    code = main([command, "--baseline", str(path), "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("lago-conformance: error: ")
    assert err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "r").exists()


def test_checks_of_either_suite_are_known(tmp_path: Path) -> None:
    # A server check in a client run's baseline is valid, and stale.
    code, data = client(tmp_path, BOTH + accept("payment_url_stable"), "--allow-stale")
    assert code == 0
    notes = [note for note in data["notes"] if "stale" in note]  # type: ignore[attr-defined]
    assert notes == [
        'stale baseline entry 3 (check = "payment_url_stable") matched nothing in this run:'
        f" delete it from {tmp_path / 'baseline.toml'}"
    ]


def test_the_baseline_command_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*CLIENT, "--report-dir", str(tmp_path / "first")]) == 1
    capsys.readouterr()
    report = tmp_path / "first" / "client.json"
    args = ["baseline", str(report), "--reason", "known, SDK 2.0", "--expires", "2027-01-31"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.count("[[accept]]") == 2
    assert 'scenario = "401-unauthorized"' in text
    code, data = client(tmp_path, text)
    assert code == 0
    assert data["counts"]["accepted"] == 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--expires", "2030-01-01"], "more than a year ahead", id="too-far"),
        pytest.param(["--reason", " "], "--reason is empty", id="blank-reason"),
        pytest.param(["report", "missing.json"], "cannot read report", id="missing-report"),
        pytest.param(["report", "not-json"], "is not a JSON report", id="not-json"),
    ],
)
def test_the_baseline_command_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "report.json").write_text('{"results": []}')
    (tmp_path / "not-json").write_text("{")
    given = {"report": "report.json", "--reason": "why", "--expires": "2027-01-31"}
    given[args[0]] = args[1]
    argv = ["baseline", str(tmp_path / given.pop("report"))]
    argv += [item for pair in given.items() for item in pair]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_a_bad_expires_date_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["baseline", "r.json", "--reason", "x", "--expires", "soon"])
    assert exited.value.code == 2
    assert "'soon' is not a date such as 2027-01-31" in capsys.readouterr().err


@pytest.mark.http
def test_the_server_suite_honours_a_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = FaultyLago(next(f for f in FAULTS if f.name == "payable-refused").run)
    fixtures = tmp_path / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures))
    path = tmp_path / "baseline.toml"
    path.write_text(accept("payable_invoice"))
    with serving(app) as url:
        args = ["server", "--base-url", url + "/api/v1", "--api-key", app.mock.api_key]
        args += ["--fixtures", str(fixtures), "--max-examples", "3", "--baseline", str(path)]
        code = main([*args, "--report-dir", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert code == 0, out
    data = json.loads((tmp_path / "r" / "server.json").read_text())
    accepted = {r["scenario"] for r in data["results"] if r["outcome"] == "accepted"}
    assert accepted == {"invoice/payable", "invoice/payable-again"}
    assert "accepted until 2027-01-31: SDK 2.0 fixes it" in out


def test_the_python_api_applies_a_baseline() -> None:
    from conformance import Accept, Baseline, ClientOptions, run_client_suite

    entries = tuple(
        Accept(check, None, "SDK 2.0", datetime.date(2027, 1, 31))
        for check in ("success_details", "error_fields")
    )
    options = ClientOptions(
        adapter="tests.faulty_clients:FaultyClient",
        scenarios=("200-example", "401-unauthorized"),
        baseline=Baseline(entries),
    )
    report = run_client_suite(options)
    assert report.exit_code == 0
    # The key's checks judge the requests and the outcome, and a client that sent none, and gave
    # no outcome, passes them.
    keys = {"key_only_in_authorization", "key_never_in_outcome", "key_never_written"}
    outcomes = {r.outcome for r in report.results if r.check not in keys}
    assert outcomes == {"accepted", "skipped"}


def test_the_documented_baseline_example_is_valid(tmp_path: Path) -> None:
    from conformance._cli.options import baseline_option

    page = Path(__file__).parents[2] / "docs" / "concepts" / "baselines.md"
    section = page.read_text(encoding="utf-8").split("# Baselines", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "baseline.toml").write_text(example)
    baseline = baseline_option(tmp_path / "baseline.toml")
    assert baseline is not None
    assert [entry.check for entry in baseline.entries] == ["payable_invoice"]


@pytest.mark.http
def test_a_baseline_of_oracle_findings_passes_the_next_run_until_it_expires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.oracle_faults import ORACLE_FAULTS

    fault = next(f for f in ORACLE_FAULTS if f.name == "action-case-insensitive")
    app = FaultyLago(fault.run)
    fixtures = tmp_path / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures))
    path = tmp_path / "baseline.toml"
    with serving(app) as url:
        args = ["server", "--base-url", url + "/api/v1", "--api-key", app.mock.api_key]
        args += ["--fixtures", str(fixtures), "--max-examples", "3", "--fail-on", "should"]

        def run(*extra: str) -> int:
            return main([*args, "--report-dir", str(tmp_path / "r"), *extra])

        assert run() == 1
        report = json.loads((tmp_path / "r" / "server.json").read_text())
        failing = {r["check"] for r in report["results"] if r["findings"]}
        assert "lago_reacts" in failing
        capsys.readouterr()
        command = ["baseline", str(tmp_path / "r" / "server.json"), "--reason", "known"]
        assert main([*command, "--expires", "2026-12-31"]) == 0
        path.write_text(capsys.readouterr().out)
        assert run("--baseline", str(path)) == 0
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(TODAY.timestamp()) + 40 * 86400))
        assert run("--baseline", str(path)) == 1
    assert "expired: known" in capsys.readouterr().out
