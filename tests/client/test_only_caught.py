"""Each fault of issue 21 is caught by its own section's checks and by no other: the whole
catalogue and the generated answers run on it, in-process, at the strict level.

The floor of a wait and what a client writes have one check each; the generated answers that
span the contract are judged by the oracle, which says MUST on the answers the contract
documents and SHOULD on the others (a client that fails on a non-UUID id fails on both kinds).
"""

from __future__ import annotations

import pytest

from conformance._client.suite import ClientOptions, run_subject, subject_for
from tests.faulty_clients import CLIENT_FAULTS, ClientFault

_ORACLE = {"served_as_documented", "served_as_answered"}
# Each fault, and the checks allowed to catch it (its own check among them, and catching it).
ONLY: dict[str, set[str]] = {
    "retry-after-as-ms": {"rate_limit_hint_waited"},
    "reset-as-epoch": {"rate_limit_hint_waited"},
    "retry-after-date-ignored": {"rate_limit_hint_waited"},
    "fixed-short-wait": {"rate_limit_hint_waited"},
    "logs-headers-on-401": {"key_never_written"},
    "decodes-ids-as-uuids": _ORACLE,
    "fails-on-201": {"served_as_answered"},
    "blank-failure-message": {"failure_names_error"},
    "wrong-default-base-url": {"default_base_url"},
    "ignores-no-retry-option": {"retries_as_configured"},
}
FAULTS = {fault.name: fault for fault in CLIENT_FAULTS}


@pytest.mark.parametrize("name", sorted(ONLY))
def test_only_its_own_section_catches_the_fault(name: str) -> None:
    fault: ClientFault = FAULTS[name]
    options = ClientOptions(fault.client, level="strict", seed=0, max_examples=10)
    report = run_subject(subject_for(options), options)
    caught = {result.check for result in report.results if result.findings}
    assert fault.check in caught
    assert caught <= ONLY[name]
    assert report.exit_code == fault.exit_code
