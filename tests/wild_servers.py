"""Wild servers: Lago as real deployments get it wrong, written without looking at the suite's checks.

Each ``WildServer`` is the faithful mock (``LagoMock``, awaited as an ASGI app) behind one fault
taken from a real-world cause: a debug mode, a proxy or gateway, an old or forked lago-api, or a
sloppy re-implementation. Its ``witness`` is a request (after others that set up state, if any)
whose answer differs from the faithful mock's; every wild server answers a plain POST of an
unknown uuid with the key exactly like the mock. ``wild_faults()`` hands them to ``nox -s faults``.
Lago's side of each difference is read from lago-api (commit 1b1c24a6, Rails 8.0.5.1, Puma 7.2.1,
rack-cors 3.0.0), named in the description.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from tests import wild_answers as answers
from tests import wild_faults as faults
from tests import wild_routes as routes
from tests.wild_asgi import API_KEY, WildApp
from tests.wild_probes import FIXTURES, UNKNOWN, Probe, endpoint, post

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from tests.wild_asgi import Answer, Incoming

__all__ = [
    "API_KEY",
    "FIXTURES",
    "UNKNOWN",
    "WILD_SERVERS",
    "Probe",
    "WildServer",
    "post",
    "wild_faults",
]

PAYABLE = FIXTURES.invoices["payable"]
KEY = f"Bearer {API_KEY}"


@dataclass(frozen=True)
class WildServer:
    """A faulty server from the field: name, real-world cause, handler and witness requests."""

    name: str
    description: str
    handler: Callable[[WildApp, Incoming], Awaitable[Answer]] = field(repr=False)
    witness: tuple[Probe, ...]
    # For nox -s faults (shaped like tests.faulty_servers.Fault): no check was written for it.
    check: str = "-"
    severity: str = "-"
    kind: str = "wild"

    def app(self) -> WildApp:
        """A fresh server: the mock (default seed, ``API_KEY``) behind the fault."""
        return WildApp(self.handler)

    @property
    def factory(self) -> Callable[[], WildApp]:
        """The factory of a fresh server (``self.app``)."""
        return partial(WildApp, self.handler)


def wild_faults() -> Iterator[WildServer]:
    """Every wild server, for detection runs: serve ``fault.app()`` (it has ``.mock``, as
    ``FaultyLago`` does, so ``detection_runs.Budgeted`` can wrap it) instead of ``FaultyLago``."""
    yield from WILD_SERVERS


def _basic(user: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:".encode()).decode()


_W = WildServer
WILD_SERVERS: tuple[WildServer, ...] = (
    # --- credential channels ---------------------------------------------------------------
    _W("key-in-query-string",
       "A Node/Express re-implementation that reads the key as `req.query.api_key || bearer(req)`, "
       "so `?api_key=KEY` authenticates a request without Authorization (and overrides a good "
       "header). lago-api reads the token only from the Authorization header "
       "(app/controllers/api/base_controller.rb `auth_token`); a key in a URL ends up in access "
       "logs, proxies' caches and browser history.",
       faults.key_in_query, (post(PAYABLE, suffix=f"?api_key={API_KEY}"),)),
    _W("x-api-key-gateway",
       "An API gateway (Kong `request-transformer`, an AWS API Gateway mapping) in front of Lago "
       "that copies `X-Api-Key` into `Authorization: Bearer ...` when the client sent no "
       "Authorization, so the key is accepted from a second header. Lago knows only "
       "Authorization (base_controller.rb `auth_token`): 401.",
       faults.x_api_key_gateway, (post(PAYABLE, ("X-Api-Key", API_KEY)),)),
    _W("basic-auth-key-as-username",
       "A clone modelled on Stripe's API that also takes HTTP Basic with the key as user name "
       "(`Authorization: Basic base64(KEY:)`). Lago takes the second word of Authorization as "
       "the token whatever the scheme, so the base64 text is an unknown key: 401.",
       faults.basic_auth_username, (post(PAYABLE, ("Authorization", _basic(API_KEY))),)),
    _W("token-split-on-one-space",
       "A JavaScript clone reading the token with `authorization.split(' ')[1]`: two spaces or a "
       "tab between scheme and key give an empty token, refused. Ruby's `split(\" \")` in "
       "lago-api's `auth_token` splits on runs of any whitespace, so Lago accepts them.",
       faults.token_split_on_one_space, (post(PAYABLE, ("Authorization", f"Bearer  {API_KEY}")),)),
    _W("auth-before-routing",
       "An Express clone with `app.use(requireApiKey)` mounted before the router: a wrong verb or "
       "an unknown path without a key gets 401. Lago's catch-all route lands in "
       "ApplicationController, which does not authenticate, so those get 404 "
       "`resource_not_found` (config/routes.rb `*unmatched`, app/controllers/application_controller.rb).",
       faults.auth_before_routing, (Probe("GET", endpoint(PAYABLE)),)),
    # --- caches and replays ----------------------------------------------------------------
    _W("proxy-cache-post-by-uri",
       "nginx in front of Lago with `proxy_cache_methods GET HEAD POST`, `proxy_cache_key $uri` "
       "and `proxy_cache_valid 200 10m`, added to take load off the payment provider: a checkout "
       "link answered once is replayed to any later POST of that path, with a wrong key or none. "
       "Lago authenticates every request (base_controller.rb `authenticate`).",
       faults.proxy_cache_post_by_uri,
       (post(PAYABLE, ("Authorization", KEY)), post(PAYABLE, ("Authorization", "Bearer wrong-key")))),
    _W("idempotency-key-replay",
       "A fork with a Stripe-style idempotency middleware keyed on the `Idempotency-Key` value "
       "alone (not on path or key): a second POST with the same header value, for another "
       "invoice, gets the first answer replayed with `Idempotent-Replayed: true`. lago-api reads "
       "no inbound Idempotency-Key (it only sends one to Adyen and GoCardless).",
       faults.idempotency_key_replay,
       (post(PAYABLE, ("Authorization", KEY), ("Idempotency-Key", "k-1")),
        post(UNKNOWN, ("Authorization", KEY), ("Idempotency-Key", "k-1")))),
    # --- debug modes and verbose errors ----------------------------------------------------
    _W("rails-development-mode",
       "lago-api started without RAILS_ENV: config/puma.rb falls back to `development`, where "
       "`consider_all_requests_local` makes ActionDispatch::DebugExceptions render a routing "
       "error (OPTIONS, TRACE) as JSON with `exception` and `traces` (api_only's :api format) or "
       "as the HTML routes page for `Accept: text/html`, and a malformed JSON body as a 400 with "
       "the ParseError's traces; Puma itself (`leak_stack_on_error` in development, "
       "lib/puma/server.rb) answers a method it does not support, such as PROPFIND, with a 501 "
       "holding its stack. In production (config/environments/production.rb "
       "`consider_all_requests_local = false`) the routing error is an empty 404 and Puma's "
       "501 is empty.",
       faults.rails_development_mode, (Probe("OPTIONS", endpoint(UNKNOWN), (("Authorization", KEY),)),)),
    _W("express-stack-trace-on-bad-json",
       "A Node/Express clone with `express.json()` (strict) run without NODE_ENV=production: a "
       "body that is not a JSON object or array, sent as application/json, gets a 400 HTML page "
       "with the SyntaxError's stack and the server's file paths. lago-api ignores the body of "
       "this endpoint; Rails would parse it only when `params` is read, and answers a parse "
       "error without any trace in production.",
       faults.express_stack_trace_on_bad_json,
       (post(UNKNOWN, ("Authorization", KEY), ("Content-Type", "application/json"), body=b'{"lago_id":'),)),
    # --- parameters, verbs and paths -------------------------------------------------------
    _W("params-merged-over-path",
       "A Node clone that reads the id as `{ ...req.params, ...req.query, ...req.body }.lago_id`, "
       "so `?lago_id=` or a JSON body's `lago_id` picks the invoice instead of the path. Rails "
       "merges path parameters last (ActionDispatch::Http::Parameters#parameters), lago-api "
       "looks up `params[:id]` from the route and has `wrap_parameters false`.",
       routes.params_merged_over_path,
       (post(UNKNOWN, ("Authorization", KEY), suffix=f"?lago_id={PAYABLE}"),)),
    _W("method-override-honoured",
       "lago-api run with RAILS_ENV=staging (or development), whose config/environments/"
       "staging.rb adds `Rack::MethodOverride` (production.rb does not; the same happens with "
       "Express' `method-override`): a POST with `X-HTTP-Method-Override: DELETE` or a form "
       "field `_method=delete` is routed as that verb, here to the catch-all 404. Production "
       "Lago is `api_only` (config/application.rb), whose middleware has no MethodOverride.",
       routes.method_override_honoured,
       (post(PAYABLE, ("Authorization", KEY), ("X-HTTP-Method-Override", "DELETE")),)),
    _W("case-insensitive-routes",
       "An Express clone: its router matches paths without regard to case by default, so "
       "`/API/V1/Invoices/<id>/Payment_URL` reaches the endpoint. Rails' Journey router is case "
       "sensitive: Lago answers that path with the catch-all 404 `resource_not_found`.",
       routes.case_insensitive_routes,
       (Probe("POST", f"/API/V1/Invoices/{PAYABLE}/Payment_URL", (("Authorization", KEY),)),)),
    _W("go-servemux",
       "A Go clone on net/http's ServeMux (`POST /api/v1/invoices/{lago_id}/payment_url` plus a "
       "`/` handler answering Lago's resource_not_found): a path with repeated slashes gets a "
       "bodiless 301 to the cleaned path, and a trailing slash or `.json` suffix matches no "
       "pattern. Rails squeezes slashes, drops the trailing one and takes `(.:format)` "
       "(actionpack journey/router/utils.rb `normalize_path`, config/routes.rb).",
       routes.go_servemux, (Probe("POST", "/" + endpoint(PAYABLE), (("Authorization", KEY),)),)),
    _W("query-string-breaks-route",
       "A clone on Node's bare `http` module matching `req.url` (query included) against "
       "`/payment_url$`: any query string, even an ignored `?locale=en`, makes the route miss. "
       "Lago routes on the path alone and ignores this endpoint's query.",
       routes.query_string_breaks_route, (post(PAYABLE, ("Authorization", KEY), suffix="?locale=en"),)),
    _W("python-uuid-ids",
       "A Python clone that casts the id with `uuid.UUID(...)`, which accepts `urn:uuid:` "
       "prefixes, hyphens anywhere and repeated braces: those find the invoice. Rails' "
       "PostgreSQL uuid type (`OID::Uuid::ACCEPTABLE_UUID`) takes only groups of four with "
       "optional hyphens and one pair of braces; anything else is `invoice_not_found`.",
       routes.python_uuid_ids, (post(f"urn:uuid:{PAYABLE}", ("Authorization", KEY)),)),
    _W("path-id-echoed",
       "A clone that fills `lago_invoice_id` from the path (`req.params.lago_id`) instead of the "
       "stored invoice: an upper-case, braced or hyphen-less id comes back as sent. lago-api's "
       "serializer sends `model.id`, the canonical lower-case form "
       "(app/serializers/v1/payment_providers/invoice_payment_serializer.rb).",
       routes.path_id_echoed, (post(PAYABLE.upper(), ("Authorization", KEY)),)),
    # --- answers: JSON quirks, old versions, gateways --------------------------------------
    _W("bom-on-static-401",
       "nginx with `proxy_intercept_errors on` and `error_page 401 /errors/401.json`, the file "
       "saved by a Windows editor: every 401 body starts with a UTF-8 byte-order mark, ends in "
       "CRLF, and is typed `application/json` without charset. RFC 8259 forbids the BOM; Lago "
       "renders `{\"status\":401,\"error\":\"Unauthorized\"}` itself (app/controllers/concerns/api_errors.rb).",
       answers.bom_on_static_401, (post(UNKNOWN),)),
    _W("duplicate-error-details",
       "A lago-api fork whose error helper builds `{..., error_details: {}}.merge(\"error_details\" "
       "=> errors)`: Ruby keeps the symbol and the string key, so every 422 body has "
       "`error_details` twice, `{}` first. Parsers that keep the first member see no reason. "
       "lago-api renders one hash (api_errors.rb `validation_errors`).",
       answers.duplicate_error_details,
       (post(FIXTURES.invoices["no_linked_payment_provider"], ("Authorization", KEY)),)),
    _W("go-missing-return-after-401",
       "A Go clone that writes the 401 and forgets to `return`: the handler goes on, and the "
       "invoice's answer (its checkout URL for a payable invoice) follows the 401 body as a "
       "second JSON document. Lago's `authenticate` before_action halts the request "
       "(base_controller.rb).",
       answers.go_missing_return_after_401, (post(PAYABLE),)),
    _W("gzip-stale-content-length",
       "A compressing filter (an Envoy Lua filter, a hand-written Rack middleware) that gzips "
       "answers of 100 bytes or more when the client accepts gzip but forwards the upstream's "
       "Content-Length, so the body is shorter than declared. Lago (Puma, no Rack::Deflater in "
       "lago-api) sends identity bodies with a correct length.",
       answers.gzip_stale_content_length,
       (post(PAYABLE, ("Authorization", KEY), ("Accept-Encoding", "gzip")),)),
    _W("not-acceptable-406",
       "A Spring Boot clone whose handler says `produces = \"application/json\"`: an Accept that "
       "admits no JSON (`application/xml`, `text/html`) gets an empty 406. lago-api forces the "
       "JSON format on every request (app/controllers/concerns/api_responses.rb "
       "`set_json_format`) and answers as usual.",
       answers.not_acceptable_406, (post(UNKNOWN, ("Authorization", KEY), ("Accept", "application/xml")),)),
    _W("unsupported-media-type-415",
       "An ASP.NET Core clone with `[Consumes(\"application/json\")]`: an authenticated POST "
       "with any other Content-Type (curl -d's form type, text/plain) gets a 415 problem+json. "
       "Lago ignores this endpoint's body and its type.",
       answers.unsupported_media_type_415,
       (post(PAYABLE, ("Authorization", KEY), ("Content-Type", "application/x-www-form-urlencoded")),)),
    _W("apache-encoded-slash",
       "Apache httpd as the reverse proxy (`ProxyPass /api http://lago-api:3000/api`) with the "
       "default `AllowEncodedSlashes Off`: any path holding `%2F` gets Apache's own HTML 404 "
       "before reaching Lago, which answers JSON `invoice_not_found` (the decoded id is no uuid).",
       answers.apache_encoded_slash, (post("abc%2Fdef", ("Authorization", KEY)),)),
    _W("waf-blocks-odd-ids",
       "ModSecurity with the OWASP Core Rule Set in blocking mode (ingress-nginx "
       "`enable-owasp-modsecurity-crs`): quotes, angle brackets, `--` or `union select` in the "
       "path or query are answered with nginx's HTML 403. Lago casts such an id to nil and "
       "answers `invoice_not_found` (or 401 without a key).",
       answers.waf_blocks_odd_ids, (post("1'%20OR%20'1'='1", ("Authorization", KEY)),)),
    _W("cis-hardened-nginx",
       "nginx hardened by the CIS NGINX Benchmark (`large_client_header_buffers 2 1k`, "
       "`client_max_body_size 100K`): a request line over 1 KiB gets nginx's HTML 414, a header "
       "line over 1 KiB a 400, a body over 100 KiB a 413. Puma accepts paths up to 8 KiB and "
       "header values up to 80 KiB (ext/puma_http11/puma_http11.c), so Lago answers JSON.",
       answers.cis_hardened_nginx, (post("a" * 1100, ("Authorization", KEY)),)),
    _W("cors-reflects-any-origin",
       "The nginx CORS block copied from the web: `Access-Control-Allow-Origin $http_origin` "
       "with `Allow-Credentials true` on every answer, and `return 204` for every OPTIONS. "
       "lago-api's rack-cors allows only LAGO_FRONT_URL or LAGO_DOMAIN "
       "(config/initializers/cors.rb); another origin gets no CORS header.",
       answers.cors_reflects_any_origin,
       (post(UNKNOWN, ("Authorization", KEY), ("Origin", "https://attacker.example")),)),
    _W("forwarded-proto-redirect",
       "nginx behind an AWS load balancer with `if ($http_x_forwarded_proto = \"http\") { return "
       "301 https://$host$request_uri; }`: a request carrying `X-Forwarded-Proto: http` is "
       "redirected, and a client that follows turns the POST into a GET. lago-api has "
       "`force_ssl = false` (config/environments/production.rb) and answers it.",
       answers.forwarded_proto_redirect,
       (post(PAYABLE, ("Authorization", KEY), ("X-Forwarded-Proto", "http")),)),
    _W("gateway-unmapped-422",
       "AWS API Gateway with a non-proxy HTTP integration whose integration responses map only "
       "the 401 and 404 the operator tried: a 422 falls to the default integration response and "
       "leaves as 200 with the error body. Lago answers 422 (api_errors.rb `validation_errors`).",
       answers.gateway_unmapped_422,
       (post(FIXTURES.invoices["invalid_payment_provider"], ("Authorization", KEY)),)),
    _W("localized-error-phrase",
       "A fork that renders `error` with `I18n.t` and switches the locale from Accept-Language: "
       "`Accept-Language: fr` gives `\"error\":\"Introuvable\"`. lago-api hard-codes the English "
       "phrases (api_errors.rb, api_responses.rb) although it ships fr, de, es, it ... locales "
       "(config/application.rb) for documents.",
       answers.localized_error_phrase, (post(UNKNOWN, ("Authorization", KEY), ("Accept-Language", "fr-FR")),)),
    _W("lago-before-v1-22",
       "lago-api up to v1.21 (before PR #3238, Feb 2025, first released in v1.22.0): no "
       "`missing_payment_provider` or `missing_payment_provider_customer` check, the provider "
       "service returns no URL and the answer is `payment_provider_error`; a Stripe API error "
       "is a `validation_errors` `payment_provider_error`, not `third_party_error` "
       "(generate_payment_url_service.rb and stripe_service.rb at 709d90434~1).",
       answers.lago_before_v1_22,
       (post(FIXTURES.invoices["missing_payment_provider"], ("Authorization", KEY)),)),
    _W("jsonp-callback",
       "A fork that renders with `render json: ..., callback: params[:callback]`: `?callback=fn` "
       "turns every answer into `/**/fn(...)` typed text/javascript, readable cross-origin by "
       "any page through a script tag. lago-api renders plain JSON and ignores the query.",
       answers.jsonp_callback, (post(UNKNOWN, ("Authorization", KEY), suffix="?callback=cb"),)),
)  # fmt: skip
