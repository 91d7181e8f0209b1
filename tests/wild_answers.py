"""Wild faults in the answer: proxies, gateways, WAFs, old versions and clones that rewrite it.

Like ``tests/wild_faults.py``: each is an async handler of a ``WildApp``; most call the faithful
mock and change what it sent, some answer on their own for the requests they catch.
"""

from __future__ import annotations

import gzip
import re
import urllib.parse
from dataclasses import replace

from tests.wild_asgi import API_KEY, Answer, Incoming, WildApp, answer
from tests.wild_faults import lago_token, nginx_page, route_id

BOM = b"\xef\xbb\xbf"


async def bom_on_static_401(app: WildApp, request: Incoming) -> Answer:
    """nginx ``error_page 401 /errors/401.json`` from a file saved with a byte-order mark."""
    reply = await app.faithful(request)
    if reply.status != 401:
        return reply
    return reply.with_body(BOM + reply.body + b"\r\n", "application/json")


async def duplicate_error_details(app: WildApp, request: Incoming) -> Answer:
    """Ruby ``{error_details: {}}.merge("error_details" => errors)``: both keys rendered."""
    reply = await app.faithful(request)
    marker = b',"error_details":'
    if reply.status != 422 or marker not in reply.body:
        return reply
    return reply.with_body(reply.body.replace(marker, b',"error_details":{}' + marker, 1))


async def go_missing_return_after_401(app: WildApp, request: Incoming) -> Answer:
    """Go: the 401 is written, the handler goes on and writes the invoice's answer as well."""
    reply = await app.faithful(request)
    if reply.status != 401 or route_id(request) is None:
        return reply
    rest = await app.faithful(request.with_headers(authorization=f"Bearer {API_KEY}"))
    return reply.with_body(reply.body + b"\n" + rest.body + b"\n")


def _accepts_gzip(request: Incoming) -> bool:
    codings = (request.header("accept-encoding") or "").lower().split(",")
    return any(
        c.split(";")[0].strip() == "gzip" and "q=0" not in c.replace(" ", "") for c in codings
    )


async def gzip_stale_content_length(app: WildApp, request: Incoming) -> Answer:
    """A compressing filter that gzips bodies of 100 bytes or more but keeps the old length."""
    reply = await app.faithful(request)
    if request.method == "HEAD" or len(reply.body) < 100 or not _accepts_gzip(request):
        return reply
    compressed = gzip.compress(reply.body, mtime=0)
    headers = (*reply.headers, ("content-encoding", "gzip"), ("vary", "Accept-Encoding"))
    return Answer(reply.status, headers, compressed)


def _media_ranges(value: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in value.split(",") if part.strip()]


async def not_acceptable_406(app: WildApp, request: Incoming) -> Answer:
    """Spring ``produces = "application/json"``: an Accept without JSON gets an empty 406."""
    accept = request.header("accept")
    acceptable = {"*/*", "application/*", "application/json"}
    if (
        accept is not None
        and route_id(request) is not None
        and request.method == "POST"
        and not acceptable & set(_media_ranges(accept))
    ):
        return answer(406, b"", None)
    return await app.faithful(request)


async def unsupported_media_type_415(app: WildApp, request: Incoming) -> Answer:
    """ASP.NET Core ``[Consumes("application/json")]``, after its authorization filter."""
    media = (request.header("content-type") or "").split(";")[0].strip().lower()
    if (
        media
        and media != "application/json"
        and route_id(request) is not None
        and request.method == "POST"
        and lago_token(request) == API_KEY
    ):
        problem = (
            b'{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.16",'
            b'"title":"Unsupported Media Type","status":415,'
            b'"traceId":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}'
        )
        return answer(415, problem, "application/problem+json; charset=utf-8")
    return await app.faithful(request)


async def apache_encoded_slash(app: WildApp, request: Incoming) -> Answer:
    """Apache httpd ``ProxyPass`` with the default ``AllowEncodedSlashes Off``."""
    if re.search(r"%2f", request.raw_path, re.IGNORECASE):
        page = (
            b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            b"<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
            b"<p>The requested URL was not found on this server.</p>\n<hr>\n"
            b"<address>Apache/2.4.62 (Debian) Server at lago.example.com Port 443</address>\n"
            b"</body></html>\n"
        )
        return answer(404, page, "text/html; charset=iso-8859-1")
    return await app.faithful(request)


_ATTACK = re.compile(r"['\"<>;`]|--|\bunion\b.*\bselect\b|\bsleep\s*\(|\.\./", re.IGNORECASE)


