"""The witness's client: requests sent byte for byte, and what a client relies on in each answer.

Stricter than most clients on purpose where RFC 9112 says "ought to be handled as an error"
(Transfer-Encoding with Content-Length, as Node's llhttp does), and decoding a content coding
only when the request asked for it (a client that asked for none cannot decode one).
"""

from __future__ import annotations

import contextlib
import json
import socket
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from tests.wild_front_wire import NO_ANSWER, WireError, get, read_response

if TYPE_CHECKING:
    from types import TracebackType

    from tests.wild_front_wire import Fields, Response


@dataclass(frozen=True)
class Probe:
    """One request of a witness: sent with exactly these fields, plus Host and the body's length."""

    method: str
    target: str
    fields: Fields = ()
    body: bytes = b""
    framed: bool = True  # Content-Length on a POST even when empty, as HTTP libraries send it

    def wire(self, host: str) -> bytes:
        """The request's bytes."""
        fields = self.fields
        if get(fields, "host") is None:
            fields = (("Host", host), *fields)
        if self.framed and (self.body or self.method in ("POST", "PUT", "PATCH")):
            fields += (("Content-Length", str(len(self.body))),)
        lines = [f"{self.method} {self.target} HTTP/1.1", *(f"{k}: {v}" for k, v in fields)]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass(frozen=True)
class Seen:
    """What a client relies on in an answer: status, media type, body, and any named fields."""

    status: int  # 0: no answer could be read
    media: str
    body: object  # the JSON value, else the bytes, else the error
    fields: tuple[tuple[str, str | None], ...] = ()


def _decoded(probe: Probe, response: Response) -> bytes:
    coding = (response.header("content-encoding") or "identity").strip().lower()
    if coding == "identity":
        return response.body
    asked = (get(probe.fields, "accept-encoding") or "").lower()
    if coding not in asked:
        return response.body  # not asked for: the client cannot decode it, it sees the bytes
    try:
        return zlib.decompress(response.body, 47 if coding in ("gzip", "x-gzip") else 15)
    except zlib.error as error:
        raise WireError(f"a {coding} body that does not decode: {error}") from None


def seen(probe: Probe, response: Response, compare: tuple[str, ...]) -> Seen:
    """What a client relies on in ``response``."""
    media = (response.header("content-type") or "").lower().replace(" ", "")
    body: object = _decoded(probe, response)
    with contextlib.suppress(ValueError):
        body = json.loads(body)  # type: ignore[arg-type]
    return Seen(response.status, media, body, tuple((n, response.header(n)) for n in compare))


class Session:
    """One connection to a deployment, kept alive between probes as clients do."""

    def __init__(self, url: str, compare: tuple[str, ...] = ()) -> None:
        self.address = url.removeprefix("http://")
        host, _, port = self.address.rpartition(":")
        self._where = (host, int(port))
        self.compare = compare
        self._sock: socket.socket | None = None
        self._reader: BinaryIO | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection, if open."""
        if self._reader is not None:
            self._reader.close()
        if self._sock is not None:
            self._sock.close()
        self._sock, self._reader = None, None

    def send(self, probe: Probe) -> Seen:
        """Send ``probe`` and read its answer; sent again, once, on a new connection when a reused
        one was closed before any answer (a server's idle timeout, which clients retry)."""
        for attempt in (0, 1):
            reused = self._reader is not None
            try:
                return self._exchange(probe)
            except (OSError, WireError) as error:
                self.close()
                stale = isinstance(error, OSError) or str(error) == NO_ANSWER
                if attempt or not reused or not stale:
                    return Seen(0, "", f"error: {error}")
        raise AssertionError("unreachable")

    def _exchange(self, probe: Probe) -> Seen:
        if self._sock is None or self._reader is None:
            self._sock = socket.create_connection(self._where, timeout=30)
            self._reader = self._sock.makefile("rb")
        self._sock.sendall(probe.wire(self.address))
        response = read_response(self._reader, probe.method, strict=True)
        result = seen(probe, response, self.compare)
        if response.closes:
            self.close()
        return result


def run(url: str, probes: tuple[Probe, ...], compare: tuple[str, ...] = ()) -> list[Seen]:
    """Each probe's answer, in order, on one kept-alive connection."""
    with Session(url, compare) as session:
        return [session.send(probe) for probe in probes]
