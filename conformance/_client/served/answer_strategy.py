"""The Hypothesis strategy over whole answers, and the cases drawn from it.

A case is an answer and, often, a relation: the answer's twin is served in a second call. The
strategy draws, in this order (so that a failing case shrinks towards a documented 200 with no
extra header, Content-Length framing and no fault): a status, documented or not; a body (valid
at the run's level, with long and escaped strings and unknown members; mutated JSON; empty; an
HTML page or text); a content type, with and without parameters or none; extra headers in any
case (every form of ``Retry-After`` and ``X-RateLimit-*``); framing, a content coding and a
transport fault.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from conformance._client.calls.answers import Answer, render
from conformance._client.calls.outcome import DETAIL_FIELDS
from conformance._client.judging.relations import twin
from conformance._client.served.bodies import response_bodies
from conformance._contract.rules import REASON_PHRASES, ROOT_KEY

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn, SearchStrategy

    from conformance._contract.levels import Level
    from conformance._contract.spec import Spec

__all__ = ["DOCUMENTED", "OTHER_2XX", "UNDOCUMENTED", "Case", "cases"]

DOCUMENTED = (200, 401, 404, 422)
# 2xx other than 200, served with a 200's body: 201 and 203 are successes with a payload, 299 is
# unknown (RFC 9110 section 15: read as a 200); a 202 leaves the outcome open.
OTHER_2XX = (201, 203, 299, 202)
# A WAF's 403, a gateway's 502 or 504, a 204: statuses the contract does not document.
UNDOCUMENTED = (201, 204, 400, 403, 405, 409, 429, 500, 502, 503, 504)
_RETRYABLE = (429, 500, 502, 503, 504)
_JSON_TYPES = ("application/json; charset=utf-8", "application/json",
               "application/json;charset=UTF-8", 'application/json; charset="utf-8"',
               "Application/JSON")  # fmt: skip
_OTHER_TYPES = (None, "text/plain", "text/html; charset=utf-8", "application/problem+json",
                "text/plain; charset=iso-8859-1")  # fmt: skip
_HTML = b"<html><head><title>%d</title></head><body><h1>%d</h1><p>%s</p></body></html>"
_HINTS = ("0", "1", "2", "120", "3600", "{date+2}", "{date+3600}", "{date-60}", "soon", "-5", "1.5")
_EXTRA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Retry-After", _HINTS),
    ("X-RateLimit-Limit", ("50", "0")),
    ("X-RateLimit-Remaining", ("0", "49")),
    ("X-RateLimit-Reset", ("0", "1", "60", "3600", "soon")),
    ("X-Request-Id", ("4b1c6f1e-3f0a-4a70-9a9e-1c2f2d3e4f50",)),
    ("Server", ("cloudflare", "nginx", "awselb/2.0")),
    ("Cache-Control", ("no-store", "max-age=0, private, must-revalidate")),
    ("Via", ("1.1 varnish", "1.1 google")),
)
_TEXT = st.text(st.sampled_from('aé€"\\/\n\t<>&%\u2028😀 Zz09'), max_size=24)
# Where the contract says `string`, strings of other forms than its example's (a UUID, a word):
# empty, short ids of other shapes, long, any Unicode.
_STRINGS = (
    st.sampled_from(["", "cus_00042", "1e501a90", "not-a-uuid", "{1a901a90}", "0", " ", "null"])
    | st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)
    | st.text(st.sampled_from("abcé😀-_ "), min_size=300, max_size=2000)
)
# The fields each documented status's body holds as strings.
_STRING_FIELDS = {401: ("error",), 404: ("error", "code"), 422: ("error", "code")}


@dataclass(frozen=True)
class Case:
    """One generated case: an answer, and the relation whose twin is served too (or None)."""

    answer: Answer
    relation: str | None = None

    def to_json(self) -> dict[str, Any]:
        """This case as the JSON of a ``--replay`` file."""
        return {
            "lago_conformance_case": 1,
            "relation": self.relation,
            "answer": self.answer.to_json(),
        }


def _checkout_link(draw: DrawFn) -> str:
    """A long real-world checkout link, percent-escapes and a fragment included."""
    token = draw(st.text(st.sampled_from("abcdefABCDEF0123456789_"), min_size=20, max_size=32))
    escapes = draw(st.lists(st.sampled_from(["%2F", "%3D", "%26", "%C3%A9", "%25", "%7E"]),
                            max_size=8))  # fmt: skip
    path = (token + "".join(escapes)) * draw(st.integers(1, 12))
    return f"https://checkout.stripe.com/c/pay/cs_live_{path}#fid{token[::-1]}"


@functools.cache
def _bodies(level: Level, status: int, extra: bool, spec: Spec | None) -> SearchStrategy[Any]:
    return response_bodies(level, status, extra_fields=extra, spec=spec)


def _spanning(draw: DrawFn, values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``values`` with each of ``names`` kept, set to a string of another form, or absent."""
    spanned = dict(values)
    for name in names:
        how = draw(st.sampled_from(["keep", "other", "other", "absent"]))
        if how == "other":
            spanned[name] = draw(_STRINGS)
        elif how == "absent":
            spanned.pop(name, None)
    return spanned


