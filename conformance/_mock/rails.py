"""Rails 8.0.5.1's middleware, router and controller order in front of lago-api's action.

The stack of an ``api_only`` production app (railties
``lib/rails/application/default_middleware_stack.rb``; lago-api ``config/application.rb``,
``config/environments/production.rb``), outer to inner as far as an answer shows it:
``Rack::Runtime`` (``x-runtime``), ``ActionDispatch::RequestId`` (``x-request-id``),
``ShowExceptions`` (error pages, see negotiation.py), ``Rack::Head``, ``Rack::ETag``
(``etag`` and ``cache-control``), then the router (``config/routes.rb``) and the controller.
No ``Rack::MethodOverride`` (api_only), no ``HostAuthorization`` (``config.hosts`` is empty in
production), no ``Rack::Deflater``. ``ActionDispatch::RemoteIp`` never raises here: nothing on
this path reads ``remote_ip`` (lograge removes the "Started ... for <ip>" line).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance._contract.rules import CATCH_ALL_VERBS, Reply
from conformance._mock.negotiation import InvalidType, content_mime_type, error_page, formats
from conformance._mock.params import BadRequest, ParseError, query_parameters, request_parameters

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._mock.puma import Env

__all__ = ["DEFAULT_HEADERS", "Route", "dispatch", "request_id", "route"]

# railties configuration.rb, load_defaults 7.1 and later: ActionDispatch::Response.default_headers
DEFAULT_HEADERS = (
    ("x-frame-options", "SAMEORIGIN"),
    ("x-xss-protection", "0"),
    ("x-content-type-options", "nosniff"),
    ("x-permitted-cross-domain-policies", "none"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
)
# Rack::Utils::HTTP_STATUS_CODES, which PublicExceptions writes in "error"
_PHRASES = {400: "Bad Request", 404: "Not Found", 406: "Not Acceptable"}
# config/routes.rb: `post :payment_url, on: :member` is /api/v1/invoices/:id/payment_url(.:format)
_ROUTE = re.compile(r"/api/v1/invoices/(?P<id>[^/.?]+)/payment_url(?:\.(?P<format>[^/.?]+))?")
_GLOB = re.compile(r"/(?P<glob>.+?)(?:\.(?P<format>[^/.?]+))?")


@dataclass(frozen=True)
class Route:
    """The route Journey chose: ``payment_url`` with its raw id, or the ``*unmatched`` catch-all."""

    action: str
    lago_id: str | None = None
    format: str | None = None
    valid_encoding: bool = True


def normalize_path(path: str) -> str:
    """Journey's ``normalize_path``: one leading slash, no repeated or trailing slash, ``%XX``."""
    path = re.sub(r"/+", "/", "/" + path)
    if path != "/":
        path = re.sub(r"%[a-f0-9]{2}", lambda m: m[0].upper(), path.removesuffix("/"))
    return path


def _unescape(segment: str) -> tuple[str, bool]:
    """Journey's ``unescape_uri``, and whether the bytes are UTF-8 (``check_param_encoding``)."""
    try:
        raw = urllib.parse.unquote_to_bytes(segment.encode("latin-1"))
    except UnicodeEncodeError:  # an in-process path with characters beyond latin-1: UTF-8
        raw = urllib.parse.unquote_to_bytes(segment.encode("utf-8", "surrogateescape"))
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), False


def route(method: str, raw_path: str) -> Route | None:
    """The route for ``method`` and ``raw_path``, or None when none matches (a routing error)."""
    path = normalize_path(raw_path)
    if method == "POST" and (match := _ROUTE.fullmatch(path)) is not None:
        # Journey unescapes the segment it binds (router.rb find_routes, unescape_uri)
        lago_id, valid = _unescape(match["id"])
        return Route("payment_url", lago_id, match["format"], valid)
    # `match "*unmatched"`, via get post put delete patch (HEAD rides on GET), unless the path
    # holds rails/active_storage; "/" has no segment for the glob, so no route at all
    glob = _GLOB.fullmatch(path)
    if method in CATCH_ALL_VERBS and glob is not None and "rails/active_storage" not in path:
        return Route("not_found", None, glob["format"], _unescape(glob["glob"])[1])
    return None


def request_id(env: Env, generate: Callable[[], str]) -> str:
    """``ActionDispatch::RequestId#make_request_id``: the header sanitized, or a new id."""
    given = env.header("X-Request-Id")
    if given is None or not given.strip(" \t\n\v\f\r"):
        return generate()
    return re.sub(r"[^A-Za-z0-9_\-@]", "", given)[:255]


