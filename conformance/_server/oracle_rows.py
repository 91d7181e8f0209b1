"""The oracle's difference, row by row: each part of two answers it compared, shown as text.

The oracle decides on tuples (``oracle.target_shape``, ``target_values``...); a finding shows the
same parts, one row each, equal or not exactly as the tuples are, so that the rows a report
highlights are the ones that decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from conformance._report.difference import ABSENT, Difference, Row

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from conformance._contract.request import Request
    from conformance._contract.rules import Reply
    from conformance._server.exchange import Exchange

__all__ = ["Shown", "of_exchange", "of_reply", "shape_difference", "value_difference"]

# As much of a body as a row shows: enough for an error body, a 200's members.
_BODY_LIMIT = 300


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
    return Difference(sides, tuple(rows))
