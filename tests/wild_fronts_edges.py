"""Faulty fronts that answer in Lago's place or change what reaches it: WAFs, limits, paths."""

from __future__ import annotations

import posixpath
import re
import time
import urllib.parse

from tests.wild_front_client import Probe
from tests.wild_front_kit import (
    CLOUD_LIMIT,
    UNKNOWN,
    A,
    Clock,
    Deployment,
    Limiter,
    nginx_page,
    own,
    post,
    too_many,
)
from tests.wild_front_server import KEY_A, Conn, Front
from tests.wild_front_wire import Request, Response

_SQLI = re.compile(r"'|--|;|/\*|\bunion\b|\bselect\b|<script|\bor\b\s+\d", re.IGNORECASE)
CLOUDFLARE_BLOCK = ("<!DOCTYPE html>\n<html><head><title>Attention Required! | Cloudflare</title>"
                    "</head><body><h1>Sorry, you have been blocked</h1></body></html>\n")  # fmt: skip


def _answering(when: str) -> Front:
    """A front answering some requests itself, by the rule ``when`` names."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        path = urllib.parse.unquote(request.path)
        if when == "sqli" and _SQLI.search(path):
            return own(
                403,
                "Forbidden",
                CLOUDFLARE_BLOCK,
                "text/html; charset=UTF-8",
                ("Server", "cloudflare"),
            )
        if when == "body" and len(request.body) > 1024:
            return nginx_page(413, "Request Entity Too Large")
        if (
            when == "json"
            and request.method == "POST"
            and "json" not in (request.header("content-type") or "")
        ):
            return own(
                415,
                "Unsupported Media Type",
                b'{"message":"Unsupported Media Type"}',
                "application/json",
            )
        length = request.header("content-length") or request.header("transfer-encoding")
        if when == "length" and request.method == "POST" and length is None:
            return own(
                411,
                "Length Required",
                "<h1>411 Length Required</h1>\nPOST requests require a Content-length header.",
                "text/html; charset=UTF-8",
            )
        if when == "expect" and request.header("expect"):
            return own(417, "Expectation Failed", b"", None, ("Content-Length", "0"))
        if when == "trace" and request.method == "TRACE":
            return own(200, "OK", request.raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n", "message/http")
        return request

    return Front(on_request)


def _rewriting(how: str) -> Front:
    """A front rewriting the request's method or path as ``how`` names."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        path, mark, query = request.target.partition("?")
        if how == "override" and request.header("x-http-method-override"):
            return request.changed(method=str(request.header("x-http-method-override")).upper())
        if how == "normalise":
            # nginx decodes, merges slashes and resolves dot segments, then escapes what it must
            clean = posixpath.normpath(re.sub("/+", "/", urllib.parse.unquote(path)))
            clean += "/" if path.endswith("/") and clean != "/" else ""
            return request.changed(
                target=urllib.parse.quote(clean, safe="/:@!$&'()*+,;=-._~") + mark + query
            )
        if how == "slash" and len(path) > 1 and path.endswith("/"):
            where = path.rstrip("/") + mark + query
            return own(
                308, "Permanent Redirect", b"", None, ("Location", where), ("Content-Length", "0")
            )
        if how == "lower":
            return request.changed(target=path.lower() + mark + query)
        return request

    return Front(on_request)


def _answered(what: str) -> Front:
    """A front replacing or changing Lago's answers as ``what`` names."""
    count = [0]

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        count[0] += 1
        if what == "404-page" and response.status == 404:
            return nginx_page(404, "Not Found")
        if what == "all-200":
            return Response(200, "OK", response.fields, response.body)
        if what == "504" and response.status == 200:
            return nginx_page(504, "Gateway Time-out")
        if what == "502" and count[0] % 5 == 0:
            page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
            return own(502, "Bad Gateway", page, "text/html", ("Server", "awselb/2.0"))
        if what == "no-security-headers":
            return response.with_fields(drop=SECURITY_HEADERS)
        origin = request.header("origin")
        if what == "cors-reflect" and origin:
            grant = (
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
            )
            return response.with_fields(
                *grant, drop=("access-control-allow-origin", "access-control-allow-credentials")
            )
        return response

    return Front(on_response=on_response)


