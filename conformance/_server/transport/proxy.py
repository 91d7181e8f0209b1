"""The proxy the environment names for a live target, used as httpx would use it.

``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (either case) are read by the
standard library (``urllib.request.getproxies`` and ``proxy_bypass``). An ``http://`` proxy is
reached with an absolute-form request for an ``http`` target (RFC 9112 section 3.2.2) and through
a ``CONNECT`` tunnel for an ``https`` one (RFC 9110 section 9.3.6); the answers still come whole
to the suite's own reader (``wire.py``), the tunnel's bytes untouched.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance._errors import UsageError
from conformance._server.transport.framing import NoAnswer, Stream

if TYPE_CHECKING:
    import httpx

__all__ = ["Proxy", "proxy_for"]


@dataclass(frozen=True)
class Proxy:
    """An ``http://`` proxy: where it listens, and the ``Proxy-Authorization`` its URL implies."""

    host: str
    port: int
    authorization: bytes | None = None

    @property
    def shown(self) -> str:
        """The proxy as messages name it: never its credentials."""
        return f"http://{self.host}:{self.port}"

    def header(self) -> bytes:
        """The ``Proxy-Authorization`` line to add to what goes to the proxy, or nothing."""
        if self.authorization is None:
            return b""
        return b"Proxy-Authorization: Basic %s\r\n" % self.authorization

    def connect(self, timeout: float) -> socket.socket:
        """A connection to the proxy itself."""
        try:
            return socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as error:
            raise NoAnswer(
                f"the proxy {self.shown} is unreachable: {error}", connect=True
            ) from None

    def tunnel(self, sock: socket.socket, authority: bytes) -> None:
        """Ask the proxy for a tunnel to ``authority`` (host:port); raise ``NoAnswer`` unless it
        grants it (a 2xx)."""
        sock.sendall(
            b"CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (authority, authority, self.header())
        )
        stream = Stream(sock)
        status = stream.line()
        while (line := stream.line()) is not None and line:
            pass
        parts = (status or b"").split(b" ", 2)
        if len(parts) < 2 or not parts[1].startswith(b"2") or line is None:
            shown = (status or b"nothing").decode("latin-1")[:80]
            raise NoAnswer(
                f"the proxy {self.shown} refused a tunnel to {authority.decode()}: {shown}"
            )


def proxy_for(url: httpx.URL) -> Proxy | None:
    """The proxy the environment names for ``url``, or None (none named, or ``NO_PROXY``);
    a ``UsageError`` for a proxy this reader cannot use."""
    proxies = urllib.request.getproxies()
    named = proxies.get(url.scheme) or proxies.get("all")
    if not named or _loopback(url.host) or urllib.request.proxy_bypass(url.host):
        return None
    parsed = urllib.parse.urlsplit(named if "://" in named else f"http://{named}")
    variable = f"{'HTTPS' if url.scheme == 'https' else 'HTTP'}_PROXY (or ALL_PROXY)"
    if parsed.scheme != "http" or not parsed.hostname:
        raise UsageError(
            f"{variable} names a {parsed.scheme}:// proxy; only http:// proxies are supported: "
            f"set an http:// one, or add {url.host} to NO_PROXY"
        )
    authorization = None
    if parsed.username is not None:
        pair = (
            f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password or '')}"
        )
        authorization = base64.b64encode(pair.encode())
    return Proxy(parsed.hostname, parsed.port or 80, authorization)


def _loopback(host: str) -> bool:
    """A target on this machine, which no proxy can reach for us: never proxied (as Go's
    ``http.ProxyFromEnvironment`` does for localhost and loopback addresses)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
