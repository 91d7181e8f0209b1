"""A tiny HTTP/1.1 server on 127.0.0.1 that serves a plan of replies and network faults.

Plain sockets, because faults need control no web framework gives: a reset closes the socket
with RST half-way through the body; a hang holds the connection open, unanswered, until the
server stops; a trickle sends a 200's headers, then its body a byte a second. It listens on two
ports, two origins, so that a redirect can point to another origin whose requests it records
too. Every connection answers one request and closes; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from http import HTTPStatus
from typing import TYPE_CHECKING

from conformance._client.calls.answers import Answer
from conformance._client.calls.call import RUNAWAY_LIMIT, Fault, SentRequest, resolve
from conformance._contract.rules import Reply

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._client.calls.call import Call, Serve

__all__ = ["FaultServer", "closed_port", "fault_server"]

_READ_TIMEOUT = 10.0
_MAX_HEAD = 64 * 1024
# A trickled 200: valid JSON once whole, which at a byte a second takes longer than any kill.
_TRICKLED = b'{"invoice_payment_details":{"payment_url":"https://foo.bar"}' + b" " * 60 + b"}"
# Over HTTP a slow answer's gaps are real: each is capped at this many seconds.
SLOW_GAP_CAP = 0.2


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _read_request(conn: socket.socket) -> tuple[str, str, dict[str, str], bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk or len(data) > _MAX_HEAD:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, *_ = [*lines[0].split(" "), "", ""]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or "0")
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return method, target, headers, body


def _head(reply: Reply, length: int) -> bytes:
    try:
        phrase = HTTPStatus(reply.status).phrase
    except ValueError:
        phrase = "Status"
    lines = [f"HTTP/1.1 {reply.status} {phrase}", f"content-length: {length}", "connection: close"]
    lines += [f"{name}: {value}" for name, value in reply.all_headers()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class FaultServer:
    """Serves ``plan`` to whoever connects, recording each request into ``call``."""

    def __init__(self) -> None:
        self._listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
        for listener in self._listeners:
            listener.settimeout(0.2)
        self.port: int = self._listeners[0].getsockname()[1]
        self.other_port: int = self._listeners[1].getsockname()[1]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._release = threading.Event()
        self._plan: tuple[Serve, ...] = ()
        self._call: Call | None = None
        self._threads: list[threading.Thread] = []
        self._accepters = [
            threading.Thread(target=self._accept, args=(listener,), daemon=True)
            for listener in self._listeners
        ]
        for accepter in self._accepters:
            accepter.start()

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``: the base URL's origin."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def other_origin(self) -> str:
        """``http://127.0.0.1:<other port>``: another origin, for redirects."""
        return f"http://127.0.0.1:{self.other_port}"

    def plan(self, serves: tuple[Serve, ...], call: Call) -> None:
        """Serve ``serves`` in order (the last repeats) for the next call, recorded in ``call``."""
        self._release.set()  # let go of connections held by the previous plan
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=2)
        with self._lock:
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            self._release.clear()
            self._plan = tuple(resolve(s, self.origin, self.other_origin) for s in serves)
            self._call = call

    def stop(self) -> None:
        """Stop accepting, release held connections, and wait (boundedly) for the threads."""
        self._stop.set()
        self._release.set()
        for accepter in self._accepters:
            accepter.join(timeout=2)
        for thread in list(self._threads):
            thread.join(timeout=2)
        for listener in self._listeners:
            listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _next(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Serve | None:
        with self._lock:
            call = self._call
            if call is None or not self._plan:
                return None
            url = f"http://{headers.get('host', f'127.0.0.1:{self.port}')}{target}"
            call.requests.append(SentRequest(method, url, headers, body, time.time()))
            if len(call.requests) > RUNAWAY_LIMIT:
                return None
            serve = self._plan[min(len(call.requests), len(self._plan)) - 1]
            call.served.append(serve)
            return serve

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(_READ_TIMEOUT)
            try:
                request = _read_request(conn)
                serve = None if request is None else self._next(*request)
                if isinstance(serve, Answer) and request is not None:
                    self._answer(conn, serve, request[2].get("accept-encoding", ""))
                elif isinstance(serve, Reply):
                    conn.sendall(_head(serve, len(serve.body)) + serve.body)
                elif isinstance(serve, Fault) and serve.kind == "reset":
                    reply = Reply(200, b'{"invoice_payment_details":{"payment_url":"https://')
                    conn.sendall(_head(reply, 200) + reply.body)
                    # SO_LINGER with a zero timeout: close() sends RST, not FIN.
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                elif isinstance(serve, Fault) and serve.kind == "hang":
                    self._release.wait()
                elif isinstance(serve, Fault) and serve.kind == "trickle":
                    conn.sendall(_head(Reply(200), len(_TRICKLED)))
                    for index in range(len(_TRICKLED)):
                        if self._release.wait(1.0):
                            return
                        conn.sendall(_TRICKLED[index : index + 1])
            except OSError:
                return

    def _answer(self, conn: socket.socket, answer: Answer, accept_encoding: str) -> None:
        """A generated answer: its headers as written, its framing, coding and transport."""
        answer = answer.resolved(time.time())
        headers, body = answer.wire(accept_encoding)
        try:
            phrase = HTTPStatus(answer.status).phrase
        except ValueError:
            phrase = "Status"
        framing = (
            "transfer-encoding: chunked"
            if answer.framing == "chunked"
            else (f"content-length: {len(body)}")
        )
        lines = [f"HTTP/1.1 {answer.status} {phrase}", *(f"{n}: {v}" for n, v in headers)]
        head = "\r\n".join([*lines, framing, "connection: close"]) + "\r\n\r\n"
        conn.sendall(head.encode("latin-1", "replace"))
        if answer.transport in ("cut", "reset"):
            part = body[: len(body) // 2]
            conn.sendall(
                b"%x\r\n%s\r\n" % (len(part), part) if answer.framing == "chunked" else part
            )
            if answer.transport == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        for piece in answer.split(body):
            if answer.transport == "slow" and self._release.wait(min(answer.gap, SLOW_GAP_CAP)):
                return
            chunk = b"%x\r\n%s\r\n" % (len(piece), piece) if piece else b""
            conn.sendall(chunk if answer.framing == "chunked" else piece)
        if answer.framing == "chunked":
            conn.sendall(b"0\r\n\r\n")


@contextlib.contextmanager
def fault_server() -> Iterator[FaultServer]:
    """A running ``FaultServer``, stopped on exit."""
    server = FaultServer()
    try:
        yield server
    finally:
        server.stop()
