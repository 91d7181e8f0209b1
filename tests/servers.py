"""Misbehaving HTTP servers for the safety tests; each binds 127.0.0.1 and stops by itself."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


class Recorder:
    """An ASGI app that counts requests and the Authorization headers it was sent."""

    def __init__(self) -> None:
        self.authorizations: list[str | None] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope["headers"])
        value = headers.get(b"authorization")
        self.authorizations.append(value.decode() if value is not None else None)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b"{}"})


class Redirect:
    """Answers every request with a 307 to ``location``."""

    def __init__(self, location: str) -> None:
        self.location = location

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"location", self.location.encode()), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 307, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status":307}'})


async def hang(scope: Any, receive: Any, send: Any) -> None:
    """Never answers (for 30 s at most, so the server still stops by itself)."""
    await asyncio.sleep(30)


async def huge_body(scope: Any, receive: Any, send: Any) -> None:
    """A 10 MB 404 body, sent in 64 KiB chunks."""
    chunk = b" " * 65536
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    for _ in range(160):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"{}"})


async def html_site(scope: Any, receive: Any, send: Any) -> None:
    """A web site, not an API: HTML for everything."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
    )
    await send(
        {"type": "http.response.body", "body": b"<!doctype html><html><body>Welcome</body></html>"}
    )


@contextlib.contextmanager
def resetting_server() -> Iterator[str]:
    """A TCP server that reads each request and resets the connection; yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                with contextlib.suppress(OSError):
                    connection.recv(65536)
                # SO_LINGER 0: close with a RST instead of a FIN.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
