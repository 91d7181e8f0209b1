"""How Rails 8.0.5.1 (on Rack 3.2.6) reads a request's parameters, and how that fails.

Sources (rails tag v8.0.5.1, actionpack/lib/action_dispatch/http/): ``request.rb`` (``GET``,
``POST``: a ``ParamError`` becomes ``ActionController::BadRequest``), ``parameters.rb``
(``parameters``: body, then query, then path parameters win; ``parse_formatted_parameters``:
only a JSON body is parsed by Rails, and a JSON error is ``ParseError``), ``query_parser.rb``
(``each_pair``, ``URI.decode_www_form_component``), ``param_builder.rb`` (nesting, the
``ParameterTypeError``, invalid UTF-8, a depth limit of 100). Rack tag v3.2.6:
``lib/rack/request.rb`` (``form_data?``: a POST with no Content-Type is read as a form),
``lib/rack/multipart/parser.rb``, ``lib/rack/query_parser.rb`` (a form of 4 MiB and 4096
parameters at most).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from conformance._mock.negotiation import content_mime_type

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._mock.puma import Env

__all__ = ["BadRequest", "ParseError", "query_parameters", "request_parameters"]

DEPTH_LIMIT = 100
JSON_MAX_NESTING = 100
PARAMS_LIMIT = 4096
BYTESIZE_LIMIT = 4194304
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(rb"\+|%[0-9A-Fa-f]{2}")


class ParseError(Exception):
    """``ActionDispatch::Http::Parameters::ParseError``: a JSON body Rails cannot parse."""


class BadRequest(Exception):
    """``ActionController::BadRequest``: a query or form Rails cannot turn into parameters."""


def _decode(text: str) -> str:
    """``URI.decode_www_form_component``, keeping bytes that are not UTF-8 as surrogates."""
    if _BAD_ESCAPE.search(text):
        raise BadRequest(f"invalid %-encoding ({text})")
    raw = _ESCAPE.sub(
        lambda m: b" " if m[0] == b"+" else bytes([int(m[0][1:], 16)]),
        text.encode("utf-8", "surrogateescape"),
    )
    return raw.decode("utf-8", "surrogateescape")


def _pairs(source: str) -> Iterator[tuple[str, str | None]]:
    for part in re.split(r"& *", source):
        if part:
            key, eq, value = part.partition("=")
            yield _decode(key), (_decode(value) if eq else None)


def _valid_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _store(params: dict[str, Any], name: str, value: Any, depth: int) -> Any:
    """``ParamBuilder#store_nested_param``, raising ``BadRequest`` where Rails raises."""
    if depth >= DEPTH_LIMIT:
        raise BadRequest("Parameters too deep")
    if depth == 0:
        start = name.find("[", 1)
        key, after = (name[:start], name[start:]) if start > 0 else (name, "")
    elif name.startswith("[]"):
        key, after = "[]", name[2:]
    elif name.startswith("[") and (end := name.find("]", 1)) > 0:
        key, after = name[1:end], name[end + 1 :]
    else:
        key, after = name, ""
    if not key:
        return params
    if depth == 0 and isinstance(value, str) and not _valid_utf8(value):
        raise BadRequest("Invalid encoding for parameter")
    if after == "":
        if key == "[]" and depth != 0:
            return [value] if value is not None else []
        params[key] = value
    elif after == "[":
        params[name] = value
    elif after.startswith("[]"):
        child = after[2:]
        inner = child[1:-1] if child.startswith("[") and child.endswith("]") else ""
        if inner and "[" not in inner and "]" not in inner:
            child = inner
        slot = params.setdefault(key, [])
        if not isinstance(slot, list):
            raise BadRequest(f"expected Array for param `{key}'")
        if after == "[]":
            if value is not None:
                slot.append(value)
        elif slot and isinstance(slot[-1], dict) and child not in slot[-1]:
            _store(slot[-1], child, value, depth + 1)
        else:
            slot.append(_store({}, child, value, depth + 1))
    else:
        slot = params.setdefault(key, {})
        if not isinstance(slot, dict):
            raise BadRequest(f"expected Hash for param `{key}'")
        params[key] = _store(slot, after, value, depth + 1)
    return params


