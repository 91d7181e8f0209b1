"""A catalogue of faulty Lago servers: the faithful mock with exactly one fault each.

Each fault rewrites the mock's answer (or the request it sees). ``FAULTS`` maps a fault to the
check meant to flag it, its severity, and whether it breaks the published (documented) contract.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from conformance import LagoMock
from conformance._contract.request import Request as Wire
from conformance._contract.rules import JSON_CONTENT_TYPE, bearer_token
from conformance._mock.app import read_request

if TYPE_CHECKING:
    from collections.abc import Callable

API_KEY = "faulty-server-key-0123"
_ROUTE = re.compile(r"/invoices/([^/]+)/payment_url")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    authorization: str | None
    # The rest of the request as it came: the query, every header in order, the body.
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def lago_id(self) -> str:
        match = _ROUTE.search(self.path)
        return match.group(1) if match else ""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("content-type", JSON_CONTENT_TYPE),)

    @property
    def json(self) -> Any:
        """The JSON body; an empty object for a bodiless answer (Rails' empty 404 for TRACE)."""
        return json.loads(self.body) if self.body else {}

    def with_json(self, body: object, status: int | None = None) -> Reply:
        return replace(
            self, body=json.dumps(body).encode(), status=self.status if status is None else status
        )


@dataclass
class FaultyLago:
    """An ASGI app: the faithful mock, its request or answer changed by ``fault``."""

    fault: Callable[[FaultyLago, Request], Reply]
    mock: LagoMock = field(default_factory=lambda: LagoMock(api_key=API_KEY))
    calls: int = 0
    # What a fault remembers between requests.
    memory: set[str] = field(default_factory=set)

    def faithful(self, request: Request) -> Reply:
        headers = request.headers
        if request.authorization != request.header("authorization"):
            # The fault changed the credentials: send its value alone.
            headers = tuple((k, v) for k, v in headers if k.lower() != "authorization")
            if request.authorization is not None:
                headers = (("authorization", request.authorization), *headers)
        wire = Wire(request.method, request.path, request.query, headers, request.body)
        answer = self.mock.respond(wire)
        return Reply(answer.status, answer.body, tuple(answer.all_headers()))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        wire = await read_request(scope, receive)
        self.calls += 1
        request = Request(
            wire.method, wire.path, wire.authorization, wire.query, wire.headers, wire.body
        )
        reply = self.fault(self, request)
        start_headers = [(k.encode(), v.encode()) for k, v in reply.headers]
        start_headers.append((b"content-length", str(len(reply.body)).encode()))
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": start_headers}
        )
        await send({"type": "http.response.body", "body": reply.body})


def _authorized(server: FaultyLago, request: Request) -> Request:
    return replace(request, authorization=f"Bearer {server.mock.api_key}")


def auth_not_enforced(server: FaultyLago, request: Request) -> Reply:
    return server.faithful(_authorized(server, request))


def any_token_accepted(server: FaultyLago, request: Request) -> Reply:
    token = bearer_token(request.authorization)
    return server.faithful(_authorized(server, request) if token else request)


