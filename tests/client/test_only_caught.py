"""Each fault of issue 21 is caught by its own check and by no other: the whole catalogue and the
generated answers run on it, in-process, and the checks with findings are exactly the one meant."""

from __future__ import annotations

import pytest

from conformance._client.adapters import Subject
from conformance._client.suite import ClientOptions, run_subject
from tests.faulty_clients import CLIENT_FAULTS, ClientFault

# The faults only one check catches, by name.
ONLY: dict[str, str] = {
    "retry-after-as-ms": "rate_limit_hint_waited",
    "reset-as-epoch": "rate_limit_hint_waited",
    "retry-after-date-ignored": "rate_limit_hint_waited",
    "fixed-short-wait": "rate_limit_hint_waited",
    "logs-headers-on-401": "key_never_written",
}
FAULTS = {fault.name: fault for fault in CLIENT_FAULTS}


@pytest.mark.parametrize("name", sorted(ONLY))
def test_only_its_own_check_catches_the_fault(name: str) -> None:
    fault: ClientFault = FAULTS[name]
    options = ClientOptions(level="strict", seed=0, max_examples=10, explore=60)
    report = run_subject(Subject(name, None, fault.client), options)
    caught = {result.check for result in report.results if result.findings}
    assert caught == {ONLY[name]}
    assert fault.check == ONLY[name]
