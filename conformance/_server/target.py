"""The server under test, as the suite reaches it: every request of a run goes through ``Target``.

It is what makes a run safe against a live billing system: a request budget, pacing, 429s honoured
(bounded), redirects never followed, a timeout on every request and a cap on what is read.
"""

from __future__ import annotations

import dataclasses
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
from conformance._server.base_url import decode_content, default_rate
from conformance._server.exchange import Exchange

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._contract.request import Request

__all__ = [
    "BudgetExhausted",
    "RateLimitedThroughout",
    "Target",
    "TargetUnusable",
    "Unsendable",
]

MAX_BODY_BYTES = 1024 * 1024
MAX_RATE_LIMIT_RETRIES = 3
MAX_RATE_LIMIT_WAIT = 10.0
MAX_CONSECUTIVE_FAILURES = 3
IN_PROCESS_URL = "http://lago-mock.invalid/api/v1"


class BudgetExhausted(Exception):
    """The run has sent ``--max-requests`` requests; nothing more may be sent."""


class Unsendable(Exception):
    """A request no HTTP client can put on the wire (a header value with control characters)."""


# RFC 9110 field-value: visible characters, with spaces or tabs between them; a token (name).
_FIELD_VALUE = re.compile(r"[\x21-\x7e\x80-\xff]+(?:[ \t]+[\x21-\x7e\x80-\xff]+)*")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# How long a run waits out 429s in a row before it says the target rate-limits everything.
MAX_WAIT_IN_A_ROW = 15.0


class TargetUnusable(UsageError):
    """The target cannot be tested: unreachable, TLS failure, stopped answering, or not Lago."""


class RateLimitedThroughout(Exception):
    """The target answered 429 to every attempt for too long: the run cannot judge it."""


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
    # Whether the real key may go into a URL of a remote target (query strings land in logs).
    allow_key_in_url: bool = False
    phase: str = field(default="", init=False)
    sent: int = field(default=0, init=False)
    # Requests sent in each phase of the run (``phase`` when each was sent).
    sent_by_phase: Counter[str] = field(default_factory=Counter, init=False)
    rate_limited: int = field(default=0, init=False)
    failures_in_a_row: int = field(default=0, init=False)
    _last_start: float | None = field(default=None, init=False, repr=False)
    _limited_in_a_row: int = field(default=0, init=False, repr=False)
    _waited_in_a_row: float = field(default=0.0, init=False, repr=False)
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

    @property
    def remote(self) -> bool:
        """Whether the target is reached over the network beyond this machine (not loopback)."""
        return self.base_url is not None and default_rate(httpx.URL(self.url)) is not None

    def send(self, request: Request) -> Exchange:
        """Send one request (its path below the base URL), honouring 429s within bounds.

        Raises ``Unsendable`` for a request no client can put on the wire or that a safety rule
        keeps back, ``BudgetExhausted`` past ``--max-requests``, and ``RateLimitedThroughout``
        when the target has answered nothing but 429 for too long.
        """
        self._check(request)
        url = self.url + request.target
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            exchange, hint = self._send_once(request, url)
            if exchange.status != 429:
                self._limited_in_a_row, self._waited_in_a_row = 0, 0.0
                return exchange
            self.rate_limited += 1
            self._limited_in_a_row += 1
            wait = min(hint, MAX_RATE_LIMIT_WAIT)
            if self._waited_in_a_row + wait > MAX_WAIT_IN_A_ROW:
                raise RateLimitedThroughout(
                    f"{self.url} answered 429 to {self._limited_in_a_row} attempts in a row over "
                    f"{self._waited_in_a_row:.0f} s of waiting; run again later, or with a lower "
                    "--rate-limit"
                )
            if attempt == MAX_RATE_LIMIT_RETRIES or self.remaining <= 0:
                break
            self._waited_in_a_row += wait
            self.sleep(wait)
        return dataclasses.replace(exchange, rate_limited=True)

    def _check(self, request: Request) -> None:
        for name, value in request.headers:
            if not _TOKEN.fullmatch(name):
                raise Unsendable(f"header name {name!r} is not an HTTP token")
            if value and not _FIELD_VALUE.fullmatch(value):
                raise Unsendable(f"header {name} value {value!r} is not a valid HTTP field value")
        if self.base_url is not None and request.body and request.method != "POST":
            raise Unsendable(f"a body is never sent with {request.method} to a live target")
        if self.remote and not self.allow_key_in_url and self.api_key in request.target:
            raise Unsendable(
                "the API key is never put in a URL of a remote target (query strings land in "
                "access logs); pass --allow-key-in-url to send it"
            )

    def _pace(self) -> None:
        if self.rate_limit and self._last_start is not None:
            wait = self._last_start + 1.0 / self.rate_limit - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_start = self.clock()

    def _send_once(self, request: Request, url: str) -> tuple[Exchange, float]:
        if self.sent >= self.max_requests:
            raise BudgetExhausted(f"--max-requests {self.max_requests} reached")
        self._pace()
        self.sent += 1
        self.sent_by_phase[self.phase] += 1
        if self.on_request is not None:
            self.on_request(self.phase)
        base = Exchange(request, url)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
        # Exactly the request's headers (and Host, Content-Length): no client defaults, so an
        # answer never depends on an Accept or Accept-Encoding the suite did not choose to send.
        wire = httpx.Request(request.method, url, headers=headers, content=request.body or None)
        try:
            response = self._client.send(wire, stream=True)
            try:
                body, truncated = bytearray(), False
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) > self.max_body:
                        body, truncated = body[: self.max_body], True
                        break
            finally:
                response.close()
        except httpx.TransportError as error:
            return self._failed(base, error), 0.0
        self.failures_in_a_row = 0
        exchange = dataclasses.replace(
            base,
            status=response.status_code,
            headers=response.headers,
            body=decode_content(bytes(body), response.headers, request)
            if not truncated
            else bytes(body),
            truncated=truncated,
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
        return dataclasses.replace(base, error=message)


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
