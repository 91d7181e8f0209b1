"""A configurable client of the payment URL endpoint, correct by default, with one fault per flag.

``FaultyClient()`` passes the whole catalogue; each flag injects one bug a real SDK has had or
could have. As a command: ``python -m tests.faulty_clients FLAG=VALUE ...`` (JSON values).
"""

from __future__ import annotations

import dataclasses
import email.utils
import functools
import json
import logging
import os
import shlex
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from conformance._client.calls.outcome import DETAIL_FIELDS, failure, success

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = "invoice_payment_details"
US = "https://api.getlago.com/api/v1"


@functools.cache
def _tls() -> Any:
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class FaultyClient:
    """One call, as a Python adapter; every field that differs from its default is a fault."""

    method: str = "POST"
    auth_scheme: str = "Bearer"
    fixed_base: str | None = None
    path: str = "invoices/{id}/payment_url"
    encode_id: bool = True
    send_body: bool = False
    timeout: float | None = 10.0
    retries_4xx: int = 0
    retries_429: int | None = 3
    root_key: str = ROOT
    expose: tuple[str, ...] = DETAIL_FIELDS
    swallow_422: bool = False
    drop_code: bool = False
    wrong_code: bool = False
    invent_missing: bool = False
    drop_error_details: bool = False
    non_json_status: int | str | None = "keep"
    needs_json_content_type: bool = False
    crash_on_error: bool = False
    forbid_unknown: bool = False
    empty_success_on_unreadable: bool = False
    ascii_only: bool = False
    transport_status: int | None = None
    # HTTP statuses reported as a success with no details (as a client that only raises on 4xx).
    success_on: tuple[int, ...] = ()
    # (served, reported): a JSON error answered with ``served`` is reported with ``reported``.
    report_status: tuple[tuple[int, int | None], ...] = ()
    # A network error (refused, reset, timed out) is reported as a success with no details.
    swallow_network_errors: bool = False
    # Where the key goes too: "query" (?api_key=), "header" (X-Api-Key) or "body".
    leak_key_in: str | None = None
    # Redirect statuses followed when the Location is absolute / relative; following keeps the
    # key on another origin only with redirect_keeps_key (httpx and fetch drop it).
    follow_redirects: tuple[int, ...] = ()
    follow_relative: tuple[int, ...] = ()
    redirect_keeps_key: bool = False
    # A 429 header whose seconds are slept, uncapped, before each retry.
    honor_hint: str | None = None
    # By default a 429's hints are waited out (up to 10 s, else the client gives up); how a
    # client misreads them: "retry-after-ms" (Retry-After as milliseconds), "reset-as-epoch"
    # (X-RateLimit-Reset as an epoch time), "seconds-only" (a Retry-After HTTP-date ignored),
    # "fixed-wait" (the hints ignored for 0.1 s).
    hint_fault: str | None = None
    # Unreadable 200s taken as an empty success: "details-null", "body-array", ...
    lenient_roots: tuple[str, ...] = ()
    # Bodies decoded as strict UTF-8 ("html": a non-JSON error's text, "json": JSON bodies), and
    # what a body that is not does: "crash", "success" or "no-status" (a failure without one).
    strict_utf8: tuple[str, ...] = ()
    on_decode_error: str = "crash"
    # The base URL's trailing slash: "strip"; "keep" (a // path); "absolute" (taken as a root).
    trailing_slash: str = "strip"
    drop_port: bool = False
    force_https: bool = False
    # The whole call, body and retries included, gives up after this long (None: only the read
    # timeout).
    deadline: float | None = 10.0
    # Generated answers (issue 15). A 5xx or 429 retried once when a heuristic says "a gateway's page,
    # not Lago's": "content-type-case" (no exact `Content-Type` key in a case-sensitive dict),
    # "not-lago-charset" (not exactly `application/json; charset=utf-8`), "first-member" (the
    # JSON's first member is not `status`), "leading-whitespace" (the body does not start with
    # `{"`), "unknown-members" (members beyond Lago's four), "chunked" (no Content-Length).
    retry_5xx_when: str | None = None
    # The key, in the failure's message (a wrapper that logs the request it sent), or in the
    # error every call raises.
    key_in_message: bool = False
    crash_with_key: bool = False
    # A read timeout retried this many times (each waits the full timeout).
    retry_timeouts: int = 0
    # 4xx statuses retried (a retry library's status list), at most twice.
    retry_statuses: tuple[int, ...] = ()
    # A 200 read only under Lago's exact content type (not Prism's plain application/json).
    needs_lago_content_type: bool = False
    # On a 401, the request's headers logged at WARNING (a wrapper that logs what it sent); or
    # every request's, at DEBUG.
    log_headers_on_401: bool = False
    log_every_request: bool = False
    # A 2xx other than 200 (a 201, a 204) taken as a success with no details; or as a failure.
    empty_2xx_success: bool = False
    only_200: bool = False
    # The default base URL it uses when given none (it says it takes none: default_base_url).
    default_base: str = US
    # The retries it was told to allow (its option; None: not told), and the fault of ignoring it.
    allowed_retries: int | None = None
    ignore_retry_option: bool = False
    # A failure whose message is empty (an exception raised without text).
    blank_message: bool = False
    # lago_customer_id and lago_invoice_id decoded as UUIDs (a typed model's `uuid.UUID` field).
    uuid_ids: bool = False
    # error_details read from 422s only.
    details_only_on_422: bool = False

    default_base_url: ClassVar[bool] = True

    def command(self) -> str:
        """This client as a command adapter: ``python -m tests.faulty_clients`` with its flags."""
        root = Path(__file__).resolve().parents[1]
        flags = " ".join(
            shlex.quote(f"{field.name}={json.dumps(getattr(self, field.name))}")
            for field in dataclasses.fields(self)
            if getattr(self, field.name) != field.default
        )
        return f"cd {shlex.quote(str(root))} && {shlex.quote(sys.executable)} -m tests.faulty_clients {flags}"

    def _url(self, base_url: str, lago_id: str) -> str:
        segment = urllib.parse.quote(lago_id, safe="") if self.encode_id else lago_id
        base, path = self.fixed_base or base_url, self.path.format(id=segment)
        if self.trailing_slash == "keep":
            url = f"{base}/{path}"
        elif self.trailing_slash == "absolute" and base.endswith("/"):
            url = urllib.parse.urljoin(base, f"/api/v1/{path}")
        else:
            url = f"{base.rstrip('/')}/{path}"
        parts = urllib.parse.urlsplit(url)
        if self.drop_port:
            parts = parts._replace(netloc=parts.hostname or "")
        if self.force_https:
            parts = parts._replace(scheme="https")
        return urllib.parse.urlunsplit(parts)

    def _request(
        self, http: httpx.Client, method: str, url: str, headers: dict[str, str], content: Any,
        deadline: float | None = None,
    ) -> httpx.Response:  # fmt: skip
        if deadline is None:
            return http.request(method, url, headers=headers, content=content)
        with http.stream(method, url, headers=headers, content=content) as response:
            body = b""
            for chunk in response.iter_raw():
                body += chunk
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the body took too long", request=response.request)
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=response.request
        )

    def _follow(
        self, http: httpx.Client, response: httpx.Response, headers: dict[str, str]
    ) -> httpx.Response:
        for _ in range(5):
            location = response.headers.get("location", "")
            relative = not urllib.parse.urlsplit(location).scheme
            if response.status_code not in (
                self.follow_relative if relative else self.follow_redirects
            ):
                return response
            here = str(response.request.url)
            target = urllib.parse.urljoin(here, location)
            same = urllib.parse.urlsplit(target)[:2] == urllib.parse.urlsplit(here)[:2]
            hop = {
                k: v
                for k, v in headers.items()
                if same or self.redirect_keeps_key or k != "Authorization"
            }
            method = self.method if response.status_code in (307, 308) else "GET"
            response = self._request(http, method, target, hop, None, self._deadline())
        return response

    def _send(self, base_url: str, api_key: str, lago_id: str) -> httpx.Response:
        url = self._url(base_url, lago_id)
        headers = {"Authorization": f"{self.auth_scheme} {api_key}"}
        if self.log_every_request:
            logging.getLogger("faulty_client.http").debug("POST %s headers=%s", url, headers)
        content = b"{}" if self.send_body else None
        if self.leak_key_in == "query":
            url += f"?api_key={api_key}"
        elif self.leak_key_in == "header":
            headers["X-Api-Key"] = api_key
        elif self.leak_key_in == "body":
            content = json.dumps({"api_key": api_key}).encode()
        with httpx.Client(timeout=self.timeout, verify=_tls()) as http:
            attempts, timeouts, retried_5xx = 0, 0, False
            deadline = self._deadline()  # the whole call's, retries included
            while True:
                try:
                    response = self._request(
                        http, self.method, url, headers, content, self._deadline()
                    )
                except httpx.TimeoutException:
                    timeouts += 1
                    if timeouts <= self.retry_timeouts:
                        continue
                    raise
                response = self._follow(http, response, headers)
                attempts += 1
                status = response.status_code
                late = deadline is not None and time.monotonic() > deadline
                if late and not self.honor_hint:
                    return response  # no retry past the call's deadline
                retries = self.retries_429
                if self.allowed_retries is not None and not self.ignore_retry_option:
                    retries = min(retries or 0, self.allowed_retries)
                if status == 429 and (retries is None or attempts <= retries):
                    if self.honor_hint and self.honor_hint in response.headers:
                        time.sleep(float(response.headers[self.honor_hint]))
                    else:
                        wait = self._hint_wait(response)
                        if wait is None:
                            return response  # the hint asks for too long: give up
                        if wait > 0:
                            time.sleep(wait)
                    continue
                if 400 <= status < 500 and status != 429 and attempts <= self.retries_4xx:
                    continue
                if status in self.retry_statuses and attempts <= 2:
                    continue
                retryable = status >= 500 or status == 429
                if retryable and not retried_5xx and self._gateway_page(response):
                    wait = self._hint_wait(response) if status == 429 else 0.0
                    if wait is None:
                        return response
                    time.sleep(wait)
                    retried_5xx = True
                    continue
                return response

    def _hint_wait(self, response: httpx.Response) -> float | None:
        """How long to wait before retrying a 429 (None: too long, give up)."""
        if self.hint_fault == "fixed-wait":
            return 0.1
        retry_after = response.headers.get("retry-after", "").strip()
        reset = response.headers.get("x-ratelimit-reset", "").strip()
        hints: list[float] = []
        if retry_after.isdigit():
            hints.append(int(retry_after) / (1000 if self.hint_fault == "retry-after-ms" else 1))
        elif retry_after and self.hint_fault != "seconds-only":
            try:
                moment = email.utils.parsedate_to_datetime(retry_after).timestamp()
                hints.append(max(0.0, moment - time.time()))
            except (TypeError, ValueError, IndexError):
                pass
        if reset.isdigit():
            epoch = self.hint_fault == "reset-as-epoch"
            hints.append(max(0.0, int(reset) - time.time()) if epoch else float(reset))
        wait = max(hints, default=0.0)
        return None if wait > 10 else wait

    def _deadline(self) -> float | None:
        return None if self.deadline is None else time.monotonic() + self.deadline

    def _gateway_page(self, response: httpx.Response) -> bool:
        """Whether ``retry_5xx_when``'s heuristic takes ``response`` for a gateway's page."""
        how, body = self.retry_5xx_when, response.content
        if how == "content-type-case":
            return b"Content-Type" not in {name for name, _ in response.headers.raw}
        if how == "not-lago-charset":
            return bool(response.headers.get("content-type") != "application/json; charset=utf-8")
        if how == "chunked":
            return "content-length" not in response.headers
        if how == "leading-whitespace":
            return not body.startswith(b'{"')
        try:
            parsed = json.loads(body, object_pairs_hook=lambda pairs: ("object", pairs))
        except ValueError:
            return False
        if not (isinstance(parsed, tuple) and parsed[0] == "object"):
            return False
        members: list[str] = [str(key) for key, _ in parsed[1]]
        if how == "first-member":
            return bool(members) and bool(members[0] != "status")
        if how == "unknown-members":
            return any(key not in {"status", "error", "code", "error_details"} for key in members)
        return False

    def _json(self, response: httpx.Response) -> object:
        if self.needs_json_content_type and not response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            return None
        if "json" in self.strict_utf8 and "json" in response.headers.get("content-type", ""):
            response.content.decode("utf-8")  # a UnicodeDecodeError escapes
        try:
            return json.loads(response.content)
        except ValueError:
            return None

    def _root_kind(self, response: httpx.Response) -> str | None:
        """What an unreadable 200's root, or invoice_payment_details, is: "body-array", ..."""
        try:
            body = json.loads(response.content)
        except ValueError:
            return None
        names = {type(None): "null", list: "array", str: "string"}
        if not isinstance(body, dict):
            return f"body-{names.get(type(body), 'number')}"
        details = body.get(self.root_key, {})
        return (
            None if isinstance(details, dict) else f"details-{names.get(type(details), 'number')}"
        )

    def _error(self, response: httpx.Response) -> dict[str, Any]:
        if self.crash_on_error:
            raise RuntimeError(f"unexpected status {response.status_code}")
        body = self._json(response)
        if not isinstance(body, dict):
            if "html" in self.strict_utf8 and "html" in response.headers.get("content-type", ""):
                response.content.decode("utf-8")  # a UnicodeDecodeError escapes
            status = (
                response.status_code if self.non_json_status == "keep" else self.non_json_status
            )
            return failure(status if isinstance(status, int) else None, message="not JSON")
        code = body.get("code") if isinstance(body.get("code"), str) else None
        details = body.get("error_details")
        return failure(
            dict(self.report_status).get(response.status_code, response.status_code),
            None if self.drop_code or code is None else "not_" + code if self.wrong_code else code,
            None
            if self.drop_error_details
            or (self.details_only_on_422 and response.status_code != 422)
            or not isinstance(details, dict)
            else details,
            "" if self.blank_message else str(body.get("error", "")),
        )

    def __call__(self, base_url: str | None, api_key: str, lago_id: str) -> dict[str, Any]:
        base_url = self.default_base if base_url is None else base_url
        if self.crash_with_key:
            raise RuntimeError(f"not configured: Client(api_key={api_key!r}) has no base URL")
        try:
            response = self._send(base_url, api_key, lago_id)
        except httpx.HTTPError as error:
            if self.swallow_network_errors:
                return success({})
            return failure(self.transport_status, message=self._message(str(error), api_key))
        try:
            outcome = self._outcome(response)
            if not outcome["ok"]:
                outcome["message"] = self._message(outcome["message"], api_key)
            return outcome
        except UnicodeDecodeError:
            if self.on_decode_error == "success":
                return success({})
            if self.on_decode_error == "no-status":
                return failure(None, message="the body is not UTF-8")
            raise

    def _message(self, text: str, api_key: str) -> str:
        return f"{text} (request: Authorization: Bearer {api_key})" if self.key_in_message else text

    def _outcome(self, response: httpx.Response) -> dict[str, Any]:
        if self.log_headers_on_401 and response.status_code == 401:
            logging.getLogger("faulty_client").warning(
                "HTTP 401 from %s; request headers: %s",
                response.request.url,
                dict(response.request.headers),
            )
        if response.status_code == 200 and self._root_kind(response) in self.lenient_roots:
            return success({})
        if response.status_code in self.success_on or (
            response.status_code == 422 and self.swallow_422
        ):
            return success({})
        if self.empty_2xx_success and 200 < response.status_code < 300:
            return success({})
        status = response.status_code
        if not 200 <= status < 300 or (self.only_200 and status != 200):
            return self._error(response)
        if (
            self.needs_lago_content_type
            and response.headers.get("content-type") != "application/json; charset=utf-8"
        ):
            return failure(200, message="not JSON")
        body = self._json(response)
        body = body if isinstance(body, dict) else {}
        details = body.get(self.root_key)
        if not isinstance(details, dict):
            if self.empty_success_on_unreadable:
                return success(dict.fromkeys(self.expose, ""))
            return failure(status, message="no details")
        if self.forbid_unknown and (set(details) - set(DETAIL_FIELDS) or set(body) - {ROOT}):
            return failure(200, message="unknown fields")
        exposed = {name: details.get(name) for name in self.expose}
        for name in ("lago_customer_id", "lago_invoice_id") if self.uuid_ids else ():
            if isinstance(exposed.get(name), str):
                uuid.UUID(exposed[name])  # a ValueError escapes
        if self.invent_missing:  # as an SDK with `details.get(name, "")` does
            exposed = {name: "" if value is None else value for name, value in exposed.items()}
        if self.ascii_only:
            exposed = {
                name: value.encode("ascii", "replace").decode() if isinstance(value, str) else value
                for name, value in exposed.items()
            }
        return success(exposed)


