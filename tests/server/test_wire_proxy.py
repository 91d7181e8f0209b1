"""A live target behind the environment's proxy: HTTP_PROXY's absolute-form requests, HTTPS_PROXY's
CONNECT tunnel (TLS end to end, trustme's certificate), NO_PROXY, credentials and refusals."""

from __future__ import annotations

import base64
import contextlib
import socket
import ssl
import threading
from typing import TYPE_CHECKING

import httpx
import pytest
import trustme

from conformance import LagoMock
from conformance._contract.request import Request
from conformance._errors import UsageError
from conformance._mock.serve import serving
from conformance._server.transport.framing import NoAnswer
from conformance._server.transport.proxy import proxy_for
from conformance._server.transport.target import Target, TargetUnusable
from conformance._server.transport.wire import Wire
from tests.conftest import API_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PATH = "/api/v1/invoices/00000000-0000-0000-0000-000000000000/payment_url"


class ForwardProxy:
    """A forward proxy on 127.0.0.1: absolute-form requests relayed, CONNECT tunnelled (or
    refused with ``refuse``), every host taken to be 127.0.0.1 (targets are named ``lago.test``:
    a loopback target is never proxied); what it was asked is kept in ``heads``."""

    def __init__(self, refuse: bytes | None = None) -> None:
        self.refuse, self.heads = refuse, list[bytes]()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            head = b""
            while b"\r\n\r\n" not in head and (data := conn.recv(65536)):
                head += data
            head, _, rest = head.partition(b"\r\n\r\n")
            self.heads.append(head)
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            if method == b"CONNECT":
                if self.refuse is not None:
                    conn.sendall(self.refuse)
                    return
                port = target.rpartition(b":")[2]
                upstream = socket.create_connection(("127.0.0.1", int(port)))
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                authority, _, path = target.removeprefix(b"http://").partition(b"/")
                port = authority.partition(b":")[2]
                upstream = socket.create_connection(("127.0.0.1", int(port or 80)))
                line, _, fields = head.partition(b"\r\n")
                line = line.replace(target, b"/" + path, 1)
                upstream.sendall(b"%s\r\n%s\r\n\r\n%s" % (line, fields, rest))
            _relay(conn, upstream)

    def close(self) -> None:
        """Stop accepting."""
        self.sock.close()


def _relay(one: socket.socket, other: socket.socket) -> None:
    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    back = threading.Thread(target=pump, args=(other, one), daemon=True)
    back.start()
    pump(one, other)
    back.join(timeout=10)
    other.close()


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    """A forward proxy for one test."""
    forward = ForwardProxy()
    yield forward
    forward.close()


@pytest.fixture(autouse=True)
def _no_proxy_of_our_own(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _request() -> Request:
    return Request.of("POST", PATH, f"Bearer {API_KEY}")


def test_an_http_target_is_asked_through_http_proxy_in_absolute_form(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://ops:s%40cret@"))
    with serving(LagoMock(api_key=API_KEY)) as served:
        url = served.replace("127.0.0.1", "lago.test")
        wire = Wire(url, 10, 1 << 20)
        received = wire.send(_request(), url + PATH)
        wire.close()
    assert received.head.status == 404  # the mock's answer, relayed whole
    line, _, fields = proxy.heads[0].partition(b"\r\n")
    assert line == f"POST {url}{PATH} HTTP/1.1".encode()
    assert b"Proxy-Authorization: Basic " + base64.b64encode(b"ops:s@cret") in fields


def test_a_loopback_target_is_never_proxied(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with serving(LagoMock(api_key=API_KEY)) as url:
        wire = Wire(url, 10, 1 << 20)
        assert wire.send(_request(), url + PATH).head.status == 404
        wire.close()
    assert proxy.heads == []


@pytest.mark.parametrize(
    ("no_proxy", "proxied"), [("", True), ("lago.test", False), (".test", False), ("other", True)]
)
def test_no_proxy_names_the_hosts_reached_directly(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str, proxied: bool
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    assert (proxy_for(httpx.URL("https://lago.test/api/v1")) is not None) is proxied
    assert proxy_for(httpx.URL("http://lago.test/api/v1")) is None  # HTTP_PROXY is not set


@contextlib.contextmanager
def _tls_server(ca: trustme.CA) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 (a certificate of ``ca``): 200 and a JSON body, then close."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("lago.test").configure_cert(context)
    sock = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = sock.accept()
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                tls.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_an_https_target_is_reached_through_a_connect_tunnel(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    with _tls_server(ca) as port:
        url = f"https://lago.test:{port}"
        wire = Wire(url, 10, 1 << 20)
        received = wire.send(_request(), url + PATH)
        wire.close()
    assert (received.head.status, received.body) == (200, b"{}")
    assert proxy.heads[0].startswith(f"CONNECT lago.test:{port} HTTP/1.1\r\n".encode())


def test_a_refused_tunnel_names_the_proxy_and_never_its_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refusing = ForwardProxy(refuse=b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
    monkeypatch.setenv("HTTPS_PROXY", refusing.url.replace("http://", "http://ops:hunter2@"))
    wire = Wire("https://lago.example", 10, 1 << 20)
    with pytest.raises(NoAnswer) as refused:
        wire.send(_request(), "https://lago.example" + PATH)
    refusing.close()
    message = str(refused.value)
    assert "407 Proxy Authentication Required" in message
    assert refusing.url in message
    assert "hunter2" not in message
    assert "CONNECT lago.example:443 HTTP/1.1" in refusing.heads[0].decode()


def test_a_proxy_this_reader_cannot_use_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(UsageError, match=r"only http:// proxies .* NO_PROXY"):
        Wire("https://lago.example", 10, 1 << 20)


def test_an_unreachable_proxy_says_to_check_the_proxy_not_the_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refusing = socket.create_server(("127.0.0.1", 0))
    port = refusing.getsockname()[1]
    refusing.close()  # nothing listens there now
    monkeypatch.setenv("HTTPS_PROXY", f"http://ops:hunter2@127.0.0.1:{port}")
    target = Target(api_key=API_KEY, base_url="https://lago.example/api/v1", timeout=2)
    with target, pytest.raises(TargetUnusable) as unusable:
        target.send(_request())
    message = str(unusable.value)
    assert f"the proxy http://127.0.0.1:{port} is unreachable" in message
    assert message.endswith(
        "check the proxy the environment names (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)"
    )
    assert "hunter2" not in message
