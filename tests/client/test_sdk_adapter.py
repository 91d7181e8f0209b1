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
# Answers beyond the documented ones (services/request.py, services/rate_limit.py,
# services/response.py, services/json.py, client.py):
# - `send_post_request` is `httpx.post` (follow_redirects False): no redirect is followed and the
#   key stays home, but verify_response parses the 3xx's HTML body with orjson, fails, and
#   raises LagoApiError(500): the failure loses the 3xx (no_redirect_followed, SHOULD);
# - handle_rate_limit_response reads only `x-ratelimit-reset` (not Retry-After), caps each wait
#   at max_retry_delay (20 s) and retries 3 times: a reset an hour ahead takes 60 s of sleeps
#   (429-reset-far-ahead, rate_limit_wait_bounded, SHOULD); Retry-After: 3600 alone is ignored,
#   and the 1 + 2 + 4 s backoff ends within the bound;
# - get_response_data accepts any Mapping or Sequence root (a str is a Sequence) and returns
#   `data.get(key, {})`; payment_url returns "" for whatever is not a Mapping: details null, [],
#   a string or a number, and a body [] or "text", are successes with payment_url ""
#   (no_silent_success, SHOULD); a body null fails check_type, a LagoApiError(500);
# - from_json raises LagoApiError(500) on bytes orjson cannot parse, whatever the status: the
#   Latin-1 502 and the 422 whose JSON is not UTF-8 are reported as 500s (keeps_http_status,
#   SHOULD, as for its other unreadable error bodies); no crash, no success (undecodable_body);
# - the base URL forms pass: the adapter gives the SDK its root ending in "/" (urljoin drops a
#   last path segment without one: `api_url="https://host/lago"` would call /api/v1/...).
KNOWN_BEYOND = {
    ("redirect-301-other-origin", "no_redirect_followed"),
    ("redirect-302-other-origin", "no_redirect_followed"),
    ("redirect-303-other-origin", "no_redirect_followed"),
    ("redirect-307-other-origin", "no_redirect_followed"),
    ("redirect-308-other-origin", "no_redirect_followed"),
    ("redirect-307-same-origin", "no_redirect_followed"),
    ("429-reset-far-ahead", "rate_limit_wait_bounded"),
    ("200-details-null", "no_silent_success"),
    ("200-details-array", "no_silent_success"),
    ("200-details-string", "no_silent_success"),
    ("200-details-number", "no_silent_success"),
    ("200-body-array", "no_silent_success"),
    ("200-body-string", "no_silent_success"),
    ("502-latin1-html", "keeps_http_status"),
    ("422-invalid-utf8-json", "keeps_http_status"),
}
# The generated answers (issue 15), checked against 1.55.0's services/response.py and
# services/json.py, and client.py's payment_url; all SHOULD, none at the documented level:
# - RESPONSE_SUCCESS_CODES (response.py lines 25-30) holds 200, 201, 202 and 204, and
#   verify_response returns None for an empty body (lines 66-67): a 204, or a 2xx without
#   invoice_payment_details, is `payment_url` "" (clients.py line 158), a success
#   (served_as_answered); a 2xx whose body orjson cannot parse is a LagoApiError(500) (json.py
#   lines 48-57), neither its status nor none (served_as_answered);
# - an error body orjson cannot parse (empty, HTML, cut JSON, not UTF-8) is LagoApiError(500)
#   whatever the status, a 401 or 404 too (served_as_answered: the failure loses the status);
# - a 429 raises LagoRateLimitError with `response=None` (response.py lines 49-55): the served
#   code and error_details are dropped (served_in_full); a 200 exposes payment_url only
#   (served_in_full, as all_success_fields), "" when it was not served;
# - send_post_request is httpx.post with httpx's default 5 s timeout, per read: a body that
#   arrives slowly, a piece every 3 s, is waited for past 30 s (call_within_bound).
# The floor of a wait (issue 21), against 1.55.0's services/rate_limit.py: handle_rate_limit_response
# (lines 196-211) reads X-RateLimit-Reset alone, never Retry-After, and caps the wait at
# max_retry_delay (20 s): a Retry-After of 2 s, or an HTTP-date 3 s ahead, is retried after the
# 1 s exponential backoff; an X-RateLimit-Reset of 3600 after 20 s (rate_limit_hint_waited).
KNOWN_WAITS = {
    ("429-retry-after-2-then-200", "rate_limit_hint_waited"),
    ("429-retry-after-date-then-200", "rate_limit_hint_waited"),
    ("generated", "rate_limit_hint_waited"),
}
KNOWN_GENERATED = KNOWN_WAITS | {
    ("generated", "served_as_answered"),
    ("generated", "served_in_full"),
    ("generated", "call_within_bound"),
}
KNOWN = {
    "documented": set(),
    "strict": KNOWN_BEYOND
    | KNOWN_GENERATED
    | {
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
