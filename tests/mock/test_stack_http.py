"""Over a real socket on 127.0.0.1, ``lago-conformance mock`` answers as ``respond`` does in-process.

Each request is written byte for byte (no client library between), to a mock served by uvicorn
as ``serving`` configures it, and the answer is compared with a twin's in-process answer to the
same request: status, content type, body and every header but the per-request timing and the
connection's own (``x-runtime``, ``content-length``, ``connection``).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from conformance import LagoMock
from conformance._contract.request import Request
from conformance._mock.serve import serving
from tests.conftest import API_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.http

IGNORED = {"x-runtime", "content-length", "connection"}
PATH = "/api/v1/invoices/{id}/payment_url"


@dataclass
class Swappable:
    """An ASGI app forwarding to whichever mock a test put in."""

    mock: LagoMock = field(default_factory=lambda: LagoMock(api_key=API_KEY))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.mock(scope, receive, send)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Swappable, tuple[str, int]]]:
    app = Swappable()
    with serving(app) as url:
        host, port = url.removeprefix("http://").split(":")
        yield app, (host, int(port))


def exchange(address: tuple[str, int], raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw`` and read the answer until the server closes."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers, body


def wire(request: Request) -> bytes:
    """``request`` as HTTP/1.1 bytes, with Host, Connection: close and a Content-Length."""
    lines = [f"{request.method} {request.target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    lines += ["Connection: close", f"Content-Length: {len(request.body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


def as_received(request: Request) -> Request:
    """What the mock's ASGI entry reads from ``wire(request)``."""
    extra = (("Connection", "close"), ("Content-Length", str(len(request.body))))
    return request.replace(headers=(("Host", "127.0.0.1"), *request.headers, *extra))


K = f"Bearer {API_KEY}"
CASES: dict[str, Request] = {
    "payable": Request("POST", PATH, "", (("Authorization", K),)),
    "query-verb-501": Request("QUERY", PATH, "", (("Authorization", K),)),
    "propfind-501": Request("PROPFIND", PATH),
    "lower-case-verb-400": Request("post", PATH, "", (("Authorization", K),)),
    "authorization-twice-merged": Request(
        "POST", PATH, "", (("Authorization", "Bearer"), ("Authorization", API_KEY))
    ),
    "authorization-twice-same": Request(
        "POST", PATH, "", (("Authorization", K), ("Authorization", K))
    ),
    "latin-1-header": Request("POST", PATH, "", (("Authorization", K), ("X-Note", "caf\xe9"))),
    "64kb-header": Request("POST", PATH, "", (("Authorization", K), ("X-Note", "a" * 65536))),
    "90kb-header-400": Request("POST", PATH, "", (("Authorization", K), ("X-Note", "a" * 92160))),
    "300kb-headers-400": Request(
        "POST", PATH, "", tuple((f"X-N{n}", "a" * 3000) for n in range(100))
    ),
    "bad-header-name-400": Request("POST", PATH, "", (("X(N", "a"),)),
    "control-byte-400": Request("POST", PATH, "", (("X-N", "a\x01b"),)),
    "quote-in-path-400": Request("POST", '/api/v1/invoices/"x"/payment_url'),
    "bad-query-400": Request("POST", PATH, "a=%ZZ", (("Accept", "application/json"),)),
    "long-query-400": Request("POST", PATH, "a=" + "x" * 10300),
    "invalid-json-400": Request("POST", PATH, "", (("Content-Type", "application/json"),), b"{bad"),
    "garbage-accept-406": Request("POST", PATH, "", (("Accept", "garbage"),)),
    "options-404": Request("OPTIONS", PATH, "", (("Accept", "application/xml"),)),
    "head-404": Request("HEAD", PATH),
    "preflight": Request(
        "OPTIONS",
        PATH,
        "",
        (("Origin", "http://localhost"), ("Access-Control-Request-Method", "POST")),
    ),
    "cors-simple": Request(
        "POST", PATH, "", (("Authorization", K), ("Origin", "http://localhost"))
    ),
    "request-id-sanitized": Request(
        "POST", PATH, "", (("X-Request-Id", "a b!c"), ("X-Request-Id", "d"))
    ),
    "underscore-header": Request("POST", PATH, "", (("X_Request_Id", "under"),)),
    "form-body": Request("POST", PATH, "", (("Authorization", K),), b"a=1&b=%41"),
    "absolute-form": Request("POST", "http://127.0.0.1" + PATH, "", (("Authorization", K),)),
    "fragment": Request("POST", PATH + "#frag", "", (("Authorization", K),)),
    "unknown-transfer-encoding-501": Request("POST", PATH, "", (("Transfer-Encoding", "br"),)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_over_http_equals_in_process(server: tuple[Swappable, tuple[str, int]], name: str) -> None:
    app, address = server
    served, twin = LagoMock(api_key=API_KEY), LagoMock(api_key=API_KEY)
    app.mock = served
    request = CASES[name]
    request = request.replace(path=request.path.format(id=served.invoice("payable").lago_id))
    status, headers, body = exchange(address, wire(request))
    expected = twin.respond(as_received(request))
    assert status == expected.status
    assert headers.get("content-type") == expected.content_type
    assert body == (b"" if request.method == "HEAD" else expected.body)
    got = {k: v for k, v in headers.items() if k not in IGNORED | {"content-type"}}
    assert got == {k: v for k, v in expected.headers if k not in IGNORED}
    assert "server" not in headers
    assert "date" not in headers


@pytest.mark.parametrize(
    ("hosts", "version"),
    [
        pytest.param([], "1.1", id="no-host"),
        pytest.param(["127.0.0.1", "evil.example"], "1.1", id="two-hosts"),
        pytest.param(["a", "b"], "1.0", id="two-hosts-http-1.0"),
    ],
)
def test_puma_serves_a_request_with_no_host_or_two(
    server: tuple[Swappable, tuple[str, int]], hosts: list[str], version: str
) -> None:
    # h11 refuses both with 400; Puma hands them to the app, Rack reads the Hosts joined
    app, address = server
    served, twin = LagoMock(api_key=API_KEY), LagoMock(api_key=API_KEY)
    app.mock = served
    path = PATH.format(id=served.invoice("payable").lago_id)
    headers = (*(("Host", host) for host in hosts), ("Authorization", K), ("Connection", "close"))
    raw = f"POST {path} HTTP/{version}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers)
    status, received, body = exchange(address, (raw + "\r\n").encode())
    expected = twin.respond(Request("POST", path, "", headers))
    assert (status, received.get("content-type"), body) == (
        200,
        expected.content_type,
        expected.body,
    )
