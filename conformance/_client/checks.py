"""The client checks, in one table, and how one call is judged by them.

Each check judges a ``Call`` (what was served, what the client sent, the outcome it reported)
and returns the problems it sees. All but ``request_shape`` need an outcome: ``judge_call``
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
from conformance._client.request_checks import id_percent_encoded, request_shape
from conformance._client.robustness_checks import (
    keeps_http_status,
    no_silent_success,
    rate_limit_bounded,
    rate_limit_retried,
    transport_fault,
)
from conformance._report.findings import Check, Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from conformance._client.call import Call
    from conformance._contract.levels import Severity

__all__ = [
    "ALL_ERROR_FIELDS",
    "ALL_SUCCESS_FIELDS",
    "CHECKS",
    "ERROR_FIELDS",
    "ID_PERCENT_ENCODED",
    "KEEPS_HTTP_STATUS",
    "NO_INVENTED_VALUES",
    "NO_RETRY_AFTER_4XX",
    "NO_SILENT_SUCCESS",
    "RATE_LIMIT_BOUNDED",
    "RATE_LIMIT_RETRIED",
    "REQUEST_SHAPE",
    "SUCCESS_DETAILS",
    "TRANSPORT_FAULT",
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
            if check.kinds is not None and wants_reply and not call.last_reply:
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
