"""Correct fronts: Lago behind real proxies that only make it look different."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from tests.wild_front_kit import (
    CLOUD_LIMIT,
    UNKNOWN,
    A,
    B,
    Deployment,
    Limiter,
    answers,
    http_date,
    post,
    too_many,
)
from tests.wild_front_server import KEY_B, Conn, Front
from tests.wild_front_wire import Request, Response, gzipped

if TYPE_CHECKING:
    from tests.wild_front_kit import Clock

EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nLink: </assets/app.css>; rel=preload; as=style\r\n\r\n"
_FORWARDED = (("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https"))


def _nginx(clock: Clock) -> Front:
    def on_request(request: Request, conn: Conn) -> Request | Response:
        return request.with_fields(("X-Real-IP", "203.0.113.7"), *_FORWARDED)

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        added = (("Server", "nginx/1.25.3"), ("Date", http_date()), ("Connection", "keep-alive"))
        return replace(response, fields=added + response.fields)

    return Front(on_request, on_response)


def _cloudflare(clock: Clock) -> Front:
    rays = itertools.count(0x8F2C4A1B3E5D6001)

    def on_request(request: Request, conn: Conn) -> Request | Response:
        added = (("CF-Connecting-IP", "203.0.113.7"), ("CF-IPCountry", "NL"),
                 ("CF-Visitor", '{"scheme":"https"}'), ("CDN-Loop", "cloudflare"), *_FORWARDED)  # fmt: skip
        return request.with_fields(*added)

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        return response.with_fields(
            ("Server", "cloudflare"), ("CF-RAY", f"{next(rays):x}-AMS"), ("CF-Cache-Status", "DYNAMIC"),
            ("Date", http_date()), ("alt-svc", 'h3=":443"; ma=86400'),
            ("Report-To", '{"endpoints":[{"url":"https://a.nel.cloudflare.com/report/v4"}],"group":"cf-nel","max_age":604800}'),
            ("NEL", '{"success_fraction":0,"report_to":"cf-nel","max_age":604800}'),
        )  # fmt: skip

    return Front(on_request, on_response)


def _varnish(clock: Clock) -> Front:
    xids = itertools.count(32770)

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        return response.with_fields(("X-Varnish", str(next(xids))), ("Age", "0"),
                                    ("Via", "1.1 varnish (Varnish/7.4)"), ("Accept-Ranges", "bytes"))  # fmt: skip

    return Front(on_response=on_response)


def _gzip_when_asked(request: Request, response: Response, conn: Conn) -> Response:
    vary = response.with_fields(("Vary", "Accept-Encoding"))
    asked = "gzip" in (request.header("accept-encoding") or "").lower()
    if not asked or not response.body or response.header("content-encoding"):
        return vary
    return replace(vary, body=gzipped(response.body)).with_fields(("Content-Encoding", "gzip"))


def _rechunked(request: Request, response: Response, conn: Conn) -> Response:
    return replace(response, framing="chunked", chunk=16)


def _closing(request: Request, response: Response, conn: Conn) -> Response:
    return response.with_fields(("Connection", "close"), drop=("connection",))


def _early_hints(request: Request, response: Response, conn: Conn) -> Response:
    return replace(response, interim=(EARLY_HINTS, *response.interim))


def _http10(request: Request, response: Response, conn: Conn) -> Response:
    return replace(response, version="HTTP/1.0", framing="close")


def _sticky(request: Request, response: Response, conn: Conn) -> Response:
    expires = http_date(1_900_000_000)
    return response.with_fields(
        ("Set-Cookie", f"AWSALB=q1Xv9bV0Yc2Jm; Expires={expires}; Path=/"),
        (
            "Set-Cookie",
            f"AWSALBCORS=q1Xv9bV0Yc2Jm; Expires={expires}; Path=/; SameSite=None; Secure",
        ),
    )


def _security_added(request: Request, response: Response, conn: Conn) -> Response:
    return response.with_fields(
        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
        ("Permissions-Policy", "geolocation=(), camera=()"),
    )


def _envoy(clock: Clock) -> Front:
    def on_request(request: Request, conn: Conn) -> Request | Response:
        added = [("x-forwarded-proto", "https"), ("x-envoy-expected-rq-timeout-ms", "15000")]
        if request.header("x-request-id") is None:
            added.append(("x-request-id", str(uuid.UUID(int=conn.index + 1, version=4))))
        return request.with_fields(*added)

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        fields = tuple((k.lower(), v) for k, v in response.fields)
        fields += (("server", "envoy"), ("x-envoy-upstream-service-time", "2"))
        return replace(response, fields=fields)

    return Front(on_request, on_response)


def _keep_alive_1s(clock: Clock) -> Front:
    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        return response.with_fields(("Keep-Alive", "timeout=1"))

    return Front(on_response=on_response, idle_timeout=1.0)


def _cloud_limiter(clock: Clock) -> Front:
    limiter = Limiter(CLOUD_LIMIT, clock)
    hints: list[tuple[tuple[str, str], ...]] = [()]

    def on_request(request: Request, conn: Conn) -> Request | Response:
        allowed, hints[0] = limiter.take(request)
        return request if allowed else too_many(hints[0])

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        return response if response.status == 429 else response.with_fields(*hints[0])

    return Front(on_request, on_response)


HINTS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
CORRECT = (
    Deployment("behind-nginx", "correct", "nginx reverse proxy: Server, Date, X-Forwarded-* and X-Real-IP added",
               _nginx, (post(A["payable"]),)),
    Deployment("behind-cloudflare", "correct", "Cloudflare proxied DNS record: CF-RAY, NEL, alt-svc, CF-Connecting-IP added",
               _cloudflare, (post(A["payable"]),)),
    Deployment("behind-varnish-pass", "correct", "Varnish passing POSTs (builtin VCL): Via, X-Varnish, Age added",
               _varnish, (post(A["payable"]),)),
    Deployment("gzip-when-asked", "correct", "nginx gzip on, gzip_proxied any: gzip only when Accept-Encoding asks, Vary added",
               answers(_gzip_when_asked),
               (post(UNKNOWN, ("Accept-Encoding", "gzip")), post(UNKNOWN), post(A["payable"], ("Accept-Encoding", "gzip, br")))),
    Deployment("chunked-reframing", "correct", "A proxy streaming answers: Content-Length replaced by chunked framing, 16-byte chunks",
               answers(_rechunked), (post(A["payable"]), post(UNKNOWN, method="HEAD"))),
    Deployment("connection-close", "correct", "An HAProxy with option httpclose: Connection: close on every answer",
               answers(_closing), (post(A["payable"]), post(UNKNOWN))),
    Deployment("early-hints-103", "correct", "Cloudflare Early Hints: a 103 with a preload Link before every answer",
               answers(_early_hints), (post(A["payable"]), post(UNKNOWN))),
    Deployment("http10-proxy", "correct", "An HTTP/1.0 proxy (old Squid): HTTP/1.0 answers delimited by the connection's close",
               answers(_http10), (post(A["payable"]), post(UNKNOWN))),
    Deployment("alb-sticky-cookies", "correct", "AWS ALB with stickiness on: AWSALB and AWSALBCORS cookies on every answer",
               answers(_sticky), (post(A["payable"]),)),
    Deployment("security-headers-added", "correct", "A CDN adding HSTS, a CSP and Permissions-Policy to every answer",
               answers(_security_added), (post(A["payable"]),)),
    Deployment("envoy-lowercase", "correct", "Envoy (an HTTP/2 edge): lower-case field names, server: envoy, x-request-id added upstream",
               _envoy, (post(A["payable"]), post(UNKNOWN))),
    Deployment("keep-alive-idle-1s", "correct", "HTTP/1.1 keep-alive with a 1 s idle timeout (Keep-Alive: timeout=1), idle connections closed",
               _keep_alive_1s, (post(A["payable"]), post(UNKNOWN))),
    Deployment("rate-limit-20rps", "correct", "Lago Cloud's limiter at the edge: 20 requests a second per organization, 429 with X-RateLimit-* (seconds)",
               _cloud_limiter,
               (*(post(UNKNOWN),) * (CLOUD_LIMIT + 2), post(B["payable"], key=KEY_B)),
               compare=HINTS, limit=CLOUD_LIMIT),
)  # fmt: skip
