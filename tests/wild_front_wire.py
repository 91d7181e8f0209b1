"""HTTP/1.1 messages on raw sockets for the wild fronts: read one, frame it, write it back.

The fronts need wire-level control (two Content-Type fields, a stale Content-Length, chunked
framing with a Content-Length too, 103 before the answer), which no HTTP library lets a server
send; so messages are read and written here, as bytes, with header values kept as latin-1 text.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, replace
from typing import BinaryIO, Literal

MAX_HEAD = 256 * 1024
Framing = Literal["length", "chunked", "close", "verbatim"]
Fields = tuple[tuple[str, str], ...]
NO_ANSWER = "the connection ended before an answer"


class WireError(Exception):
    """A message that cannot be read: cut short, or framed in a way HTTP/1.1 refuses."""


class Unframeable(WireError):
    """A request whose body length cannot be told (an unknown Transfer-Encoding, a bad length)."""

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw  # the head as received, which the front hands on for Lago to refuse


def get(fields: Fields, name: str) -> str | None:
    """The values of the fields called ``name`` joined by ", " (any case), or None."""
    found = [v for k, v in fields if k.lower() == name.lower()]
    return ", ".join(found) if found else None


def without(fields: Fields, *names: str) -> Fields:
    """``fields`` without those called one of ``names``."""
    drop = {name.lower() for name in names}
    return tuple((k, v) for k, v in fields if k.lower() not in drop)


@dataclass(frozen=True)
class Request:
    """A request as received: the request line's parts, fields in order, the body, the raw bytes."""

    method: str
    target: str
    version: str
    fields: Fields
    body: bytes = b""
    raw: bytes = b""  # what came on the wire; sent on unchanged when the front changes nothing

    def header(self, name: str) -> str | None:
        """The field ``name`` (repeats joined by ", "), or None."""
        return get(self.fields, name)

    @property
    def path(self) -> str:
        """The target without its query."""
        return self.target.partition("?")[0]

    def changed(self, **changes: object) -> Request:
        """This request changed (then serialised anew from its parts, not sent as received)."""
        return replace(self, raw=b"", **changes)  # type: ignore[arg-type]

    def with_fields(self, *added: tuple[str, str], drop: tuple[str, ...] = ()) -> Request:
        """This request with the fields ``drop`` names removed and ``added`` appended."""
        return self.changed(fields=without(self.fields, *drop) + added)

    def wire(self) -> bytes:
        """The bytes to send upstream."""
        if self.raw:
            return self.raw
        lines = [
            f"{self.method} {self.target} {self.version}",
            *(f"{k}: {v}" for k, v in self.fields),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass(frozen=True)
class Response:
    """An answer: status line, fields, body, and how the front frames it on the wire."""

    status: int
    reason: str
    fields: Fields
    body: bytes = b""
    version: str = "HTTP/1.1"
    framing: Framing = "length"  # verbatim: the fields and body exactly as they are
    interim: tuple[bytes, ...] = ()  # whole 1xx messages written before the answer
    chunk: int = 4096

    def header(self, name: str) -> str | None:
        """The field ``name`` (repeats joined by ", "), or None."""
        return get(self.fields, name)

    def with_fields(self, *added: tuple[str, str], drop: tuple[str, ...] = ()) -> Response:
        """This answer with the fields ``drop`` names removed and ``added`` appended."""
        return replace(self, fields=without(self.fields, *drop) + added)

    def wire(self, head_only: bool) -> bytes:
        """The bytes a client receives (without a body when answering HEAD)."""
        fields = self.fields
        body = b"" if head_only else self.body
        if self.framing == "chunked":
            fields = without(fields, "content-length", "transfer-encoding")
            fields += (("Transfer-Encoding", "chunked"),)
            body = b"" if head_only else chunked(self.body, self.chunk)
        elif self.framing in ("length", "close") and not head_only:
            fields = without(fields, "content-length", "transfer-encoding")
            if self.framing == "length":
                fields += (("Content-Length", str(len(self.body))),)
        if self.framing == "close" and (get(fields, "connection") or "").lower() != "close":
            fields += (("Connection", "close"),)
        lines = [f"{self.version} {self.status} {self.reason}", *(f"{k}: {v}" for k, v in fields)]
        return b"".join(self.interim) + ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    @property
    def closes(self) -> bool:
        """Whether the connection ends after this answer."""
        persistent = self.version == "HTTP/1.1" and self.framing != "close"
        return not persistent or "close" in (self.header("connection") or "").lower()


def chunked(body: bytes, size: int) -> bytes:
    """``body`` in chunks of ``size`` bytes, then the last chunk."""
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def read_head(reader: BinaryIO) -> tuple[bytes, str, Fields] | None:
    """The raw head, its first line and its fields; None on a clean end before any byte."""
    raw = bytearray()
    lines: list[str] = []
    while True:
        line = reader.readline(MAX_HEAD + 1)
        if not line:
            if not raw:
                return None
            raise WireError("the connection ended inside a message head")
        raw += line
        if len(raw) > MAX_HEAD:
            raise WireError("a message head over 256 KiB")
        if line in (b"\r\n", b"\n"):
            if lines:
                break
            continue  # an empty line before a request is allowed (RFC 9112 section 2.2)
        lines.append(line.rstrip(b"\r\n").decode("latin-1"))
    fields = tuple((k.strip(), v.strip(" \t")) for k, _, v in (x.partition(":") for x in lines[1:]))
    return bytes(raw), lines[0], fields


def body_length(fields: Fields, *, request: bool, strict: bool = False) -> int | str:
    """The body's length, or "chunked", or "close" (a response read to the end of the stream)."""
    coding = get(fields, "transfer-encoding")
    length = get(fields, "content-length")
    if coding is not None:
        if strict and length is not None:
            # RFC 9112 section 6.3: "ought to be handled as an error"; Node's llhttp refuses it.
            raise WireError("both Transfer-Encoding and Content-Length")
        if coding.split(",")[-1].strip().lower() == "chunked":
            return "chunked"
        if request:
            raise Unframeable(f"Transfer-Encoding {coding!r}")
        return "close"
    if length is not None:
        values = {v.strip() for v in length.split(",")}
        if len(values) != 1 or not next(iter(values)).isdigit():
            raise Unframeable(f"Content-Length {length!r}")
        return int(values.pop())
    return 0 if request else "close"


def read_body(reader: BinaryIO, length: int | str) -> tuple[bytes, bytes]:
    """The body as framed on the wire and decoded from its framing."""
    if isinstance(length, int):
        body = reader.read(length) if length else b""
        if len(body) != length:
            raise WireError(f"the body ended after {len(body)} of {length} bytes")
        return body, body
    if length == "close":
        rest = reader.read()
        return rest, rest
    raw, decoded = bytearray(), bytearray()
    while True:
        line = reader.readline(1024)
        raw += line
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            raise WireError(f"a bad chunk size line {line!r}") from None
        if size == 0:
            break
        data = reader.read(size + 2)
        if len(data) != size + 2:
            raise WireError("the connection ended inside a chunk")
        raw += data
        decoded += data[:size]
    while (line := reader.readline(1024)) not in (b"\r\n", b"\n", b""):
        raw += line  # trailers, dropped
    raw += line
    return bytes(raw), bytes(decoded)


def read_request(reader: BinaryIO) -> Request | None:
    """The next request on a connection, or None when the client closed it."""
    head = read_head(reader)
    if head is None:
        return None
    raw, line, fields = head
    parts = line.split(" ")
    if len(parts) != 3:
        raise Unframeable(f"a request line of {len(parts)} parts", raw)
    try:
        length = body_length(fields, request=True)
    except Unframeable as error:
        raise Unframeable(str(error), raw) from None
    wired, body = read_body(reader, length)
    if length == "chunked":
        fields = (*without(fields, "transfer-encoding"), ("Content-Length", str(len(body))))
    return Request(parts[0], parts[1], parts[2], fields, body, raw + wired)


def read_response(reader: BinaryIO, method: str, *, strict: bool = False) -> Response:
    """The next answer on a connection, 1xx messages kept aside as ``interim``."""
    interim: list[bytes] = []
    while True:
        head = read_head(reader)
        if head is None:
            raise WireError(NO_ANSWER)
        raw, line, fields = head
        version, _, rest = line.partition(" ")
        code, _, reason = rest.partition(" ")
        if not code.isdigit():
            raise WireError(f"a bad status line {line!r}")
        status = int(code)
        if 100 <= status < 200 and status != 101:
            interim.append(raw)
            continue
        break
    bodiless = method == "HEAD" or status in (204, 304)
    length = 0 if bodiless else body_length(fields, request=False, strict=strict)
    _, body = read_body(reader, length)
    framing: Framing = "close" if length == "close" else "length"
    return Response(status, reason, fields, body, version, framing, tuple(interim))


def gzipped(body: bytes) -> bytes:
    """``body`` gzip-compressed, with a fixed mtime (the same bytes every time)."""
    return gzip.compress(body, mtime=0)
