"""A configurable client of the payment URL endpoint, correct by default, with one fault per flag.

``FaultyClient()`` passes the whole catalogue; each flag injects one bug a real SDK has had or
could have. As a command: ``python -m tests.faulty_clients FLAG=VALUE ...`` (JSON values).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from conformance._client.outcome import DETAIL_FIELDS, failure, success

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

    def _send(self, base_url: str, api_key: str, lago_id: str) -> httpx.Response:
        segment = urllib.parse.quote(lago_id, safe="") if self.encode_id else lago_id
        base = (self.fixed_base or base_url).rstrip("/")
        url = f"{base}/{self.path.format(id=segment)}"
        headers = {"Authorization": f"{self.auth_scheme} {api_key}"}
        content = b"{}" if self.send_body else None
        with httpx.Client(timeout=self.timeout, verify=_tls()) as http:
            attempts = 0
            while True:
                response = http.request(self.method, url, headers=headers, content=content)
                attempts += 1
                status = response.status_code
                if status == 429 and (self.retries_429 is None or attempts <= self.retries_429):
                    continue
                if 400 <= status < 500 and status != 429 and attempts <= self.retries_4xx:
                    continue
                return response

    def _json(self, response: httpx.Response) -> object:
        if self.needs_json_content_type and not response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            return None

    def _error(self, response: httpx.Response) -> dict[str, Any]:
        if self.crash_on_error:
            raise RuntimeError(f"unexpected status {response.status_code}")
        body = self._json(response)
        if not isinstance(body, dict):
            status = (
                response.status_code if self.non_json_status == "keep" else self.non_json_status
            )
            return failure(status if isinstance(status, int) else None, message="not JSON")
        return failure(
            dict(self.report_status).get(response.status_code, response.status_code),
            None
            if self.drop_code
            else "not_" + str(body.get("code"))
            if self.wrong_code
            else body.get("code"),
            None if self.drop_error_details else body.get("error_details"),
            str(body.get("error", "")),
        )

    def __call__(self, base_url: str, api_key: str, lago_id: str) -> dict[str, Any]:
        try:
            response = self._send(base_url, api_key, lago_id)
        except httpx.HTTPError as error:
            if self.swallow_network_errors:
                return success({})
            return failure(self.transport_status, message=str(error))
        if response.status_code in self.success_on or (
            response.status_code == 422 and self.swallow_422
        ):
            return success({})
        if response.status_code != 200:
            return self._error(response)
        body = self._json(response)
        body = body if isinstance(body, dict) else {}
        details = body.get(self.root_key)
        if not isinstance(details, dict):
            if self.empty_success_on_unreadable:
                return success(dict.fromkeys(self.expose, ""))
            return failure(200, message="no details")
        if self.forbid_unknown and (set(details) - set(DETAIL_FIELDS) or set(body) - {ROOT}):
            return failure(200, message="unknown fields")
        exposed = {name: details.get(name) for name in self.expose}
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
)  # fmt: skip


def main() -> int:
    """Run as a command adapter: flags as NAME=JSON arguments, the outcome on stdout."""
    flags = {
        name: json.loads(value) for name, _, value in (arg.partition("=") for arg in sys.argv[1:])
    }
    for name in ("expose", "success_on"):
        if name in flags:
            flags[name] = tuple(flags[name])
    if "report_status" in flags:
        flags["report_status"] = tuple(tuple(pair) for pair in flags["report_status"])
    client = FaultyClient(**flags)
    env = [os.environ[name] for name in ("LAGO_API_URL", "LAGO_API_KEY", "LAGO_INVOICE_ID")]
    print(json.dumps(client(*env)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
