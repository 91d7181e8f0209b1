from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import httpx
import pytest

from conformance import LagoMock, dump_fixtures
from conformance._cli.main import main
from conformance._mock.serve import serving
from conformance._server.transport.base_url import default_rate
from tests.faulty_servers import FAULTS, FaultyLago
from tests.servers import closed_port, hang, html_site

if TYPE_CHECKING:
    from pathlib import Path

KEY = "cli-secret-key-4242"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["server", *args])
    out, err = capsys.readouterr()
    return code, out, err


def all_reports(directory: Path) -> str:
    return "".join(path.read_text() for path in sorted(directory.iterdir()))


def test_default_run_checks_the_embedded_mock(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--report-dir", str(tmp_path), "--max-examples", "10")
    assert code == 0
    assert "conformant at --fail-on must" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "server.html",
        "server.json",
        "server.junit.xml",
        "server.md",
    ]
    data = json.loads((tmp_path / "server.json").read_text())
    assert data["subject"] == {"target": "embedded mock (in-process)"}
    assert data["counts"]["must"] == data["counts"]["should"] == 0
    assert (
        (tmp_path / "server.md").read_text().startswith("# lago-conformance server: conformant\n")
    )


@pytest.mark.http
def test_a_live_target_with_fixtures_over_http(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = LagoMock(api_key=KEY)
    fixtures = tmp_path / "fixtures.toml"
    fixtures.write_text(dump_fixtures(mock.fixtures))
    monkeypatch.setenv("LAGO_API_KEY", KEY)
    with serving(mock) as url:
        code, out, err = run(
            capsys,
            "--base-url",
            url + "/api/v1",
            "--fixtures",
            str(fixtures),
            "--report-dir",
            str(tmp_path / "r"),
            "--max-examples",
            "10",
        )
    assert code == 0, out + err
    data = json.loads((tmp_path / "r" / "server.json").read_text())
    assert data["coverage"]["statuses"]["200"]["verdict"] == "covered"
    assert data["subject"]["target"] == url + "/api/v1"
    assert KEY not in out + err + all_reports(tmp_path / "r")


@pytest.mark.http
def test_findings_exit_1_and_reports_are_redacted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fault = next(f for f in FAULTS if f.name == "api-key-echoed")
    app = FaultyLago(fault.run)
    key = app.mock.api_key
    with serving(app) as url:
        code, out, err = run(
            capsys,
            "--base-url",
            url + "/api/v1",
            "--api-key",
            key,
            "--report-dir",
            str(tmp_path),
            "--max-examples",
            "5",
        )
    assert code == 1
    assert "The API key is echoed in the response" in out
    reports = all_reports(tmp_path)
    assert "no_secret_echo" in reports
    assert "[REDACTED]" in reports
    assert key not in out + err + reports
    junit = (tmp_path / "server.junit.xml").read_text()
    assert re.search(
        r'<failure message="\[MUST\] The API key is echoed in the response" type="MUST">', junit
    )
    assert (
        "curl -X POST -H &apos;Authorization: Bearer [REDACTED]&apos;" in junit
        or "curl -X POST -H 'Authorization: Bearer [REDACTED]'" in junit
    )


def test_should_findings_pass_unless_fail_on_should(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The embedded mock never has findings, so a SHOULD-only fault is served over the CLI's own path.
    fault = next(f for f in FAULTS if f.name == "url-changes-per-call")
    app = FaultyLago(fault.run)
    with serving(app) as url:
        base = ["--base-url", url + "/api/v1", "--api-key", app.mock.api_key, "--max-examples", "5"]
        fixtures = tmp_path / "f.toml"
        fixtures.write_text(dump_fixtures(app.mock.fixtures))
        must, _, _ = run(
            capsys, *base, "--fixtures", str(fixtures), "--report-dir", str(tmp_path / "a")
        )
        should, out, _ = run(
            capsys,
            *base,
            "--fixtures",
            str(fixtures),
            "--report-dir",
            str(tmp_path / "b"),
            "--fail-on",
            "should",
        )
    assert (must, should) == (0, 1)
    assert "[SHOULD] Payment URL changed between two calls" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--base-url", "https://api.getlago.com"],
            "--base-url 'https://api.getlago.com' must end in /api/v1, like https://api.getlago.com/api/v1",
            id="no-api-v1",
        ),
        pytest.param(["--base-url", "ftp://x/api/v1"], "must be an http(s) URL", id="ftp"),
        pytest.param(
            ["--base-url", "http://127.0.0.1:1/api/v1"],
            "no API key: pass --api-key or set LAGO_API_KEY",
            id="no-key",
        ),
        pytest.param(
            ["--fixtures", "/nonexistent/f.toml"],
            "fixtures file '/nonexistent/f.toml' does not exist; check the path",
            id="no-fixtures",
        ),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("LAGO_API_KEY", raising=False)
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err == f"lago-conformance: error: {message}\n" or (
        err.count("\n") == 1 and message in err
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--level", "loose"], "argument --level: invalid choice: 'loose'", id="level"),
        pytest.param(
            ["--fail-on", "may"], "argument --fail-on: invalid choice: 'may'", id="fail-on"
        ),
        pytest.param(["--timeout", "0"], "argument --timeout: 0 must be more than 0", id="timeout"),
        pytest.param(
            ["--rate-limit", "fast"], "argument --rate-limit: 'fast' is not a number", id="rate"
        ),
        pytest.param(
            ["--max-requests", "-1"], "argument --max-requests: -1 must be 1 or more", id="budget"
        ),
    ],
)
def test_bad_options_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["server", *args])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.count("\n") == 1
    assert message in err


