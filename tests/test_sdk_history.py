"""nox -s sdk_history's table: each finding with the first and last version that has it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sdk_history import findings_of, history_rows, newer_or_equal, table_lines, update_block

RUNS: list[dict[str, Any]] = [
    {"sdk": "py", "version": "1.10.0", "configuration": "", "findings": [["401", "failure_names_error", "SHOULD"], ["404", "failure_names_error", "SHOULD"]]},
    {"sdk": "py", "version": "1.9.0", "configuration": "", "findings": [["401", "failure_names_error", "SHOULD"], ["404", "failure_names_error", "SHOULD"]]},
    {"sdk": "py", "version": "1.11.0", "configuration": "", "findings": []},
    {"sdk": "py", "version": "1.46.0", "configuration": "x=1", "findings": [["429-always", "rate_limit_bounded", "SHOULD"]]},
    {"sdk": "js", "version": "1.7.0", "configuration": "", "error": "npm install failed"},
    {"sdk": "py", "version": "1.0.0", "configuration": "", "error": "uv pip install failed"},
    {"sdk": "py", "version": "0.56.0", "configuration": "", "findings": [], "note": "httpx 0.28"},
]  # fmt: skip


def test_each_finding_has_its_first_and_last_version_in_release_order() -> None:
    rows = history_rows(RUNS)
    assert [(r["sdk"], r["check"], r["first"], r["last"], r["versions"]) for r in rows] == [
        ("py", "failure_names_error", "1.9.0", "1.10.0", "2/4"),
        ("py", "rate_limit_bounded", "1.46.0", "1.46.0", "1/1"),
    ]
    lines = table_lines(rows, RUNS)
    row = "| py | default | `failure_names_error` | SHOULD | 401, 404 | 1.9.0 | 1.10.0 | 2/4 |"
    assert lines[2] == row
    assert "- js 1.7.0 (default): not gated, npm install failed" in lines
    # Out of the versions gated: the one that could not be installed is neither.
    assert "Versions gated: py 0.56.0, py 1.9.0, py 1.10.0, py 1.11.0, py 1.46.0." in lines
    assert lines[-1] == "- py 0.56.0: gated with httpx 0.28"


def test_versions_are_releases_from_the_first_on() -> None:
    versions = ["1.10.0", "0.56.0", "0.55.0", "1.2.0", "0.53.0-beta", "1.2.0"]
    assert newer_or_equal(versions, "0.56.0") == ["0.56.0", "1.2.0", "1.10.0"]


def test_findings_are_read_from_a_report() -> None:
    report = {"results": [
        {"scenario": "401", "check": "c", "severity": "SHOULD", "findings": [{}]},
        {"scenario": "200", "check": "c", "severity": "MUST", "findings": []},
    ]}  # fmt: skip
    assert findings_of(report) == {("401", "c", "SHOULD")}


def test_the_block_is_replaced_between_its_markers() -> None:
    text = "a\n<!-- sdk-history -->\nold\n<!-- /sdk-history -->\nb\n"
    assert update_block(text, ["new"]) == "a\n<!-- sdk-history -->\nnew\n<!-- /sdk-history -->\nb\n"
    with pytest.raises(ValueError, match="sdk-history"):
        update_block("no block", [])
