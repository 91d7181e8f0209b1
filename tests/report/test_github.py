from __future__ import annotations

import io
from typing import TYPE_CHECKING

from conformance._report.difference import Difference, Row
from conformance._report.findings import CaseResult, Check, Finding, Problem, Report
from conformance._report.github import (
    escape_data,
    escape_property,
    publish,
    step_summary,
    workflow_commands,
)

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "sk_live_gh%:,\nkey"


def _never(_: object) -> list[Problem]:
    return []


def report() -> Report:
    echoed = Check("no_secret_echo", _never).finding(
        Problem("The API key is echoed, 100% of the time", f"x-debug: {SECRET}", "no key"),
        f"curl -H 'Authorization: Bearer {SECRET}' http://lago.test/a,b",
        (SECRET,),
    )
    phrase = Finding("strict_schema_conformance", "SHOULD", "Reason phrase differs", "a\r\nb", "c")
    return Report(
        suite="server",
        subject={"target": "http://lago.test/api/v1"},
        level="strict",
        fail_on="must",
        seed=3,
        results=[
            CaseResult("no_secret_echo", "auth/no-header", "MUST", (echoed,)),
            CaseResult("strict_schema_conformance", "invoice/draft", "SHOULD", (phrase,)),
            CaseResult("auth_required", "auth/empty-bearer", "MUST"),
        ],
        coverage={"tables": {"Status coverage": [["status", "verdict"], [401, "covered"]]}},
        notes=["a note"],
        secrets=(SECRET,),
    )


def test_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100%\r\nx: a, b") == "100%25%0D%0Ax: a, b"
    assert escape_property("100%\r\nx: a, b") == "100%25%0D%0Ax%3A a%2C b"


def test_step_summary_has_verdict_counts_coverage_and_one_line_per_finding() -> None:
    text = step_summary(report())
    assert text.startswith("### lago-conformance server: NOT conformant\n")
    assert "| 3 | 1 | 2 | 0 | 1 | 1 |" in text
    assert "**Status coverage**" in text
    assert "| 401 | covered |" in text
    assert (
        "- **MUST** The API key is echoed, 100% of the time (`no_secret_echo`, `auth/no-header`)"
        in text
    )
    assert (
        "- **SHOULD** Reason phrase differs (`strict_schema_conformance`, `invoice/draft`)" in text
    )
    assert SECRET not in text


def test_an_accepted_finding_says_so_in_both_outputs() -> None:
    run = report()
    finding = run.results[1].findings[0]
    object.__setattr__(finding, "accepted", "accepted until 2027-01-01: known")
    assert "`invoice/draft`): accepted until 2027-01-01: known" in step_summary(run)
    assert workflow_commands(run)[1].startswith("::notice title=")


def test_workflow_commands_error_for_must_warning_for_should() -> None:
    must, should = workflow_commands(report())
    assert must.startswith(
        "::error title=lago-conformance server [MUST] no_secret_echo%3A auth/no-header::"
    )
    assert should.startswith(
        "::warning title=lago-conformance server [SHOULD] strict_schema_conformance%3A"
        " invoice/draft::Reason phrase differs%0Ascenario: invoice/draft%0A"
    )
    assert "Received: a%0D%0Ab%0AExpected: c" in should
    message = must.split("::", 2)[2]
    assert message.startswith(
        "The API key is echoed, 100%25 of the time%0Ascenario: auth/no-header"
    )
    assert (
        "Reproduce with:%0A    curl -H 'Authorization: Bearer [REDACTED]' http://lago.test/a,b"
        in message
    )
    assert "\n" not in must + should
    assert "sk_live_gh" not in must + should


def test_publish_appends_the_summary_and_prints_commands(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    out = io.StringIO()
    environ = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    assert publish(report(), environ, out) is None
    assert publish(report(), environ, out) is None
    text = summary.read_text()
    assert text.startswith("# earlier step\n### lago-conformance server: NOT conformant\n")
    assert text.count("### lago-conformance server") == 2
    lines = out.getvalue().splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning"] * 2


def test_publish_does_nothing_outside_github_actions(tmp_path: Path) -> None:
    out = io.StringIO()
    assert publish(report(), {}, out) is None
    assert publish(report(), {"GITHUB_ACTIONS": "false", "GITHUB_STEP_SUMMARY": ""}, out) is None
    assert out.getvalue() == ""
    assert list(tmp_path.iterdir()) == []


def test_only_the_summary_when_github_actions_is_not_true(tmp_path: Path) -> None:
    out = io.StringIO()
    summary = tmp_path / "summary.md"
    assert publish(report(), {"GITHUB_STEP_SUMMARY": str(summary)}, out) is None
    assert out.getvalue() == ""
    assert summary.read_text().startswith("### lago-conformance server")


def test_an_unwritable_summary_is_a_warning(tmp_path: Path) -> None:
    warning = publish(report(), {"GITHUB_STEP_SUMMARY": str(tmp_path)}, io.StringIO())
    assert warning is not None
    assert warning.startswith("cannot append to GITHUB_STEP_SUMMARY")


def test_an_annotation_shows_the_difference_and_the_sequence() -> None:
    rows = (
        Row("status", "401", "401", True),
        Row("header X-Key", f"k {SECRET}", "(absent)", False),
    )
    difference = Difference(("the target", "Lago"), rows)
    steps = (f"curl -H 'Authorization: Bearer {SECRET}' http://h",)
    problem = Problem("Not answered as Lago answers", "401", "Lago's", difference, steps)
    found = Check("lago_reacts", _never).finding(problem, "curl http://h", (SECRET,))
    run = Report("server", {}, "strict", "must", 0, secrets=(SECRET,),
                 results=[CaseResult("lago_reacts", "explore/x", "SHOULD", (found,))])  # fmt: skip
    (command,) = workflow_commands(run)
    assert "%0A  == status: 401%0A  != header X-Key:%0A       the target: k [REDACTED]" in command
    assert "%0ASequence:%0A  1. curl -H 'Authorization: Bearer [REDACTED]' http://h" in command
    assert "sk_live_gh" not in command
