"""The server under test, as the suite reaches it: every request of a run goes through ``Target``.

It is what makes a run safe against a live billing system: a request budget, pacing, 429s honoured
(bounded), redirects never followed, a timeout on every request and a cap on what is read.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from conformance._asgi import ASGISyncTransport
from conformance._errors import UsageError
from conformance._report.findings import redact
from conformance._server.exchange import Exchange

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "BudgetExhausted",
    "Target",
    "TargetUnusable",
    "Unsendable",
    "check_base_url",
    "default_rate",
]

MAX_BODY_BYTES = 1024 * 1024
MAX_RATE_LIMIT_RETRIES = 3
MAX_RATE_LIMIT_WAIT = 10.0
MAX_CONSECUTIVE_FAILURES = 3
IN_PROCESS_URL = "http://lago-mock.invalid/api/v1"
# Requests per second against a remote target when the user sets no --rate-limit.
DEFAULT_REMOTE_RATE = 10.0


class BudgetExhausted(Exception):
    """The run has sent ``--max-requests`` requests; nothing more may be sent."""


class Unsendable(Exception):
    """A request no HTTP client can put on the wire (a header value with control characters)."""


# RFC 9110 field-value: visible characters, with single spaces or tabs between them.
_FIELD_VALUE = re.compile(r"[\x21-\x7e\x80-\xff]+(?:[ \t]+[\x21-\x7e\x80-\xff]+)*")


class TargetUnusable(UsageError):
    """The target cannot be tested: unreachable, TLS failure, stopped answering, or not Lago."""


def _retry_hint(response: httpx.Response) -> float:
    for name in ("retry-after", "x-ratelimit-reset"):
        value = response.headers.get(name)
        try:
            seconds = float(value) if value is not None else None
        except ValueError:
            continue
        if seconds is not None:
            if seconds > 1e9:  # an epoch timestamp rather than a number of seconds
                seconds -= time.time()
            return max(0.0, seconds)
    return 1.0


@dataclass
class Target:
    """A Lago deployment (``base_url``) or an ASGI app in-process (``app``), and the run's limits."""

    api_key: str
    base_url: str | None = None
    app: Any = None
    timeout: float = 10.0
    max_requests: int = 300
    rate_limit: float | None = None
    max_body: int = MAX_BODY_BYTES
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    on_request: Callable[[str], None] | None = None
    phase: str = field(default="", init=False)
    sent: int = field(default=0, init=False)
    # Requests sent in each phase of the run (``phase`` when each was sent).
    sent_by_phase: Counter[str] = field(default_factory=Counter, init=False)
    rate_limited: int = field(default=0, init=False)
    failures_in_a_row: int = field(default=0, init=False)
    _last_start: float | None = field(default=None, init=False, repr=False)
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if (self.base_url is None) == (self.app is None):
            raise ValueError("Target needs exactly one of base_url and app")
        transport = ASGISyncTransport(self.app) if self.app is not None else None
        self.url = (self.base_url or IN_PROCESS_URL).rstrip("/")
        # follow_redirects=False: a redirect is a finding, never a reason to send the key elsewhere.
        self._client = httpx.Client(
            transport=transport, timeout=self.timeout, follow_redirects=False
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never reach a report: the API key."""
        return (self.api_key,)

    @property
    def remaining(self) -> int:
        """Requests left in the budget."""
        return self.max_requests - self.sent

    def close(self) -> None:
        """Close connections."""
        self._client.close()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def bearer(self) -> str:
        """The Authorization header value for the run's key."""
        return f"Bearer {self.api_key}"

    def send(self, method: str, path: str, authorization: str | None) -> Exchange:
        """Send one request (``path`` below the base URL), honouring 429s within bounds."""
        url = self.url + path
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            exchange, hint = self._send_once(method, url, authorization)
            if exchange.status != 429:
                return exchange
            self.rate_limited += 1
            if attempt == MAX_RATE_LIMIT_RETRIES or self.remaining <= 0:
                break
            self.sleep(min(hint, MAX_RATE_LIMIT_WAIT))
        return dataclasses.replace(exchange, rate_limited=True)

    def _pace(self) -> None:
        if self.rate_limit and self._last_start is not None:
            wait = self._last_start + 1.0 / self.rate_limit - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_start = self.clock()

    def _send_once(
        self, method: str, url: str, authorization: str | None
    ) -> tuple[Exchange, float]:
        if authorization is not None:
            # HTTP drops whitespace around a field value; send what the wire would carry.
            authorization = authorization.strip(" \t")
            if authorization and not _FIELD_VALUE.fullmatch(authorization):
                raise Unsendable(f"Authorization {authorization!r} is not a valid HTTP field value")
        if self.sent >= self.max_requests:
            raise BudgetExhausted(f"--max-requests {self.max_requests} reached")
        self._pace()
        self.sent += 1
        self.sent_by_phase[self.phase] += 1
        if self.on_request is not None:
            self.on_request(self.phase)
        headers = {"Authorization": authorization} if authorization is not None else {}
        base = Exchange(method, url, authorization)
        try:
            with self._client.stream(method, url, headers=headers) as response:
                body, truncated = bytearray(), False
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_body:
                        body, truncated = body[: self.max_body], True
                        break
        except httpx.TransportError as error:
            return self._failed(base, error), 0.0
        self.failures_in_a_row = 0
        exchange = Exchange(
            method,
            url,
            authorization,
            response.status_code,
            response.headers,
            bytes(body),
            truncated,
        )
        return exchange, _retry_hint(response)

    def _failed(self, base: Exchange, error: httpx.TransportError) -> Exchange:
        self.failures_in_a_row += 1
        message = redact(_describe_error(error, self.timeout), self.secrets)
        if _is_tls_error(error):
            raise TargetUnusable(
                f"TLS handshake with {httpx.URL(base.url).host} failed ({message}); check the URL "
                "and the server's certificate"
            )
        if self.sent == 1 and isinstance(error, httpx.ConnectError):
            raise TargetUnusable(f"cannot connect to {self.url} ({message}); check --base-url")
        if self.failures_in_a_row >= MAX_CONSECUTIVE_FAILURES:
            raise TargetUnusable(
                f"{self.url} stopped answering: {MAX_CONSECUTIVE_FAILURES} requests in a row "
                f"failed, the last with: {message}"
            )
        return Exchange(base.method, base.url, base.authorization, error=message)


def _is_tls_error(error: httpx.TransportError) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error) or "SSL" in str(error)