@dataclass(frozen=True)
class ClientFault:
    """A faulty client, the scenario and check meant to flag it, and the exit code it must get."""

    name: str
    client: Callable[[str, str, str], Any]
    scenario: str
    check: str
    exit_code: int


# The heuristic of a retry library that takes some 5xx for a gateway's page, and the relation
# that alone sees it: the outcome is the same, the number of requests is not.
RELATION_FAULTS = {
    "content-type-case": "ignores_header_case",
    "not-lago-charset": "ignores_charset",
    "first-member": "ignores_member_order",
    "leading-whitespace": "ignores_whitespace",
    "unknown-members": "ignores_unknown_members",
    "chunked": "ignores_framing",
}


def crash(base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
    raise KeyError("boom")


def no_request(base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
    return {"ok": True, "details": {}}


def not_an_outcome(base_url: str, api_key: str, lago_id: str) -> Any:
    return "https://foo.bar"


CLIENT_FAULTS: tuple[ClientFault, ...] = (
    ClientFault("swallows-422", FaultyClient(swallow_422=True), "422-no_linked_payment_provider", "error_fields", 1),
    ClientFault("wrong-root-key", FaultyClient(root_key="invoice_payment_url"), "200-example", "success_details", 1),
    ClientFault("wrong-root-key-empty-success", FaultyClient(root_key="invoice_payment_url", empty_success_on_unreadable=True), "200-example", "success_details", 1),
    ClientFault("drops-code", FaultyClient(drop_code=True), "404-invoice_not_found", "all_error_fields", 0),
    ClientFault("wrong-code", FaultyClient(wrong_code=True), "404-invoice_not_found", "error_fields", 1),
    ClientFault("invents-missing-fields", FaultyClient(invent_missing=True), "200-without-payment-url", "no_invented_values", 0),
    ClientFault("drops-error-details", FaultyClient(drop_error_details=True), "422-third_party_error", "all_error_fields", 0),
    ClientFault("non-json-error-becomes-500", FaultyClient(non_json_status=500), "502-html", "keeps_http_status", 0),
    ClientFault("non-json-error-loses-status", FaultyClient(non_json_status=None), "500-empty", "keeps_http_status", 0),
    ClientFault("json-as-text-becomes-500", FaultyClient(needs_json_content_type=True, non_json_status=500), "503-json-as-text", "keeps_http_status", 0),
    ClientFault("wrong-auth-scheme", FaultyClient(auth_scheme="Token"), "request-us", "request_shape", 1),
    ClientFault("get-instead-of-post", FaultyClient(method="GET"), "request-us", "request_shape", 1),
    ClientFault("sends-a-body", FaultyClient(send_body=True), "request-us", "request_shape", 1),
    ClientFault("ignores-base-url-eu", FaultyClient(fixed_base=US), "request-eu", "request_shape", 1),
    ClientFault("ignores-base-url-self-hosted", FaultyClient(fixed_base=US), "request-self-hosted", "request_shape", 1),
    ClientFault("wrong-path", FaultyClient(path="invoice/{id}/payment_url"), "request-us", "request_shape", 1),
    ClientFault("wrong-path-dash", FaultyClient(path="invoices/{id}/payment-url"), "request-us", "request_shape", 1),
    ClientFault("no-url-encoding", FaultyClient(encode_id=False), "request-reserved-characters", "id_percent_encoded", 0),
    ClientFault("retries-4xx", FaultyClient(retries_4xx=2), "401-unauthorized", "no_retry_after_4xx", 0),
    ClientFault("retries-429-unbounded", FaultyClient(retries_429=None), "429-always", "rate_limit_bounded", 0),
    ClientFault("retries-429-too-often", FaultyClient(retries_429=10), "429-always", "rate_limit_bounded", 0),
    ClientFault("gives-up-on-429", FaultyClient(retries_429=0), "429-then-200", "rate_limit_retried", 0),
    ClientFault("rejects-unknown-fields", FaultyClient(forbid_unknown=True), "200-generated", "success_details", 1),
    ClientFault("mangles-non-ascii", FaultyClient(ascii_only=True), "200-generated", "success_details", 1),
    ClientFault("no-timeout", FaultyClient(timeout=None), "never-answers", "transport_fault", 0),
    ClientFault("timeout-past-bound", FaultyClient(timeout=60), "never-answers", "transport_fault", 0),
    ClientFault("silent-empty-success", FaultyClient(empty_success_on_unreadable=True), "200-without-root-key", "no_silent_success", 0),
    ClientFault("silent-success-invalid-json", FaultyClient(empty_success_on_unreadable=True), "200-invalid-json", "no_silent_success", 0),
    ClientFault("crashes-on-an-error", FaultyClient(crash_on_error=True), "401-unauthorized", "error_fields", 1),
    ClientFault("invents-a-status", FaultyClient(transport_status=0), "connection-refused", "transport_fault", 0),
    ClientFault("reset-becomes-500", FaultyClient(transport_status=500), "connection-reset", "transport_fault", 0),
    ClientFault("drops-fields", FaultyClient(expose=("payment_url",)), "200-example", "all_success_fields", 0),
    ClientFault("401-as-success", FaultyClient(success_on=(401,)), "401-unauthorized", "error_fields", 1),
    ClientFault("5xx-as-success", FaultyClient(success_on=(500, 502, 503)), "502-html", "keeps_http_status", 0),
    ClientFault("json-as-text-loses-status", FaultyClient(needs_json_content_type=True, non_json_status=None), "500-json-as-text", "keeps_http_status", 0),
    ClientFault("429-as-success", FaultyClient(success_on=(429,)), "429-always", "rate_limit_bounded", 0),
    ClientFault("429-loses-status", FaultyClient(report_status=((429, None),)), "429-always", "rate_limit_bounded", 0),
    ClientFault("network-error-as-success", FaultyClient(swallow_network_errors=True), "connection-reset", "transport_fault", 0),
    ClientFault("crashes-always", crash, "never-answers", "transport_fault", 0),
    ClientFault("answers-without-asking", no_request, "200-example", "success_details", 1),
    ClientFault("succeeds-without-asking", no_request, "401-unauthorized", "error_fields", 1),
    ClientFault("returns-no-outcome", not_an_outcome, "200-example", "success_details", 1),
    # Answers beyond the documented ones (issue 9).
    ClientFault("key-in-query", FaultyClient(leak_key_in="query"), "200-example", "key_only_in_authorization", 1),
    ClientFault("key-in-header", FaultyClient(leak_key_in="header"), "401-unauthorized", "key_only_in_authorization", 1),
    ClientFault("key-in-body", FaultyClient(leak_key_in="body"), "404-invoice_not_found", "key_only_in_authorization", 1),
    ClientFault("double-slash", FaultyClient(trailing_slash="keep"), "base-trailing-slash", "exact_path", 0),
    ClientFault("slash-base-as-root", FaultyClient(trailing_slash="absolute"), "base-prefix-trailing-slash", "base_url_joined", 1),
    ClientFault("drops-port", FaultyClient(drop_port=True), "base-explicit-port", "base_url_joined", 1),
    ClientFault("forces-https", FaultyClient(force_https=True), "base-http", "base_url_joined", 1),
    ClientFault("wrong-path-on-base-forms", FaultyClient(path="invoices/{id}/payment-url"), "base-trailing-slash", "base_url_joined", 1),
    *(
        ClientFault(f"follows-{status}", FaultyClient(follow_redirects=(status,)), f"redirect-{status}-other-origin", "no_redirect_followed", 0)
        for status in (301, 302, 303, 307, 308)
    ),
    ClientFault("follows-same-origin-307", FaultyClient(follow_relative=(307,)), "redirect-307-same-origin", "no_redirect_followed", 0),
    ClientFault("redirect-keeps-key", FaultyClient(follow_redirects=(301, 302, 303, 307, 308), redirect_keeps_key=True), "redirect-308-other-origin", "key_stays_on_origin", 1),
    ClientFault("sleeps-retry-after", FaultyClient(honor_hint="retry-after"), "429-retry-after-3600", "rate_limit_wait_bounded", 0),
    ClientFault("sleeps-ratelimit-reset", FaultyClient(honor_hint="x-ratelimit-reset"), "429-reset-far-ahead", "rate_limit_wait_bounded", 0),
    *(
        ClientFault(f"lenient-{kind}", FaultyClient(lenient_roots=(kind,)), f"200-{kind}", "no_silent_success", 0)
        for kind in ("details-null", "details-array", "details-string", "details-number", "body-null", "body-array", "body-string")
    ),
    ClientFault("crashes-on-latin1-html", FaultyClient(strict_utf8=("html",)), "502-latin1-html", "undecodable_body", 1),
    ClientFault("crashes-on-invalid-utf8-json", FaultyClient(strict_utf8=("json",)), "422-invalid-utf8-json", "undecodable_body", 1),
    ClientFault("undecodable-as-success", FaultyClient(strict_utf8=("html", "json"), on_decode_error="success"), "422-invalid-utf8-json", "undecodable_body", 1),
    # Over --command only (the scenario needs real time): the harness kills it.
    ClientFault("no-total-deadline", FaultyClient(deadline=None), "200-trickles", "slow_body_bounded", 0),
    # Generated answers (issue 15): the oracle, each relation and each invariant.
    ClientFault("needs-lago-content-type", FaultyClient(needs_lago_content_type=True), "generated", "served_as_documented", 1),
    ClientFault("2xx-as-empty-success", FaultyClient(empty_2xx_success=True), "generated", "served_as_answered", 0),
    ClientFault("error-details-only-on-422", FaultyClient(details_only_on_422=True), "generated", "served_in_full", 0),
    *(
        ClientFault(f"retries-gateway-pages-{how}", FaultyClient(retry_5xx_when=how), "generated", check, 0)
        for how, check in RELATION_FAULTS.items()
    ),
    ClientFault("key-in-error-message", FaultyClient(key_in_message=True), "generated", "key_never_in_outcome", 1),
    ClientFault("crashes-with-the-key", FaultyClient(crash_with_key=True), "200-example", "key_never_in_outcome", 1),
    ClientFault("retries-409", FaultyClient(retry_statuses=(409,)), "generated", "no_resend_after_4xx", 0),
    ClientFault("retries-timeouts", FaultyClient(retry_timeouts=3), "generated", "call_within_bound", 0),
    # Generated answers that span the contract (issue 21).
    ClientFault("decodes-ids-as-uuids", FaultyClient(uuid_ids=True), "generated", "served_as_documented", 1),
    ClientFault("fails-on-201", FaultyClient(only_200=True), "generated", "served_as_answered", 0),
    # Clients as their users configure them (issue 21).
    ClientFault("wrong-default-base-url", FaultyClient(default_base="https://api.getlago.com"), "default-base-url", "default_base_url", 1),
    ClientFault("ignores-no-retry-option", FaultyClient(allowed_retries=0, ignore_retry_option=True), "429-then-200", "retries_as_configured", 0),
    # How a failure reads (issue 21).
    ClientFault("blank-failure-message", FaultyClient(blank_message=True), "404-invoice_not_found", "failure_names_error", 0),
    # What a client writes (issue 21).
    ClientFault("logs-headers-at-debug", FaultyClient(log_every_request=True), "200-example", "key_never_written", 1),
    ClientFault("logs-headers-on-401", FaultyClient(log_headers_on_401=True), "401-unauthorized", "key_never_written", 1),
    # The floor of a wait (issue 21).
    ClientFault("retry-after-as-ms", FaultyClient(hint_fault="retry-after-ms"), "429-retry-after-2-then-200", "rate_limit_hint_waited", 0),
    ClientFault("reset-as-epoch", FaultyClient(hint_fault="reset-as-epoch"), "429-reset-2-then-200", "rate_limit_hint_waited", 0),
    ClientFault("retry-after-date-ignored", FaultyClient(hint_fault="seconds-only"), "429-retry-after-date-then-200", "rate_limit_hint_waited", 0),
    ClientFault("fixed-short-wait", FaultyClient(hint_fault="fixed-wait"), "429-retry-after-2-then-200", "rate_limit_hint_waited", 0),
)  # fmt: skip


def main() -> int:
    """Run as a command adapter: flags as NAME=JSON arguments, the outcome on stdout."""
    flags = {
        name: json.loads(value) for name, _, value in (arg.partition("=") for arg in sys.argv[1:])
    }
    for name, value in flags.items():
        if isinstance(value, list):
            flags[name] = tuple(value)
    if "report_status" in flags:
        flags["report_status"] = tuple(tuple(pair) for pair in flags["report_status"])
    client = FaultyClient(**flags)
    env = [os.environ[name] for name in ("LAGO_API_URL", "LAGO_API_KEY", "LAGO_INVOICE_ID")]
    print(json.dumps(client(*env)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
