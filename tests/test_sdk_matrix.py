"""The SDK matrix files of nox -s sdk: merged rows, the HTML page, the docs block."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import pytest

from tests.sdk_matrix import block_lines, matrix_row, update_block, write_matrix

if TYPE_CHECKING:
    from pathlib import Path

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def report(conformant: bool, scenario: str) -> dict[str, Any]:
    finding = {"severity": "SHOULD"}
    return {
        "conformant": conformant,
        "counts": {"must": 0, "should": 1},
        "results": [
            {"scenario": scenario, "check": "no_silent_success", "severity": "SHOULD",
             "findings": [finding]},
            {"scenario": "200-example", "check": "success_details", "severity": "MUST",
             "findings": []},
        ],
    }  # fmt: skip


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def test_rows_merge_in_order_and_the_html_keeps_every_cell_text(tmp_path: Path) -> None:
    older = matrix_row("lago-python-client", "1.45.0", "strict", report(True, "200-body-array"))
    newer = matrix_row("lago-python-client", "1.55.0", "strict", report(False, HOSTILE))
    write_matrix(tmp_path, [older])
    merged = write_matrix(tmp_path, [newer, {**older, "should": 2}])
    assert [(r["version"], r["should"]) for r in merged] == [("1.55.0", 1), ("1.45.0", 2)]
    assert json.loads((tmp_path / "summary.json").read_text()) == merged
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    tags = Tags()
    tags.feed(page)
    assert "script" not in tags.tags
    assert "img" not in tags.tags
    assert f"{HOSTILE} (no_silent_success, SHOULD)" in tags.text
    assert "FAIL" in tags.text
    assert (
        "| lago-python-client | 1.55.0 | strict | FAIL | 0 | 1 |"
        in (tmp_path / "summary.md").read_text()
    )


def test_the_docs_block_is_rewritten_from_the_strict_rows() -> None:
    rows = [
        matrix_row("sdk", "1.0.0", "documented", report(True, "a")),
        matrix_row("sdk", "1.0.0", "strict", report(True, "b")),
    ]
    text = update_block("before\n<!-- sdk-matrix -->\nold\n<!-- /sdk-matrix -->\nafter\n", rows)
    assert text == (
        "before\n<!-- sdk-matrix -->\n"
        "- **sdk 1.0.0** (pass at `--fail-on must`): b (no_silent_success, SHOULD)\n"
        "<!-- /sdk-matrix -->\nafter\n"
    )
    assert block_lines(rows) == text.splitlines()[2:3]
    with pytest.raises(ValueError, match="no <!-- sdk-matrix --> block"):
        update_block("no block", rows)
