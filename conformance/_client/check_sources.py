"""Where each client check's rule comes from: the bundled contract for a MUST; for a SHOULD, what
Lago sends (lago-api's source) or what HTTP says of answers the contract does not document."""

from __future__ import annotations

__all__ = ["SOURCES"]

_OP = "#/paths/~1invoices~1{lago_id}~1payment_url/post"
# Where each rule comes from: the bundled contract for a MUST; for a SHOULD, what Lago sends
# (lago-api's source) or what HTTP says of answers the contract does not document.
SOURCES: dict[str, str] = {
    "success_details": f"{_OP}/responses/200",
    "error_fields": f"{_OP}/responses",
    "request_shape": _OP,
    "all_success_fields": "lago-api app/serializers/v1/payment_providers/"
    "invoice_payment_serializer.rb",
    "no_invented_values": f"{_OP}/responses/200 (no field is required: absent is not empty)",
    "all_error_fields": "lago-api app/controllers/concerns/api_errors.rb",
    "id_percent_encoded": "RFC 3986 section 3.3 (a path segment percent-encodes / ? # %)",
    "no_retry_after_4xx": "RFC 9110 section 9.2.2 (POST is not idempotent)",
    "keeps_http_status": "RFC 9110 section 15 (the status code is the answer's meaning)",
    "no_silent_success": f"{_OP}/responses/200 (a success carries invoice_payment_details)",
    "rate_limit_bounded": "RFC 6585 section 4, Lago Cloud's rate limits (X-RateLimit-Reset)",
    "rate_limit_retried": "RFC 9110 section 10.2.3 (Retry-After)",
    "transport_fault": "RFC 9110 section 9.2.2, 30 s bound (a failure is not a status)",
    "key_only_in_authorization": "#/components/securitySchemes/bearerAuth (the key is a bearer "
    "token: the Authorization header, RFC 6750 section 2.1)",
    "key_stays_on_origin": "#/components/securitySchemes/bearerAuth (the key is for the API's "
    "servers only)",
    "no_redirect_followed": "RFC 9110 section 15.4 (a 3xx is not the answer; Lago never redirects "
    "this endpoint)",
    "rate_limit_wait_bounded": "RFC 9110 section 10.2.3 (Retry-After), Lago Cloud's "
    "X-RateLimit-Reset, 30 s bound",
    "undecodable_body": f"{_OP}/responses (an answer's bytes, whatever their charset, are an "
    "answer: read, never a crash)",
    "base_url_joined": "#/servers (the endpoint's path is appended to the server URL)",
    "exact_path": "RFC 3986 section 3.3 (an empty segment is a segment: // is not /)",
    "slow_body_bounded": "RFC 9112 section 6.2 (a body of Content-Length bytes), 30 s bound",
    "served_as_documented": f"{_OP}/responses (a documented answer is that success or failure)",
    "served_as_answered": "RFC 9110 section 15 (the status is the answer's meaning), RFC 8259",
    "served_in_full": f"{_OP}/responses (the served fields; absent is not empty)",
    "ignores_header_case": "RFC 9110 section 5.1 (field names are case-insensitive)",
    "ignores_charset": "RFC 8259 section 8.1 (JSON is UTF-8; the parameter adds nothing)",
    "ignores_member_order": "RFC 8259 section 4 (an object is an unordered collection)",
    "ignores_whitespace": "RFC 8259 section 2 (insignificant whitespace)",
    "ignores_unknown_members": f"{_OP}/responses (no additionalProperties: false)",
    "ignores_framing": "RFC 9112 section 6 (Content-Length or chunked: the same content)",
    "key_never_in_outcome": "#/components/securitySchemes/bearerAuth (a bearer token, RFC 6750 "
    "section 5.3: not to be logged or leaked)",
    "no_resend_after_4xx": "RFC 9110 section 9.2.2 (POST is not idempotent) and 15.5 (a 4xx "
    "refuses the request itself)",
    "call_within_bound": "RFC 9110 section 10.2.3 (Retry-After), with the 30 s bound, every wait "
    "counted (the virtual clock in-process)",
    "default_base_url": "#/servers (with no base URL, the documented servers: US or EU)",
    "retries_as_configured": "RFC 9110 section 9.2.2 (POST is not idempotent: a client its "
    "SDK's documented option tells not to retry sends one request)",
    "failure_names_error": "RFC 9110 section 15.5 (a 4xx explains the error; the text a user "
    "sees names what Lago served), lago-api app/controllers/concerns/api_errors.rb",
    "key_never_written": "#/components/securitySchemes/bearerAuth (a bearer token, RFC 6750 "
    "section 5.3: not to be logged)",
    "rate_limit_hint_waited": "RFC 9110 section 10.2.3 (Retry-After: seconds or an HTTP-date), "
    "Lago's rate-limit docs (X-RateLimit-Reset: seconds until the window resets)",
}
