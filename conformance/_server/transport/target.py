"""The server under test, as the suite reaches it: every request of a run goes through ``Target``.

It is what makes a run safe against a live billing system: a request budget, pacing, 429s honoured
(bounded), redirects never followed, a timeout on every request and a cap on what is read.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from conformance._asgi import ASGISyncTransport
from conformance._errors import UsageError
from conformance._report.findings import redact
from conformance._server.transport.base_url import decode_content, default_rate
from conformance._server.transport.exchange import Exchange, Head
from conformance._server.transport.framing import NoAnswer
from conformance._server.transport.hints import Hint, hint_of, retry_hint
from conformance._server.transport.wire import Wire
from conformance._version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._contract.request import Request

__all__ = [
    "USER_AGENT",
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
# What every request says it comes from, unless a variation of the exploration says otherwise.
USER_AGENT = f"lago-conformance/{__version__}"


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
    # What each answer said of the rate limit, in the order sent (judging/rate_limits.py).
    hints: list[Hint] = field(default_factory=list, init=False)
    _last_start: float | None = field(default=None, init=False, repr=False)
    _limited_in_a_row: int = field(default=0, init=False, repr=False)
    _waited_in_a_row: float = field(default=0.0, init=False, repr=False)
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _wire: Wire | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if (self.base_url is None) == (self.app is None):
            raise ValueError("Target needs exactly one of base_url and app")
        self.url = (self.base_url or IN_PROCESS_URL).rstrip("/")
        if self.app is not None:
            # follow_redirects=False: a redirect is a finding, never a reason to send the key on.
            self._client = httpx.Client(
                transport=ASGISyncTransport(self.app), timeout=self.timeout, follow_redirects=False
            )
        else:
            # A live target's answers are read at the wire (wire.py); redirects are never followed.
            self._wire = Wire(self.url, self.timeout, self.max_body)

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
        if self._client is not None:
            self._client.close()
        if self._wire is not None:
            self._wire.close()

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

        Every request says it comes from ``USER_AGENT`` unless it names a ``User-Agent`` of its
        own. The 429 answers waited out come back in the exchange's ``throttled``.

        Raises ``Unsendable`` for a request no client can put on the wire or that a safety rule
        keeps back, ``BudgetExhausted`` past ``--max-requests``, and ``RateLimitedThroughout``
        when the target has answered nothing but 429 for too long.
        """
        if request.header("user-agent") is None:
            request = request.adding(("User-Agent", USER_AGENT))
        self._check(request)
        url = self.url + request.target
        throttled: list[Exchange] = []
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            exchange = self._send_once(request, url)
            if (noted := hint_of(exchange, self._last_start or 0.0)) is not None:
                self.hints.append(noted)
            if exchange.status != 429:
                self._limited_in_a_row, self._waited_in_a_row = 0, 0.0
                return dataclasses.replace(exchange, throttled=tuple(throttled))
            throttled.append(exchange)
            hint = retry_hint(exchange.headers)
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
        return dataclasses.replace(exchange, rate_limited=True, throttled=tuple(throttled[:-1]))

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

    def _send_once(self, request: Request, url: str) -> Exchange:
        if self.sent >= self.max_requests:
            raise BudgetExhausted(f"--max-requests {self.max_requests} reached")
        self._pace()
        self.sent += 1
        self.sent_by_phase[self.phase] += 1
        if self.on_request is not None:
            self.on_request(self.phase)
        base = Exchange(request, url)
        if self._wire is None:
            return self._send_in_process(request, base)
        try:
            received = self._wire.send(request, url)
        except NoAnswer as error:
            return self._failed(base, error)
        self.failures_in_a_row = 0
        head = received.head
        headers = httpx.Headers(
            [(k.encode("latin-1"), v.encode("latin-1")) for k, v in head.fields]
        )
        return self._with_body(
            dataclasses.replace(
                base,
                status=head.status,
                headers=headers,
                head=head,
                interim=tuple(received.interim),
                framing=tuple(received.faults),
                interim_faults=tuple(received.interim_faults),
            ),
            received.body,
            received.truncated,
        )

    def _send_in_process(self, request: Request, base: Exchange) -> Exchange:
        assert self._client is not None
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
        # Exactly the request's headers (and Host, Content-Length): no client defaults, so an
        # answer never depends on an Accept or Accept-Encoding the suite did not choose to send.
        wire = httpx.Request(
            request.method, base.url, headers=headers, content=request.body or None
        )
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
        line = f"HTTP/1.1 {response.status_code} {response.reason_phrase}".rstrip()
        fields = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw)
        exchange = dataclasses.replace(
            base,
            status=response.status_code,
            headers=response.headers,
            head=Head(line, response.status_code, fields),
        )
        return self._with_body(exchange, bytes(body), truncated)

    def _with_body(self, exchange: Exchange, body: bytes, truncated: bool) -> Exchange:
        """The exchange with its body: a content coding the request asked for undone."""
        decoded = body if truncated else decode_content(body, exchange.headers, exchange.request)
        coded = body if decoded is not body else None
        return dataclasses.replace(exchange, body=decoded, truncated=truncated, coded_body=coded)

    def _failed(self, base: Exchange, error: NoAnswer) -> Exchange:
        self.failures_in_a_row += 1
        message = redact(str(error), self.secrets)
        if error.tls:
            raise TargetUnusable(
                f"TLS handshake with {httpx.URL(base.url).host} failed ({message}); check the URL "
                "and the server's certificate"
            )
        if self.sent == 1 and error.connect:
            proxied = self._wire is not None and self._wire.proxy is not None
            fix = "the proxy the environment names (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)"
            raise TargetUnusable(
                f"cannot connect to {self.url} ({message}); check {fix if proxied else '--base-url'}"
            )
        # Only a target that gives nothing HTTP back, request after request, stops the run: one
        # that answers, however badly, is judged.
        if self.failures_in_a_row >= MAX_CONSECUTIVE_FAILURES:
            raise TargetUnusable(
                f"{self.url} stopped answering: {MAX_CONSECUTIVE_FAILURES} requests in a row "
                f"failed, the last with: {message}"
            )
        return dataclasses.replace(base, error=message)
