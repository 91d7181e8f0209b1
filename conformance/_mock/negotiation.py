"""Rails 8.0.5.1's MIME negotiation, and the error page ShowExceptions renders with it.

Sources (rails tag v8.0.5.1, actionpack/lib/action_dispatch/): ``http/mime_types.rb`` (the
registry), ``http/mime_type.rb`` (``lookup``, ``parse``, ``AcceptItem``, ``MIME_REGEXP``),
``http/mime_negotiation.rb`` (``content_mime_type``, ``accepts``, ``formats``,
``valid_accept_header``), ``middleware/show_exceptions.rb`` (``render_exception``,
``pass_response``) and ``middleware/public_exceptions.rb`` (lago-api has no ``public/4xx.html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance._contract.rules import Reply, render_json

__all__ = ["InvalidType", "Mime", "content_mime_type", "error_page", "formats", "lookup"]


class InvalidType(Exception):
    """``ActionDispatch::Http::MimeNegotiation::InvalidType``: a header that is not a MIME type."""


@dataclass(frozen=True)
class Mime:
    """A ``Mime::Type``: its string and its symbol (None for a type Rails does not register)."""

    string: str
    symbol: str | None


_REGISTERED: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("text/html", "html", ("application/xhtml+xml",), ("xhtml",)),
    ("text/plain", "text", (), ("txt",)),
    ("text/javascript", "js", ("application/javascript", "application/x-javascript"), ()),
    ("text/css", "css", (), ()),
    ("text/calendar", "ics", (), ()),
    ("text/csv", "csv", (), ()),
    ("text/vcard", "vcf", (), ()),
    ("text/vtt", "vtt", (), ("vtt",)),
    ("image/png", "png", (), ("png",)),
    ("image/jpeg", "jpeg", (), ("jpg", "jpeg", "jpe", "pjpeg")),
    ("image/gif", "gif", (), ("gif",)),
    ("image/bmp", "bmp", (), ("bmp",)),
    ("image/tiff", "tiff", (), ("tif", "tiff")),
    ("image/svg+xml", "svg", (), ()),
    ("image/webp", "webp", (), ("webp",)),
    ("video/mpeg", "mpeg", (), ("mpg", "mpeg", "mpe")),
    ("audio/mpeg", "mp3", (), ("mp1", "mp2", "mp3")),
    ("audio/ogg", "ogg", (), ("oga", "ogg", "spx", "opus")),
    ("audio/aac", "m4a", ("audio/mp4",), ("m4a", "mpg4", "aac")),
    ("video/webm", "webm", (), ("webm",)),
    ("video/mp4", "mp4", (), ("mp4", "m4v")),
    ("font/otf", "otf", (), ("otf",)),
    ("font/ttf", "ttf", (), ("ttf",)),
    ("font/woff", "woff", (), ("woff",)),
    ("font/woff2", "woff2", (), ("woff2",)),
    ("application/xml", "xml", ("text/xml", "application/x-xml"), ()),
    ("application/rss+xml", "rss", (), ()),
    ("application/atom+xml", "atom", (), ()),
    ("application/x-yaml", "yaml", ("text/yaml",), ("yml", "yaml")),
    ("multipart/form-data", "multipart_form", (), ()),
    ("application/x-www-form-urlencoded", "url_encoded_form", (), ()),
    (
        "application/json",
        "json",
        ("text/x-json", "application/jsonrequest", "application/problem+json"),
        (),
    ),
    ("application/pdf", "pdf", (), ("pdf",)),
    ("application/zip", "zip", (), ("zip",)),
    ("application/gzip", "gzip", ("application/x-gzip",), ("gz",)),
)
SET = tuple(Mime(string, symbol) for string, symbol, _, _ in _REGISTERED)
_LOOKUP = {s: Mime(string, sym) for string, sym, syn, _ in _REGISTERED for s in (string, *syn)}
_BY_EXTENSION = {e: Mime(string, sym) for string, sym, _, ext in _REGISTERED for e in (sym, *ext)}
ALL = Mime("*/*", None)  # Mime::AllType
_NAME = r"[a-zA-Z0-9][a-zA-Z0-9!#$&\-^_.+]{0,126}"
_PARAMETER = rf"\s*;\s*{_NAME}(?:=(?:{_NAME}|\"[^\"\r\\]*\"))?"
_MIME = re.compile(rf"\*/\*|{_NAME}/(?:\*|{_NAME})(?:{_PARAMETER})*\s*")
_Q = re.compile(r';\s*q="?')
_ITEM = re.compile(r'[^,\s"](?:[^,"]|"[^"]*")*')
_BROWSER_LIKE = re.compile(r",\s*\*/\*|\*/\*\s*,")


def lookup(string: str) -> Mime:
    """``Mime::Type.lookup``: the registered type, or a new one, or ``InvalidType``."""
    if string in _LOOKUP:
        return _LOOKUP[string]
    if string == "*/*":
        return ALL
    string = string.split(";", 1)[0].rstrip()
    if string in _LOOKUP:
        return _LOOKUP[string]
    if not _MIME.fullmatch(string):
        raise InvalidType(f"{string!r} is not a valid MIME type")
    return ALL if string == "*/*" else Mime(string, None)


def content_mime_type(content_type: str | None) -> Mime | None:
    """``request.content_mime_type``: the media type before any ``,`` or ``;``, lower-cased."""
    if content_type is None:
        return None
    return lookup(re.match(r"[^,;]*", content_type)[0].strip().lower())  # type: ignore[index]


def _trailing_star(name: str) -> list[Mime] | None:
    """``parse_trailing_star``: every registered type whose string or a synonym *contains*
    ``text`` or ``application`` (``Mime::Type#match?`` is a substring search), in ``SET``'s order:
    ``application/*`` puts html first (its synonym ``application/xhtml+xml``)."""
    match = re.match(r"(text|application)/\*", name)
    if match is None:
        return None
    return [
        Mime(string, symbol)
        for string, symbol, synonyms, _ in _REGISTERED
        if any(match[1] in candidate for candidate in (string, *synonyms))
    ]


def _q(raw: str | None, name: str) -> int:
    if raw is None:
        return 0 if name == "*/*" else 100
    number = re.match(r"\s*[0-9]*\.?[0-9]*", raw)
    try:
        return int(float(number[0]) * 100) if number else 0
    except ValueError:
        return 0


def accepts(accept: str) -> list[Mime]:
    """``Mime::Type.parse`` of an Accept header, best first (``AcceptList.sort!``)."""
    if "," not in accept:
        if (q := _Q.search(accept)) is not None:
            accept = accept[: q.start()].strip()
        if not accept.strip():
            return []
        return _trailing_star(accept) or [lookup(accept)]
    items: list[tuple[int, int, str]] = []
    for part in _ITEM.findall(accept):
        q_at = _Q.search(part)
        name, q = (part[: q_at.start()], part[q_at.end() :]) if q_at else (part, None)
        name = name.strip()
        if not name:
            continue
        stars = _trailing_star(name)
        for text in [m.string for m in stars] if stars else [name]:
            items.append((-_q(q, text), len(items), text))
    names = [name for _, _, name in sorted(items)]
    if "text/xml" in names and "application/xml" not in names:
        names = ["application/xml" if n == "text/xml" else n for n in names]
    return list(dict.fromkeys(lookup(name) for name in names))


def formats(
    accept: str | None,
    format_param: str | None,
    path: str,
    *,
    xhr: bool = False,
    content_type: str | None = None,
) -> list[Mime]:
    """``request.formats``: the ``format`` parameter, a usable Accept, a registered path
    extension, ``js`` for an XMLHttpRequest, else html.

    ``format_param`` is None when parameters are unreadable (``params_readable?`` is false) or
    hold no ``format``. An XMLHttpRequest (``xhr``) makes any Accept usable, and an empty one
    stands for its Content-Type (``valid_accept_header``, ``accepts``). Raises ``InvalidType``
    for an Accept or, then, a Content-Type that names no MIME type.
    """
    accept = (accept or "").strip()
    ext = re.search(r"\.([A-Za-z0-9_]+)\Z", path)
    by_path = _BY_EXTENSION.get(ext[1]) if ext is not None else None
    if format_param:
        found = _BY_EXTENSION.get(format_param)
        chosen = [found] if found else []
    elif xhr and (accept or content_mime_type(content_type) is not None):
        chosen = accepts(accept) if accept else [content_mime_type(content_type)]  # type: ignore[list-item]
    elif accept and not _BROWSER_LIKE.search(accept):
        chosen = accepts(accept)
    elif by_path is not None:
        chosen = [by_path]
    elif xhr:
        chosen = [_LOOKUP["text/javascript"]]
    else:
        chosen = [_LOOKUP["text/html"]]
    return [m for m in chosen if m.symbol or m is ALL]


def _to_xml(status: int, error: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<hash>\n'
        f'  <status type="integer">{status}</status>\n  <error>{error}</error>\n</hash>\n'
    ).encode()


def error_page(status: int, phrase: str, chosen: list[Mime], head: bool) -> Reply:
    """PublicExceptions' page for ``status``, or ShowExceptions' empty html when it passes.

    The body ``{status, error}`` is rendered as JSON, XML or YAML when the first format is one of
    those (``Hash#to_json``, ``to_xml``, ``to_yaml``); any other format looks for
    ``public/<status>.html``, which lago-api does not have, so the answer is empty
    ``text/html; charset=UTF-8``.
    """
    first = chosen[0] if chosen else None
    if head:
        mime = first.string if first else ""
        return Reply(status, b"", f"{mime}; charset=UTF-8")
    body: bytes | None = None
    if first is not None and first.symbol == "json":
        body = render_json({"status": status, "error": phrase})
    elif first is not None and first.symbol == "xml":
        body = _to_xml(status, phrase)
    elif first is not None and first.symbol == "yaml":
        body = f"---\n:status: {status}\n:error: {phrase}\n".encode()
    if body is None or first is None:
        return Reply(status, b"", "text/html; charset=UTF-8")
    return Reply(status, body, f"{first.string}; charset=UTF-8")