SECURITY_HEADERS = ("x-frame-options", "x-content-type-options", "x-xss-protection",
                    "x-permitted-cross-domain-policies", "referrer-policy")  # fmt: skip


def _limited(how: str, clock: Clock) -> Front:
    """Lago Cloud's 20 requests a second per organization, answered over the limit as ``how``."""
    limiter = Limiter(CLOUD_LIMIT, clock)
    hints: list[tuple[tuple[str, str], ...]] = [()]

    def on_request(request: Request, conn: Conn) -> Request | Response:
        allowed, hints[0] = limiter.take(request)
        if how == "epoch":
            # the reset as a Unix time, as GitHub's API sends it
            reset = str(int(time.time()) + int(hints[0][2][1]))
            hints[0] = (*hints[0][:2], ("x-ratelimit-reset", reset))
        if how == "skew":
            # the window's end read from the shared store, minus this node's clock, 30 s behind
            reset = str(int(hints[0][2][1]) + SKEW_SECONDS)
            hints[0] = (*hints[0][:2], ("x-ratelimit-reset", reset))
        if allowed:
            return request
        return (
            nginx_page(503, "Service Temporarily Unavailable")
            if how == "503"
            else too_many(hints[0])
        )

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        if how == "503" or response.status in (429, 503):
            return response
        return response.with_fields(*hints[0])

    return Front(on_request, on_response)


