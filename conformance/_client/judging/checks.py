"""The client checks, in one table, and how one call is judged by them.

Each check judges a ``Call`` (what was served, what the client sent, the outcome it reported)
and returns the problems it sees. All but the request checks need an outcome: ``judge_call``
reports a client that gave none once per call, as a problem of its first such check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._client.judging.answer_checks import (
    all_error_fields,
    all_success_fields,
    error_fields,
    failure_names_error,
    no_invented_values,
    no_retry_after_4xx,
    success_details,
)
from conformance._client.judging.config_checks import default_base_url, retries_as_configured
from conformance._client.judging.invariants import (
    call_within_bound,
    key_never_in_outcome,
    key_never_written,
    no_resend_after_4xx,
)
from conformance._client.judging.oracle import (
    served_as_answered,
    served_as_documented,
    served_in_full,
)
from conformance._client.judging.relations import (
    ignores_charset,
    ignores_framing,
    ignores_header_case,
    ignores_member_order,
    ignores_unknown_members,
    ignores_whitespace,
)
from conformance._client.judging.request_checks import (
    base_url_joined,
    exact_path,
    id_percent_encoded,
    key_only_in_authorization,
    key_stays_on_origin,
    request_shape,
)
from conformance._client.judging.robustness_checks import (
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
from conformance._client.judging.wait_checks import rate_limit_hint_waited
from conformance._report.findings import Check, Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from conformance._client.calls.call import Call

__all__ = [
    "ALL_ERROR_FIELDS",
    "ALL_SUCCESS_FIELDS",
    "BASE_URL_JOINED",
    "CALL_WITHIN_BOUND",
    "CHECKS",
    "DEFAULT_BASE_URL",
    "ERROR_FIELDS",
    "EVERY_SCENARIO",
    "EXACT_PATH",
    "FAILURE_NAMES_ERROR",
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
    "RETRIES_AS_CONFIGURED",
    "SLOW_BODY_BOUNDED",
    "SUCCESS_DETAILS",
    "TRANSPORT_FAULT",
    "UNDECODABLE_BODY",
    "judge_call",
]

OUTCOME = "outcome"


def _check(judge: Callable[[Call], list[Problem]], *, needs_outcome: bool = True) -> Check[Call]:
    return Check(judge.__name__, judge, frozenset({OUTCOME}) if needs_outcome else None)


SUCCESS_DETAILS = _check(success_details)
NO_INVENTED_VALUES = _check(no_invented_values)
ALL_SUCCESS_FIELDS = _check(all_success_fields)
ERROR_FIELDS = _check(error_fields)
ALL_ERROR_FIELDS = _check(all_error_fields)
FAILURE_NAMES_ERROR = _check(failure_names_error)
NO_RETRY_AFTER_4XX = _check(no_retry_after_4xx)
REQUEST_SHAPE = _check(request_shape, needs_outcome=False)
ID_PERCENT_ENCODED = _check(id_percent_encoded, needs_outcome=False)
KEEPS_HTTP_STATUS = _check(keeps_http_status)
NO_SILENT_SUCCESS = _check(no_silent_success)
RATE_LIMIT_BOUNDED = _check(rate_limit_bounded)
RATE_LIMIT_RETRIED = _check(rate_limit_retried)
TRANSPORT_FAULT = _check(transport_fault)
KEY_ONLY_IN_AUTHORIZATION = _check(key_only_in_authorization, needs_outcome=False)
KEY_STAYS_ON_ORIGIN = _check(key_stays_on_origin, needs_outcome=False)
NO_REDIRECT_FOLLOWED = _check(no_redirect_followed)
RATE_LIMIT_WAIT_BOUNDED = _check(rate_limit_wait_bounded)
UNDECODABLE_BODY = _check(undecodable_body)
BASE_URL_JOINED = _check(base_url_joined, needs_outcome=False)
EXACT_PATH = _check(exact_path, needs_outcome=False)
SLOW_BODY_BOUNDED = _check(slow_body_bounded)
SERVED_AS_DOCUMENTED = _check(served_as_documented)
SERVED_AS_ANSWERED = _check(served_as_answered)
SERVED_IN_FULL = _check(served_in_full)
RELATION_CHECKS = tuple(
    _check(judge)
    for judge in (
        ignores_header_case,
        ignores_charset,
        ignores_member_order,
        ignores_whitespace,
        ignores_unknown_members,
        ignores_framing,
    )
)
KEY_NEVER_IN_OUTCOME = _check(key_never_in_outcome, needs_outcome=False)
NO_RESEND_AFTER_4XX = _check(no_resend_after_4xx, needs_outcome=False)
CALL_WITHIN_BOUND = _check(call_within_bound)
KEY_NEVER_WRITTEN = _check(key_never_written, needs_outcome=False)
RATE_LIMIT_HINT_WAITED = _check(rate_limit_hint_waited, needs_outcome=False)
DEFAULT_BASE_URL = _check(default_base_url, needs_outcome=False)
RETRIES_AS_CONFIGURED = _check(retries_as_configured, needs_outcome=False)
# Invariants on every call; the key's two ride along every scenario, the other two wherever a
# scenario's own checks do not already judge the same (see catalogue.py).
INVARIANTS: tuple[Check[Call], ...] = (
    KEY_ONLY_IN_AUTHORIZATION,
    KEY_NEVER_IN_OUTCOME,
    KEY_NEVER_WRITTEN,
    RETRIES_AS_CONFIGURED,
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
    FAILURE_NAMES_ERROR,
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
    DEFAULT_BASE_URL,
    KEY_STAYS_ON_ORIGIN,
    NO_REDIRECT_FOLLOWED,
    RATE_LIMIT_WAIT_BOUNDED,
    UNDECODABLE_BODY,
    SLOW_BODY_BOUNDED,
    KEY_NEVER_IN_OUTCOME,
    KEY_NEVER_WRITTEN,
    RETRIES_AS_CONFIGURED,
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
