"""Puma 7.2.1 in front of Lago: what it refuses before the app, and the env it hands to Rack.

Sources (puma tag v7.2.1): ``ext/puma_http11/http11_parser_common.rl`` (the grammar),
``ext/puma_http11/puma_http11.c`` (length limits, repeated headers joined with ``", "``),
``lib/puma/client.rb`` (Content-Length and Transfer-Encoding checks), ``lib/puma/request.rb``
(``handle_request``: the 501 for a method outside ``SUPPORTED_HTTP_METHODS``;
``req_env_post_parse``: header names with ``_``), ``lib/puma/server.rb`` (``lowlevel_error``: an
empty body in production), ``lib/puma/const.rb``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance._contract.rules import SERVER_METHODS, Reply

if TYPE_CHECKING:
    from conformance._contract.request import Request

__all__ = ["SUPPORTED_HTTP_METHODS", "Env", "connection", "environ", "refuse"]

# lib/puma/const.rb
SUPPORTED_HTTP_METHODS = SERVER_METHODS
# puma_http11.c: DEF_MAX_LENGTH and the PUMA_*_MAX_LENGTH defaults
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 80 * 1024
MAX_REQUEST_URI = 12 * 1024
MAX_REQUEST_PATH = 8192
MAX_FRAGMENT = 1024
MAX_QUERY_STRING = 10 * 1024
MAX_HEADER = 1024 * (80 + 32)
# http11_parser_common.rl: Method = ( upper | digit | safe ){1,20}
_METHOD = re.compile(r"[A-Z0-9$\-_.]{1,20}")
# token = ascii -- (CTL | tspecials)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# pchar/uchar exclude `unsafe` (CTL, space, '"', '#', '<', '>'); '%' alone is allowed
_URI_UNSAFE = re.compile(r'[\x00-\x20\x7f"#<>]')
# field_value = ( (any -- CTL) | "\t" )*
_VALUE_CTL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# lib/puma/const.rb UNMASKABLE_HEADERS: never turned back from "," to "_"
_UNMASKABLE = frozenset({"HTTP_TRANSFER,ENCODING", "HTTP_CONTENT,LENGTH"})
_NOT_PREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_ALLOWED_TE = frozenset({"compress", "deflate", "gzip"})
_OWS = " \t"
# Request_URI = ( "*" | absolute_uri | absolute_path )
_ABSOLUTE = re.compile(r"[A-Za-z0-9+.\-]+://[^/]*")


@dataclass(frozen=True)
class Env:
    """The CGI-style variables Puma gives Rack: ``HTTP_*``, ``CONTENT_TYPE``, ``CONTENT_LENGTH``."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def get(self, name: str) -> str | None:
        """The variable ``name`` (``HTTP_ORIGIN``, ``CONTENT_TYPE``), or None."""
        return self.headers.get(name)

    def header(self, name: str) -> str | None:
        """The merged value of the request header ``name`` (``X-Request-Id``), or None."""
        key = name.upper().replace("-", "_")
        return self.get(key if key in _NOT_PREFIXED else "HTTP_" + key)


def _wire_len(text: str) -> int:
    try:
        return len(text.encode("latin-1"))
    except UnicodeEncodeError:
        return len(text.encode("utf-8", "surrogateescape"))


def _cgi_name(name: str) -> str:
    # The parser's snake_upcase_field: upper case, "-" -> "_", and "_" -> "," (to tell them apart)
    key = name.upper().replace("_", ",").replace("-", "_")
    return key if key in _NOT_PREFIXED else "HTTP_" + key


def _target(request: Request) -> tuple[str, str, str | None]:
    """Path, query and fragment: Request_Line allows ``("#" Fragment)`` after the URI."""
    uri, hash_, fragment = request.target.partition("#")
    path, question, query = uri.partition("?")
    if not question:
        query = ""
    return path, query, (fragment if hash_ else None)


