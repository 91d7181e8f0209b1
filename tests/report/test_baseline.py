"""The baseline: parsing (every error one line), and applying it to a report."""

from __future__ import annotations

import datetime
import io
import json
from typing import TYPE_CHECKING

import pytest

from conformance._errors import BaselineError, UsageError
from conformance._report.baseline import (
    Accept,
    Baseline,
    apply_baseline,
    baseline_toml,
    load_baseline,
    parse_baseline,
    today,
)
from conformance._report.console import print_summary
from conformance._report.findings import CaseResult, Finding, Report
from conformance._report.writers import write_json, write_junit, write_markdown

if TYPE_CHECKING:
    from pathlib import Path

TODAY = datetime.date(2026, 11, 25)
KNOWN = {"payable_invoice", "invoice_echo", "error_fields"}


def finding(check: str, severity: str = "MUST") -> Finding:
    return Finding(check, severity, f"{check} broke", "this", "that")  # type: ignore[arg-type]


def report() -> Report:
    return Report(
        suite="server",
        subject={"target": "test"},
        level="strict",
        fail_on="must",
        seed=0,
        results=[
            CaseResult("payable_invoice", "invoice/payable", "MUST", (finding("payable_invoice"),)),
            CaseResult(
                "payable_invoice", "invoice/payable-again", "MUST", (finding("payable_invoice"),)
            ),
            CaseResult("invoice_echo", "invoice/payable", "SHOULD"),
        ],
    )


def entry(check: str = "payable_invoice", scenario: str | None = None, **kw: object) -> Accept:
    values: dict[str, object] = {"reason": "fix in 1.2", "expires": datetime.date(2027, 1, 31)}
    values.update(kw)
    return Accept(check, scenario, **values)  # type: ignore[arg-type]


def test_a_live_entry_without_scenario_accepts_every_scenario() -> None:
    run = report()
    apply_baseline(run, Baseline((entry(),), "b.toml"), TODAY)
    assert [r.outcome for r in run.results] == ["accepted", "accepted", "passed"]
    assert run.conformant
    assert run.exit_code == 0
    assert run.counts()["accepted"] == 2
    assert run.counts()["must"] == 0
    assert all(f.accepted == "accepted until 2027-01-31: fix in 1.2" for f in run.findings)
    assert run.metadata["baseline"] == "b.toml"


def test_an_entry_with_a_scenario_accepts_only_that_one() -> None:
    run = report()
    apply_baseline(run, Baseline((entry(scenario="invoice/payable"),)), TODAY)
    assert [r.outcome for r in run.results] == ["accepted", "failed", "passed"]
    assert not run.conformant


def test_an_expired_entry_counts_again_and_says_so() -> None:
    run = report()
    apply_baseline(run, Baseline((entry(expires=datetime.date(2026, 11, 24)),)), TODAY)
    assert [r.outcome for r in run.results] == ["failed", "failed", "passed"]
    assert run.exit_code == 1
    expired = run.findings[0].expired
    assert expired == "accepted until 2026-11-24, expired: fix in 1.2"
    assert expired in run.findings[0].render()
    assert not run.stale  # it matched: the finding is still there


def test_an_entry_is_live_on_its_last_day() -> None:
    run = report()
    apply_baseline(run, Baseline((entry(expires=TODAY),)), TODAY)
    assert run.conformant


@pytest.mark.parametrize("allow_stale", [False, True])
def test_a_stale_entry_fails_the_run_unless_allowed(allow_stale: bool) -> None:
    run = report()
    stale = entry("invoice_echo")
    apply_baseline(run, Baseline((entry(), stale), "b.toml", allow_stale), TODAY)
    message = (
        'stale baseline entry 2 (check = "invoice_echo") matched nothing in this run:'
        " delete it from b.toml"
    )
    assert message in run.notes
    assert run.stale == ([] if allow_stale else [message])
    assert run.exit_code == (0 if allow_stale else 1)


def test_every_format_shows_accepted_until_and_stale_entries() -> None:
    run = report()
    apply_baseline(run, Baseline((entry(), entry("invoice_echo")), "b.toml"), TODAY)
    text = "accepted until 2027-01-31: fix in 1.2"
    streams = {name: io.StringIO() for name in ("json", "junit", "md", "console")}
    write_json(run, streams["json"])
    write_junit(run, streams["junit"])
    write_markdown(run, streams["md"])
    print_summary(run, [], streams["console"])
    for name, stream in streams.items():
        assert text in stream.getvalue(), name
        assert "stale baseline entry 2" in stream.getvalue(), name
    data = json.loads(streams["json"].getvalue())
    assert data["results"][0]["outcome"] == "accepted"
    assert data["results"][0]["findings"][0]["accepted"] == text
    assert data["conformant"] is False
    assert (
        '<skipped message="accepted until 2027-01-31: fix in 1.2">' in streams["junit"].getvalue()
    )
    assert 'failures="1"' in streams["junit"].getvalue()  # the stale entry, not the accepted ones
    assert "NOT conformant" in streams["console"].getvalue()


