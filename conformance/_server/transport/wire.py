"""HTTP/1.1 answers read as they came, over a socket: status lines, header lines, body bytes, and
what is wrong with their framing.

Why a reader of our own: an HTTP client (httpx over h11) reads only what it can accept. Given
``Content-Length`` and ``Transfer-Encoding`` both, h11 silently frames by one of them; given a
1xx with a body, or a 101 nobody asked for, or a body cut short, it raises and the answer is
lost. The suite must see each of these as what it is, a fault of the answer to one request, and
go on over a fresh connection. So the request is built by httpx (the same bytes as before) and
written as is; the answer is read here, by RFC 9112's rules (section 6.3, the message body
length), with every fault noted instead of raised.
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import TYPE_CHECKING

import httpx

from conformance._server.transport.exchange import Head
from conformance._server.transport.framing import NoAnswer, Received, Stream, read_body
from conformance._server.transport.proxy import proxy_for

if TYPE_CHECKING:
    from conformance._contract.request import Request

__all__ = ["Wire"]

_STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) (\d{3})(?: (.*))?")
# How far past a 1xx the reader looks for the next status line, when bytes came between.
_RESYNC = 64 * 1024


class Wire:
    """The connection to a live target, opened when needed and kept while its answers allow;
    every request written as httpx builds it, every answer read by ``_read``; through the
    environment's proxy, when it names one for the target (``proxy.py``)."""

    def __init__(self, url: str, timeout: float, max_body: int) -> None:
        self.url, self.timeout, self.max_body = httpx.URL(url), timeout, max_body
        self.proxy = proxy_for(self.url)
        self._sock: socket.socket | None = None
        self._tls: ssl.SSLContext | None = None

    def close(self) -> None:
        """Close the connection, if one is open."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _connect(self) -> socket.socket:
        url = self.url
        port = url.port or (443 if url.scheme == "https" else 80)
        if self.proxy is not None:
            sock = self.proxy.connect(self.timeout)
            if url.scheme == "https":
                host = url.raw_host
                authority = b"[%s]:%d" % (host, port) if b":" in host else b"%s:%d" % (host, port)
                try:
                    self.proxy.tunnel(sock, authority)
                except (NoAnswer, OSError):
                    sock.close()
                    raise
        else:
            try:
                sock = socket.create_connection((url.host, port), timeout=self.timeout)
            except TimeoutError:
                raise NoAnswer(f"no connection within the {self.timeout:g} s timeout") from None
            except OSError as error:
                raise NoAnswer(f"connection failed: {error}", connect=True) from None
        if url.scheme == "https":
            if self._tls is None:
                self._tls = httpx.create_ssl_context()
                self._tls.set_alpn_protocols(["http/1.1"])
            try:
                sock = self._tls.wrap_socket(sock, server_hostname=url.host)
            except (ssl.SSLError, OSError) as error:
                sock.close()
                raise NoAnswer(f"{error}", tls=True) from None
        return sock

    def send(self, request: Request, url: str) -> Received:
        """Write ``request`` to ``url`` and read its answer; raises ``NoAnswer`` when nothing HTTP
        came back. A kept connection the server closed meanwhile is replaced once."""
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
        built = httpx.Request(request.method, url, headers=headers, content=request.body or None)
        target = built.url.raw_path
        if self.proxy is not None and built.url.scheme == "http":
            # Through a proxy, an http request names its whole URL (RFC 9112 section 3.2.2).
            target = b"http://%s%s" % (built.url.netloc, target)
        data = b"%s %s HTTP/1.1\r\n" % (request.method.encode("latin-1"), target)
        data += b"".join(b"%s: %s\r\n" % pair for pair in built.headers.raw)
        if self.proxy is not None and built.url.scheme == "http":
            data += self.proxy.header()
        data += b"\r\n"
        data += request.body
        for fresh in (self._sock is None, True):
            if self._sock is None:
                self._sock = self._connect()
            try:
                self._sock.sendall(data)
                stream = Stream(self._sock)
                received = self._read(stream, request)
            except NoAnswer:
                self.close()
                if fresh or stream.received:
                    raise
                continue
            except TimeoutError:
                self.close()
                raise NoAnswer(f"no answer within the {self.timeout:g} s timeout") from None
            except OSError as error:
                self.close()
                if fresh:
                    raise NoAnswer(f"connection closed or reset mid-response: {error}") from None
                continue
            if not received.keep or received.interim_faults:
                self.close()
            return received
        raise AssertionError("unreachable")  # pragma: no cover

    def _head(self, stream: Stream, faults: list[str]) -> Head:
        line = stream.line()
        if line is None:
            raise NoAnswer("connection closed or reset mid-response: no status line came")
        match = _STATUS_LINE.fullmatch(line)
        if match is None:
            raise NoAnswer(f"not an HTTP answer: {line[:80]!r}")
        fields: list[tuple[str, str]] = []
        while (line := stream.line()) is not None and line:
            if line[:1] in (b" ", b"\t") and fields:
                # obs-fold: a recipient replaces it with a space (RFC 9112 section 5.2).
                folded, before = fields.pop()
                fields.append((folded, f"{before} {line.strip().decode('latin-1')}"))
                continue
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                faults.append(
                    f"a header line that is not a field: {line[:60]!r} (RFC 9112 section 5)"
                )
                continue
            fields.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
        if line is None:
            faults.append("the connection closed inside the header section")
        return Head(match.group(0).decode("latin-1"), int(match.group(3)), tuple(fields))

    def _read(self, stream: Stream, request: Request) -> Received:
        faults: list[str] = []
        head = self._head(stream, faults)
        interim: list[Head] = []
        interim_faults: list[str] = []
        while head.status is not None and 100 <= head.status < 200 and head.status != 101:
            interim.append(head)
            skipped = _resync(stream)
            if skipped:
                interim_faults.append(
                    f"{head.status} came with {skipped} bytes of body before the next status line "
                    "(a 1xx answer ends with its header section, RFC 9112 section 6.3)"
                )
            head = self._head(stream, faults)
        received = Received(head, interim, faults=faults, interim_faults=interim_faults)
        if head.status == 101:
            if request.header("upgrade") is None:
                interim_faults.append(
                    "101 Switching Protocols to a request that asked for no upgrade (RFC 9110 "
                    "section 15.2.2: a server switches only to a protocol the Upgrade field names)"
                )
            return received
        read_body(stream, received, request.method, self.max_body)
        return received


def _resync(stream: Stream) -> int:
    """Bytes before the next status line (0 when it comes right away): a 1xx's stray body."""
    while len(stream.buffer) < 5 and stream.fill():
        pass
    if stream.buffer.startswith(b"HTTP/"):
        return 0
    while (at := stream.buffer.find(b"HTTP/1.")) < 0:
        if len(stream.buffer) > _RESYNC or not stream.fill():
            raise NoAnswer("a 1xx answer was followed by bytes and no status line")
    del stream.buffer[:at]
    return at