def _build(pairs: Iterator[tuple[str, Any]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in pairs:
        _store(params, key, value, 0)
    return params


def query_parameters(query: str) -> dict[str, Any]:
    """``request.query_parameters``; raises ``BadRequest`` (Rails answers 400)."""
    return _build(_pairs(query))


# lib/rack/multipart/parser.rb MULTIPART (case-insensitive, any multipart/* type)
_MULTIPART = re.compile(r'multipart/.*?boundary(\s*)="?([^";,]+)"?', re.I | re.S)


def _multipart(env: Env) -> dict[str, Any] | None:
    """Rack's multipart reading: None without a boundary (``Parser.parse`` returns ``EMPTY``,
    whose params are nil); a body it cannot read is 400.

    Rack raises ``Multipart::Error`` or ``BoundaryTooLongError`` for a space before ``=``, a
    second ``boundary``, a boundary over 70 characters, or no boundary in the first 16 KiB;
    Rails' ``POST`` rescues neither, so real Lago answers 500 there (a Lago bug): the mock
    answers 400 as for an ``EOFError``.
    """
    content_type = env.get("CONTENT_TYPE") or ""
    found = _MULTIPART.match(content_type)
    if found is None:
        return None
    if found[1] or re.search(r"boundary\s*=", content_type[found.end() :], re.I):
        raise BadRequest("multipart boundary malformed")  # Lago: 500
    if len(found[2]) > 70:
        raise BadRequest("multipart boundary size too large")  # Lago: 500
    mark = b"--" + found[2].encode("latin-1", "replace")
    if mark not in env.body or mark + b"--" not in env.body:
        raise BadRequest("bad content body")  # EOFError, rescued by Rails' POST
    fields: list[tuple[str, Any]] = []
    for part in env.body.split(mark)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        if name is not None and b"filename=" not in head:
            text = value.removesuffix(b"\r\n").decode("utf-8", "surrogateescape")
            fields.append((name[1].decode("utf-8", "surrogateescape"), text))
    return _build(iter(fields))


def request_parameters(env: Env) -> dict[str, Any]:
    """``request.request_parameters``: the body's parameters.

    Raises ``ParseError`` for a JSON body Rails cannot parse, ``BadRequest`` for a form it cannot
    parse, and ``InvalidType`` (from negotiation) for a Content-Type that is no MIME type.
    """
    if not env.body:
        return {}  # content_length.zero?: nothing is parsed, whatever the Content-Type
    mime = content_mime_type(env.get("CONTENT_TYPE"))
    if mime is not None and mime.symbol == "json":
        data = _json(env.body)
        return data if isinstance(data, dict) else {"_json": data}
    media = (env.get("CONTENT_TYPE") or "").split(";")[0].split(",")[0].strip().lower() or None
    multipart = media in ("multipart/form-data", "multipart/related", "multipart/mixed")
    if multipart and (parts := _multipart(env)) is not None:
        return parts
    # Request#form_pairs: a multipart type Rack's parser returns nothing for (no boundary) is
    # read as a urlencoded form, as is a POST with no Content-Type
    if (
        multipart
        or media == "application/x-www-form-urlencoded"
        or (media is None and env.method == "POST")
    ):
        form = env.body.decode("latin-1").removesuffix("\x00")
        if len(form) > BYTESIZE_LIMIT or form.count("&") >= PARAMS_LIMIT:
            raise BadRequest("total number of query parameters exceeds limit")
        raw = env.body.removesuffix(b"\x00").decode("utf-8", "surrogateescape")
        return _build(_pairs(raw))
    return {}


def _json(body: bytes) -> Any:
    """``ActiveSupport::JSON.decode``: Ruby's ``JSON.parse`` reads the bytes as UTF-8, takes no
    byte-order mark, and refuses nesting deeper than its ``max_nesting`` of 100."""
    text = body.decode("utf-8", "surrogateescape")
    try:
        if text.startswith("\ufeff"):
            raise ValueError("byte-order mark")
        data = json.loads(text, parse_constant=_no_constant)
        if _depth(data) > JSON_MAX_NESTING:
            raise ValueError("nesting too deep")
    except (ValueError, RecursionError):
        raise ParseError("Error occurred while parsing request parameters") from None
    return data


def _depth(data: Any) -> int:
    """How deep arrays and objects nest in ``data`` (``[]`` is 1)."""
    depth, level = 0, [data]
    while containers := [item for item in level if isinstance(item, (dict, list))]:
        depth += 1
        level = [c for x in containers for c in (x.values() if isinstance(x, dict) else x)]
    return depth


def _no_constant(name: str) -> Any:
    # Ruby's JSON parser refuses NaN and Infinity (allow_nan is false)
    raise ValueError(name)
