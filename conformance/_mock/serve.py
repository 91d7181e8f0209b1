"""Serving an ASGI app over real HTTP with uvicorn: in a background thread, or in the foreground.

uvicorn is set up to hand the app what Puma would (docs/lago-behaviour.md, "Puma"): h11 takes
any method token and header bytes 0x80-0xFF, its size limit is raised past Puma's so that the
mock's own Puma limits decide, no ``server`` or ``date`` header is added (Puma sends neither),
proxy headers are left alone, a request with no ``Host`` or with two is served (h11 refuses
both; Puma does not), and a request h11 cannot parse gets Puma's answer to one: ``400`` with an
empty body and no content type.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from typing import TYPE_CHECKING, Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from conformance._errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["PumaLikeH11", "bind", "serve_forever", "serving"]

# Above Puma's 112 KiB of request line and headers (puma_http11.c MAX_HEADER), so Puma's limit,
# modelled in conformance/_mock/puma.py, is the one a client meets.
H11_MAX_HEADER = 256 * 1024


# A request head ends at its first empty line (h11 also takes bare LF line ends).
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_HOST_LINE = re.compile(rb"(?im)^host:")
# What a request head starts with: a method token, then a space. Anything else (a TLS
# handshake, junk) goes to h11 at once, which refuses it at once.
_HEAD_START = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]*(?: |\Z)")
# What a Host line is called while h11 reads the head, and the one Host h11 is shown instead.
_HIDDEN_HOST = b"x-lago-conformance-hidden-host"
_SHOWN_HOST = (b"host", b"x-lago-conformance.invalid")


def _hide_hosts(head: bytes) -> bytes | None:
    """``head`` with its Host lines renamed and one stand-in Host, when h11 would refuse it (no
    Host on HTTP/1.1, or two); else None."""
    line, _, rest = head.partition(b"\n")
    hosts = len(_HOST_LINE.findall(rest))
    if hosts == 1 or (hosts == 0 and not line.rstrip().endswith(b"HTTP/1.1")):
        return None
    hidden = _HOST_LINE.sub(_HIDDEN_HOST + b":", rest)
    return line + b"\n" + b"%s: %s\r\n" % _SHOWN_HOST + hidden


def _shown_hosts(headers: list[tuple[bytes, bytes]]) -> None:
    """Undo ``_hide_hosts`` in the headers h11 read: the stand-in out, the Host lines back."""
    headers.remove(_SHOWN_HOST)
    headers[:] = [((b"host" if n == _HIDDEN_HOST else n), v) for n, v in headers]


class PumaLikeH11(H11Protocol):
    """uvicorn's h11 protocol serving a request as Puma does where h11 would refuse it: no
    ``Host``, or two, are served; an unparsable request gets an empty 400, or an empty 501 for a
    Transfer-Encoding it does not implement (h11's ``error_status_hint``)."""

    _refusal: int = 400
    _held: bytes = b""
    _hidden: bool = False

    def data_received(self, data: bytes) -> None:
        """Hold a request head back until it is whole, so that its Host lines can be hidden."""
        if self.conn.their_state is not h11.IDLE or self.conn.trailing_data[0]:
            super().data_received(data)  # a body, or a pipelined request h11 already holds
            return
        self._held += data
        end = _HEAD_END.search(self._held)
        plausible = _HEAD_START.match(self._held) is not None
        if end is None and plausible and len(self._held) <= H11_MAX_HEADER:
            return
        data, self._held = self._held, b""
        if end is not None and (hidden := _hide_hosts(data[: end.start()])) is not None:
            data, self._hidden = hidden + data[end.start() :], True
        super().data_received(data)

    def handle_events(self) -> None:
        """uvicorn's loop, remembering the status h11 suggests for a request it refuses."""
        receive = self.conn.next_event

        def next_event() -> Any:
            try:
                return receive()
            except h11.RemoteProtocolError as error:
                self._refusal = 501 if error.error_status_hint == 501 else 400
                raise

        self.conn.next_event = next_event  # type: ignore[method-assign]
        try:
            super().handle_events()
        finally:
            del self.conn.next_event
        if self._hidden and self.scope is not None:
            # The app's task starts after this callback returns, so it reads the real Hosts
            self._hidden = False
            _shown_hosts(self.scope["headers"])  # type: ignore[arg-type]

    def send_400_response(self, msg: str) -> None:
        """Puma's answer to a request it cannot read (``lowlevel_error``, then ``str_headers``):
        the status and ``content-length: 0`` alone, no body, no content type; then close."""
        del msg
        phrase = "Not Implemented" if self._refusal == 501 else "Bad Request"
        head = f"HTTP/1.1 {self._refusal} {phrase}\r\ncontent-length: 0\r\n\r\n"
        self.transport.write(head.encode())
        self.transport.close()


def _config(app: Any, log_level: str, **extra: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="off",
        http=PumaLikeH11,
        h11_max_incomplete_event_size=H11_MAX_HEADER,
        server_header=False,
        date_header=False,
        proxy_headers=False,
        **extra,
    )


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
    return uvicorn.Server(_config(app, log_level, access_log=False, timeout_graceful_shutdown=1))


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
    uvicorn.Server(_config(app, "info", access_log=access_log)).run(sockets=[sock])
