"""Faulty fronts for the classes the wild fronts showed missing, each caught by one check:
a request Puma takes that the front refuses (``lago_ignores``), a cache that ignores
``Vary: Origin`` (``vary_respected``), and a limiter whose reset is off (``rate_limit_reset_kept``);
``wire_fronts.Limiter`` in front of two organizations is one budget for both
(``rate_limit_per_organization``).

Each is a ``Behaviour`` for ``tests.fronts.Front``, written after a real one: Google's GFE and
old Squid answer 411 to a POST without ``Content-Length``; lighttpd 1.4 answered 417 to any
``Expect``; a Varnish VCL hashing the URL and ``Authorization`` only; a limiter reading the
window's end from a shared store against a node's clock 30 s behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.fronts import Out, message

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fronts import Incoming, Upstream

    Forward = Callable[[Incoming], Upstream]

__all__ = ["OriginBlindCache", "expectation_failed", "length_required", "skewed"]

SKEW_SECONDS = 30


def _relay(request: Incoming, forward: Forward) -> Out:
    answer = forward(request)
    return Out(message(answer.status, answer.without(), answer.body))


def length_required(request: Incoming, forward: Forward) -> Out:
    """411 to a POST with neither ``Content-Length`` nor ``Transfer-Encoding``."""
    framed = request.header("content-length") or request.header("transfer-encoding")
    if request.method == "POST" and framed is None:
        page = b"<h1>411 Length Required</h1>"
        return Out(message(411, (("Content-Type", "text/html"),), page, reason="Length Required"))
    return _relay(request, forward)


def expectation_failed(request: Incoming, forward: Forward) -> Out:
    """417 to any request with ``Expect``, 100-continue included."""
    if request.header("expect") is not None:
        return Out(message(417, (), b"", reason="Expectation Failed"))
    return _relay(request, forward)


@dataclass
class OriginBlindCache:
    """A cache of POST 200s keyed on the target and ``Authorization``, not ``Origin``."""

    stored: dict[tuple[str, str | None], bytes] = field(default_factory=dict)

    def __call__(self, request: Incoming, forward: Forward) -> Out:
        """The stored answer, or Lago's (stored when it is a 200)."""
        key = (request.target, request.header("authorization"))
        if request.method == "POST" and key in self.stored:
            return Out(self.stored[key])
        answer = forward(request)
        written = message(answer.status, answer.without(), answer.body)
        if request.method == "POST" and answer.status == 200:
            self.stored[key] = written
        return Out(written)


def skewed(seconds: int) -> str:
    """An ``X-RateLimit-Reset`` 30 s longer than the window has left."""
    return str(seconds + SKEW_SECONDS)
