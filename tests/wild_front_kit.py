"""What the wild fronts are made of: a deployment, its witness's requests, pages proxies answer."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import TYPE_CHECKING, Literal

from tests.wild_front_client import Probe
from tests.wild_front_server import KEY_A, KEY_B, Front, organizations, tenant_of
from tests.wild_front_wire import Response

if TYPE_CHECKING:
    from tests.wild_front_server import Conn
    from tests.wild_front_wire import Fields, Request

Clock = Callable[[], float]
_ORGS = organizations()
A = _ORGS["a"].fixtures.invoices  # the run's organization: its fixtures are the run's
B = _ORGS["b"].fixtures.invoices  # the other organization's invoices
UNKNOWN = "6f1d3c52-8d4e-4d7a-9a3e-2b0c5e7f9a11"  # no invoice of either organization
JSON_UTF8 = "application/json; charset=utf-8"
CLOUD_LIMIT = 20  # requests a second per organization, for the deployments with a limiter


@dataclass(frozen=True)
class Deployment:
    """A Lago deployment behind one front: faulty (one fault) or correct (only looks different)."""

    name: str
    kind: Literal["faulty", "correct"]
    cause: str  # the real-world cause, one line
    build: Callable[[Clock], Front]
    witness: tuple[Probe, ...]  # requests whose answers show the fault (or, correct, show none)
    compare: tuple[str, ...] = ()  # header fields the witness compares beyond status, media, body
    limit: int | None = None  # the reference is Lago Cloud, limited to this per organization
    other_key: str = KEY_B  # the other organization's key, for a runner's --other-api-key


def post(lago_id: str, *fields: tuple[str, str], key: str | None = KEY_A, suffix: str = "",
         body: bytes = b"", framed: bool = True, method: str = "POST") -> Probe:  # fmt: skip
    """A request to the endpoint for ``lago_id`` with the key (unless None) and ``fields``."""
    auth = (("Authorization", f"Bearer {key}"),) if key is not None else ()
    target = f"/api/v1/invoices/{lago_id}/payment_url{suffix}"
    return Probe(method, target, auth + fields, body, framed)


def http_date(now: float | None = None) -> str:
    """An IMF-fixdate, as a Date field carries it."""
    return formatdate(time.time() if now is None else now, usegmt=True)


def own(status: int, reason: str, body: bytes | str, content_type: str | None = "text/html",
        *fields: tuple[str, str]) -> Response:  # fmt: skip
    """An answer the front makes itself."""
    raw = body.encode() if isinstance(body, str) else body
    head: Fields = (("Content-Type", content_type),) if content_type else ()
    return Response(status, reason, head + fields, raw)


def nginx_page(status: int, reason: str) -> Response:
    """nginx's own error page (ngx_http_special_response.c)."""
    body = (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n")  # fmt: skip
    return own(status, reason, body, "text/html", ("Server", "nginx"), ("Date", http_date()))


def lago_json(status: int, reason: str) -> bytes:
    """Lago's error body for ``status``, as Rails renders it."""
    return f'{{"status":{status},"error":"{reason}"}}'.encode()


@dataclass
class Limiter:
    """Fixed one-second windows per bucket, as Lago Cloud's limiter counts."""

    limit: int
    clock: Clock
    per_tenant: bool = True
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def take(self, request: Request) -> tuple[bool, Fields]:
        """Whether ``request`` is allowed, and Lago Cloud's hints (the reset in seconds)."""
        now = self.clock()
        window = math.floor(now)
        bucket = tenant_of(request.fields) if self.per_tenant else "all"
        seen, count = self.windows.get(bucket, (window, 0))
        count = (count if seen == window else 0) + 1
        self.windows[bucket] = (window, count)
        hints = (
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(max(0, self.limit - count))),
            ("x-ratelimit-reset", str(max(1, math.ceil(window + 1 - now)))),
        )
        return count <= self.limit, hints


def too_many(hints: Fields) -> Response:
    """Lago Cloud's 429: Lago's JSON error body and the hints."""
    return own(429, "Too Many Requests", lago_json(429, "Too Many Requests"), JSON_UTF8, *hints)


def answers(hook: Callable[[Request, Response, Conn], Response]) -> Callable[[Clock], Front]:
    """A deployment's ``build`` for a front that changes only answers, with ``hook``."""

    def build(clock: Clock) -> Front:
        del clock
        return Front(on_response=hook)

    return build


def requests(hook: Callable[[Request, Conn], Request | Response]) -> Callable[[Clock], Front]:
    """A deployment's ``build`` for a front that changes or answers requests, with ``hook``."""

    def build(clock: Clock) -> Front:
        del clock
        return Front(on_request=hook)

    return build
