from __future__ import annotations

import pytest

from conformance import ClientOptions, run_client_suite

pytest.importorskip("lago_python_client")
SDK = "lago-python-client"

# Checked by hand against lago-python-client's source (invoices/clients.py, services/request.py,
# services/response.py, services/json.py): it joins the raw id into the URL, returns only
# `payment_url` ("" when absent), and turns any non-JSON error body into status 500.
KNOWN = {
    ("documented", "200-generated", "success_details"),
    ("documented", "request-reserved-characters", "request_shape"),
    ("strict", "200-example", "all_success_fields"),
    ("strict", "request-reserved-characters", "request_shape"),
    ("strict", "502-html", "keeps_http_status"),
    ("strict", "503-empty", "keeps_http_status"),
    ("strict", "200-without-root-key", "no_silent_success"),
}


@pytest.mark.parametrize("level", ["documented", "strict"])
def test_sdk_findings_include_the_hand_checked_ones(level: str) -> None:
    report = run_client_suite(ClientOptions(SDK, level=level, max_examples=40))  # type: ignore[arg-type]
    found = {(level, result.scenario, result.check) for result in report.results if result.findings}
    assert {known for known in KNOWN if known[0] == level} <= found


def test_sdk_handles_every_documented_error_and_transport_fault() -> None:
    report = run_client_suite(ClientOptions(SDK, max_examples=5))
    clean = {result.scenario for result in report.results if result.outcome == "passed"}
    assert {
        "401-unauthorized",
        "422-third_party_error",
        "429-always",
        "never-answers",
        "connection-reset",
    } <= clean
