from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance._report.console import Progress, print_summary
from conformance._report.difference import Difference, Row
from conformance._report.findings import CaseResult, Check, Finding, Problem, Report
from conformance._report.html.page import write_html
from conformance._report.writers import (
    code,
    write_json,
    write_junit,
    write_markdown,
    write_reports,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
SECRET = 'sk_live_"<&>'


def _never(_: object) -> list[Problem]:
    return []


URL = "http://lago.test/api/v1/invoices/x/payment_url"
UNAUTHORIZED = '{"status":401,"error":"Unauthorized"}'


def by_header() -> Finding:
    """An oracle finding decided by a header: the target lets any origin read its answers."""
    rows = (
        Row("status", "401", "401", True),
        Row("media type", "application/json", "application/json", True),
        Row("header Access-Control-Allow-Origin", "https://evil.example", "(absent)", False),
        Row("header Access-Control-Allow-Credentials", "true", "(absent)", False),
        Row("body, by shape", UNAUTHORIZED, UNAUTHORIZED, True),
    )
    problem = Problem("Not answered as Lago answers", f"401 application/json {UNAUTHORIZED}",
                      "the status, media type and body shape of Lago's answer",
                      Difference(("the target", "Lago"), rows))  # fmt: skip
    return Check("lago_reacts", _never).finding(
        problem, f"curl -X POST -H 'Origin: https://evil.example' {URL}", (SECRET,),
        lago=f"401 (application/json; charset=utf-8) {UNAUTHORIZED}",
    )  # fmt: skip


def by_status() -> Finding:
    """An oracle finding decided by the status and the body: a key in the query authenticates."""
    payment = '{"invoice_payment_details":{"payment_url":"https://pay.example/|x"}}'
    rows = (
        Row("status", "200", "401", False),
        Row("media type", "application/json", "application/json", True),
        Row("body, by shape", f"{payment} `{SECRET}`", UNAUTHORIZED, False),
        Row("body members", "invoice_payment_details", "error, status", False),
    )
    problem = Problem("Authenticated a request Lago refuses", f"200 application/json {payment}",
                      "401, as Lago answers it: the request carries no key Lago reads",
                      Difference(("the target", "Lago"), rows))  # fmt: skip
    return Check("lago_refuses", _never).finding(
        problem, f"curl -X POST '{URL}?api_key={SECRET}'", (SECRET,),
        lago=f"401 (application/json; charset=utf-8) {UNAUTHORIZED}",
    )  # fmt: skip


def by_sequence() -> Finding:
    """A finding decided by a sequence of requests, one curl line each."""
    steps = tuple(f"curl -X POST -H 'Authorization: Bearer {SECRET}' {URL}" for _ in range(2))
    problem = Problem("A second call gave another payment_url", "https://pay.example/b",
                      "https://pay.example/a, as the first call gave it", sequence=steps)  # fmt: skip
    return Check("payment_url_stable", _never).finding(problem, steps[-1], (SECRET,))


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
    id_echo = Finding("invoice_echo", "SHOULD", "Another invoice's id", '"lago_invoice_id": "y"', '"x"',
                      accepted="accepted until 2027-01-31: fixed in the next release")  # fmt: skip
    report = Report(
        suite="server",
        subject={"target": "http://lago.test/api/v1"},
        level="strict",
        fail_on="must",
        seed=3,
        results=[
            CaseResult("no_secret_echo", "auth/no-header", "MUST", (echoed,)),
            CaseResult("strict_schema_conformance", "invoice/draft", "SHOULD", (phrase,)),
            CaseResult("lago_reacts", "explore/headers:origin", "SHOULD", (by_header(),)),
            CaseResult("lago_refuses", "explore/credentials:query", "MUST", (by_status(),)),
            CaseResult("payment_url_stable", "probe/twice", "SHOULD", (by_sequence(),)),
            CaseResult("invoice_echo", "invoice/payable", "SHOULD", (id_echo,)),
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
    # An accepted finding is a skipped testcase, beside the check not run.
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("8", "5", "2")
    cases = suite.findall("testcase")
    assert next((c.get("classname"), c.get("name")) for c in cases) == (
        "server.no_secret_echo",
        "auth/no-header",
    )
    skipped = [case.get("classname") for case in cases if case.find("skipped") is not None]
    assert skipped == ["server.invoice_echo", "server.payable_invoice"]


def test_json_counts_and_verdict() -> None:
    stream = io.StringIO()
    write_json(sample_report(), stream)
    data = json.loads(stream.getvalue())
    assert data["counts"] == {
        "checks": 8,
        "passed": 1,
        "failed": 5,
        "skipped": 1,
        "accepted": 1,
        "must": 2,
        "should": 3,
    }
    assert data["conformant"] is False


def test_fail_on_should_counts_should_findings() -> None:
    report = sample_report()
    report.results = [result for result in report.results if result.severity != "MUST"]
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


def _every_form(report: Report) -> dict[str, str]:
    """The report in every form a person or a program reads: the four files and the console."""
    forms = {}
    for name, writer in (("junit", write_junit), ("json", write_json), ("md", write_markdown),
                         ("html", write_html)):  # fmt: skip
        stream = io.StringIO()
        writer(report, stream)
        forms[name] = stream.getvalue()
    stream = io.StringIO()
    print_summary(report, [], stream)
    forms["console"] = stream.getvalue()
    return forms


@pytest.mark.parametrize("form", ["junit", "json", "md", "html", "console"])
def test_a_finding_decided_by_a_header_shows_that_header_with_both_values(form: str) -> None:
    report = sample_report()
    report.results = [r for r in report.results if r.check == "lago_reacts"]
    text = _every_form(report)[form]
    assert "Access-Control-Allow-Origin" in text
    assert "https://evil.example" in text
    assert "(absent)" in text
    if form != "json":
        # What is not equal is marked: != in text, ≠ in Markdown and HTML.
        marked = {"junit": "!= header Access-Control-Allow-Origin", "console": "!= header Acc",
                  "md": "| **≠** | **header Access-Control-Allow-Origin** |",
                  "html": '<tr class="differs"><td class="mark">≠</td><th scope="row">header '
                          "Access-Control-Allow-Origin</th>"}  # fmt: skip
        assert marked[form] in text
    if form in ("junit", "console"):
        assert "  == status: 401" in text  # an equal row shows its one value


@pytest.mark.parametrize("form", ["junit", "json", "md", "html", "console"])
def test_a_sequence_shows_numbered_in_every_form(form: str) -> None:
    report = sample_report()
    report.results = [r for r in report.results if r.check == "payment_url_stable"]
    text = _every_form(report)[form]
    step = "curl -X POST -H 'Authorization: Bearer [REDACTED]' http://lago.test"
    numbered = {"junit": f"  2. {step}", "console": f"  2. {step}", "md": f"2. `{step}",
                "html": '<ol class="sequence"><li><pre>', "json": '"sequence": ['}  # fmt: skip
    assert numbered[form] in text.replace("&#x27;", "'")
    assert "sk_live" not in text


def test_a_code_span_holds_backticks_and_pipes() -> None:
    assert code("a`b|c") == "``a`b\\|c``"
    assert code("`x`") == "`` `x` ``"
    assert code("") == ""
