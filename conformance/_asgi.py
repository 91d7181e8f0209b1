"""Calling an ASGI app from synchronous httpx code, in-process: no sockets, no threads."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

__all__ = ["ASGISyncTransport"]


class ASGISyncTransport(httpx.BaseTransport):
    """An httpx transport that runs an ASGI app on a private event loop."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app and read the whole response."""
        response = self._loop.run_until_complete(self._inner.handle_async_request(request))
        content = self._loop.run_until_complete(response.aread())
        # A stream, not ``content``: the caller reads the raw bytes, as from a socket.
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(content),
            request=request,
        )

    def close(self) -> None:
        """Close the private event loop."""
        if not self._loop.is_closed():
            self._loop.close()
