"""The docs' `drift` example (the two levels page), run: a Lago document that adds a 403 gives
exactly its output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from conformance._cli.main import main

if TYPE_CHECKING:
    import pytest

ROOT = Path(__file__).resolve().parents[2]


PAGE = ROOT / "docs" / "concepts" / "levels.md"


def readme_block(command: str) -> str:
    """The console output the docs show after ``$ command``, up to the next prompt."""
    text = PAGE.read_text(encoding="utf-8")
    match = re.search(rf"^\$ {re.escape(command)}\n(.*?)(?=^\$ |^```)", text, re.M | re.S)
    assert match is not None, f"{PAGE.name} shows no `$ {command}`"
    return match.group(1)


def test_the_documented_drift_example_is_what_drift_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = yaml.safe_load((ROOT / "openapi" / "payment-url.yaml").read_text(encoding="utf-8"))
    responses = document["paths"]["/invoices/{lago_id}/payment_url"]["post"]["responses"]
    responses["403"] = {**responses["401"], "description": "Forbidden"}
    (tmp_path / "lago-openapi.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["drift", "lago-openapi.yaml"]) == 1
    assert capsys.readouterr().out == readme_block("lago-conformance drift lago-openapi.yaml")