SKEW_SECONDS = 30
BIG_JSON = b'{"note":"' + b"x" * 2048 + b'"}'
EDGE_FAULTS = (
    Deployment("waf-sqli-403", "faulty",
               "Cloudflare managed rules / ModSecurity CRS 942100 block SQL metacharacters in the "
               "path with an HTML 403 where Lago answers 404 invoice_not_found",
               lambda clock: _answering("sqli"), (post(urllib.parse.quote("1' OR '1'='1")),)),
    Deployment("body-limit-1k", "faulty",
               "client_max_body_size 1k on the API location: a request with a larger body gets "
               "nginx's 413 page instead of Lago's answer",
               lambda clock: _answering("body"),
               (post(A["payable"], ("Content-Type", "application/json"), body=BIG_JSON),)),
    Deployment("gateway-requires-json-415", "faulty",
               "A gateway request validator requiring Content-Type: application/json on POST "
               "refuses the bodiless call Lago takes without one",
               lambda clock: _answering("json"), (post(A["payable"]),)),
    Deployment("length-required-411", "faulty",
               "A front end (as Google's GFE or old Squid) refusing a POST without Content-Length: "
               "411 where Lago answers",
               lambda clock: _answering("length"), (post(A["payable"], framed=False),)),
    Deployment("expect-417", "faulty",
               "lighttpd 1.4 style front answering any Expect: 100-continue with 417 Expectation "
               "Failed (curl sends it on larger bodies)",
               lambda clock: _answering("expect"),
               (post(A["payable"], ("Expect", "100-continue"), ("Content-Type", "application/json"), body=b"{}"),)),
    Deployment("trace-echo", "faulty",
               "Apache httpd's default TraceEnable on at the edge: TRACE is answered 200 with the "
               "request echoed, Authorization included",
               lambda clock: _answering("trace"),
               (post(A["payable"], method="TRACE", framed=False),)),
    Deployment("method-override-honoured", "faulty",
               "A gateway honouring X-HTTP-Method-Override (for clients behind GET/POST-only "
               "firewalls) turns the POST into a GET Lago routes to 404",
               lambda clock: _rewriting("override"),
               (post(A["payable"], ("X-HTTP-Method-Override", "GET")),)),
    Deployment("nginx-decodes-path", "faulty",
               "proxy_pass with a URI part (proxy_pass http://lago/api/;) makes nginx decode and "
               "normalise the path: %2F becomes a separator before Lago sees it",
               lambda clock: _rewriting("normalise"), (post(A["payable"] + "%2Fx"),)),
    Deployment("trailing-slash-redirect", "faulty",
               "A Traefik/ALB redirect rule stripping trailing slashes answers 308 where Lago's "
               "router takes /payment_url/ as /payment_url",
               lambda clock: _rewriting("slash"), (post(A["payable"], suffix="/"),)),
    Deployment("path-lowercased", "faulty",
               "A CloudFront function lower-casing URIs for the cache hit ratio routes /API/V1/... "
               "that Lago's case-sensitive router refuses",
               lambda clock: _rewriting("lower"),
               (Probe("POST", f"/API/V1/invoices/{A['payable']}/payment_url", (("Authorization", f"Bearer {KEY_A}"),)),)),
    Deployment("error-page-404", "faulty",
               "proxy_intercept_errors on with a site-wide error_page 404 /404.html: Lago's JSON "
               "404 becomes nginx's HTML page",
               lambda clock: _answered("404-page"), (post(UNKNOWN),)),
    Deployment("gateway-maps-all-to-200", "faulty",
               "API Gateway REST non-proxy integration with only the default 200 integration "
               "response: every Lago error arrives as 200",
               lambda clock: _answered("all-200"), (post(UNKNOWN),)),
    Deployment("payable-504", "faulty",
               "proxy_read_timeout shorter than the provider call: the 200 comes too late and the "
               "client gets nginx's 504 while the checkout session exists",
               lambda clock: _answered("504"), (post(A["payable"]),)),
    Deployment("intermittent-502", "faulty",
               "ALB idle timeout longer than the backend's keep-alive: now and then a request "
               "lands on a connection the backend just closed and gets the ALB's 502",
               lambda clock: _answered("502"), (post(UNKNOWN),) * 5),
    Deployment("security-headers-stripped", "faulty",
               "A CDN transform rule (proxy_hide_header copied across locations) strips the "
               "security headers Rails sends (X-Frame-Options, X-Content-Type-Options...)",
               lambda clock: _answered("no-security-headers"), (post(A["payable"]),),
               compare=("x-content-type-options", "x-frame-options")),
    Deployment("cors-reflects-any-origin", "faulty",
               "Edge CORS reflecting any Origin with Access-Control-Allow-Credentials: true, "
               "where Lago grants only its front's origin",
               lambda clock: _answered("cors-reflect"),
               (post(A["payable"], ("Origin", "https://evil.example")),),
               compare=("access-control-allow-origin",)),
    Deployment("rate-limit-nginx-503", "faulty",
               "nginx limit_req with its default limit_req_status 503: over the limit an HTML 503 "
               "without any hint, where Lago Cloud answers 429",
               lambda clock: _limited("503", clock), (post(UNKNOWN),) * (CLOUD_LIMIT + 1),
               limit=CLOUD_LIMIT),
    Deployment("rate-limit-reset-epoch", "faulty",
               "A limiter sending X-RateLimit-Reset as a Unix time (as GitHub's API does) where "
               "Lago's clients read the seconds to wait",
               lambda clock: _limited("epoch", clock), (post(UNKNOWN),) * (CLOUD_LIMIT + 1),
               compare=("x-ratelimit-reset",), limit=CLOUD_LIMIT),
    Deployment("rate-limit-reset-skewed", "faulty",
               "A Redis-backed limiter computing X-RateLimit-Reset as the window's end in Redis "
               "time minus the edge node's clock, 30 s behind: clients wait 31 s, not 1",
               lambda clock: _limited("skew", clock), (post(UNKNOWN),) * (CLOUD_LIMIT + 1),
               compare=("x-ratelimit-reset",), limit=CLOUD_LIMIT),
)  # fmt: skip