def _page_formats(env: Env, path_format: str | None) -> list[Any]:
    """The formats PublicExceptions renders with, after ShowExceptions' html fallback."""
    content_type = env.get("CONTENT_TYPE")
    try:
        content_mime_type(content_type)
    except InvalidType:
        content_type = "text/html"  # fallback_to_html_format_if_invalid_mime_type
    param = _format_param(env, path_format, content_type)
    try:
        return formats(env.header("Accept"), param, env.path, **_xhr(env, content_type))
    except InvalidType:
        return formats("text/html", param, env.path, **_xhr(env, content_type))


def _xhr(env: Env, content_type: str | None) -> dict[str, Any]:
    """``request.xhr?`` (``X-Requested-With`` naming XMLHttpRequest) and the Content-Type."""
    xhr = re.search("XMLHttpRequest", env.header("X-Requested-With") or "", re.I) is not None
    return {"xhr": xhr, "content_type": content_type}


def _format_param(env: Env, path_format: str | None, content_type: str | None) -> str | None:
    # params_readable?: parameters[:format], false when the body or the query cannot be read
    headers = {**env.headers}
    if content_type is not None:
        headers["CONTENT_TYPE"] = content_type
    readable = dataclasses.replace(env, headers=headers)
    try:
        merged = {**request_parameters(readable), **query_parameters(env.query)}
    except (ParseError, BadRequest, InvalidType):
        return None
    value = path_format if path_format is not None else merged.get("format")
    return value if isinstance(value, str) else None


def _exception(env: Env, status: int, path_format: str | None) -> Reply:
    head = env.method == "HEAD"
    return error_page(status, _PHRASES[status], _page_formats(env, path_format), head)


def _controller_headers(reply: Reply, head: bool) -> Reply:
    """An ActionDispatch::Response through Rack::ETag and Rack::Head."""
    headers: list[tuple[str, str]] = [*DEFAULT_HEADERS, *reply.headers]
    if reply.status in (200, 201) and reply.body:
        digest = hashlib.sha256(reply.body).hexdigest()[:32]
        headers += [
            ("etag", f'W/"{digest}"'),
            ("cache-control", "max-age=0, private, must-revalidate"),
        ]
    else:
        headers.append(("cache-control", "no-cache"))
    return Reply(reply.status, b"" if head else reply.body, reply.content_type, tuple(headers))


def dispatch(env: Env, action: Callable[[Route], Reply]) -> Reply:
    """Router, controller callbacks in Rails' order, ShowExceptions; ``action`` is lago-api's.

    Before any lago-api code: ``ParamsWrapper`` looks the Content-Type up (406 if it is no
    MIME type), ``ActionController::Instrumentation`` reads
    ``request.filtered_parameters`` (a JSON ``ParseError`` is swallowed there, a ``BadRequest``
    or an invalid Content-Type is not) and ``request.format`` (an Accept that is no MIME type
    raises); then ``set_json_format`` assigns ``request.format``, which reads the parameters again
    and raises the ``ParseError``. All of it precedes ``authenticate``.
    """
    chosen = route(env.method, env.path)
    if chosen is None:
        # No route: the router's X-Cascade 404 becomes a RoutingError in DebugExceptions
        return _exception(env, 404, None)
    if not chosen.valid_encoding:
        # Request#path_parameters= raises BadRequest ("Invalid path parameters"), in the router
        return _exception(env, 400, None)
    try:
        # ParamsWrapper#_wrapper_enabled? (outermost): any Content-Type header is looked up,
        # even with wrap_parameters false, so one that is no MIME type raises InvalidType
        content_mime_type(env.get("CONTENT_TYPE"))
        body_unreadable = False
        try:
            body = request_parameters(env)
        except ParseError:
            body_unreadable = True
        param = None
        if not body_unreadable:
            merged = {**body, **query_parameters(env.query)}
            value = chosen.format if chosen.format is not None else merged.get("format")
            param = value if isinstance(value, str) else None
        formats(env.header("Accept"), param, env.path, **_xhr(env, env.get("CONTENT_TYPE")))
        if body_unreadable:
            raise ParseError("Error occurred while parsing request parameters")
    except (ParseError, BadRequest):
        return _exception(env, 400, chosen.format)
    except InvalidType:
        return _exception(env, 406, chosen.format)
    return _controller_headers(action(chosen), env.method == "HEAD")
