"""JSON text read as bytes, as RFC 8259 defines it, before anything lenient reads it.

Python's ``json.loads`` accepts more than JSON text: a body in UTF-16 or UTF-32, ``NaN`` and
``Infinity``, and repeated member names (the last one wins). A client library may read such a body
otherwise, or not at all, so the suite judges the bytes first: UTF-8 without a byte-order mark
(RFC 8259 sections 8.1 and 8.2), one value and nothing after it but whitespace, unique member names
(section 4: names SHOULD be unique; parsers disagree on which one wins), and no non-standard
numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["JsonText", "read_json_text"]

_BOMS = (
    (b"\xef\xbb\xbf", "a UTF-8 byte-order mark"),
    (b"\xff\xfe", "a UTF-16 byte-order mark"),
    (b"\xfe\xff", "a UTF-16 byte-order mark"),
)


class _Repeated(ValueError):
    pass


@dataclass(frozen=True)
class JsonText:
    """What the bytes are: ``ok`` with ``value`` when they are JSON text, else ``problem``
    (None for an empty body). ``lenient`` is what ``json.loads`` would have made of them."""

    ok: bool
    value: Any = None
    problem: str | None = None
    lenient: Any = None


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _Repeated(f"repeated member names {', '.join(map(repr, repeated))}")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"the non-standard number {name}")


def read_json_text(body: bytes) -> JsonText:
    """Judge ``body`` as JSON text (RFC 8259), strictly; see the module's docstring."""
    try:
        lenient = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        lenient = None
    if not body.strip():
        return JsonText(False, problem=None if not body else "whitespace only", lenient=lenient)
    for mark, name in _BOMS:
        if body.startswith(mark):
            return JsonText(False, problem=f"it starts with {name}", lenient=lenient)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return JsonText(False, problem=f"it is not UTF-8 ({error.reason})", lenient=lenient)
    try:
        value = json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)
    except _Repeated as error:
        return JsonText(False, problem=f"it has {error}", lenient=lenient)
    except json.JSONDecodeError as error:
        where = "data after the JSON value" if error.msg == "Extra data" else error.msg
        return JsonText(False, problem=f"{where} at character {error.pos}", lenient=lenient)
    except ValueError as error:
        return JsonText(False, problem=f"it holds {error}", lenient=lenient)
    return JsonText(True, value, lenient=lenient)
