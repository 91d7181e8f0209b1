"""The reference client: a small, typed, correct client of ``POST /invoices/{lago_id}/payment_url``.

It passes every scenario of the client suite at the strict level; use it as a library, as the
``reference`` adapter, or as a command (``python -m conformance._client.calling.reference``, configured by
``LAGO_API_URL``, ``LAGO_API_KEY``, ``LAGO_INVOICE_ID`` and optionally ``LAGO_TIMEOUT``).
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

from conformance._client.calls.outcome import DETAIL_FIELDS, failure, success
from conformance._contract.rules import ROOT_KEY, payment_details

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable

    from conformance._client.calls.outcome import Outcome

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "PaymentDetails",
    "PaymentUrlClient",
    "PaymentUrlError",
    "main",
    "reference_adapter",
]

# Connect, read and write each wait at most this long; the whole call, retries and a body that
# trickles in included, at most DEFAULT_DEADLINE: so a call gives up within 30 s.
DEFAULT_TIMEOUT = 10.0
DEFAULT_DEADLINE = 25.0
# The contract's first server, for a client given no base URL.
DEFAULT_BASE_URL = "https://api.getlago.com/api/v1"


@dataclass(frozen=True)
class PaymentDetails:
    """The ``invoice_payment_details`` of a 200; a field Lago did not send is None."""

    lago_customer_id: str | None = None
    lago_invoice_id: str | None = None
    external_customer_id: str | None = None
    payment_provider: str | None = None
    payment_url: str | None = None


class PaymentUrlError(Exception):
    """The call failed: ``status`` is None when no HTTP answer came back."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: str | None = None,
        error_details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error_details = error_details


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building a TLS context costs milliseconds: share one across clients.
    return httpx.create_ssl_context()


def _segment(lago_id: str) -> str:
    if not lago_id:
        raise ValueError("lago_id must not be empty")
    quoted = urllib.parse.quote(lago_id, safe="")
    # "." and ".." are dot-segments even when quoted by `quote`: escape them too.
    return quoted.replace(".", "%2E") if quoted in {".", ".."} else quoted


def _seconds(value: str | None, *, dates: bool) -> float | None:
    """Delay-seconds (digits only), or with ``dates`` an HTTP-date's distance from now."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    if not dates or not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment.timestamp() - time.time()) if moment.tzinfo is not None else None


def _hint(response: httpx.Response) -> float | None:
    """How long a 429 asks to wait: the larger of Retry-After (RFC 9110 section 10.2.3: seconds
    or an HTTP-date) and X-RateLimit-Reset (Lago Cloud: seconds until the window resets)."""
    hints = [
        _seconds(response.headers.get("retry-after"), dates=True),
        _seconds(response.headers.get("x-ratelimit-reset"), dates=False),
    ]
    found = [hint for hint in hints if hint is not None]
    return max(found) if found else None


def _json(response: httpx.Response) -> object:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _error(response: httpx.Response) -> PaymentUrlError:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = _json(response)
    if not isinstance(body, dict):
        return PaymentUrlError(f"HTTP {status} {phrase} (body is not a JSON object)", status)
    code, details, error = body.get("code"), body.get("error_details"), body.get("error")
    return PaymentUrlError(
        error if isinstance(error, str) else phrase,
        status,
        code if isinstance(code, str) else None,
        details if isinstance(details, dict) else None,
    )


def _details(response: httpx.Response) -> PaymentDetails:
    body = _json(response)
    details = payment_details(body)
    if details is None:
        status = response.status_code
        raise PaymentUrlError(f"HTTP {status} without a {ROOT_KEY} object", status)
    fields = {name: details.get(name) for name in DETAIL_FIELDS}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise PaymentUrlError(f"{ROOT_KEY}.{name} is not a string", response.status_code)
    return PaymentDetails(**fields)


class PaymentUrlClient:
    """Calls ``POST {base_url}/invoices/{lago_id}/payment_url``; retries only 429, within bounds."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_retries: int = 3,
        max_retry_wait: float = 10.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = httpx.Timeout(timeout)
        self.deadline = deadline
        self.max_retries = max_retries
        # The 429 waits of one call, together, at most this long: a longer hint is given up on.
        self.max_retry_wait = max_retry_wait
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"PaymentUrlClient({self.base_url!r})"

    def url(self, lago_id: str) -> str:
        """The endpoint's URL for ``lago_id``, percent-encoded as one path segment."""
        return f"{self.base_url}/invoices/{_segment(lago_id)}/payment_url"

    def payment_url(self, lago_id: str) -> PaymentDetails:
        """Generate a checkout link for the invoice; raises ``PaymentUrlError`` on any failure."""
        url = self.url(lago_id)
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        deadline, waited = time.monotonic() + self.deadline, 0.0
        # Redirects are not followed (httpx's default): a payment link comes from the API itself.
        with httpx.Client(timeout=self._timeout, verify=_tls()) as http:
            for attempt in range(self.max_retries + 1):
                try:
                    response = self._post(http, url, headers, deadline)
                except httpx.HTTPError as error:
                    raise PaymentUrlError(f"{type(error).__name__}: {error}") from error
                hint = _hint(response)
                wait = 2.0**attempt if hint is None else hint
                if response.status_code != 429 or attempt == self.max_retries:
                    break
                if waited + wait > self.max_retry_wait or time.monotonic() + wait > deadline:
                    break  # the hint asks for longer than this call may take: give up
                waited += wait
                (self._sleep or time.sleep)(wait)
        # A 2xx other than 200 (201, or one HTTP does not define) is a success if it says so.
        if 200 <= response.status_code < 300:
            return _details(response)
        raise _error(response)

    def _post(
        self, http: httpx.Client, url: str, headers: dict[str, str], deadline: float
    ) -> httpx.Response:
        """POST and read the answer, giving up once ``deadline`` has passed."""
        with http.stream("POST", url, headers=headers) as response:
            body = bytearray()
            for chunk in response.iter_raw():
                body += chunk
                if time.monotonic() > deadline:
                    raise PaymentUrlError(
                        f"HTTP {response.status_code}: the body did not arrive within "
                        f"{self.deadline:g} s"
                    )
        return httpx.Response(response.status_code, headers=response.headers, content=bytes(body))


def reference_adapter(
    base_url: str | None,
    api_key: str,
    lago_id: str,
    *,
    max_retries: int = 3,
    timeout: float | None = None,
) -> Outcome:
    """The ``reference`` adapter: one call with ``PaymentUrlClient``, as an outcome (no base
    URL: the US server)."""
    if timeout is None:
        timeout = float(os.environ.get("LAGO_TIMEOUT", DEFAULT_TIMEOUT))
    deadline = min(DEFAULT_DEADLINE, 2 * timeout)
    try:
        client = PaymentUrlClient(
            base_url or DEFAULT_BASE_URL,
            api_key,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
        )
        details = client.payment_url(lago_id)
    except PaymentUrlError as error:
        return failure(error.status, error.code, error.error_details, error.message)
    return success({key: value for key, value in asdict(details).items() if value is not None})


def main() -> int:
    """The reference client as a command: one call, the outcome as one JSON line on stdout."""
    try:
        env = [os.environ[name] for name in ("LAGO_API_URL", "LAGO_API_KEY", "LAGO_INVOICE_ID")]
    except KeyError as missing:
        print(f"set {missing.args[0]}", file=sys.stderr)
        return 2
    print(json.dumps(reference_adapter(*env), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
