"""Relations between answers: two answers that differ only in what a client must ignore give the
same outcome, after the same number of requests.

Each relation is a transform of an answer into its twin (None when it does not apply) and a check
that compares the call on the answer with the call on its twin (``Call.twin``): header-name case, the charset parameter, member order, whitespace,
unknown members, framing. The outcomes are compared without their ``message`` and on the five
documented success fields only (an unknown member the twin adds is served, and may be exposed).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from conformance._client.calls.answers import NOT_JSON, render
from conformance._client.calls.call import show
from conformance._client.calls.outcome import DETAIL_FIELDS
from conformance._contract.rules import ROOT_KEY
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._client.calls.answers import Answer
    from conformance._client.calls.call import Call

__all__ = [
    "RELATIONS",
    "ignores_charset",
    "ignores_framing",
    "ignores_header_case",
    "ignores_member_order",
    "ignores_unknown_members",
    "ignores_whitespace",
    "signature",
    "twin",
]

UNKNOWN_MEMBER = "lago_conformance_unknown"


def _header_case(answer: Answer) -> Answer | None:
    if not answer.headers:
        return None
    return replace(answer, headers=tuple((name.swapcase(), v) for name, v in answer.headers))


def _charset(answer: Answer) -> Answer | None:
    if answer.media_type != "application/json" or not answer.declared_json:
        return None
    value = "application/json" if answer.charset else "application/json; charset=utf-8"
    headers = tuple(
        (name, value if name.lower() == "content-type" else old) for name, old in answer.headers
    )
    return replace(answer, headers=headers)


class _Members(list[tuple[str, Any]]):
    """A JSON object's members, in the order they were written."""


def _ordered(text: bytes) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_Members)
    except ValueError:
        return NOT_JSON


def _rebuild(value: Any, reverse: bool) -> Any:
    if isinstance(value, _Members):
        pairs = [(key, _rebuild(item, reverse)) for key, item in value]
        return dict(reversed(pairs) if reverse else pairs)
    if isinstance(value, list):
        return [_rebuild(item, reverse) for item in value]
    return value


def _rendered(answer: Answer) -> Any:
    """The body's JSON with members in order (as pairs), when the answer's body is rendered JSON."""
    if not answer.style or answer.transport:
        return NOT_JSON
    value = _ordered(answer.body)
    if value is NOT_JSON or render(_rebuild(value, False), answer.style) != answer.body:
        return NOT_JSON
    return value


def _member_order(answer: Answer) -> Answer | None:
    value = _rendered(answer)
    if value is NOT_JSON:
        return None
    body = render(_rebuild(value, True), answer.style)
    return None if body == answer.body else replace(answer, body=body)


def _whitespace(answer: Answer) -> Answer | None:
    value = _rendered(answer)
    if value is NOT_JSON:
        return None
    style = answer.style.replace("compact", "PRETTY").replace("pretty", "compact").lower()
    body = render(_rebuild(value, False), style)  # type: ignore[arg-type]
    return replace(answer, body=body, style=style)  # type: ignore[arg-type]


def _unknown_members(answer: Answer) -> Answer | None:
    value = _rendered(answer)
    if not isinstance(value, _Members):
        return None
    body = _rebuild(value, False)
    if not isinstance(body, dict) or UNKNOWN_MEMBER in body:
        return None
    extra = {"ignored": True, "note": "a member no client needs"}
    body = {**body, UNKNOWN_MEMBER: extra}
    details = body.get(ROOT_KEY)
    if isinstance(details, dict):
        body[ROOT_KEY] = {**details, UNKNOWN_MEMBER: "ignored"}
    return replace(answer, body=render(body, answer.style))


def _framing(answer: Answer) -> Answer | None:
    return replace(answer, framing="chunked" if answer.framing == "length" else "length")


RELATIONS: dict[str, Callable[[Answer], Answer | None]] = {
    "header_case": _header_case,
    "charset": _charset,
    "member_order": _member_order,
    "whitespace": _whitespace,
    "unknown_members": _unknown_members,
    "framing": _framing,
}


def twin(answer: Answer, relation: str) -> Answer | None:
    """The answer that differs from ``answer`` only as ``relation`` says, or None."""
    return RELATIONS[relation](answer)


def signature(call: Call) -> dict[str, Any]:
    """What a relation compares of a call: the outcome without its message, and the requests."""
    outcome = call.outcome
    if outcome is None:
        seen: dict[str, Any] = {"no outcome": (call.error or "").split(": ")[0]}
    elif outcome["ok"]:
        seen = {"ok": True, "details": {k: outcome["details"].get(k) for k in DETAIL_FIELDS}}
    else:
        seen = {k: outcome.get(k) for k in ("ok", "status", "code", "error_details")}
    return {**seen, "requests": len(call.requests)}


def _judge(relation: str, call: Call, what: str) -> list[Problem]:
    if call.relation != relation or call.twin is None:
        return []
    first, second = signature(call), signature(call.twin)
    if first == second:
        return []
    return [
        Problem(
            f"two answers that differ only in {what} give different outcomes",
            f"{show(second)} (the twin) against {show(first)}",
            "the same outcome, after the same number of requests",
        )
    ]


def ignores_header_case(call: Call) -> list[Problem]:
    """Header names are case-insensitive (RFC 9110 section 5.1)."""
    return _judge("header_case", call, "the case of header names")


def ignores_charset(call: Call) -> list[Problem]:
    """``application/json`` and ``application/json; charset=utf-8`` are the same (RFC 8259)."""
    return _judge("charset", call, "the charset parameter")


def ignores_member_order(call: Call) -> list[Problem]:
    """A JSON object's members are unordered (RFC 8259 section 4)."""
    return _judge("member_order", call, "the order of JSON members")


def ignores_whitespace(call: Call) -> list[Problem]:
    """Whitespace between JSON tokens is insignificant (RFC 8259 section 2)."""
    return _judge("whitespace", call, "JSON whitespace")


def ignores_unknown_members(call: Call) -> list[Problem]:
    """A member the contract does not name is ignored: the contract allows more (no
    additionalProperties: false)."""
    return _judge("unknown_members", call, "unknown members")


def ignores_framing(call: Call) -> list[Problem]:
    """Content-Length and chunked framing carry the same body (RFC 9112 section 6)."""
    return _judge("framing", call, "framing (Content-Length or chunked)")
