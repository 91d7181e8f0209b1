"""What a client adapter reports after one call: an outcome, a plain JSON-able dict.

Success: ``{"ok": true, "details": {<the invoice_payment_details fields the client exposes>}}``.
Failure: ``{"ok": false, "status": int|null, "code": str|null, "error_details": object|null,
"message": str}``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DETAIL_FIELDS",
    "Outcome",
    "failure",
    "outcome_problems",
    "success",
]

Outcome = dict[str, Any]
# The five fields of `invoice_payment_details` that Lago sends.
DETAIL_FIELDS: tuple[str, ...] = (
    "lago_customer_id",
    "lago_invoice_id",
    "external_customer_id",
    "payment_provider",
    "payment_url",
)
_FAILURE_KEYS = {"ok", "status", "code", "error_details", "message"}


def success(details: dict[str, Any]) -> Outcome:
    """A success outcome exposing ``details``."""
    return {"ok": True, "details": dict(details)}


def failure(
    status: int | None,
    code: str | None = None,
    error_details: dict[str, Any] | None = None,
    message: str = "",
) -> Outcome:
    """A failure outcome."""
    return {
        "ok": False,
        "status": status,
        "code": code,
        "error_details": error_details,
        "message": message,
    }


def outcome_problems(value: object) -> list[str]:
    """What is wrong with ``value`` as an outcome; empty when it is one."""
    if not isinstance(value, dict):
        return [f"an outcome is a JSON object, got {type(value).__name__}"]
    ok = value.get("ok")
    if not isinstance(ok, bool):
        return ['"ok" must be true or false']
    if ok:
        details = value.get("details")
        if not isinstance(details, dict):
            return ['a success needs "details", an object of the fields the client exposes']
        return [
            f'"details" has a non-string key {key!r}' for key in details if not isinstance(key, str)
        ]
    problems = [f'a failure lacks "{key}"' for key in sorted(_FAILURE_KEYS - value.keys())]
    status = value.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        problems.append('"status" must be an integer or null')
    if value.get("code") is not None and not isinstance(value.get("code"), str):
        problems.append('"code" must be a string or null')
    if value.get("error_details") is not None and not isinstance(value.get("error_details"), dict):
        problems.append('"error_details" must be an object or null')
    if "message" in value and not isinstance(value["message"], str):
        problems.append('"message" must be a string')
    return problems
