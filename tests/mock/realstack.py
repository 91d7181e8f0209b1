"""Lago's real stack, recorded (tests/data/realstack/): its exchanges, and the mock's answers to
the same bytes, in-process and over HTTP, reduced to what the corpus test compares."""

from __future__ import annotations

import functools
import json
import re
import socket
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import LagoMock
from conformance._contract.drawn.strategy import MAX_HEADERS, RANDOM_NAME, Aim, Free, build
from conformance._contract.fixtures import Fixtures
from conformance._contract.request import Request

if TYPE_CHECKING:
    from conformance._contract.rules import Reply

CORPUS = Path(__file__).parent.parent / "data" / "realstack" / "corpus-seed1.json"
# The corpus stores a request longer than this cut, "...[N chars]" in place of its tail.
_CUT = re.compile(r"\.\.\.\[\d+ chars\]\Z")
# LAGO_FRONT_URL of the recording: the one origin Lago's CORS set-up allows.
FRONT_URL = "http://localhost"
_MASKS = (
    (re.compile(rb'"(lago_customer_id|external_customer_id)":"[^"]*"'), rb'"\1":"<masked>"'),
    (re.compile(rb"cs_test_[0-9A-Za-z]+"), b"cs_test_<token>"),
)


@dataclass(frozen=True)
class Exchange:
    """One recorded exchange: its index, the request's bytes, the features drawn, the answer."""

    index: int
    raw: bytes
    features: tuple[str, ...]
    answer: Seen

    @property
    def http10(self) -> bool:
        """Whether the request line says HTTP/1.0."""
        return self.raw.split(b"\r\n", 1)[0].endswith(b"HTTP/1.0")


@dataclass(frozen=True)
class Seen:
    """An answer as the corpus test compares it: status, media type and charset, body, names."""

    status: int
    content_type: str | None
    body: bytes
    names: frozenset[str]

    def differences(self, other: Seen, *, http10: bool = False) -> tuple[str, ...]:
        """Which of status, content type, body and header names differ from ``other``."""
        names, others = self.names, other.names
        if http10:  # the server library's Connection header on an HTTP/1.0 answer may stay
            names, others = names - {"connection"}, others - {"connection"}
        aspects = (
            ("status", self.status != other.status),
            ("content-type", self.content_type != other.content_type),
            ("body", self.body != other.body),
            ("headers", names != others),
        )
        return tuple(name for name, differs in aspects if differs)


def seen(status: int, headers: list[tuple[str, str]], body: bytes) -> Seen:
    """The compared parts of an answer: the content type as written (media type and charset),
    the body masked (customer ids, checkout tokens, request ids, runtimes), header names."""
    content_types = [value for name, value in headers if name.lower() == "content-type"]
    for pattern, replacement in _MASKS:
        body = pattern.sub(replacement, body)
    names = frozenset(name.lower() for name, _ in headers)
    return Seen(status, content_types[0] if content_types else None, body, names)


@functools.cache
def corpus() -> dict[str, Any]:
    """The corpus file, parsed once."""
    loaded: dict[str, Any] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def exchanges() -> tuple[list[Exchange], int]:
    """The exchanges whose request the corpus holds whole, and how many it stores cut."""
    kept, cut = [], 0
    for index, item in enumerate(corpus()["exchanges"]):
        if _CUT.search(item["request"]):
            cut += 1
            continue
        answer = item["answer"]
        status = int(answer["status_line"].split()[1])
        headers = [(name, value) for name, value in answer["headers"]]
        body = answer["body"].encode("utf-8") if answer["body_base64"] is None else b""
        raw = item["request"].encode("latin-1")
        kept.append(Exchange(index, raw, tuple(item["features"]), seen(status, headers, body)))
    return kept, cut


def recorded_mock() -> LagoMock:
    """The mock set up as the recorded stack was: its key, its invoices, the other organization."""
    data = corpus()
    other = str(data["other_organization_api_key"]).split()[0]
    return LagoMock(
        api_key=str(data["api_key"]),
        other_api_key=other,
        invoices_from=Fixtures(dict(data["invoices"])),
        front_url=FRONT_URL,
        clock=lambda: 0.0,
    )


