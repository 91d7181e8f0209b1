"""The body of an HTTP/1.1 answer, read by its framing (RFC 9112 section 6.3), faults noted.

``Content-Length`` and ``Transfer-Encoding`` both, a ``Content-Length`` that is not one number,
a malformed chunk, a body cut short by the connection closing: each is noted on the answer (the
connection is then not reused), never raised, so that the run goes on.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

    from conformance._server.transport.exchange import Head

__all__ = ["NoAnswer", "Received", "Stream", "read_body"]

_MAX_LINE = 128 * 1024
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?")
# Statuses whose answers have no content whatever their headers (RFC 9112 section 6.3, rule 1).
_NO_CONTENT = frozenset({204, 304})


class NoAnswer(Exception):
    """Nothing HTTP came back: the connection failed, closed, reset or timed out first."""

    def __init__(self, message: str, *, tls: bool = False, connect: bool = False) -> None:
        super().__init__(message)
        self.tls, self.connect = tls, connect


@dataclass
class Received:
    """One answer as it came: its head, the 1xx heads before it, the body bytes (chunked framing
    undone), the framing faults seen on the way (of the message, of its 1xx), and whether the connection may be reused."""

    head: Head
    interim: list[Head] = field(default_factory=list)
    body: bytes = b""
    truncated: bool = False
    faults: list[str] = field(default_factory=list)
    interim_faults: list[str] = field(default_factory=list)
    keep: bool = False


class Stream:
    """A socket read through a buffer, line by line or count by count."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.buffer, self.received = sock, bytearray(), 0
        # Once the head is read, a timeout ends the body (noted) rather than the answer.
        self.in_body = False

    def fill(self) -> bool:
        """Read what the socket has (blocking up to its timeout); False at the end."""
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            if not self.in_body:
                raise
            data = b""
        except (ConnectionResetError, ConnectionAbortedError, ssl.SSLEOFError):
            data = b""
        self.received += len(data)
        self.buffer += data
        return bool(data)

    def line(self, limit: int = _MAX_LINE) -> bytes | None:
        """One line without its CRLF (a bare LF accepted, RFC 9112 section 2.2), or None at EOF."""
        while (end := self.buffer.find(b"\n")) < 0:
            if len(self.buffer) > limit or not self.fill():
                return None
        line = bytes(self.buffer[:end]).removesuffix(b"\r")
        del self.buffer[: end + 1]
        return line

    def take(self, count: int) -> bytes:
        """Up to ``count`` bytes: fewer only when the connection closed first."""
        while len(self.buffer) < count and self.fill():
            pass
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def rest(self, limit: int) -> tuple[bytes, bool]:
        """Everything until the connection closes, up to ``limit`` bytes; True when cut there."""
        while len(self.buffer) <= limit and self.fill():
            pass
        data = bytes(self.buffer[:limit])
        return data, len(self.buffer) > limit


def _values(head: Head, name: str) -> list[str]:
    return [value for key, value in head.fields if key.lower() == name]


def _length(head: Head, faults: list[str]) -> int | None:
    """The one Content-Length (repeats of one number allowed, RFC 9110 section 8.6), else None
    with a fault noted."""
    values = {v.strip() for value in _values(head, "content-length") for v in value.split(",")}
    if len(values) == 1 and (value := values.pop()).isdigit():
        return int(value)
    faults.append(
        f"Content-Length is not one number: {', '.join(_values(head, 'content-length'))!r} "
        "(RFC 9112 section 6.3: an unrecoverable error)"
    )
    return None


def read_body(stream: Stream, received: Received, method: str, limit: int) -> None:
    """Read ``received``'s body from ``stream`` as its head frames it (RFC 9112 section 6.3)."""
    head, faults = received.head, received.faults
    stream.in_body = True
    status = head.status or 0
    connection = {t.strip().lower() for v in _values(head, "connection") for t in v.split(",")}
    persistent = head.line.startswith("HTTP/1.1") and "close" not in connection
    codings = [t.strip().lower() for v in _values(head, "transfer-encoding") for t in v.split(",")]
    lengths = _values(head, "content-length")
    if method == "HEAD" or status in _NO_CONTENT:
        received.keep = persistent and not faults
        return
    if codings:
        if lengths:
            faults.append(
                "Content-Length and Transfer-Encoding both (RFC 9112 section 6.1: a sender MUST "
                "NOT send Content-Length with Transfer-Encoding); read by Transfer-Encoding"
            )
        if codings[-1] == "chunked":
            _chunked(stream, received, limit)
            received.keep = persistent and not faults and not received.truncated
        else:
            received.body, received.truncated = stream.rest(limit)
        return
    if lengths:
        length = _length(head, faults)
        if length is None:
            # No telling where it ends: what comes before the server closes or pauses.
            stream.sock.settimeout(min(1.0, stream.sock.gettimeout() or 1.0))
            received.body, received.truncated = stream.rest(limit)
            return
        received.body = stream.take(min(length, limit))
        received.truncated = length > limit
        if len(received.body) < min(length, limit):
            faults.append(
                f"the body was cut short: {len(received.body)} of the {length} bytes its "
                "Content-Length announces came before the connection closed or stalled (RFC 9112 section 8)"
            )
        received.keep = persistent and not faults and not received.truncated
        return
    # No length at all: the body runs until the server closes the connection (rule 8).
    received.body, received.truncated = stream.rest(limit)


def _chunked(stream: Stream, received: Received, limit: int) -> None:
    body = bytearray()
    while True:
        line = stream.line()
        if line is None:
            received.faults.append(
                f"the body was cut short: the connection closed or stalled after {len(body)} "
                "bytes, before the last chunk (RFC 9112 sections 7.1 and 8)"
            )
            break
        match = _CHUNK_SIZE.fullmatch(line)
        if match is None:
            received.faults.append(
                f"a chunk size line that is not one: {line[:40]!r} (RFC 9112 section 7.1)"
            )
            break
        size = int(match.group(1), 16)
        if size == 0:
            while (trailer := stream.line()) is not None and trailer:
                pass
            break
        data = stream.take(size)
        body += data
        if len(data) < size:
            received.faults.append(
                f"the body was cut short: the connection closed or stalled inside a chunk, after "
                f"{len(body)} bytes (RFC 9112 sections 7.1 and 8)"
            )
            break
        if len(body) > limit:
            received.truncated = True
            break
        if stream.line() != b"":
            received.faults.append("a chunk not followed by CRLF (RFC 9112 section 7.1)")
            break
    received.body = bytes(body[:limit])
