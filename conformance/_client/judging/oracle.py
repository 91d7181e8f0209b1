"""The oracle of generated answers: from the answer alone, what a correct client reports.

- A transport fault (the connection closed or reset mid-body) is a failure without a status.
- A 2xx whose body holds an ``invoice_payment_details`` object of well-typed fields, declared as
  JSON, is a success exposing exactly the served values when its status is 200, 201, 203 or one
  HTTP does not define (read as a 200, RFC 9110 section 15; SHOULD but for the documented 200);
  under a 202, 204, 206 it may also be a failure; any other 2xx is a failure (its status the
  served one, or none), never a success with values that were not served.
- Any other status is a failure with that status; its ``code`` and ``error_details``, when the
  client exposes them, are the served ones.
- A slow body may also end in a failure without a status (the client gave up), within 30 s.

Severity comes from the answer: what the contract documents (a documented status, a JSON body
valid at the documented level, no transport fault) is judged by ``served_as_documented``, a
MUST, but only for the rules the contract settles (a 200 with details is that success, an error
that failure); everything else by ``served_as_answered``, a SHOULD. ``served_in_full`` (SHOULD)
asks that served fields reach the application and that absent ones are not invented.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from conformance._client.calls.answers import NOT_JSON, Answer
from conformance._client.calls.call import show
from conformance._client.calls.outcome import DETAIL_FIELDS
from conformance._client.judging.answer_checks import exposed_otherwise
from conformance._contract.document import contract
from conformance._contract.rules import payment_details
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from conformance._client.calls.call import Call
    from conformance._contract.spec import Spec

__all__ = ["as_200", "documented", "served_as_answered", "served_as_documented", "served_in_full"]

# (problem, settled by the contract)
_Judged = list[tuple[Problem, bool]]


def documented(answer: Answer, spec: Spec | None = None) -> bool:
    """Whether the contract documents ``answer``: its status, a JSON body valid for it."""
    if answer.transport or not answer.declared_json:
        return False
    body = answer.json()
    return body is not NOT_JSON and contract("documented", spec).is_valid(answer.status, body)


def _answer(call: Call) -> Answer | None:
    served = call.served[-1] if call.served else None
    return served if isinstance(served, Answer) else None


def _default(value: object) -> bool:
    return value in ("", 0, False)


def _readable(answer: Answer, body: Any) -> dict[str, Any] | None:
    details = payment_details(body) if body is not NOT_JSON else None
    if details is None or not answer.declared_json:
        return None
    typed = all(
        details.get(name) is None or isinstance(details[name], str) for name in DETAIL_FIELDS
    )
    return details if typed else None


def _success(answer: Answer, outcome: dict[str, Any], body: Any) -> _Judged:
    details = payment_details(body) if body is not NOT_JSON else None
    if details is None:
        return [
            (
                Problem(
                    f"an HTTP {answer.status} without an invoice_payment_details object was "
                    "reported as a success",
                    show(outcome),
                    "ok: false",
                ),
                False,
            )
        ]
    # Every field exposed otherwise than served breaks the contract (MUST).
    return [(problem, True) for problem in exposed_otherwise(outcome["details"], details)]


def as_200(status: int) -> bool:
    """Whether a 2xx carries its payload as a 200 does: 200, 201, 203, and a 2xx HTTP does not
    define (RFC 9110 section 15: an unknown status is read as the x00 of its class)."""
    if status in (200, 201, 203):
        return True
    try:
        HTTPStatus(status)
    except ValueError:
        return 200 <= status < 300
    return False


def _failure(answer: Answer, outcome: dict[str, Any], body: Any) -> _Judged:
    status, served = outcome["status"], answer.status
    if 200 <= served < 300:
        if _readable(answer, body) is not None and as_200(served):
            # A documented 200 is the contract's (MUST); another 2xx is HTTP's (SHOULD).
            problem = Problem(f"a {served} with invoice_payment_details was reported as a failure",
                              show(outcome), "ok: true, the served fields")  # fmt: skip
            return [(problem, served == 200)]
        if status not in (served, None):
            problem = Problem(f"the failure's status is neither the served {served} nor null",
                              f"status = {show(status)}", f"status = {served} or null")  # fmt: skip
            return [(problem, False)]
        return []
    judged: _Judged = []
    if status != served:
        judged.append((Problem("the failure loses the real HTTP status",
                               f"status = {show(status)}", f"status = {served}"), True))  # fmt: skip
    served_body = body if isinstance(body, dict) else {}
    for key in ("code", "error_details"):
        value = outcome.get(key)
        if value is not None and value != served_body.get(key):
            judged.append((Problem(f"the failure's {key} is not what was served",
                                   f"{key} = {show(value)}",
                                   f"{key} = {show(served_body.get(key))}"), True))  # fmt: skip
    return judged


def _judged(call: Call) -> _Judged:
    answer, outcome = _answer(call), call.outcome
    if answer is None or outcome is None:
        return []
    if answer.transport in ("cut", "reset"):
        if outcome["ok"] or outcome["status"] is not None:
            what = "closed" if answer.transport == "cut" else "reset"
            problem = Problem(f"an answer whose connection was {what} mid-body was reported "
                              "as an answer", show(outcome), "ok: false, status: null")  # fmt: skip
            return [(problem, False)]
        return []
    if answer.transport == "slow" and not outcome["ok"] and outcome["status"] is None:
        return []  # the client gave up on a slow body: call_within_bound judges the time
    body = answer.json()
    if outcome["ok"]:
        if not 200 <= answer.status < 300:
            problem = Problem(f"an HTTP {answer.status} was reported as a success", show(outcome),
                              f"ok: false, status: {answer.status}")  # fmt: skip
            return [(problem, True)]
        return _success(answer, outcome, body)
    return _failure(answer, outcome, body)


def served_as_documented(call: Call) -> list[Problem]:
    """On an answer the contract documents: the outcome the contract settles for it."""
    answer = _answer(call)
    if answer is None or not documented(answer):
        return []
    return [problem for problem, settled in _judged(call) if settled]


def served_as_answered(call: Call) -> list[Problem]:
    """On any other answer (and where the contract leaves the outcome open): the outcome the
    answer itself decides."""
    answer = _answer(call)
    if answer is None:
        return []
    is_documented = documented(answer)
    return [p for p, settled in _judged(call) if not (settled and is_documented)]


def served_in_full(call: Call) -> list[Problem]:
    """The served fields reach the application (the five success fields, an error's code and
    error_details, when declared as JSON); a field that was not served is not invented."""
    answer, outcome = _answer(call), call.outcome
    if answer is None or outcome is None or answer.transport in ("cut", "reset"):
        return []
    if answer.transport == "slow" and not outcome["ok"] and outcome["status"] is None:
        return []  # the client gave up on a slow body: nothing was read
    body = answer.json()
    if outcome["ok"]:
        served = payment_details(body) if body is not NOT_JSON else None
        if served is None:
            return []  # judged by served_as_answered
        # A field served as a string (the contract's type) is one the application needs.
        dropped = [n for n in DETAIL_FIELDS if isinstance(served.get(n), str) and
                   outcome["details"].get(n) is None]  # fmt: skip
        invented = [n for n, v in outcome["details"].items() if n not in served and _default(v)]
        problems = []
        if dropped:
            problems.append(Problem("the client drops served fields",
                                    f"drops {', '.join(dropped)}; exposes "
                                    f"{', '.join(sorted(outcome['details'])) or 'nothing'}",
                                    "every served field of invoice_payment_details"))  # fmt: skip
        if invented:
            problems.append(Problem("the client invents values for fields that were not served",
                                    f"{', '.join(invented)}: {show(outcome['details'])}",
                                    "absent or null"))  # fmt: skip
        return problems
    if not isinstance(body, dict) or not answer.declared_json or answer.status < 300:
        return []
    return [
        Problem(f"the client drops the served {key}", f"{key} = null", f"{key} = {show(body[key])}")
        for key, kind in (("code", str), ("error_details", dict))
        if isinstance(body.get(key), kind) and outcome.get(key) is None
    ]