async def waf_blocks_odd_ids(app: WildApp, request: Incoming) -> Answer:
    """ModSecurity with the OWASP CRS in blocking mode: SQL and script patterns in the URI."""
    target = urllib.parse.unquote(request.raw_path) + " " + urllib.parse.unquote_plus(request.query)
    if _ATTACK.search(target):
        return nginx_page(403, "Forbidden")
    return await app.faithful(request)


async def cis_hardened_nginx(app: WildApp, request: Incoming) -> Answer:
    """CIS-hardened nginx: 1 KiB header buffers, ``client_max_body_size 100K``."""
    target = request.raw_path + (f"?{request.query}" if request.query else "")
    if len(f"{request.method} {target} HTTP/1.1") > 1024:
        return nginx_page(414, "Request-URI Too Large")
    for name, value in request.scope["headers"]:
        if len(name) + 2 + len(value) > 1024:
            return nginx_page(400, "Request Header Or Cookie Too Large")
    if len(request.body) > 100 * 1024:
        return nginx_page(413, "Request Entity Too Large")
    return await app.faithful(request)


async def cors_reflects_any_origin(app: WildApp, request: Incoming) -> Answer:
    """The copy-pasted nginx CORS block: ``$http_origin`` reflected with credentials, OPTIONS 204."""
    origin = request.header("origin")
    if origin is None:
        return await app.faithful(request)
    cors = (
        ("access-control-allow-origin", origin),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS"),
        ("access-control-allow-headers", "Authorization, Content-Type"),
    )
    if request.method == "OPTIONS":
        return answer(204, b"", "text/plain; charset=utf-8").with_headers(
            *cors, ("access-control-max-age", "1728000")
        )
    return (await app.faithful(request)).with_headers(*cors)


async def forwarded_proto_redirect(app: WildApp, request: Incoming) -> Answer:
    """nginx behind a load balancer: ``if ($http_x_forwarded_proto = "http") { return 301 ...; }``."""
    if (request.header("x-forwarded-proto") or "").strip().lower() == "http":
        host = request.header("host") or "lago.example.com"
        target = request.raw_path + (f"?{request.query}" if request.query else "")
        page = nginx_page(301, "Moved Permanently")
        return page.with_headers(("location", f"https://{host}{target}"))
    return await app.faithful(request)


async def gateway_unmapped_422(app: WildApp, request: Incoming) -> Answer:
    """AWS API Gateway, non-proxy integration mapping 401 and 404: the default 200 takes the rest."""
    reply = await app.faithful(request)
    return replace(reply, status=200) if reply.status == 422 else reply


_PHRASES = {
    "fr": {401: "Non autorisé", 403: "Interdit", 404: "Introuvable", 422: "Entité non traitable"},
    "de": {401: "Nicht autorisiert", 403: "Verboten", 404: "Nicht gefunden", 422: "Nicht verarbeitbare Entität"},
    "es": {401: "No autorizado", 403: "Prohibido", 404: "No encontrado", 422: "Entidad no procesable"},
    "it": {401: "Non autorizzato", 403: "Vietato", 404: "Non trovato", 422: "Entità non elaborabile"},
}  # fmt: skip


async def localized_error_phrase(app: WildApp, request: Incoming) -> Answer:
    """A fork's ``I18n.t`` error phrases, the locale switched from ``Accept-Language``."""
    reply = await app.faithful(request)
    language = (request.header("accept-language") or "").split(",")[0].split(";")[0]
    phrases = _PHRASES.get(language.strip().split("-")[0].lower(), {})
    body = reply.json()
    if reply.status not in phrases or not isinstance(body, dict) or "error" not in body:
        return reply
    return reply.with_json({**body, "error": phrases[reply.status]})


_BEFORE_3238 = {"missing_payment_provider", "missing_payment_provider_customer"}


async def lago_before_v1_22(app: WildApp, request: Incoming) -> Answer:
    """lago-api up to v1.21: no provider-connection checks, Stripe errors are validation errors."""
    reply = await app.faithful(request)
    body = reply.json()
    if reply.status != 422 or not isinstance(body, dict):
        return reply
    reasons = (body.get("error_details") or {}).get("base") or []
    if body.get("code") == "third_party_error" or set(reasons) & _BEFORE_3238:
        details = {"base": ["payment_provider_error"]}
        return reply.with_json({**body, "code": "validation_errors", "error_details": details})
    return reply


async def jsonp_callback(app: WildApp, request: Incoming) -> Answer:
    """Rails ``render json:, callback: params[:callback]``: JSONP when a callback is named."""
    callback = request.params().get("callback")
    reply = await app.faithful(request)
    if not callback or not re.fullmatch(r"[\w.$]+", callback) or reply.json() is None:
        return reply
    wrapped = b"/**/" + callback.encode() + b"(" + reply.body + b")"
    return reply.with_body(wrapped, "text/javascript; charset=utf-8")
