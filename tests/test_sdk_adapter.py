from __future__ import annotations

import pytest

from conformance._adapters import load_adapter
from conformance._client_suite import run_client_suite

pytest.importorskip("lago_python_client")

# Checked by hand against lago-python-client's source (invoices/clients.py, services/request.py,
# services/response.py, services/json.py): it joins the raw id into the URL, returns only
# `payment_url` ("" when absent), and turns any non-JSON error body into status 500.
KNOWN = {
    ("documented", "200-generated", "success-details"),
    ("documented", "request-reserved-characters", "request"),
    ("strict", "200-example", "all-success-fields"),
    ("strict", "request-reserved-characters", "request"),
    ("strict", "502-html", "keeps-http-status"),
    ("strict", "503-empty", "keeps-http-status"),
    ("strict", "200-without-root-key", "no-silent-success"),
}


@pytest.mark.parametrize("level", ["documented", "strict"])
def test_sdk_findings_include_the_hand_checked_ones(level: str) -> None:
    report = run_client_suite(load_adapter("lago-python-client"), level=level, max_examples=40)  # type: ignore[arg-type]
    found = {(level, result.scenario, result.check) for result in report.results if result.findings}
    assert {known for known in KNOWN if known[0] == level} <= found


def test_sdk_handles_every_documented_error_and_transport_fault() -> None:
    report = run_client_suite(load_adapter("lago-python-client"), max_examples=5)
    clean = {result.scenario for result in report.results if result.outcome == "passed"}
    assert {
        "401-unauthorized",
        "422-third_party_error",
        "429-always",
        "never-answers",
        "connection-reset",
    } <= clean
