from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import sys
import threading
import time
from typing import IO, TYPE_CHECKING

import httpx
import pytest

from conformance import load_fixtures
from conformance._cli.main import main
from conformance._mock.serve import bind

if TYPE_CHECKING:
    from pathlib import Path


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["mock", "--port", "http"],
            "argument --port: 'http' is not a port number",
            id="bad-port",
        ),
        pytest.param(
            ["mock", "--rate-limit", "0"],
            "argument --rate-limit: 0 must be 1 or more",
            id="zero-rate",
        ),
        pytest.param(["mock", "--bogus"], "unrecognized arguments: --bogus", id="unknown-flag"),
        pytest.param([], "the following arguments are required: command", id="no-command"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert "see 'lago-conformance" in err


def test_port_in_use_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    busy = bind("127.0.0.1", 0)
    try:
        code = main(["mock", "--port", str(busy.getsockname()[1])])
    finally:
        busy.close()
    err = capsys.readouterr().err
    assert code == 2
    assert re.fullmatch(
        r"lago-conformance: error: cannot listen on 127\.0\.0\.1:\d+ \(.+\); pick another --port\n",
        err,
    )


def test_whitespace_api_key_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", "--api-key", "a b"]) == 2
    assert "--api-key must be non-empty with no whitespace" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--other-api-key", "a b"], "--other-api-key (or LAGO_OTHER_API_KEY) must hold no"),
        (["--api-key", "k", "--other-api-key", "k"], "--other-api-key must differ from --api-key"),
    ],
)
def test_a_bad_other_api_key_is_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", "--port", "0", *argv]) == 2
    assert message in capsys.readouterr().err


def test_unwritable_fixtures_path_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["mock", "--port", "0", "--write-fixtures", str(tmp_path / "no" / "dir.toml")]) == 2
    assert "cannot write --write-fixtures" in capsys.readouterr().err


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"lago-conformance \d+\.\d+\.\d+\n", result.stdout)


@pytest.mark.http
def test_mock_command_serves_its_fixtures_over_http(tmp_path: Path) -> None:
    fixtures_path = tmp_path / "fixtures.toml"
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance",
            "mock",
            "--port",
            "0",
            "--api-key",
            "cli-key",
            "--seed",
            "5",
            "--write-fixtures",
            str(fixtures_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        try:
            serve_and_check(process, fixtures_path)
        finally:
            process.terminate()
            process.wait(timeout=10)


BANNER_DEADLINE = 20.0


class LineReader:
    """Lines of a stream, read on a thread, so that reading all of them waits at most
    ``deadline`` seconds, and a test fails instead of hanging on a silent process."""

    def __init__(self, stream: IO[str], deadline: float = BANNER_DEADLINE) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self._deadline = deadline
        self._until = time.monotonic() + deadline
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        with contextlib.suppress(ValueError, OSError):  # the stream closed under the thread
            for line in stream:
                self._lines.put(line)
        self._lines.put("")  # end of stream

    def readline(self) -> str:
        try:
            return self._lines.get(timeout=max(0.0, self._until - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"the mock printed no banner within {self._deadline:g} s")


def serve_and_check(process: subprocess.Popen[str], fixtures_path: Path) -> None:
    assert process.stdout is not None
    stdout = LineReader(process.stdout)
    first = stdout.readline()
    match = re.fullmatch(r"Lago mock serving at (http://127\.0\.0\.1:\d+/api/v1)\n", first)
    assert match, first
    base_url = match.group(1)
    lines = [stdout.readline() for _ in range(3)]
    assert lines[0] == "API key: cli-key\n"
    fixtures = load_fixtures(fixtures_path)
    with httpx.Client(
        base_url=base_url, headers={"Authorization": "Bearer cli-key"}, timeout=10
    ) as http:
        for key, lago_id in fixtures.invoices.items():
            response = http.post(f"/invoices/{lago_id}/payment_url")
            if key == "payable":
                assert response.status_code == 200
                assert response.json()["invoice_payment_details"]["lago_invoice_id"] == lago_id
            elif key == "third_party_error":
                assert (response.status_code, response.json()["code"]) == (422, key)
            else:
                assert (response.status_code, response.json()["error_details"]) == (
                    422,
                    {"base": [key]},
                )
