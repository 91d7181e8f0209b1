"""Wild faults in routing: parameters, verbs, path forms and ids read otherwise than Lago does.

Like ``tests/wild_faults.py``: each is an async handler of a ``WildApp``.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
import uuid

from tests.wild_asgi import Answer, Incoming, WildApp, json_answer
from tests.wild_faults import (
    RESOURCE_NOT_FOUND,
    ROOT_KEY,
    ROUTE,
    ROUTE_ANY_CASE,
    route_id,
    squeezed,
    with_id,
)


async def params_merged_over_path(app: WildApp, request: Incoming) -> Answer:
    """``const { lago_id } = { ...req.params, ...req.query, ...req.body }``: later ones win."""
    if route_id(request) is None:
        return await app.faithful(request)
    merged: dict[str, object] = dict(request.params())
    body = request.json_body()
    if isinstance(body, dict):
        merged.update(body)
    lago_id = merged.get("lago_id")
    if isinstance(lago_id, str) and lago_id:
        request = with_id(request, lago_id)
    return await app.faithful(request)


# Rack::MethodOverride::HTTP_METHODS
_OVERRIDABLE = frozenset(
    {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "LINK", "UNLINK"}
)


async def method_override_honoured(app: WildApp, request: Incoming) -> Answer:
    """Rack::MethodOverride: a POST's ``_method`` form field or X-HTTP-Method-Override header."""
    if request.method == "POST":
        override = request.header("x-http-method-override")
        media = (request.header("content-type") or "").split(";")[0].strip().lower()
        if override is None and media == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(request.body.decode("latin-1"))
            override = form.get("_method", [None])[0]
        if override and override.upper() in _OVERRIDABLE:
            request = request.with_method(override.upper())
    return await app.faithful(request)


async def case_insensitive_routes(app: WildApp, request: Incoming) -> Answer:
    """Express' router (``caseSensitive: false``): ``/API/V1/Invoices/...`` is the same route."""
    path = squeezed(request.raw_path)
    match = ROUTE_ANY_CASE.match(path)
    if match and not ROUTE.match(path):
        request = request.with_path(f"/api/v1/invoices/{match['id']}/payment_url")
    return await app.faithful(request)


def _go_clean_path(path: str) -> str:
    cleaned = posixpath.normpath(path) if path else "/"
    cleaned = "/" + cleaned.lstrip("/")
    return cleaned + "/" if path.endswith("/") and cleaned != "/" else cleaned


async def go_servemux(app: WildApp, request: Incoming) -> Answer:
    """Go's ``http.ServeMux``: unclean paths are redirected, the pattern matches one form only."""
    raw = request.raw_path
    cleaned = _go_clean_path(raw)
    if cleaned != raw:
        location = cleaned + (f"?{request.query}" if request.query else "")
        return Answer(301, (("location", location), ("content-length", "0")))
    exact = re.fullmatch(r"/api/v1/invoices/[^/]+/payment_url", raw)
    if route_id(request) is not None and exact is None:
        return json_answer(404, RESOURCE_NOT_FOUND)  # the "/" catch-all handler
    return await app.faithful(request)


async def query_string_breaks_route(app: WildApp, request: Incoming) -> Answer:
    """Routing on Node's ``req.url``, query included: ``/payment_url?x=1`` matches no route."""
    if request.query and route_id(request) is not None:
        return json_answer(404, RESOURCE_NOT_FOUND)
    return await app.faithful(request)


async def python_uuid_ids(app: WildApp, request: Incoming) -> Answer:
    """Ids cast with Python's ``uuid.UUID``: ``urn:uuid:``, stray hyphens, doubled braces pass."""
    reply = await app.faithful(request)
    raw_id = route_id(request)
    body = reply.json()
    if raw_id is None or reply.status != 404 or not isinstance(body, dict):
        return reply
    if body.get("code") != "invoice_not_found":
        return reply
    try:
        canonical = str(uuid.UUID(urllib.parse.unquote(raw_id)))
    except ValueError:
        return reply
    return await app.faithful(with_id(request, canonical))


async def path_id_echoed(app: WildApp, request: Incoming) -> Answer:
    """``lago_invoice_id: req.params.lago_id``: the path's spelling, not the stored id."""
    reply = await app.faithful(request)
    raw_id = route_id(request)
    body = reply.json()
    if reply.status != 200 or raw_id is None or not isinstance(body, dict):
        return reply
    spelled = urllib.parse.unquote(raw_id)
    if body[ROOT_KEY]["lago_invoice_id"] == spelled:
        return reply
    return reply.with_json({ROOT_KEY: {**body[ROOT_KEY], "lago_invoice_id": spelled}})
