"""The client checks, in one table, and how one call is judged by them.

Each check judges a ``Call`` (what was served, what the client sent, the outcome it reported)
and returns the problems it sees. All but the request checks need an outcome: ``judge_call``
reports a client that gave none once per call, as a problem of its first such check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._client.answer_checks import (
    all_error_fields,
    all_success_fields,
    error_fields,
    no_invented_values,
    no_retry_after_4xx,
    success_details,
)
from conformance._client.invariants import (
    call_within_bound,
    key_never_in_outcome,
    key_never_written,
    no_resend_after_4xx,
)
from conformance._client.oracle import served_as_answered, served_as_documented, served_in_full
from conformance._client.relations import (
    ignores_charset,
    ignores_framing,
    ignores_header_case,
    ignores_member_order,
    ignores_unknown_members,
    ignores_whitespace,
)
from conformance._client.request_checks import (
    base_url_joined,
    exact_path,
    id_percent_encoded,
    key_only_in_authorization,
    key_stays_on_origin,
    request_shape,
)
from conformance._client.robustness_checks import (
    keeps_http_status,
    no_redirect_followed,
    no_silent_success,
    rate_limit_bounded,
    rate_limit_retried,
    rate_limit_wait_bounded,
    slow_body_bounded,
    transport_fault,
    undecodable_body,
)
from conformance._client.wait_checks import rate_limit_hint_waited
from conformance._report.findings import Check, Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from conformance._client.call import Call
    from conformance._contract.levels import Severity

__all__ = [
    "ALL_ERROR_FIELDS",
    "ALL_SUCCESS_FIELDS",
    "BASE_URL_JOINED",
    "CALL_WITHIN_BOUND",
    "CHECKS",
    "ERROR_FIELDS",
    "EVERY_SCENARIO",
    "EXACT_PATH",
    "GENERATED",
    "ID_PERCENT_ENCODED",
    "INVARIANTS",
    "KEEPS_HTTP_STATUS",
    "KEY_NEVER_IN_OUTCOME",
    "KEY_NEVER_WRITTEN",
    "KEY_ONLY_IN_AUTHORIZATION",
    "KEY_STAYS_ON_ORIGIN",
    "NO_INVENTED_VALUES",
    "NO_REDIRECT_FOLLOWED",
    "NO_RESEND_AFTER_4XX",
    "NO_RETRY_AFTER_4XX",
    "NO_SILENT_SUCCESS",
    "RATE_LIMIT_BOUNDED",
    "RATE_LIMIT_HINT_WAITED",
    "RATE_LIMIT_RETRIED",
    "RATE_LIMIT_WAIT_BOUNDED",
    "REQUEST_SHAPE",
    "SLOW_BODY_BOUNDED",
    "SUCCESS_DETAILS",
    "TRANSPORT_FAULT",
    "UNDECODABLE_BODY",
    "judge_call",
]

OUTCOME = "outcome"


def _check(
    severity: Severity, judge: Callable[[Call], list[Problem]], *, needs_outcome: bool = True
) -> Check[Call]:
    kinds = frozenset({OUTCOME}) if needs_outcome else None
    return Check(judge.__name__, severity, judge, kinds, SOURCES[judge.__name__])


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
    "key_never_written": "#/components/securitySchemes/bearerAuth (a bearer token, RFC 6750 "
    "section 5.3: not to be logged)",
    "rate_limit_hint_waited": "RFC 9110 section 10.2.3 (Retry-After: seconds or an HTTP-date), "
    "Lago's rate-limit docs (X-RateLimit-Reset: seconds until the window resets)",
}


SUCCESS_DETAILS = _check("MUST", success_details)
NO_INVENTED_VALUES = _check("SHOULD", no_invented_values)
ALL_SUCCESS_FIELDS = _check("SHOULD", all_success_fields)
ERROR_FIELDS = _check("MUST", error_fields)
ALL_ERROR_FIELDS = _check("SHOULD", all_error_fields)
NO_RETRY_AFTER_4XX = _check("SHOULD", no_retry_after_4xx)
REQUEST_SHAPE = _check("MUST", request_shape, needs_outcome=False)
ID_PERCENT_ENCODED = _check("SHOULD", id_percent_encoded, needs_outcome=False)
KEEPS_HTTP_STATUS = _check("SHOULD", keeps_http_status)
NO_SILENT_SUCCESS = _check("SHOULD", no_silent_success)
RATE_LIMIT_BOUNDED = _check("SHOULD", rate_limit_bounded)
RATE_LIMIT_RETRIED = _check("SHOULD", rate_limit_retried)
TRANSPORT_FAULT = _check("SHOULD", transport_fault)
KEY_ONLY_IN_AUTHORIZATION = _check("MUST", key_only_in_authorization, needs_outcome=False)
KEY_STAYS_ON_ORIGIN = _check("MUST", key_stays_on_origin, needs_outcome=False)
NO_REDIRECT_FOLLOWED = _check("SHOULD", no_redirect_followed)
RATE_LIMIT_WAIT_BOUNDED = _check("SHOULD", rate_limit_wait_bounded)
UNDECODABLE_BODY = _check("MUST", undecodable_body)
BASE_URL_JOINED = _check("MUST", base_url_joined, needs_outcome=False)
EXACT_PATH = _check("SHOULD", exact_path, needs_outcome=False)
SLOW_BODY_BOUNDED = _check("SHOULD", slow_body_bounded)
SERVED_AS_DOCUMENTED = _check("MUST", served_as_documented)
SERVED_AS_ANSWERED = _check("SHOULD", served_as_answered)
SERVED_IN_FULL = _check("SHOULD", served_in_full)
RELATION_CHECKS = tuple(
    _check("SHOULD", judge)
    for judge in (
        ignores_header_case,
        ignores_charset,
        ignores_member_order,
        ignores_whitespace,
        ignores_unknown_members,
        ignores_framing,
    )
)
KEY_NEVER_IN_OUTCOME = _check("MUST", key_never_in_outcome, needs_outcome=False)
KEY_NEVER_WRITTEN = _check("MUST", key_never_written, needs_outcome=False)
NO_RESEND_AFTER_4XX = _check("SHOULD", no_resend_after_4xx, needs_outcome=False)
CALL_WITHIN_BOUND = _check("SHOULD", call_within_bound)
RATE_LIMIT_HINT_WAITED = _check("SHOULD", rate_limit_hint_waited, needs_outcome=False)
# Invariants on every call; the key's two ride along every scenario, the other two wherever a
# scenario's own checks do not already judge the same (see catalogue.py).
INVARIANTS: tuple[Check[Call], ...] = (
    KEY_ONLY_IN_AUTHORIZATION,
    KEY_NEVER_IN_OUTCOME,
    KEY_NEVER_WRITTEN,
    NO_RESEND_AFTER_4XX,
    CALL_WITHIN_BOUND,
)
# Checks that ride along every scenario that runs: they never make a scenario run by themselves.
EVERY_SCENARIO: tuple[Check[Call], ...] = (
    KEY_ONLY_IN_AUTHORIZATION,
    KEY_NEVER_IN_OUTCOME,
    KEY_NEVER_WRITTEN,
)
# The checks of the generated answers: the oracle, the relations, the invariants.
GENERATED: tuple[Check[Call], ...] = (
    SERVED_AS_DOCUMENTED,
    SERVED_AS_ANSWERED,
    SERVED_IN_FULL,
    *RELATION_CHECKS,
    *INVARIANTS,
    RATE_LIMIT_HINT_WAITED,
)

# Every client check, in the order the catalogue first uses them.
CHECKS: tuple[Check[Call], ...] = (
    SUCCESS_DETAILS,
    NO_INVENTED_VALUES,
    ALL_SUCCESS_FIELDS,
    ERROR_FIELDS,
    ALL_ERROR_FIELDS,
    NO_RETRY_AFTER_4XX,
    REQUEST_SHAPE,
    ID_PERCENT_ENCODED,
    KEEPS_HTTP_STATUS,
    NO_SILENT_SUCCESS,
    RATE_LIMIT_BOUNDED,
    RATE_LIMIT_RETRIED,
    TRANSPORT_FAULT,
    KEY_ONLY_IN_AUTHORIZATION,
    BASE_URL_JOINED,
    EXACT_PATH,
    KEY_STAYS_ON_ORIGIN,
    NO_REDIRECT_FOLLOWED,
    RATE_LIMIT_WAIT_BOUNDED,
    UNDECODABLE_BODY,
    SLOW_BODY_BOUNDED,
    KEY_NEVER_IN_OUTCOME,
    KEY_NEVER_WRITTEN,
    NO_RESEND_AFTER_4XX,
    CALL_WITHIN_BOUND,
    SERVED_AS_DOCUMENTED,
    SERVED_AS_ANSWERED,
    SERVED_IN_FULL,
    *RELATION_CHECKS,
    RATE_LIMIT_HINT_WAITED,
)


def judge_call(
    checks: Sequence[Check[Call]], call: Call, *, wants_reply: bool
) -> dict[str, list[Problem]]:
    """Each check's problems with ``call``; ``wants_reply``: the scenario serves an answer."""
    problems: dict[str, list[Problem]] = {check.name: [] for check in checks}
    kind = OUTCOME if call.outcome is not None else "no outcome"
    missing_reported = False
    for check in checks:
        if check.applies_to(kind):
            if check.kinds is not None and wants_reply and not call.answered:
                received = f"{len(call.requests)} request(s) answered, outcome {call.outcome}"
                problems[check.name].append(
                    Problem(
                        "the client reported an outcome without an answer",
                        received,
                        "one POST, then its outcome",
                    )
                )
            else:
                problems[check.name] += check.judge(call)
        elif not missing_reported:
            title = (call.error or "no outcome").split(": ")[0]
            problems[check.name].append(
                Problem(title, call.error or "", "an outcome: one JSON object")
            )
            missing_reported = True
    return problems