def environ(request: Request) -> Env:
    """The env Puma builds: names upcased, repeats joined with ``", "``, values trimmed."""
    parsed: dict[str, str] = {}
    for name, raw in request.headers:
        key, value = _cgi_name(name), raw.strip(_OWS)
        parsed[key] = f"{parsed[key]}, {value}" if key in parsed else value
    headers: dict[str, str] = {}
    for key, value in parsed.items():
        if key.startswith("HTTP_") and "," in key:
            if key in _UNMASKABLE:
                headers[key] = value
                continue
            # req_env_post_parse: a "_" name yields to the "-" name it could be mistaken for
            plain = key.replace(",", "_")
            if plain not in parsed:
                headers[plain] = value
        else:
            headers[key] = value
    # normalize_env: an absolute-form target ("http://host/path") is read through URI.parse
    path, query, _ = _target(request)
    absolute = _ABSOLUTE.match(path)
    path = (path[absolute.end() :] or "/") if absolute else path
    return Env(request.method, path, query, headers, request.body)


def _parse_error(request: Request) -> bool:
    if not _METHOD.fullmatch(request.method):
        return True
    path, query, fragment = _target(request)
    form_ok = path.startswith("/") or path == "*" or _ABSOLUTE.match(path)
    if not form_ok or _URI_UNSAFE.search(path + query + (fragment or "")):
        return True
    if (
        _wire_len(path) > MAX_REQUEST_PATH
        or _wire_len(query) > MAX_QUERY_STRING
        or _wire_len(request.target) - len(fragment or "") > MAX_REQUEST_URI
        or len(fragment or "") > MAX_FRAGMENT
    ):
        return True
    size = len(request.method) + _wire_len(request.target) + len(" HTTP/1.1\r\n") + 2
    for name, value in request.headers:
        if not _TOKEN.fullmatch(name) or len(name) > MAX_FIELD_NAME:
            return True
        if _VALUE_CTL.search(value) or _wire_len(value) > MAX_FIELD_VALUE:
            return True
        size += len(name) + _wire_len(value) + 4
    return size > MAX_HEADER


def _framing_error(env: Env) -> int | None:
    """lib/puma/client.rb ``setup_body``: 400 or 501 for Transfer-Encoding, 400 for Content-Length."""
    te = env.get("HTTP_TRANSFER_ENCODING")
    if te is not None:
        values = [part.strip(_OWS) for part in te.lower().split(",")]
        if len(values) > 1:
            if values.count("chunked") > 1 or values[-1] != "chunked":
                return 400
            return None if all(v in _ALLOWED_TE for v in values[:-1]) else 501
        if values[0] == "chunked":
            return None
        return 400 if values[0] in _ALLOWED_TE else 501
    length = env.get("CONTENT_LENGTH")
    if length is not None and not re.fullmatch(r"[0-9]+", length):
        return 400
    return None


def refuse(request: Request, env: Env) -> Reply | None:
    """Puma's own answer when it does not hand the request to the app, else None.

    A request it cannot parse gets ``400`` with an empty body; a Transfer-Encoding it does not
    know, ``501`` with an empty body (``lowlevel_error``, production). A method outside
    ``SUPPORTED_HTTP_METHODS`` gets ``501`` and the text ``"<METHOD> method is not supported"``,
    with no content type.
    """
    if _parse_error(request):
        return Reply(400, b"", None)
    framing = _framing_error(env)
    if framing is not None:
        return Reply(framing, b"", None)
    if request.method not in SUPPORTED_HTTP_METHODS:
        return Reply(501, f"{request.method} method is not supported".encode(), None)
    return None


def connection(env: Env) -> tuple[tuple[str, str], ...]:
    """``str_headers`` (lib/puma/request.rb) on an HTTP/1.1 request: ``connection: close`` when
    its Connection header, lower-cased, is exactly ``close`` (repeats joined first).

    A request it could not parse gets no such header: Puma answers it as HTTP/1.0.
    """
    value = env.get("HTTP_CONNECTION")
    return (("connection", "close"),) if value is not None and value.lower() == "close" else ()
