"""The register of checks: every check is in it, everything that lists checks reads it, and a
baseline written from any report accepts that report."""

from __future__ import annotations

import datetime
import io
from typing import TYPE_CHECKING, Any

import pytest

from conformance._cli.main import main
from conformance._cli.options import baseline_option
from conformance._client.judging.checks import CHECKS as CLIENT_CHECKS
from conformance._report.baseline import apply_baseline
from conformance._report.findings import CaseResult, Check, Finding, Report
from conformance._report.register import GROUPS, entry, register
from conformance._report.writers import write_json
from conformance._server.judging.checks import CHECKS, CONSISTENT_ANSWERS, PAYMENT_URL_STABLE
from conformance._server.judging.rate_limits import (
    RATE_LIMIT_PER_ORGANIZATION,
    RATE_LIMIT_RESET_KEPT,
)
from conformance._server.judging.sequence_checks import SEQUENCE_CHECKS
from conformance._server.judging.vary import VARY_RESPECTED
from conformance._server.phases.lago_bugs import LAGO_BUG
from conformance._server.twin.http_checks import HTTP_CHECKS
from conformance._server.twin.oracle import ORACLE_CHECKS

if TYPE_CHECKING:
    from pathlib import Path

SERVER: tuple[Check[Any], ...] = (
    *CHECKS,
    PAYMENT_URL_STABLE,
    CONSISTENT_ANSWERS,
    LAGO_BUG,
    *ORACLE_CHECKS,
    *HTTP_CHECKS,
    *SEQUENCE_CHECKS,
    RATE_LIMIT_RESET_KEPT,
    RATE_LIMIT_PER_ORGANIZATION,
    VARY_RESPECTED,
)
TODAY = datetime.date(2026, 11, 25)


def test_the_register_holds_exactly_the_checks_the_suites_offer() -> None:
    offered = {check.name: "server" for check in SERVER}
    offered |= {check.name: "client" for check in CLIENT_CHECKS}
    assert {name: e.suite for name, e in register().items()} == offered


def test_a_check_outside_the_register_cannot_be_made() -> None:
    with pytest.raises(LookupError, match="'no_such_check' is not in the register"):
        Check("no_such_check", lambda _: [])


@pytest.mark.parametrize("name", list(register()))
def test_each_entry_is_whole(name: str) -> None:
    found = entry(name)
    assert found.group in GROUPS[found.suite]
    assert found.description
    assert "\n" not in found.description
    assert found.source
    if found.severity == "MUST":  # the published contract, or HTTP itself
        assert found.source.startswith(("#/", "RFC ")), found.source
    else:
        assert found.source.startswith(("lago-api ", "RFC ", "#/", "the twin")), found.source


def _every_kind_of_finding(suite: str) -> Report:
    report = Report(suite, {}, "strict", "should", 0)  # type: ignore[arg-type]
    for e in register().values():
        finding = Finding(e.name, e.severity, f"{e.name} broke", "this", "that")
        report.results.append(CaseResult(e.name, f"{e.group}/{e.name}", e.severity, (finding,)))
    return report


@pytest.mark.parametrize("suite", ["server", "client"])
def test_a_baseline_of_every_kind_of_finding_accepts_that_report(
    tmp_path: Path, suite: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _every_kind_of_finding(suite)
    assert report.exit_code == 1
    stream = io.StringIO()
    write_json(report, stream)
    (tmp_path / "report.json").write_text(stream.getvalue())
    args = ["baseline", str(tmp_path / "report.json"), "--reason", "known", "--expires"]
    assert main([*args, (TODAY + datetime.timedelta(days=30)).isoformat()]) == 0
    (tmp_path / "baseline.toml").write_text(capsys.readouterr().out)
    baseline = baseline_option(tmp_path / "baseline.toml")
    assert baseline is not None
    assert len(baseline.entries) == len(register())
    apply_baseline(report, baseline, TODAY)
    assert {result.outcome for result in report.results} == {"accepted"}
    assert report.exit_code == 0
    assert not report.stale


def test_the_docs_tables_list_the_register() -> None:
    from tests.docs_examples import hooks

    for suite, groups in GROUPS.items():
        for group in groups:
            table = hooks().render(f"<!-- generated: checks-{suite}-{group} -->")
            names = [e.name for e in register().values() if (e.suite, e.group) == (suite, group)]
            assert names
            for name in names:
                assert f"| `{name}` | {entry(name).severity} |" in table


def test_the_html_legend_describes_each_check_of_the_report() -> None:
    from conformance._report.html.page import write_html

    report = _every_kind_of_finding("server")
    stream = io.StringIO()
    write_html(report, stream)
    page = stream.getvalue()
    assert 'class="legend-checks"' in page
    for e in register().values():
        assert f"<dt><code>{e.name}</code>" in page
