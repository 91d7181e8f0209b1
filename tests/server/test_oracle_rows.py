"""The oracle's findings show their difference: a row per part compared, the deciding ones not
equal, from runs against faulty Lagos."""

from __future__ import annotations

import pytest

from tests.faulty_servers import FaultyLago
from tests.helpers import run_suite
from tests.oracle_faults import ORACLE_FAULTS
from tests.report_faults import cors_echo

CORS = ("header Access-Control-Allow-Origin", "header Access-Control-Allow-Credentials")


def test_a_difference_in_headers_alone_shows_those_headers_with_both_values() -> None:
    report = run_suite(FaultyLago(cors_echo))
    findings = [f for f in report.findings if f.difference is not None]
    assert findings
    assert {f.check for f in report.findings} == {"lago_reacts"}
    for finding in findings:
        assert finding.difference is not None
        unequal = {row.what: (row.target, row.other) for row in finding.difference.unequal}
        assert set(unequal) == set(CORS)
        assert unequal[CORS[1]] == ("true", "(absent)")
        origin = unequal[CORS[0]][0]
        assert f"Origin: {origin}" in finding.reproduce  # the very Origin the request sent
        equal = [row.what for row in finding.difference.rows if row.equal]
        assert equal == ["status", "media type", "body, by shape"]


@pytest.mark.parametrize(
    ("name", "check", "decided"),
    [
        pytest.param("key-in-query-accepted", "lago_refuses", "status", id="status"),
        pytest.param("html-errors-for-browsers", "lago_ignores", "header Content-Type",
                     id="content-type"),
    ],
)  # fmt: skip
def test_the_row_that_decided_is_the_one_not_equal(name: str, check: str, decided: str) -> None:
    (fault,) = [f for f in ORACLE_FAULTS if f.name == name]
    findings = [f for f in run_suite(FaultyLago(fault.run)).findings if f.check == check]
    assert findings
    for finding in findings:
        assert finding.difference is not None
        assert decided in [row.what for row in finding.difference.unequal]