def parse(raw: bytes) -> Request:
    """The ``Request`` a server hands over for ``raw``: chunks joined, Content-Length honoured."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    line, *lines = head.decode("latin-1").split("\r\n")
    method, target = line.split(" ")[:2]
    path, _, query = target.partition("?")
    headers = []
    for text in lines:
        name, _, value = text.partition(":")
        headers.append((name, value.strip(" \t")))
    request = Request(method, path, query, tuple(headers), rest)
    encoding = (request.header("transfer-encoding") or "").lower()
    if encoding.endswith("chunked"):
        return request.replace(body=_dechunk(rest))
    length = request.header("content-length")
    if length is not None and length.isdigit():
        return request.replace(body=rest[: int(length)])
    return request


def _dechunk(data: bytes) -> bytes:
    body = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        body, data = body + data[:size], data[size + 2 :]
    return body


def in_process(mock: LagoMock, raw: bytes | Request) -> Seen:
    """The mock's answer to ``raw`` (bytes, or a request as data) in-process, as the ASGI entry
    would send it."""
    request = parse(raw) if isinstance(raw, bytes) else raw
    reply: Reply = mock.respond(request)
    body = b"" if request.method == "HEAD" else reply.body
    headers = [("content-length", str(len(reply.body))), *reply.all_headers()]
    return seen(reply.status, headers, body)


def over_http(address: tuple[str, int], raw: bytes) -> Seen:
    """The answer a server at ``address`` gives to ``raw`` sent as is, on its own connection."""
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(raw)
        received = b""
        while True:
            head, sep, body = received.partition(b"\r\n\r\n")
            if sep and not head.startswith(b"HTTP/1.1 100"):
                status, headers = _head(head)
                length = {n.lower(): v for n, v in headers}.get("content-length")
                if raw.startswith(b"HEAD ") or (length is not None and len(body) >= int(length)):
                    return seen(status, headers, body[: int(length or 0)])
            elif sep:  # an interim 100 Continue: the answer follows it
                received = body
                continue
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                chunk = b""
            if not chunk:
                status, headers = _head(head) if sep else (0, [])
                return seen(status, headers, body)
            received += chunk


def _head(head: bytes) -> tuple[int, list[tuple[str, str]]]:
    line, *lines = head.decode("latin-1").split("\r\n")
    headers = [(name, value.strip()) for name, _, value in (text.partition(":") for text in lines)]
    return int(line.split()[1]), headers


def aim() -> Aim:
    """What the recorded requests aimed at: the corpus' keys and invoices, on localhost."""
    data = corpus()
    other = str(data["other_organization_api_key"]).split()[0]
    return Aim(str(data["api_key"]), other, dict(data["invoices"]))


_FRAMING = frozenset({"content-length", "transfer-encoding"})
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")


def _free(exchange: Exchange, request: Request) -> Free:
    """The values of ``exchange``'s request that no feature fixes, read back from it."""
    names = [
        f.removeprefix("header ").split(":")[0]
        for f in exchange.features
        if f.endswith(RANDOM_NAME)
    ]
    values = tuple(request.values(name)[0] for name in names)
    bare = urllib.parse.unquote(request.path).replace("-", "")
    found = [h for h in _HEX32.findall(bare) if str(uuid.UUID(h)) not in aim().invoices.values()]
    random_id = str(uuid.UUID(found[0])) if found else Free().random_id
    return Free(values, random_id, request.body or b"\x00")


def in_domain(features: tuple[str, ...]) -> bool:
    """Whether ``drawn.strategy.feature_sets(wire=True)`` can draw ``features``."""
    dimensions = Counter(f.split("=")[0] for f in features if not f.startswith("header "))
    headers = sum(1 for f in features if f.startswith("header "))
    needs_body = dimensions["content-type"] + dimensions["transfer-encoding"]
    return (
        headers <= MAX_HEADERS
        and all(count == 1 for count in dimensions.values())
        and (dimensions["id"] + dimensions["invoice"]) <= 1
        and (not needs_body or dimensions["body"] == 1)
    )


def reproduces(exchange: Exchange) -> bool:
    """Whether the strategy can draw ``exchange``'s request: its features are in the strategy's
    domain, and ``build`` makes that very request (framing headers aside) from them."""
    if not in_domain(exchange.features):
        return False
    recorded = parse(exchange.raw)
    chunked = (recorded.header("transfer-encoding") or "").lower() == "chunked"
    unframed = tuple((n, v) for n, v in recorded.headers if n.lower() not in _FRAMING)
    recorded = recorded.replace(headers=unframed)
    try:
        drawn = build(exchange.features, aim(), _free(exchange, recorded))
    except (KeyError, ValueError, IndexError):
        return False
    same_body = drawn.request.body == recorded.body or (
        drawn.request.body == b"\x00" and not recorded.body
    )
    return (
        drawn.request.replace(body=b"") == recorded.replace(body=b"")
        and same_body
        and (drawn.http10, drawn.chunked) == (exchange.http10, chunked)
    )
