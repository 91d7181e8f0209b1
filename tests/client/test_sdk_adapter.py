from __future__ import annotations

import pytest

from conformance import ClientOptions, run_client_suite

pytest.importorskip("lago_python_client")
SDK = "lago-python-client"

# Checked by hand against lago-python-client's source (invoices/clients.py, services/request.py,
# services/response.py, services/json.py). The SDK's `invoices.payment_url(id)`:
# - joins the raw id into the URL, unencoded: an id with reserved characters (outside the
#   contract's uuids) changes the path (request-reserved-characters, id_percent_encoded, a SHOULD);
#   uuids go where they should, so no MUST finding;
# - returns only `payment_url`, as `details.get("payment_url", "")`: 200-example drops four
#   fields (all_success_fields); a documented 200 without `payment_url` is exposed as "", a value
#   that was not served (200-without-payment-url, no_invented_values); and a 200 without
#   `invoice_payment_details` is read as {} and so is a success with payment_url ""
#   (200-without-root-key, no_silent_success); all SHOULD, so seen at strict only;
# - parses every error body with orjson, whatever its content type, and turns a body that is not
#   JSON (HTML, empty, cut short) into a LagoApiError with status 500: a 502 or 503 with such a
#   body loses its status (keeps_http_status, strict only), a 500 keeps it by coincidence, and
#   a JSON body served as text/plain keeps its status; a 200 that is not JSON is a 500 failure,
#   not a silent success (200-invalid-json passes);
# - retries 429 with a bounded budget and lets httpx's network errors through, which the
#   adapter reports without a status: the robustness and transport scenarios pass.
KNOWN = {
    "documented": set(),
    "strict": {
        ("200-example", "all_success_fields"),
        ("200-without-payment-url", "no_invented_values"),
        ("request-reserved-characters", "id_percent_encoded"),
        ("502-html", "keeps_http_status"),
        ("502-empty", "keeps_http_status"),
        ("502-invalid-json", "keeps_http_status"),
        ("503-html", "keeps_http_status"),
        ("503-empty", "keeps_http_status"),
        ("503-invalid-json", "keeps_http_status"),
        ("200-without-root-key", "no_silent_success"),
    },
}


@pytest.mark.parametrize("level", ["documented", "strict"])
def test_sdk_findings_are_exactly_the_hand_checked_ones(level: str) -> None:
    report = run_client_suite(ClientOptions(SDK, level=level, max_examples=40))  # type: ignore[arg-type]
    found = {(result.scenario, result.check) for result in report.results if result.findings}
    assert found == KNOWN[level]


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
