"""The oracle's findings show their difference: a row per part compared, the deciding ones not
equal, from runs against faulty Lagos."""

from __future__ import annotations

import json

import pytest

from conformance._report.difference import Row
from conformance._server.twin.oracle_rows import Shown, _member_rows, _members
from tests.faulty_servers import FAULTS, FaultyLago
from tests.helpers import run_suite
from tests.oracle_faults import ORACLE_FAULTS
from tests.report_faults import cors_echo

CORS = ("header Access-Control-Allow-Origin", "header Access-Control-Allow-Credentials")


def test_a_difference_in_headers_alone_shows_those_headers_with_both_values() -> None:
    report = run_suite(FaultyLago(cors_echo))
    # (The stateful phase may meet the echo in a sequence too: sequence_answers, its own form.)
    assert {f.check for f in report.findings} - {"sequence_answers"} == {"lago_reacts"}
    findings = [f for f in report.findings if f.check == "lago_reacts"]
    assert findings
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
        pytest.param("key-in-query-accepted", "lago_refuses", "body members", id="members"),
        pytest.param("html-errors-for-browsers", "lago_ignores", "header Content-Type",
                     id="content-type"),
        pytest.param("customer-id-changes", "lago_ignores",
                     "body /invoice_payment_details/lago_customer_id", id="member-value"),
    ],
)  # fmt: skip
def test_the_row_that_decided_is_the_one_not_equal(name: str, check: str, decided: str) -> None:
    (fault,) = [f for f in ORACLE_FAULTS if f.name == name]
    findings = [f for f in run_suite(FaultyLago(fault.run)).findings if f.check == check]
    assert findings
    for finding in findings:
        assert finding.difference is not None
        assert decided in [row.what for row in finding.difference.unequal]


def test_members_differ_by_json_pointer_escaped_and_listed_up_to_a_few() -> None:
    a = {"a/b": 1, "c~": [1, 2], "same": True, "gone": 0, **{f"k{n}": n for n in range(6)}}
    b = {"a/b": 2, "c~": [1, 3], "same": True, "new": 0, **{f"k{n}": -n for n in range(6)}}
    pointers = [path for path, _, _ in _members(a, b)]
    assert pointers[:4] == ["/a~1b", "/c~0/1", "/gone", "/k1"]
    assert "/new" in pointers
    assert "/same" not in pointers
    assert "/k0" not in pointers  # 0 == -0
    no_headers: dict[str, str] = {}
    answers = [Shown(200, no_headers.get, json.dumps(value).encode()) for value in (a, b)]
    rows = _member_rows(*answers)
    # Of the 9 that differ (/a~1b, /c~0/1, /gone, /k1 to /k5, /new), the first 6, then a count.
    assert rows[-1].what == "3 more members"
    assert rows[2] == Row("body /gone", "0", "(absent)", False)


def test_inconsistent_answers_show_the_member_that_changed() -> None:
    (fault,) = [f for f in FAULTS if f.name == "replayed-miss-differs"]
    findings = [
        f for f in run_suite(FaultyLago(fault.run)).findings if f.check == "consistent_answers"
    ]
    assert findings
    for finding in findings:
        assert finding.difference is not None
        assert finding.difference.sides == ("a later answer", "the first answer")
        unequal = [(row.what, row.target, row.other) for row in finding.difference.unequal]
        assert ("body /cached", "true", "(absent)") in unequal
