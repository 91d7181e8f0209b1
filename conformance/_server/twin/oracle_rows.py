"""The oracle's difference, row by row: each part of two answers it compared, shown as text.

The oracle decides on tuples (``oracle.target_shape``, ``target_values``...); a finding shows the
same parts, one row each, equal or not exactly as the tuples are, so that the rows a report
highlights are the ones that decided.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from conformance._contract.json_text import read_json_text
from conformance._report.difference import ABSENT, Difference, Row

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from conformance._contract.request import Request
    from conformance._contract.rules import Reply
    from conformance._server.transport.exchange import Exchange

__all__ = ["Shown", "of_exchange", "of_reply", "shape_difference", "value_difference"]

# As much of a body as a row shows: enough for an error body, a 200's members.
_BODY_LIMIT = 300
# The parts of a body's shape (``oracle._json_shape``) after its kind, named as a row shows them.
_SHAPE_PARTS = {
    "object": ("members", "status", "error", "code", "error_details"),
    "payment": ("members of invoice_payment_details", "an https payment_url", "lago_invoice_id"),
}
# The members that differ a finding lists, at most: the first few say what differs.
_MEMBERS = 6
_MISSING = object()


class Shown(NamedTuple):
    """An answer as a row shows it: its status, a header's value by name, and its body."""

    status: int
    header: Callable[[str], str | None]
    body: bytes


def of_exchange(exchange: Exchange) -> Shown:
    """The target's answer, as shown."""
    return Shown(exchange.status or 0, exchange.headers.get, exchange.body)


def of_reply(reply: Reply, request: Request) -> Shown:
    """The twin's answer to ``request``, as shown (no body to HEAD: it is never sent)."""
    headers = {name.lower(): value for name, value in reply.all_headers()}
    return Shown(reply.status, headers.get, b"" if request.method == "HEAD" else reply.body)


def _title(name: str) -> str:
    return "-".join(word.capitalize() for word in name.split("-"))


def _body(shown: Shown) -> str:
    text = shown.body.decode("utf-8", "replace")
    if not text:
        return "(empty)"
    return text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + "..."


def _value(value: object) -> str:
    if value is _MISSING:
        return ABSENT
    if value is None:
        return "(absent or null)"  # as a shape reads a member: .get() cannot tell them apart
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return ", ".join(value) or "(none)"  # a shape's sorted member names
    return json.dumps(value, ensure_ascii=False, default=str)


def _shape_parts(mine: tuple[Any, ...], theirs: tuple[Any, ...]) -> list[Row]:
    """The parts two bodies' shapes differ by, a row each, when both are of one kind."""
    parts = _SHAPE_PARTS.get(mine[0], ()) if mine[0] == theirs[0] else ()
    return [
        Row(f"body {name}", _value(a), _value(b), False)
        for name, a, b in zip(parts, mine[1:], theirs[1:], strict=False)
        if a != b
    ]


def _pointer(path: str, key: object) -> str:
    return f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"


def _members(a: object, b: object, path: str = "") -> Iterator[tuple[str, object, object]]:
    """The JSON pointers (RFC 6901) where two JSON values differ, with each one's value there."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from _members(a.get(key, _MISSING), b.get(key, _MISSING), _pointer(path, key))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _members(x, y, _pointer(path, index))
    elif a is _MISSING or b is _MISSING or a != b:
        yield path or "/", a, b


def _member_rows(target: Shown, other: Shown) -> list[Row]:
    """The members two JSON bodies differ by, a row each (the first few)."""
    mine, theirs = read_json_text(target.body), read_json_text(other.body)
    if not (mine.ok and theirs.ok):
        return []
    differ = list(_members(mine.value, theirs.value))
    rows = [Row(f"body {path}", _value(a), _value(b), False) for path, a, b in differ[:_MEMBERS]]
    if len(differ) > _MEMBERS:
        rows.append(Row(f"{len(differ) - _MEMBERS} more members", "...", "...", False))
    return rows


def _headers(
    names: Sequence[str], target: Shown, other: Shown, compared: Sequence[Any], to: Sequence[Any]
) -> list[Row]:
    """A row per header the oracle compared: ``compared`` and ``to`` hold its compared values."""
    rows = []
    for index, name in enumerate(names):
        mine = compared[index] if index < len(compared) else None
        theirs = to[index] if index < len(to) else None
        shown = (target.header(name) or ABSENT, other.header(name) or ABSENT)
        rows.append(Row(f"header {_title(name)}", *shown, mine == theirs))
    return rows


def shape_difference(
    sides: tuple[str, str],
    answers: tuple[Shown, Shown],
    shapes: tuple[tuple[Any, ...], tuple[Any, ...]],
    cors: Sequence[str],
) -> Difference:
    """The rows of a comparison by shape: ``shapes`` are ``(status, media type, body shape,
    CORS values)`` of each answer, as ``oracle.target_shape`` and ``lago_shape`` give them."""
    (target, other), (mine, theirs) = answers, shapes
    media = (mine[1] or ABSENT, theirs[1] or ABSENT)
    rows = [
        Row("status", str(target.status), str(other.status), mine[0] == theirs[0]),
        Row("media type", *media, mine[1] == theirs[1]),
        *_headers(cors if mine[3] or theirs[3] else (), target, other, mine[3], theirs[3]),
        Row("body, by shape", _body(target), _body(other), mine[2] == theirs[2]),
    ]
    if mine[2] != theirs[2]:
        rows += _shape_parts(mine[2], theirs[2])
    return Difference(sides, tuple(rows))


def value_difference(
    sides: tuple[str, str],
    answers: tuple[Shown, Shown],
    values: tuple[tuple[Any, ...], tuple[Any, ...]],
    headers: Sequence[str],
    cors: Sequence[str],
) -> Difference:
    """The rows of a comparison by value: ``values`` are ``(status, the compared headers' values,
    body, CORS values)`` of each answer, as ``oracle.target_values`` gives them."""
    (target, other), (mine, theirs) = answers, values
    rows = [
        Row("status", str(target.status), str(other.status), mine[0] == theirs[0]),
        *_headers(headers, target, other, mine[1], theirs[1]),
        *_headers(cors if mine[3] or theirs[3] else (), target, other, mine[3], theirs[3]),
        Row("body", _body(target), _body(other), mine[2] == theirs[2]),
    ]
    if mine[2] != theirs[2]:
        rows += _member_rows(target, other)
    return Difference(sides, tuple(rows))