def forbidden_instead_of_401(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if reply.status == 401:
        return reply.with_json({"status": 403, "error": "Forbidden", "code": "forbidden"}, 403)
    return reply


def _rewrite(
    status: int, change: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[FaultyLago, Request], Reply]:
    def fault(server: FaultyLago, request: Request) -> Reply:
        reply = server.faithful(request)
        return (
            reply.with_json(change(reply.json)) if reply.status == status and reply.body else reply
        )

    return fault


def _without(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {k: v for k, v in body.items() if k != key}


def _details(
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {"invoice_payment_details": change(dict(body["invoice_payment_details"]))}


def bad_request_for_malformed_id(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if (
        reply.status == 404
        and reply.json.get("code") == "invoice_not_found"
        and not re.fullmatch(r"[0-9a-fA-F-]{36}", request.lago_id)
    ):
        return reply.with_json({"status": 400, "error": "Bad Request", "code": "invalid_id"}, 400)
    return reply


def server_error_on_odd_input(server: FaultyLago, request: Request) -> Reply:
    if "%" in request.lago_id or not request.lago_id.isascii():
        html = b"<!DOCTYPE html><html><body><h1>We're sorry, but something went wrong.</h1></body></html>"
        return Reply(500, html, (("content-type", "text/html; charset=utf-8"),))
    return server.faithful(request)


def wrong_content_type(server: FaultyLago, request: Request) -> Reply:
    return replace(
        server.faithful(request), headers=(("content-type", "text/plain; charset=utf-8"),)
    )


def url_changes_per_call(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if reply.status != 200 or not reply.body:  # a preflight's 200 carries no link
        return reply
    server.calls += 1
    return reply.with_json(
        _details(lambda d: {**d, "payment_url": f"{d['payment_url']}-{server.calls}"})(reply.json)
    )


def secret_echoed(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    return replace(
        reply, headers=(*reply.headers, ("x-debug-authorization", request.authorization or ""))
    )


def wrong_422_reason(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if reply.status == 422 and reply.json.get("code") == "validation_errors":
        return reply.with_json(
            {**reply.json, "error_details": {"base": ["no_linked_payment_provider"]}}
        )
    return reply


def get_accepted(server: FaultyLago, request: Request) -> Reply:
    return server.faithful(replace(request, method="POST") if request.method == "GET" else request)


def method_not_allowed(server: FaultyLago, request: Request) -> Reply:
    if request.method != "POST" and request.lago_id:
        return Reply(405, json.dumps({"status": 405, "error": "Method Not Allowed"}).encode())
    return server.faithful(request)


def payable_refused(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if reply.status == 200:
        body = {
            "status": 422,
            "error": "Unprocessable Entity",
            "code": "validation_errors",
            "error_details": {"base": ["payment_provider_error"]},
        }
        return reply.with_json(body, 422)
    return reply


def _as_payable(server: FaultyLago, request: Request) -> Reply:
    """What the mock answers for the payable invoice, whatever invoice was asked for."""
    payable = server.mock.invoice("payable").lago_id
    return server.faithful(replace(request, path=request.path.replace(request.lago_id, payable)))


def unknown_invoice_found(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if (
        reply.status == 404
        and reply.json.get("code") == "invoice_not_found"
        and request.method == "POST"
    ):
        return _as_payable(server, request)
    return reply


def stack_trace_in_404(server: FaultyLago, request: Request) -> Reply:
    backtrace = ["app/controllers/api/v1/invoices_controller.rb:212:in `payment_url'"]
    return _rewrite(404, lambda body: {**body, "backtrace": backtrace})(server, request)


def checks_skipped(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if reply.status == 422:
        paid = _as_payable(server, request)
        return paid.with_json(
            _details(lambda d: {**d, "lago_invoice_id": request.lago_id})(paid.json)
        )
    return reply


def malformed_id_accepted(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    if (
        reply.status == 404
        and reply.json.get("code") == "invoice_not_found"
        and not re.fullmatch(r"[0-9a-fA-F-]{32,36}", request.lago_id)
    ):
        return _as_payable(server, request)
    return reply


def huge_payable_body(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    return replace(reply, body=b" " * 10_000_000 + reply.body) if reply.status == 200 else reply


# Faults only a probe finds: each answers like the faithful mock to everything the fixture
# scenarios and the property tests send.
_SERVER_ERROR = json.dumps({"status": 500, "error": "Internal Server Error"}).encode()


def long_id_server_error(server: FaultyLago, request: Request) -> Reply:
    """A varchar(255) column: an id over 255 characters ends in a database error."""
    if len(urllib.parse.unquote(request.lago_id)) > 255:
        return Reply(500, _SERVER_ERROR)
    return server.faithful(request)


def _invoice_ids(server: FaultyLago) -> list[str]:
    return [invoice.lago_id for invoice in server.mock.invoices]


def case_sensitive_ids(server: FaultyLago, request: Request) -> Reply:
    """Ids compared as strings: only the canonical form of an id finds its invoice."""
    reply = server.faithful(request)
    if reply.status in (200, 422) and request.lago_id not in _invoice_ids(server):
        return Reply(404, json.dumps(_not_found("invoice_not_found")).encode())
    return reply


def _not_found(code: str) -> dict[str, object]:
    return {"status": 404, "error": "Not Found", "code": code}


def id_prefix_match(server: FaultyLago, request: Request) -> Reply:
    """A ``LIKE 'id%'`` lookup: a long enough prefix of an id finds its invoice."""
    lago_id = request.lago_id
    if request.method == "POST" and len(lago_id) >= 30:
        for invoice_id in _invoice_ids(server):
            if invoice_id.startswith(lago_id) and invoice_id != lago_id:
                path = request.path.replace(f"/{lago_id}/", f"/{invoice_id}/")
                return server.faithful(replace(request, path=path))
    return server.faithful(request)


def key_case_insensitive(server: FaultyLago, request: Request) -> Reply:
    """Keys compared without case: the key in the other case authenticates."""
    token = bearer_token(request.authorization) or ""
    if token != server.mock.api_key and token.lower() == server.mock.api_key.lower():
        return server.faithful(_authorized(server, request))
    return server.faithful(request)


def scheme_case_sensitive(server: FaultyLago, request: Request) -> Reply:
    """Only ``Bearer`` written so: ``bearer KEY`` is refused."""
    scheme = (request.authorization or "").split(" ", 1)[0]
    if scheme.lower() == "bearer" and scheme != "Bearer":
        return Reply(401, json.dumps({"status": 401, "error": "Unauthorized"}).encode())
    return server.faithful(request)


def trace_echo(server: FaultyLago, request: Request) -> Reply:
    """A server that answers TRACE: the request comes back, its Authorization header too."""
    if request.method == "TRACE":
        echo = f"TRACE {request.path} HTTP/1.1\r\nauthorization: {request.authorization}\r\n"
        return Reply(200, echo.encode(), (("content-type", "message/http"),))
    return server.faithful(request)


def replayed_miss(server: FaultyLago, request: Request) -> Reply:
    """An edge cache that replays a 404 it has seen, with a marker of its own in the body."""
    reply = server.faithful(request)
    if reply.status == 404 and reply.json.get("code") == "invoice_not_found":
        if request.lago_id in server.memory:
            return reply.with_json({**reply.json, "cached": True})
        server.memory.add(request.lago_id)
    return reply


def delete_on_invoice_accepted(server: FaultyLago, request: Request) -> Reply:
    """DELETE routed to "expire the payment link": a 204 for an invoice that exists."""
    if request.method == "DELETE":
        post = server.faithful(replace(request, method="POST"))
        if post.status in (200, 422):
            return Reply(204, b"", ())
    return server.faithful(request)


@dataclass(frozen=True)
class Fault:
    """A faulty server, the check meant to flag it, and whether the published contract catches it."""

    name: str
    run: Callable[[FaultyLago, Request], Reply]
    check: str
    severity: str
    documented: bool
    # The probe phase that alone finds it (None: the fixture scenarios or property tests do).
    probe: str | None = None


FAULTS: tuple[Fault, ...] = (
    Fault("auth-not-enforced", auth_not_enforced, "auth_required", "MUST", True),
    Fault("any-token-accepted", any_token_accepted, "auth_required", "MUST", True),
    Fault("403-instead-of-401", forbidden_instead_of_401, "status_code_conformance", "MUST", True),
    Fault("401-without-error", _rewrite(401, _without("error")), "response_schema_conformance", "MUST", True),
    Fault("404-without-code", _rewrite(404, _without("code")), "response_schema_conformance", "MUST", True),
    Fault("422-without-error-details", _rewrite(422, _without("error_details")), "response_schema_conformance", "MUST", True),
    Fault("401-status-field-wrong", _rewrite(401, lambda b: {**b, "status": 400}), "status_field_matches", "MUST", True),
    Fault("400-for-malformed-id", bad_request_for_malformed_id, "status_code_conformance", "MUST", True),
    Fault("500-html-on-odd-input", server_error_on_odd_input, "not_a_server_error", "MUST", True),
    Fault("text-plain-content-type", wrong_content_type, "content_type_conformance", "MUST", True),
    Fault("payment-url-missing", _rewrite(200, _details(_without("payment_url"))), "strict_schema_conformance", "SHOULD", False),
    Fault("payment-url-null", _rewrite(200, _details(lambda d: {**d, "payment_url": None})), "response_schema_conformance", "MUST", True),
    Fault("payment-url-relative", _rewrite(200, _details(lambda d: {**d, "payment_url": "/checkout/123"})), "strict_schema_conformance", "SHOULD", False),
    Fault("wrong-root-key", _rewrite(200, lambda b: {"invoice_payment_url": b["invoice_payment_details"]}), "strict_schema_conformance", "SHOULD", False),
    Fault("other-invoice-echoed", _rewrite(200, _details(lambda d: {**d, "lago_invoice_id": "00000000-0000-4000-8000-000000000000"})), "invoice_echo", "SHOULD", False),
    Fault("url-changes-per-call", url_changes_per_call, "payment_url_stable", "SHOULD", False),
    Fault("api-key-echoed", secret_echoed, "no_secret_echo", "MUST", True),
    Fault("wrong-422-reason", wrong_422_reason, "unprocessable_reason", "SHOULD", False),
    Fault("get-accepted", get_accepted, "unsupported_method", "MUST", True),
    Fault("405-for-wrong-verb", method_not_allowed, "router_not_found", "SHOULD", False),
    Fault("payable-refused", payable_refused, "payable_invoice", "MUST", True),
    Fault("unknown-invoice-found", unknown_invoice_found, "unknown_invoice", "MUST", True),
    Fault("404-spec-example-code", _rewrite(404, lambda b: {**b, "code": "object_not_found"}), "invoice_not_found", "SHOULD", False),
    Fault("422-reason-phrase-lowercase", _rewrite(422, lambda b: {**b, "error": "Unprocessable entity"}), "strict_schema_conformance", "SHOULD", False),
    Fault("unpayable-invoice-paid", checks_skipped, "unprocessable_invoice", "MUST", True),
    Fault("malformed-id-accepted", malformed_id_accepted, "negative_data_rejection", "MUST", True),
    Fault("stack-trace-in-404", stack_trace_in_404, "no_error_leak", "MUST", True),
    Fault("500-on-long-id", long_id_server_error, "not_a_server_error", "MUST", True, "hostile ids"),
    Fault("case-sensitive-ids", case_sensitive_ids, "cast_form_found", "SHOULD", False, "near-misses"),
    Fault("id-prefix-match", id_prefix_match, "negative_data_rejection", "MUST", True, "near-misses"),
    Fault("key-case-insensitive", key_case_insensitive, "auth_required", "MUST", True, "credential near-misses"),
    Fault("scheme-case-sensitive", scheme_case_sensitive, "scheme_case_insensitive", "SHOULD", False, "credential near-misses"),
    Fault("trace-echoes-the-key", trace_echo, "no_secret_echo", "MUST", True),
    Fault("delete-on-invoice-accepted", delete_on_invoice_accepted, "unsupported_method", "MUST", True, "other methods"),
    Fault("replayed-miss-differs", replayed_miss, "consistent_answers", "SHOULD", False, "consistency"),
)  # fmt: skip
