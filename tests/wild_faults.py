"""The faults of the wild servers: each an async handler between the client and the faithful mock.

A handler gets the ``WildApp`` (the mock, and a memory) and the ``Incoming`` request, and returns
the ``Answer`` to send. ``tests/wild_servers.py`` names each one and says where it comes from.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse

from tests.wild_asgi import API_KEY, Answer, Incoming, WildApp, answer, json_answer

ROOT_KEY = "invoice_payment_details"
# config/routes.rb: the member route, with Rails' optional format suffix.
ROUTE = re.compile(r"^/api/v1/invoices/(?P<id>[^/.?]+)/payment_url(?:\.[^/.?]+)?$")
ROUTE_ANY_CASE = re.compile(ROUTE.pattern, re.IGNORECASE)
CATCH_ALL_VERBS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"})
# Puma 7.2.1 Puma::Const::SUPPORTED_HTTP_METHODS: any other method is Puma's own 501.
PUMA_METHODS = CATCH_ALL_VERBS | {"OPTIONS", "TRACE"}
UNAUTHORIZED = {"status": 401, "error": "Unauthorized"}
RESOURCE_NOT_FOUND = {"status": 404, "error": "Not Found", "code": "resource_not_found"}


def squeezed(raw_path: str) -> str:
    """The path as Rails routes it: repeated slashes squeezed, a trailing slash dropped."""
    path = re.sub(r"/+", "/", raw_path)
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def route_id(request: Incoming) -> str | None:
    """The raw id segment when the request's path is the endpoint's route, else None."""
    match = ROUTE.match(squeezed(request.raw_path))
    return match["id"] if match else None


def with_id(request: Incoming, lago_id: str) -> Incoming:
    """``request`` sent to the endpoint for ``lago_id`` (percent-encoded as needed)."""
    return request.with_path(f"/api/v1/invoices/{urllib.parse.quote(lago_id)}/payment_url")


def lago_token(request: Incoming) -> str | None:
    """The token as lago-api reads it: the second whitespace-separated word of Authorization."""
    words = (request.header("authorization") or "").split()
    return words[1] if len(words) > 1 else None


def nginx_page(status: int, title: str) -> Answer:
    """nginx's own error page for ``status``."""
    page = (
        f"<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return answer(status, page.encode(), "text/html")


# --- credential channels -------------------------------------------------------------------


async def key_in_query(app: WildApp, request: Incoming) -> Answer:
    """``req.query.api_key || bearer``: the query parameter wins over the header."""
    key = request.params().get("api_key")
    if key is not None:
        request = request.with_headers(authorization=f"Bearer {key}")
    return await app.faithful(request)


async def x_api_key_gateway(app: WildApp, request: Incoming) -> Answer:
    """A gateway that turns ``X-Api-Key`` into ``Authorization`` when there is none."""
    key = request.header("x-api-key")
    if key and request.header("authorization") is None:
        request = request.with_headers(authorization=f"Bearer {key}")
    return await app.faithful(request)


async def basic_auth_username(app: WildApp, request: Incoming) -> Answer:
    """Stripe-style HTTP Basic: the key is the user name of ``Basic base64(key:)``."""
    scheme, _, credentials = (request.header("authorization") or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(credentials.strip(), validate=True).decode().partition(":")[0]
        except ValueError:
            user = ""
        request = request.with_headers(authorization=f"Bearer {user}" if user else None)
    return await app.faithful(request)


async def token_split_on_one_space(app: WildApp, request: Incoming) -> Answer:
    """JavaScript's ``authorization.split(' ')[1]``: one space exactly, no tab, no run of spaces."""
    header = request.header("authorization")
    if header is not None:
        parts = header.split(" ")
        token = parts[1] if len(parts) > 1 else ""
        request = request.with_headers(authorization=f"Bearer {token}" if token else None)
    return await app.faithful(request)


async def auth_before_routing(app: WildApp, request: Incoming) -> Answer:
    """``app.use(requireApiKey)`` before the router: every path and verb needs the key."""
    if lago_token(request) != API_KEY:
        return json_answer(401, UNAUTHORIZED)
    return await app.faithful(request)


# --- caches and replays --------------------------------------------------------------------


async def proxy_cache_post_by_uri(app: WildApp, request: Incoming) -> Answer:
    """nginx ``proxy_cache_methods POST``, ``proxy_cache_key $uri``, ``proxy_cache_valid 200``."""
    key = urllib.parse.unquote(squeezed(request.raw_path))
    if request.method == "POST" and key in app.memory:
        return app.memory[key]
    reply = await app.faithful(request)
    if request.method == "POST" and reply.status == 200:
        app.memory[key] = reply
    return reply


async def idempotency_key_replay(app: WildApp, request: Incoming) -> Answer:
    """An idempotency middleware keyed on the ``Idempotency-Key`` value alone."""
    idempotency_key = request.header("idempotency-key")
    if request.method != "POST" or not idempotency_key:
        return await app.faithful(request)
    if idempotency_key in app.memory:
        return app.memory[idempotency_key].with_headers(("idempotent-replayed", "true"))
    reply = app.memory[idempotency_key] = await app.faithful(request)
    return reply


# --- debug modes and verbose errors --------------------------------------------------------

_FRAMEWORK_TRACE = [
    "actionpack (8.0.5.1) lib/action_dispatch/middleware/debug_exceptions.rb:31:in 'ActionDispatch::DebugExceptions#call'",
    "actionpack (8.0.5.1) lib/action_dispatch/middleware/show_exceptions.rb:32:in 'ActionDispatch::ShowExceptions#call'",
    "railties (8.0.5.1) lib/rails/rack/logger.rb:41:in 'Rails::Rack::Logger#call_app'",
    "rack-cors (3.0.0) lib/rack/cors.rb:102:in 'Rack::Cors#call'",
    "puma (7.2.1) lib/puma/request.rb:99:in 'Puma::Request#handle_request'",
]  # fmt: skip


def _debug_body(status: int, error: str, exception: str) -> dict[str, object]:
    trace = [
        {"exception_object_id": 9120, "id": i, "trace": t} for i, t in enumerate(_FRAMEWORK_TRACE)
    ]
    traces = {"Application Trace": [], "Framework Trace": trace, "Full Trace": trace}
    return {"status": status, "error": error, "exception": exception, "traces": traces}


def _not_json(request: Incoming) -> bool:
    media = (request.header("content-type") or "").split(";")[0].strip().lower()
    return media == "application/json" and bool(request.body) and request.json_body() is None


async def rails_development_mode(app: WildApp, request: Incoming) -> Answer:
    """DebugExceptions with ``consider_all_requests_local``: routing and parse errors in full."""
    if request.method not in PUMA_METHODS:
        # Puma's leak_stack_on_error (environment development): its own 501, with the stack.
        text = (
            f"Puma caught this error: {request.method} method is not supported "
            "(Puma::HttpParserError501)\n/usr/local/bundle/gems/puma-7.2.1/lib/puma/client.rb:307"
            ":in 'Puma::Client#parser_execute'"
        )
        return answer(501, text.encode(), None)
    if request.method not in CATCH_ALL_VERBS:
        path = urllib.parse.unquote(request.raw_path)
        exception = (
            f'#<ActionController::RoutingError: No route matches [{request.method}] "{path}">'
        )
        if "text/html" in (request.header("accept") or ""):
            page = f"<!DOCTYPE html><html><head><title>Action Controller: Exception caught</title></head><body><h1>Routing Error</h1><p>No route matches [{request.method}] &quot;{path}&quot;</p><h2>Routes</h2><table id='route_table'><tr><td>payment_url_api_v1_invoice_path</td><td>POST</td><td>/api/v1/invoices/:id/payment_url(.:format)</td><td>api/v1/invoices#payment_url</td></tr></table></body></html>"
            return answer(404, page.encode(), "text/html; charset=utf-8")
        return json_answer(404, _debug_body(404, "Not Found", exception))
    authorized = lago_token(request) == API_KEY
    if route_id(request) and request.method == "POST" and authorized and _not_json(request):
        exception = "#<ActionDispatch::Http::Parameters::ParseError: Error occurred while parsing request parameters>"
        return json_answer(400, _debug_body(400, "Bad Request", exception))
    return await app.faithful(request)


async def express_stack_trace_on_bad_json(app: WildApp, request: Incoming) -> Answer:
    """``express.json()`` (strict) and Express' default error handler outside production."""
    media = (request.header("content-type") or "").split(";")[0].strip().lower()
    if media != "application/json" or not request.body:
        return await app.faithful(request)
    text = request.body.decode("utf-8", "replace")
    first = text.lstrip(" \t\n\r")[:1]
    try:
        json.loads(text)
        problem = (
            None
            if first in ("{", "[")
            else f"Unexpected token '{first}', \"{text[:20]}\" is not valid JSON"
        )
    except ValueError as error:
        problem = f"Unexpected token in JSON at position {getattr(error, 'pos', 0)}"
    if problem is None:
        return await app.faithful(request)
    stack = (
        f"SyntaxError: {problem}<br> &nbsp; &nbsp;at JSON.parse (&lt;anonymous&gt;)<br>"
        " &nbsp; &nbsp;at parse (/srv/lago-clone/node_modules/body-parser/lib/types/json.js:92:19)<br>"
        " &nbsp; &nbsp;at /srv/lago-clone/node_modules/body-parser/lib/read.js:128:18<br>"
        " &nbsp; &nbsp;at invokeCallback (/srv/lago-clone/node_modules/raw-body/index.js:238:16)"
    )
    page = f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>{stack}</pre>\n</body>\n</html>\n'
    return answer(400, page.encode(), "text/html; charset=utf-8").with_headers(
        ("x-powered-by", "Express"),
        ("content-security-policy", "default-src 'none'"),
        ("x-content-type-options", "nosniff"),
    )