def _valid(draw: DrawFn, level: Level, status: int, spec: Spec | None) -> Any:
    body = draw(_bodies(level, status, draw(st.booleans()), spec))
    details = body.get(ROOT_KEY) if isinstance(body, dict) and status == 200 else None
    if isinstance(details, dict) and draw(st.booleans()):
        details = {**details, "payment_url": _checkout_link(draw)}
        if "external_customer_id" in details or draw(st.booleans()):
            details["external_customer_id"] = "cust-" + draw(_TEXT) + "x"
        body = {**body, ROOT_KEY: details}
    # The contract's strings span more than the run's level draws (a strict run draws UUIDs).
    if isinstance(details, dict) and draw(st.integers(0, 2)):
        body = {**body, ROOT_KEY: _spanning(draw, details, DETAIL_FIELDS)}
    elif isinstance(body, dict) and status in _STRING_FIELDS and draw(st.booleans()):
        body = _spanning(draw, body, _STRING_FIELDS[status])
    return body


def _mutated(draw: DrawFn, value: Any) -> tuple[Any, bytes | None]:
    """``value`` mutated as a value (then rendered) or as bytes (the second item)."""
    how = draw(st.sampled_from(["drop", "retype", "details", "root", "truncate", "garbage"]))
    if how in ("truncate", "garbage"):
        text = render(value, "compact")
        if how == "truncate":
            return None, text[: draw(st.integers(0, max(0, len(text) - 1)))]
        return None, text + draw(st.sampled_from([b"}", b",", b"\n<html>", b"\x00", b"]"]))
    target = value.get(ROOT_KEY) if isinstance(value, dict) else None
    target = target if isinstance(target, dict) and target and how != "root" else value
    if how == "root" or not isinstance(target, dict) or not target:
        return draw(st.sampled_from([[value], None, "text", 1])), None
    key = draw(st.sampled_from(sorted(target)))
    other: Any = draw(st.sampled_from([None, 1, True, [], {}, "x"]))
    if how == "details" and isinstance(value, dict) and ROOT_KEY in value:
        return {**value, ROOT_KEY: other}, None
    changed = {k: v for k, v in target.items() if k != key} if how == "drop" else {
        **target, key: other}  # fmt: skip
    return ({**value, ROOT_KEY: changed} if target is not value else changed), None


def _other_json(draw: DrawFn, status: int) -> Any:
    phrase = REASON_PHRASES.get(status, "Error")
    return draw(st.sampled_from([
        {"status": status, "error": phrase, "code": draw(st.sampled_from(
            ["forbidden", "rate_limited", "internal_error", "conflict", "bad_request"]))},
        {"message": draw(_TEXT)},
        {"errors": [{"title": phrase, "detail": draw(_TEXT)}]},
        {"status": status, "error": phrase, "code": "invalid", "error_details": {"x": [draw(_TEXT)]}},
        {"status": status, "error": phrase, "code": "invalid", "error_details": {}},
    ]))  # fmt: skip


