"""Fronts on 127.0.0.1: a proxy, CDN, cache, WAF or rate limiter in front of a Lago, at the wire.

A ``Front`` is a small threaded HTTP/1.1 server on raw sockets. It reads each request, hands it
to its ``Behaviour`` with a way to forward it to the upstream (an ASGI app, the mock or a faulty
Lago, served over HTTP by ``conformance._mock.serve.serving``), and writes back whatever bytes
the behaviour returns: a correct front's answer re-framed with its own headers, or a faulty
one's broken framing, 1xx with a body, body cut short... Requests are forwarded byte for byte,
so the upstream sees what the suite sent; the upstream's answer is read with h11. The server
stops by itself when the ``with`` block ends (and its threads are daemons).

    with Front(LagoMock(api_key=KEY), nginx) as url:
        run_suite(..., base_url=url + "/api/v1")
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import h11

from conformance._mock.serve import serving

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["Front", "Incoming", "Out", "Upstream", "message"]

_MAX_HEAD = 512 * 1024
_REASONS = {
    100: "Continue", 101: "Switching Protocols", 103: "Early Hints", 200: "OK", 302: "Found",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 422: "Unprocessable Content",
    429: "Too Many Requests", 502: "Bad Gateway",
}  # fmt: skip


@dataclass(frozen=True)
class Incoming:
    """A request as the front read it: method, target, headers in order, body, and its raw bytes."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    raw: bytes

    def header(self, name: str) -> str | None:
        """The first value of ``name`` (any case), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


@dataclass(frozen=True)
class Upstream:
    """The upstream's answer: status, reason, headers in order, the whole body."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def without(self, *names: str) -> tuple[tuple[str, str], ...]:
        """The headers without the framing ones and ``names`` (any case)."""
        dropped = {"content-length", "transfer-encoding", "connection", *map(str.lower, names)}
        return tuple((k, v) for k, v in self.headers if k.lower() not in dropped)


@dataclass(frozen=True)
class Out:
    """What the front writes back, and whether it closes the connection afterwards."""

    data: bytes
    close: bool = False


def message(
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes = b"",
    *,
    reason: str | None = None,
    framing: str = "length",
    chunk: int = 64,
) -> bytes:
    """One HTTP/1.1 answer as bytes: ``framing`` is ``length`` (Content-Length), ``chunked``
    (Transfer-Encoding, ``chunk`` bytes a chunk), or ``none`` (the headers as given)."""
    lines = [f"HTTP/1.1 {status} {reason if reason is not None else _REASONS.get(status, 'OK')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if framing == "length":
        lines.append(f"Content-Length: {len(body)}")
    elif framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
        pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def _read_request(conn: socket.socket, buffer: bytearray) -> Incoming | None:
    while b"\r\n\r\n" not in buffer:
        data = conn.recv(65536)
        if not data or len(buffer) > _MAX_HEAD:
            return None
        buffer += data
    end = buffer.index(b"\r\n\r\n") + 4
    lines = bytes(buffer[: end - 4]).decode("latin-1").split("\r\n")
    method, target = ([*lines[0].split(" "), "", ""])[:2]
    headers = tuple(
        (name.strip(), value.strip())
        for name, _, value in (line.partition(":") for line in lines[1:])
    )
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
    while len(buffer) < end + length:
        data = conn.recv(65536)
        if not data:
            return None
        buffer += data
    raw, body = bytes(buffer[: end + length]), bytes(buffer[end : end + length])
    del buffer[: end + length]
    return Incoming(method, target, headers, body, raw)


def _forward(address: tuple[str, int], request: Incoming) -> Upstream:
    """Send ``request`` as it came to the upstream on a connection of its own; read the answer."""
    client = h11.Connection(h11.CLIENT)
    # h11 reads the answer knowing the method (a HEAD has no body); the bytes sent are the raw ones.
    try:
        client.send(h11.Request(method=request.method, target="/", headers=[("Host", "x")]))
    except h11.LocalProtocolError:
        client = h11.Connection(h11.CLIENT)
        client.send(h11.Request(method="POST", target="/", headers=[("Host", "x")]))
    client.send(h11.EndOfMessage())
    with socket.create_connection(address, timeout=30) as upstream:
        upstream.sendall(request.raw)
        head: Any = None
        body = bytearray()
        while True:
            event = client.next_event()
            if event is h11.NEED_DATA:
                client.receive_data(upstream.recv(65536))
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                break
    headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers.raw_items())
    return Upstream(head.status_code, head.reason.decode("latin-1"), headers, bytes(body))


@dataclass
class Front:
    """A front on 127.0.0.1 before ``upstream`` (an ASGI app), answering as ``behaviour`` says;
    a context manager that yields the front's base URL (add ``/api/v1``)."""

    upstream: Any
    behaviour: Callable[[Incoming, Callable[[Incoming], Upstream]], Out]
    # Requests the front has read (the behaviour may count its own).
    requests: int = field(default=0, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __enter__(self) -> str:
        self._stack = contextlib.ExitStack()
        host, _, port = self._stack.enter_context(serving(self.upstream))[7:].rpartition(":")
        self._address = (host, int(port))
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        self._stack.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = bytearray()
        conn.settimeout(30)
        with conn, contextlib.suppress(OSError):
            while not self._stop.is_set():
                request = _read_request(conn, buffer)
                if request is None:
                    return
                with self._lock:
                    self.requests += 1
                out = self.behaviour(request, lambda r: _forward(self._address, r))
                conn.sendall(out.data)
                if out.close:
                    conn.shutdown(socket.SHUT_RDWR)
                    return