def test_a_baseline_parses() -> None:
    baseline = parse_baseline(
        '[[accept]]\ncheck = "payable_invoice"\nreason = """  fix\n in 1.2"""\nexpires = 2027-01-31\n'
        '[[accept]]\ncheck = "error_fields"\nscenario = "401-unauthorized"\n'
        'reason = "SDK 2.0"\nexpires = 2026-12-01\n',
        KNOWN,
        on=TODAY,
    )
    assert baseline.entries == (
        entry(reason="fix in 1.2"),
        Accept("error_fields", "401-unauthorized", "SDK 2.0", datetime.date(2026, 12, 1)),
    )
    assert parse_baseline("", KNOWN, on=TODAY).entries == ()


GOOD = 'check = "payable_invoice"\nreason = "why"\nexpires = 2027-01-31\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[[accept]\n", "b.toml is not valid TOML", id="malformed"),
        pytest.param(
            "[[accept]]\n" + GOOD.replace("payable_invoice", "nope"),
            "b.toml [[accept]] entry 1 names unknown check 'nope'",
            id="unknown-check",
        ),
        pytest.param(
            '[[accept]]\ncheck = "payable_invoice"\nexpires = 2027-01-31\n',
            "entry 1 has no reason",
            id="no-reason",
        ),
        pytest.param(
            "[[accept]]\n" + GOOD.replace('"why"', '"  "'), "no reason", id="blank-reason"
        ),
        pytest.param(
            "[[accept]]\n" + GOOD.replace("2027-01-31", "2027-11-26"),
            "expires 2027-11-26 is more than a year ahead (at most 2027-11-25)",
            id="too-far",
        ),
        pytest.param(
            "[[accept]]\n" + GOOD.replace("2027-01-31", '"2027-01-31"'),
            "expires must be a TOML date",
            id="date-as-string",
        ),
        pytest.param(
            "[[accept]]\n" + GOOD.replace("2027-01-31", "2027-01-31T00:00:00"),
            "expires must be a TOML date",
            id="datetime",
        ),
        pytest.param(
            "[[accept]]\n" + GOOD.replace("check", "chek"), "unknown key 'chek'", id="typo"
        ),
        pytest.param('[[accept]]\nreason = "x"\n', "entry 1 has no check", id="no-check"),
        pytest.param("[[accept]]\n" + GOOD + "scenario = 3\n", "scenario must be", id="scenario"),
        pytest.param("accept = 1\n", "accept must be [[accept]] tables", id="not-tables"),
        pytest.param("[other]\n", "unknown key 'other'", id="other-table"),
    ],
)
def test_a_bad_baseline_is_one_line(text: str, message: str) -> None:
    with pytest.raises(BaselineError) as raised:
        parse_baseline(text, KNOWN, on=TODAY, source="b.toml")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert isinstance(raised.value, UsageError)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=r"cannot read --baseline .*No such file"):
        load_baseline(tmp_path / "none.toml", KNOWN, on=TODAY)


def test_source_date_epoch_fixes_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798675200")  # 2026-12-31T00:00:00Z
    assert today() == datetime.date(2026, 12, 31)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(BaselineError, match="SOURCE_DATE_EPOCH 'soon'"):
        today()


def test_baseline_toml_accepts_each_check_and_scenario_once() -> None:
    run = report()
    data = json.loads(_json(run))
    text = baseline_toml(data["results"], "fix in 1.2", datetime.date(2027, 1, 31), on=TODAY)
    baseline = parse_baseline(text, KNOWN, on=TODAY)
    assert baseline.entries == (
        entry(scenario="invoice/payable"),
        entry(scenario="invoice/payable-again"),
    )
    apply_baseline(run, baseline, TODAY)
    assert run.exit_code == 0
    with pytest.raises(BaselineError, match="--reason is empty"):
        baseline_toml([], " ", TODAY, on=TODAY)
    with pytest.raises(BaselineError, match="more than a year ahead"):
        baseline_toml([], "x", datetime.date(2030, 1, 1), on=TODAY)


def test_baseline_toml_strings_round_trip() -> None:
    odd = 'a "quoted"\\ reason \x7f \u00e9 \U0001f600'
    text = baseline_toml(
        [{"check": "error_fields", "scenario": odd, "findings": [{}]}], odd, TODAY, on=TODAY
    )
    (accepted,) = parse_baseline(text, KNOWN, on=TODAY).entries
    assert accepted.scenario == odd
    assert accepted.reason == " ".join(odd.split())


def _json(run: Report) -> str:
    stream = io.StringIO()
    write_json(run, stream)
    return stream.getvalue()
