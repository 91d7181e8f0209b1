"""Faulty fronts that mix callers up: caches, tenant routing, key handling at the edge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.wild_front_client import Probe
from tests.wild_front_kit import (
    CLOUD_LIMIT,
    UNKNOWN,
    A,
    B,
    Clock,
    Deployment,
    Limiter,
    own,
    post,
    too_many,
)
from tests.wild_front_server import KEY_A, KEY_B, KEYS, Conn, Front, tenant_of, token

if TYPE_CHECKING:
    from tests.wild_front_wire import Request, Response

KONG_401 = b'{"message":"Unauthorized"}'


def _cache(statuses: frozenset[int], *, keyed_on_auth: bool = False) -> Front:
    """A cache of POST answers with the given statuses, keyed on the target (and the key)."""
    stored: dict[tuple[str, str | None], Response] = {}

    def key(request: Request) -> tuple[str, str | None]:
        return request.target, request.header("authorization") if keyed_on_auth else None

    def on_request(request: Request, conn: Conn) -> Request | Response:
        hit = stored.get(key(request)) if request.method == "POST" else None
        return hit.with_fields(("Age", "1"), ("X-Cache", "HIT")) if hit else request

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        if request.method == "POST" and response.status in statuses:
            stored.setdefault(key(request), response)
        return response

    return Front(on_request, on_response)


def cache_ignores_authorization(clock: Clock) -> Front:
    """200s cached by URL alone."""
    return _cache(frozenset({200}))


def negative_cache(clock: Clock) -> Front:
    """401s and 404s cached by URL alone."""
    return _cache(frozenset({401, 404}))


def cache_ignores_vary(clock: Clock) -> Front:
    """200s cached per URL and key, whatever the Origin (Vary: Origin ignored)."""
    return _cache(frozenset({200}), keyed_on_auth=True)


def _with_key(request: Request, key: str) -> Request:
    return request.with_fields(("Authorization", f"Bearer {key}"), drop=("authorization",))


def injects_default_key(clock: Clock) -> Front:
    """A request without a key gets the service's upstream key."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        return request if request.header("authorization") else _with_key(request, KEY_A)

    return Front(on_request)


def key_map_swapped(clock: Clock) -> Front:
    """The edge's key map sends org B's key upstream as org A's."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        found = token(request.header("authorization"))
        return _with_key(request, KEY_A) if found == KEY_B else request

    return Front(on_request)


def routed_per_connection(clock: Clock) -> Front:
    """A connection's first request picks the organization for all that follow."""

    def route(request: Request, conn: Conn) -> str:
        if conn.tenant is None:
            conn.tenant = tenant_of(request.fields)
        return conn.tenant

    return Front(route=route)


def tenant_header_trusted(clock: Clock) -> Front:
    """Any valid key, then the client's X-Tenant-Id picks the organization and its key."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        wanted = (request.header("x-tenant-id") or "").strip().lower()
        valid = token(request.header("authorization")) in KEYS.values()
        return _with_key(request, KEYS[wanted]) if valid and wanted in KEYS else request

    return Front(on_request)


def one_bucket(clock: Clock) -> Front:
    """Lago Cloud's limit and hints, but one bucket for every organization."""
    limiter = Limiter(CLOUD_LIMIT, clock, per_tenant=False)
    hints: dict[int, tuple[tuple[str, str], ...]] = {}

    def on_request(request: Request, conn: Conn) -> Request | Response:
        allowed, hints[0] = limiter.take(request)
        return request if allowed else too_many(hints[0])

    def on_response(request: Request, response: Response, conn: Conn) -> Response:
        return response if response.status == 429 else response.with_fields(*hints[0])

    return Front(on_request, on_response)


def login_redirect(clock: Clock) -> Front:
    """Requests without Authorization are sent to the SSO login page."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        if request.header("authorization"):
            return request
        where = f"/oauth2/start?rd={request.target}"
        body = f'<a href="{where}">Found</a>.\n\n'
        return own(302, "Found", body, "text/html; charset=utf-8", ("Location", where))

    return Front(on_request)


def authorizer_401(clock: Clock) -> Front:
    """API Gateway answers a request without its identity source (Authorization) itself."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        if request.header("authorization"):
            return request
        fields = (("x-amzn-ErrorType", "UnauthorizedException"), ("x-amzn-RequestId", "c6a7d1e2"))
        return own(401, "Unauthorized", KONG_401, "application/json", *fields)

    return Front(on_request)