def test_an_unreachable_target_exits_2_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/v1"
    code, out, err = run(capsys, "--base-url", url, "--api-key", KEY, "--report-dir", str(tmp_path))
    assert code == 2
    assert re.fullmatch(
        rf"lago-conformance: error: cannot connect to {re.escape(url)} \(connection failed: .+\); check --base-url\n",
        err,
    )
    assert "Traceback" not in out + err


@pytest.mark.http
def test_not_lago_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with serving(html_site) as url:
        code, _, err = run(
            capsys, "--base-url", url + "/api/v1", "--api-key", KEY, "--report-dir", str(tmp_path)
        )
    assert code == 2
    assert "does not look like Lago" in err
    assert err.count("\n") == 1


@pytest.mark.http
def test_a_target_that_stops_answering_exits_2_with_reports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with serving(hang) as url:
        code, out, _ = run(
            capsys,
            "--base-url",
            url + "/api/v1",
            "--api-key",
            KEY,
            "--timeout",
            "0.3",
            "--report-dir",
            str(tmp_path),
        )
    assert code == 2
    assert "the run was aborted" in out
    assert (
        "stopped answering"
        in json.loads((tmp_path / "server.json").read_text())["metadata"]["aborted"]
    )


def test_unwritable_report_dir_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "--report-dir", str(blocker / "sub"), "--max-examples", "5")
    assert code == 2
    assert "cannot write reports to --report-dir" in err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("[::1]", True),
        ("api.getlago.com", False),
        ("10.0.0.1", False),
    ],
)
def test_remote_targets_are_paced_by_default(host: str, loopback: bool) -> None:
    assert (default_rate(httpx.URL(f"http://{host}/api/v1")) is None) is loopback


def test_progress_is_shown_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, _, err = run(capsys, "--report-dir", str(tmp_path), "--max-examples", "5")
    assert "(preflight)" not in err
    assert re.search(r"^lago-conformance server: 3 requests \(auth probes\)$", err, re.M)
    assert re.search(r"^lago-conformance server: \d+ requests \(property tests\)$", err, re.M)


@pytest.mark.http
def test_a_refused_key_exits_2_instead_of_blaming_the_server(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mock = LagoMock(api_key=KEY)
    fixtures = tmp_path / "fixtures.toml"
    fixtures.write_text(dump_fixtures(mock.fixtures))
    with serving(mock) as url:
        code, out, err = run(
            capsys,
            "--base-url",
            url + "/api/v1",
            "--api-key",
            "a-mistyped-key",
            "--fixtures",
            str(fixtures),
            "--report-dir",
            str(tmp_path / "r"),
        )
    assert code == 2
    assert out == ""
    assert (
        err
        == f"lago-conformance: error: {url}/api/v1 refused the API key (401 on POST /invoices/<uuid>/payment_url with it); check --api-key or LAGO_API_KEY\n"
    )
    assert "a-mistyped-key" not in err
