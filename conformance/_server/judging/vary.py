"""A cache in front of Lago that ignores ``Vary: Origin``: the payable invoice asked twice, with
the same URL and key, first under Lago's default front origin and then under another one.

rack-cors answers every request ``Vary: Origin`` and grants an allowed origin by echoing it in
``Access-Control-Allow-Origin`` (docs/lago-behaviour.md); a shared cache must not reuse a stored
answer for a request whose ``Origin`` differs (RFC 9111 section 4.1). A cache that keys on the URL
and the key alone replays the first origin's grant to the second. Which origins a deployment
allows is its own (``LAGO_FRONT_URL``), so the twin cannot say whether the first is granted: the
pair is judged only when the target granted it, and what is judged holds whatever the
deployment allows (the second answer grants the second origin, or none, never the first). The
pair's URL carries a query no one sent before (Lago reads no query here), so that no answer
stored earlier in the run, without an ``Origin``, comes back to the first request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from conformance._contract.request import Request
from conformance._report.findings import Check, Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["FIRST_ORIGIN", "SCENARIO", "VARY_RESPECTED", "origin_pair", "vary_respected"]

# Lago's docker-compose.yml sets LAGO_FRONT_URL to http://localhost, the origin rack-cors allows.
FIRST_ORIGIN = "http://localhost"
SECOND_ORIGIN = "https://lago-conformance.example"
SCENARIO = "probe/vary: Origin"
_PHASE = "vary"
_GRANT = "access-control-allow-origin"


def vary_respected(pair: tuple[Exchange, Exchange]) -> Iterator[Problem]:
    """The second answer does not carry the CORS grant of the first request's origin."""
    first, second = pair
    granted = second.headers.get(_GRANT)
    asked, before = second.request.header("origin"), first.request.header("origin")
    if second.status is None or granted is None or granted in ("*", asked) or granted != before:
        return
    yield Problem(
        "An answer stored for one Origin was served to another (Vary: Origin ignored)",
        f"Origin: {asked} got Access-Control-Allow-Origin: {granted}, the grant of the request "
        f"before it (Origin: {before}, same URL and key); {second.describe(120)}",
        f"Access-Control-Allow-Origin: {asked}, or none: Lago answers Vary: Origin, and a cache "
        "reuses a stored answer only for a request with the same Origin (RFC 9111 section 4.1)",
    )


VARY_RESPECTED: Check[tuple[Exchange, Exchange]] = Check("vary_respected", vary_respected)


class _Run(Protocol):
    target: Target

    def random_uuid(self) -> str: ...


class _PayableCalls(Protocol):
    @property
    def left(self) -> int: ...

    def take(self, phase: str) -> bool: ...


def origin_pair(run: _Run, payable: _PayableCalls, path: str) -> tuple[Exchange, Exchange] | None:
    """The payable invoice (at ``path``) under ``FIRST_ORIGIN``, then, when the target granted
    it, under another origin; two of the run's payable calls, or none when it has not two left."""
    if payable.left < 2:
        return None
    request = Request.of("POST", path, run.target.bearer())
    request = request.replace(query=f"lago_conformance_vary={run.random_uuid()[:8]}")
    payable.take(_PHASE)
    first = run.target.send(request.adding(("Origin", FIRST_ORIGIN)))
    if first.status != 200 or first.headers.get(_GRANT) != FIRST_ORIGIN:
        return None
    payable.take(_PHASE)
    return first, run.target.send(request.adding(("Origin", SECOND_ORIGIN)))