def scheme_case_sensitive(clock: Clock) -> Front:
    """The gateway's auth regex is ``^Bearer (.+)$``, case-sensitive."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        given = request.header("authorization")
        if given is None or given.startswith("Bearer "):
            return request
        return own(401, "Unauthorized", KONG_401, "application/json; charset=utf-8")

    return Front(on_request)


def last_header_wins(clock: Clock) -> Front:
    """Repeated fields folded into one map, the last value kept."""

    def on_request(request: Request, conn: Conn) -> Request | Response:
        last = {k.lower(): (k, v) for k, v in request.fields}
        if len(last) == len(request.fields):
            return request
        return request.changed(fields=tuple(last.values()))

    return Front(on_request)


def _key(name: str) -> tuple[str, str]:
    return ("Authorization", f"Bearer {name}")


TENANT_FAULTS = (
    Deployment("cache-ignores-authorization", "faulty",
               "API Gateway method cache on POST without Authorization in the cache key: one "
               "caller's 200 is served to anyone asking for that URL",
               cache_ignores_authorization,
               (post(A["payable"]), post(A["payable"], key=None), post(A["payable"], key=KEY_B))),
    Deployment("negative-cache-401", "faulty",
               "nginx proxy_cache with proxy_cache_methods POST and proxy_cache_valid 401 404 1m, "
               "keyed on $request_uri: a keyless 401 is replayed to the key's owner",
               negative_cache, (post(A["payable"], key=None), post(A["payable"]))),
    Deployment("cache-ignores-vary-origin", "faulty",
               "Varnish VCL hashing URL and Authorization but not Origin (Vary ignored): one "
               "origin's CORS grant is replayed to another",
               cache_ignores_vary,
               (post(A["payable"], ("Origin", "http://localhost")),
                post(A["payable"], ("Origin", "https://evil.example"))),
               compare=("access-control-allow-origin",)),
    Deployment("edge-injects-default-key", "faulty",
               "Kong request-transformer add.headers Authorization (adds only when absent) so "
               "internal callers need no key: keyless callers reach Lago as the org",
               injects_default_key, (post(A["payable"], key=None),)),
    Deployment("key-map-swaps-tenants", "faulty",
               "The edge's tenant-key to upstream-key table has org B's row pointing at org A's "
               "key: B's callers read A's invoices",
               key_map_swapped, (post(A["payable"], key=KEY_B),)),
    Deployment("tenant-routed-per-connection", "faulty",
               "HAProxy in tunnel mode (no option http-server-close): only a connection's first "
               "request is routed, later ones follow it to the same tenant's Lago",
               routed_per_connection,
               (post(A["missing_payment_provider"]), post(B["payable"], key=KEY_B))),
    Deployment("tenant-header-trusted", "faulty",
               "The edge checks the key is some tenant's, then routes on the client's X-Tenant-Id "
               "(meant for internal calls) with that tenant's upstream key",
               tenant_header_trusted, (post(B["payable"], ("X-Tenant-Id", "b")),)),
    Deployment("rate-limit-one-bucket", "faulty",
               "A limiter keyed on the edge's own address, not the organization: one tenant's "
               "traffic spends every tenant's budget",
               one_bucket,
               (*(post(UNKNOWN, key=KEY_B),) * CLOUD_LIMIT, post(A["payable"])),
               limit=CLOUD_LIMIT),
    Deployment("sso-login-redirect", "faulty",
               "oauth2-proxy / nginx auth_request in front of the API, skipped only for requests "
               "with Authorization: a keyless call gets a 302 to the login page, not a 401",
               login_redirect, (post(A["payable"], key=None),)),
    Deployment("gateway-authorizer-401", "faulty",
               "AWS API Gateway Lambda authorizer with identity source Authorization: a keyless "
               'call is answered by the gateway, {"message":"Unauthorized"}',
               authorizer_401, (post(UNKNOWN, key=None),)),
    Deployment("auth-scheme-case-sensitive", "faulty",
               "A gateway's auth check matches ^Bearer (.+)$ case-sensitively; Lago reads only the "
               "token and RFC 9110 makes the scheme case-insensitive",
               scheme_case_sensitive,
               (Probe("POST", f"/api/v1/invoices/{A['payable']}/payment_url",
                      (("Authorization", f"bearer {KEY_A}"),)),)),
    Deployment("repeated-header-last-wins", "faulty",
               "An edge that folds repeated fields into a single-value map keeping the last "
               "(API Gateway's headers map): a second Authorization overrides the first",
               last_header_wins,
               (Probe("POST", f"/api/v1/invoices/{A['payable']}/payment_url",
                      (_key("not-the-key"), _key(KEY_A))),)),
)  # fmt: skip