def _describe_error(error: httpx.TransportError, timeout: float) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"no answer within the {timeout:g} s timeout"
    if isinstance(error, httpx.ConnectError):
        return f"connection failed: {error}"
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
        return f"connection closed or reset mid-response: {error or type(error).__name__}"
    return f"{type(error).__name__}: {error}"


def check_base_url(base_url: str) -> httpx.URL:
    """The parsed ``--base-url``, or a one-line ``UsageError`` saying how to fix it."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as error:
        raise UsageError(f"--base-url {base_url!r} is not a URL ({error})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise UsageError(
            f"--base-url {base_url!r} must be an http(s) URL, like https://api.getlago.com/api/v1"
        )
    if not url.path.rstrip("/").endswith("/api/v1") or url.query or url.fragment:
        raise UsageError(
            f"--base-url {base_url!r} must end in /api/v1, like https://api.getlago.com/api/v1"
        )
    return url


def default_rate(url: httpx.URL) -> float | None:
    """The pacing for ``url`` when none is asked: none on loopback, 10 requests/s elsewhere."""
    host = url.host
    if host == "localhost":
        return None
    try:
        return None if ipaddress.ip_address(host.strip("[]")).is_loopback else DEFAULT_REMOTE_RATE
    except ValueError:
        return DEFAULT_REMOTE_RATE