def _body(draw: DrawFn, level: Level, status: int, spec: Spec | None) -> tuple[bytes, str, str]:
    """Body bytes, its JSON style ("" when not rendered JSON) and what it is."""
    if status == 204:
        return b"", "", "empty"
    kinds = ["valid", "valid", "mutated", "valid", "empty", "html"] if status in DOCUMENTED else [
        "lago-like", "valid-200", "mutated", "lago-like", "empty", "html", "text", "lago-like"]  # fmt: skip
    if status in OTHER_2XX:  # a 200's body under another 2xx, mostly
        kinds = ["valid-200", "valid-200", "valid-200", "empty", "mutated"]
    if status in _RETRYABLE:  # a gateway's answers, and Lago's own 429 and 500
        kinds = ["lago-like", "html", "lago-like", "empty", "text", "lago-like", "mutated"]
    kind = draw(st.sampled_from(kinds))
    style = draw(st.sampled_from(["compact", "pretty", "compact-ascii", "pretty-ascii"]))
    if kind == "empty":
        return b"", "", kind
    if kind == "html":
        return _HTML % (status, status, draw(_TEXT).encode()), "", kind
    if kind == "text":
        return draw(st.sampled_from([b"upstream connect error", b"Bad Gateway", b"OK"])), "", kind
    if kind == "lago-like":
        return render(_other_json(draw, status), style), style, kind  # type: ignore[arg-type]
    valid = _valid(draw, level, 200 if kind == "valid-200" or status not in DOCUMENTED else status,
                   spec)  # fmt: skip
    if kind == "mutated":
        value, raw = _mutated(draw, valid)
        if raw is not None:
            return raw, "", kind
        return render(value, style), style, kind  # type: ignore[arg-type]
    return render(valid, style), style, kind  # type: ignore[arg-type]


def _name(draw: DrawFn, name: str) -> str:
    case = draw(st.sampled_from(["lower", "as-is", "upper", "swap"]))
    return {"lower": name.lower(), "as-is": name, "upper": name.upper(), "swap": name.swapcase()}[
        case
    ]


@st.composite
def answers(draw: DrawFn, level: Level, spec: Spec | None = None) -> Answer:
    """A whole answer."""
    # 200s and documented errors carry the MUST rules; 429s and 5xx the retries.
    others = tuple(sorted({*OTHER_2XX, *UNDOCUMENTED} - {*_RETRYABLE}))
    status = draw(st.just(200) | st.sampled_from(DOCUMENTED[1:]) | st.sampled_from(others)
                  | st.sampled_from(_RETRYABLE))  # fmt: skip
    body, style, kind = _body(draw, level, status, spec)
    json_like = style != "" or kind == "mutated"
    likely, other = (_JSON_TYPES, _OTHER_TYPES) if json_like else (_OTHER_TYPES, _JSON_TYPES)
    content_type = draw(st.sampled_from(likely) | st.sampled_from(likely) | st.sampled_from(other))
    headers: list[tuple[str, str]] = []
    if content_type is not None:
        headers.append((_name(draw, "Content-Type"), content_type))
    for name, values in draw(
        st.lists(st.sampled_from(_EXTRA), max_size=4, unique_by=lambda e: e[0])
    ):
        headers.append((_name(draw, name), draw(st.sampled_from(values))))
    transport = draw(st.sampled_from(["", "", "", "", "", "cut", "reset", "slow"])) if body else ""
    slow = transport == "slow"
    return Answer(
        status,
        tuple(headers),
        body,
        framing=draw(st.sampled_from(["length", "chunked"])),
        coding=draw(st.sampled_from(["identity", "identity", "gzip", "deflate"])),
        transport=transport,  # type: ignore[arg-type]
        gap=draw(st.sampled_from([0.5, 3.0, 7.0, 20.0, 45.0])) if slow else 0.0,
        pieces=draw(st.integers(2, 12)) if slow else draw(st.integers(1, 4)),
        style=style,  # type: ignore[arg-type]
        kind=kind,
    )


# A JSON body's relations, and the case of header names; the others for every other answer.
_FOR_JSON = ("member_order", "unknown_members", "whitespace", "charset", "header_case")
_FOR_OTHERS = ("header_case", "framing", "charset")


def relation_for(answer: Answer, index: int) -> str | None:
    """The relation of the ``index``-th case: its kind's relations in turn, the first that
    applies (a JSON body's own relations apply to fewer answers, so they get those)."""
    names = _FOR_JSON if twin(answer, "member_order") or twin(answer, "whitespace") else _FOR_OTHERS
    for step in range(len(names)):
        name = names[(index + step) % len(names)]
        if twin(answer, name) is not None:
            return name
    return None


def cases(
    level: Level, spec: Spec | None = None, relation: str | None = None
) -> SearchStrategy[Case]:
    """Cases of an answer and ``relation`` (None when it does not apply to the answer)."""
    return answers(level, spec).map(
        lambda answer: Case(answer, relation if relation and twin(answer, relation) else None)
    )
