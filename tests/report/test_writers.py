from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance._report.console import Progress, print_summary
from conformance._report.findings import CaseResult, Check, Finding, Problem, Report
from conformance._report.html import write_html
from conformance._report.writers import write_json, write_junit, write_markdown, write_reports

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
SECRET = 'sk_live_"<&>'


def _never(_: object) -> list[Problem]:
    return []


def sample_report() -> Report:
    """A report made as the suites make one: findings through ``Check.finding``, notes by ``note``."""
    echo = Check("no_secret_echo", _never)
    echoed = echo.finding(
        Problem("The API key is echoed in the response", f"header x-debug: Bearer {SECRET}",
                "the key never sent back"),
        f"curl -X POST -H 'Authorization: Bearer {SECRET}' http://lago.test/api/v1/invoices/x/payment_url",
        (SECRET,),
    )  # fmt: skip
    phrase = Finding("strict_schema_conformance", "SHOULD", "Response differs from Lago's 422",
                     'at /error: "Unprocessable Entity" was expected', "a body as lago-api renders it (strict level)")  # fmt: skip
    report = Report(
        suite="server",
        subject={"target": "http://lago.test/api/v1"},
        level="strict",
        fail_on="must",
        seed=3,
        results=[
            CaseResult("no_secret_echo", "auth/no-header", "MUST", (echoed,)),
            CaseResult("strict_schema_conformance", "invoice/draft", "SHOULD", (phrase,)),
            CaseResult("auth_required", "auth/empty-bearer", "MUST"),
            CaseResult(
                "payable_invoice",
                "invoice/payable",
                "MUST",
                skipped="not covered: no fixture names `payable`",
            ),
        ],
        coverage={
            "tables": {
                "Status coverage": [
                    ["status", "verdict"],
                    [200, "not covered | none"],
                    [401, "covered"],
                ]
            }
        },
        notes=["the target answered 429 2 times"],
        metadata={"requests": 9},
        timestamp="2026-11-24T12:00:00+00:00",
        tool_version="0.0.0",
        secrets=(SECRET,),
    )
    report.note(f"the target logged Bearer {SECRET} as it failed")
    return report


@pytest.mark.parametrize(
    ("writer", "name"),
    [
        (write_junit, "server.junit.xml"),
        (write_json, "server.json"),
        (write_markdown, "server.md"),
        (write_html, "server.html"),
    ],
)
def test_writers_match_their_golden_file(
    writer: Callable[[Report, TextIO], None], name: str
) -> None:
    stream = io.StringIO()
    writer(sample_report(), stream)
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(stream.getvalue(), encoding="utf-8")
        pytest.fail(f"rewrote {name}: review the diff, then run again without UPDATE_GOLDEN")
    assert stream.getvalue() == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("writer", [write_junit, write_json, write_markdown, write_html])
def test_no_writer_lets_the_secret_through_in_any_escaping(
    writer: Callable[[Report, TextIO], None],
) -> None:
    stream = io.StringIO()
    writer(sample_report(), stream)
    text = stream.getvalue()
    assert "sk_live" not in text
    assert "[REDACTED]" in text


def test_junit_is_valid_xml_with_one_testcase_per_check_and_scenario() -> None:
    stream = io.StringIO()
    write_junit(sample_report(), stream)
    suite = ET.fromstring(stream.getvalue()).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")
    cases = suite.findall("testcase")
    assert next((c.get("classname"), c.get("name")) for c in cases) == (
        "server.no_secret_echo",
        "auth/no-header",
    )
    assert cases[3].find("skipped") is not None


def test_json_counts_and_verdict() -> None:
    stream = io.StringIO()
    write_json(sample_report(), stream)
    data = json.loads(stream.getvalue())
    assert data["counts"] == {
        "checks": 4,
        "passed": 1,
        "failed": 2,
        "skipped": 1,
        "accepted": 0,
        "must": 1,
        "should": 1,
    }
    assert data["conformant"] is False


def test_fail_on_should_counts_should_findings() -> None:
    report = sample_report()
    report.results = report.results[1:]
    assert report.exit_code == 0
    report.fail_on = "should"
    assert report.exit_code == 1


def test_write_reports_names_files_by_suite(tmp_path: Path) -> None:
    paths = write_reports(sample_report(), tmp_path / "new")
    assert [p.name for p in paths] == [
        "server.junit.xml",
        "server.json",
        "server.md",
        "server.html",
    ]


def test_summary_is_redacted() -> None:
    stream = io.StringIO()
    print_summary(sample_report(), [Path("reports/server.json")], stream)
    text = stream.getvalue()
    assert "sk_live" not in text
    assert "NOT conformant at --fail-on must" in text
    assert "9 requests sent" in text


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_one_live_line_cleared_at_the_end() -> None:
    stream = FakeTerminal()
    progress = Progress("run", stream)
    progress.step("preflight")
    progress.step("probes")
    progress.step("probes")
    progress.close()
    assert (
        stream.getvalue()
        == "\r\x1b[2Krun: 2 requests (probes)\r\x1b[2Krun: 3 requests (probes)\r\x1b[2K"
    )


def test_progress_in_a_log_is_a_line_per_phase() -> None:
    stream = io.StringIO()
    progress = Progress("run", stream, interval=3600)
    for phase in ("preflight", "probes", "probes", "fuzzing"):
        progress.step(phase)
    progress.close()
    assert stream.getvalue() == "run: 2 requests (probes)\nrun: 4 requests (fuzzing)\n"
