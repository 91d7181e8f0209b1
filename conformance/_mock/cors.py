"""rack-cors 3.0.0 as lago-api configures it: the outermost middleware of Lago's stack.

Sources: lago-api ``config/initializers/cors.rb`` (``insert_before(0, Rack::Cors)``, one
``allow`` block whose origin is the host of ``LAGO_FRONT_URL``, ``resource "*"`` with
``headers: :any``, the seven methods and ``expose: ["x-lago-token"]``); rack-cors tag v3.0.0
``lib/rack/cors.rb`` (``call``), ``lib/rack/cors/resources.rb`` (``origins``: a bare host
matches any scheme), ``lib/rack/cors/resource.rb`` (``to_headers``, ``process_preflight``).
"""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING

from conformance._contract.rules import Reply

if TYPE_CHECKING:
    from conformance._mock.puma import Env

__all__ = ["DEFAULT_FRONT_URL", "decorate", "front_origin", "preflight"]

# Lago's docker-compose.yml sets LAGO_FRONT_URL to http://localhost by default.
DEFAULT_FRONT_URL = "http://localhost"
_METHODS = ("get", "post", "put", "patch", "delete", "options", "head")


def front_origin(front_url: str | None) -> re.Pattern[str] | None:
    """The origin pattern cors.rb builds from ``LAGO_FRONT_URL`` (host, and port unless 80/443)."""
    if not front_url:
        return None  # neither LAGO_FRONT_URL nor LAGO_DOMAIN: no origin is allowed
    url = urllib.parse.urlsplit(front_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    host = url.hostname or ""
    name = host if port in (80, 443) else f"{host}:{port}"
    # resources.rb: a string without a scheme becomes ^[a-z][a-z0-9.+-]*://<host>$
    return re.compile(rf"[a-z][a-z0-9.+-]*://{re.escape(name)}")


def _origin(env: Env) -> str | None:
    # cors.rb: env[HTTP_ORIGIN] ||= env[HTTP_X_ORIGIN]; an empty Origin still counts in Ruby
    origin = env.get("HTTP_ORIGIN")
    return origin if origin is not None else env.get("HTTP_X_ORIGIN")


def _allowed(origin: str, allowed: re.Pattern[str] | None) -> bool:
    return allowed is not None and allowed.fullmatch(origin) is not None


def _headers(origin: str) -> list[tuple[str, str]]:
    return [
        ("access-control-allow-origin", origin),
        ("access-control-allow-methods", ", ".join(m.upper() for m in _METHODS)),
        ("access-control-expose-headers", "x-lago-token"),
        ("access-control-max-age", "7200"),
    ]


def preflight(env: Env, allowed: re.Pattern[str] | None) -> Reply | None:
    """rack-cors' own answer to a preflight (OPTIONS with Origin and the request method), or None.

    It answers before Rails: ``200`` with no body and no content type, with the CORS headers when
    the origin and method are allowed and with none otherwise; ``400`` when the unescaped path
    holds a NUL byte (``Rack::Utils.valid_path?``).
    """
    origin = _origin(env)
    method = env.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    if env.method != "OPTIONS" or origin is None or method is None:
        return None
    if "\x00" in urllib.parse.unquote(env.path, "latin-1"):
        return Reply(400, b"", None)
    if not _allowed(origin, allowed) or method.lower() not in _METHODS:
        return Reply(200, b"", None)
    headers = _headers(origin)
    requested = env.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
    if requested is not None:
        headers.append(("access-control-allow-headers", requested))
    return Reply(200, b"", None, tuple(headers))


def decorate(reply: Reply, env: Env, allowed: re.Pattern[str] | None) -> Reply:
    """An answer from Rails as rack-cors passes it on: CORS headers first, then ``vary: Origin``.

    ``resource "*"`` matches every path, so every answer gets ``Origin`` added to ``Vary``; the
    CORS headers come only for an allowed origin, and the app's own headers win over them.
    """
    origin = _origin(env)
    own = {name.lower() for name, _ in reply.headers}
    added = _headers(origin) if origin is not None and _allowed(origin, allowed) else []
    first = tuple(pair for pair in added if pair[0] not in own)
    vary = [value for name, value in reply.headers if name.lower() == "vary"]
    parts = [part for value in vary for part in re.split(r",\s*", value) if part]
    merged = ", ".join(dict.fromkeys([*parts, "Origin"]))
    rest = tuple(pair for pair in reply.headers if pair[0].lower() != "vary")
    return Reply(reply.status, reply.body, reply.content_type, (*first, *rest, ("vary", merged)))
