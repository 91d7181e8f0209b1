"""Faulty Lagos whose findings a report must show well: the difference is in a header alone."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.faulty_servers import FaultyLago, Reply, Request


def cors_echo(server: FaultyLago, request: Request) -> Reply:
    """Any ``Origin`` echoed with credentials allowed: every answer's status, media type and body
    are Lago's, only two headers differ (rack-cors answers a foreign origin with neither)."""
    reply = server.faithful(request)
    origin = request.header("origin")
    if origin is None:
        return reply
    echoed = (("access-control-allow-origin", origin), ("access-control-allow-credentials", "true"))
    return replace(reply, headers=(*reply.headers, *echoed))
