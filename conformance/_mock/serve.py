"""Serving an ASGI app over real HTTP with uvicorn: in a background thread, or in the foreground."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING, Any

import uvicorn

from conformance._errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["bind", "serve_forever", "serving"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; port 0 picks a free one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UsageError(
            f"cannot resolve --host {host!r} ({error.strerror}); try 127.0.0.1"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port} ({error.strerror}); pick another --port"
        ) from None
    sock.listen(128)
    return sock


def base_url(sock: socket.socket, prefix: str = "") -> str:
    """The http URL a client uses to reach ``sock``, with ``prefix`` appended."""
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{prefix}"


def _server(app: Any, log_level: str) -> uvicorn.Server:
    # A bounded graceful shutdown: a request still hanging then is dropped, not waited for.
    config = uvicorn.Config(
        app, log_level=log_level, lifespan="off", access_log=False, timeout_graceful_shutdown=1
    )
    return uvicorn.Server(config)


@contextlib.contextmanager
def serving(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` in a background thread; yields the base URL and stops the server on exit."""
    sock = bind(host, port)
    server = _server(app, log_level="error")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the HTTP server stopped while starting")
            threading.Event().wait(0.005)
        yield base_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve_forever(app: Any, sock: socket.socket, *, access_log: bool = True) -> None:
    """Serve ``app`` on ``sock`` in this thread until interrupted (Ctrl+C)."""
    config = uvicorn.Config(app, log_level="info", lifespan="off", access_log=access_log)
    uvicorn.Server(config).run(sockets=[sock])
