"""The reference client and the oracle check each other: zero findings over seeds 0-19, at both
levels, on the generated answers (the catalogue's own zero is test_suite's)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance._client.calling.adapters import load_adapter
from conformance._client.suite import ClientOptions, run_subject
from conformance._contract.levels import LEVELS


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(20))
def test_the_reference_client_agrees_with_the_oracle_on_every_generated_answer(
    level: Any, seed: int
) -> None:
    subject = load_adapter("reference")
    options = ClientOptions(level=level, seed=seed, scenarios=("generated",), explore=100)
    report = run_subject(subject, options)
    assert report.findings == []
    record = report.metadata["scenarios"]["generated"]
    assert record["cases"] == 100
    assert record["calls"] > 100  # twins of the relations
    assert report.counts()["passed"] > 0
