"""Faulty deployments that only the drawn exploration finds (``_server/phases/explore_drawn.py``): each
answers 500 to a kind of request no hand-written operator sends. ``BEYOND_FAULTS`` names, for
each, the dimension of the scenario it is recorded under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.faulty_servers import FaultyLago, Reply, Request

if TYPE_CHECKING:
    from collections.abc import Callable

_ERROR = Reply(500, b'{"status":500,"error":"Internal Server Error"}')
# A key this long is over what the fault's header parser takes (10 KB).
_LONG = 10 * 1024


def preflight_fails(server: FaultyLago, request: Request) -> Reply:
    """A CORS layer that crashes on a preflight (OPTIONS with Origin and
    Access-Control-Request-Method); Lago's rack-cors answers it 200."""
    asked = (request.header("origin"), request.header("access-control-request-method"))
    if request.method == "OPTIONS" and None not in asked:
        return _ERROR
    return server.faithful(request)


def non_ascii_key_fails(server: FaultyLago, request: Request) -> Reply:
    """A key lookup that crashes on a key with a character beyond ASCII; Lago answers 401."""
    if request.authorization is not None and not request.authorization.isascii():
        return _ERROR
    return server.faithful(request)


def long_key_fails(server: FaultyLago, request: Request) -> Reply:
    """A key lookup that crashes on a key over 10 KB; Lago answers 401."""
    if request.authorization is not None and len(request.authorization) > _LONG:
        return _ERROR
    return server.faithful(request)


@dataclass(frozen=True)
class BeyondFault:
    """A faulty deployment and the dimension of the drawn exploration's scenario that finds it."""

    name: str
    run: Callable[[FaultyLago, Request], Reply]
    dimension: str


BEYOND_FAULTS: tuple[BeyondFault, ...] = (
    BeyondFault("cors-preflight-500", preflight_fails, "method"),
    BeyondFault("non-ascii-key-500", non_ascii_key_fails, "credentials"),
    BeyondFault("long-key-500", long_key_fails, "credentials"),
)


def refuses_long_header_lines(server: FaultyLago, request: Request) -> Reply:
    """A correct front with nginx's default limit: a header line over 8 KB gets nginx's 400 page
    (Lago answers it; HTTP lets any server on the way refuse it)."""
    if any(len(name) + len(value) + 2 > 8 * 1024 for name, value in request.headers):
        page = b"<html><body><h1>400 Request Header Or Cookie Too Large</h1></body></html>"
        return Reply(400, page, (("content-type", "text/html"),))
    return server.faithful(request)
