"""The wild fronts' plumbing: two Lago organizations over HTTP, and a threaded front before them.

Lago is multi-tenant: the key names the organization. Here each organization is a faithful mock
of its own (``KEY_A``'s, with the fixtures a run is given, and ``KEY_B``'s, the other tenant),
each served by uvicorn on 127.0.0.1. ``reference`` serves both behind a router as Lago would
answer them (no front); ``running`` puts a ``Front`` before them: a raw-socket HTTP/1.1 server
that reads each request, may rewrite or answer it, forwards it to the tenant its key names and
may rewrite the answer, with control of every byte it writes back.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance import LagoMock
from conformance._mock.serve import serving
from tests.wild_front_wire import (
    Request,
    Response,
    Unframeable,
    WireError,
    get,
    read_request,
    read_response,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.wild_front_wire import Fields

KEY_A = "front-org-a-key-0123"  # the key a run is given: its organization holds the fixtures
KEY_B = "front-org-b-key-4567"  # another organization's key on the same deployment
KEYS = {"a": KEY_A, "b": KEY_B}
SEEDS = {"a": 0, "b": 1}
IDLE_SECONDS = 30.0  # a front closes a connection idle for longer
_RUBY_SPACE = " \t\n\v\f\r"


def token(authorization: str | None) -> str | None:
    """The key Lago reads: the second word of ``Authorization`` (``split(" ")[1]`` in Ruby)."""
    words = re.split(f"[{_RUBY_SPACE}]+", (authorization or "").lstrip(_RUBY_SPACE))
    return words[1] if len(words) > 1 else None


def tenant_of(fields: Fields) -> str:
    """The organization a request's key names; an unknown key goes to the first, which refuses it."""
    return "b" if token(get(fields, "authorization")) == KEY_B else "a"


def organizations(
    limit: int | None = None, clock: Callable[[], float] = time.monotonic
) -> dict[str, LagoMock]:
    """The two organizations, fresh; ``limit``: Lago Cloud's limiter, per organization."""
    return {
        name: LagoMock(api_key=KEYS[name], seed=SEEDS[name], rate_limit=limit, clock=clock)
        for name in KEYS
    }


@dataclass
class TwoOrgs:
    """An ASGI app: each request handed to the organization its key names, as Lago does (or,
    with ``only``, to that one organization, as a front that routed it already)."""

    mocks: dict[str, LagoMock]
    only: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        fields = tuple(
            (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
            for k, v in scope.get("headers", ())
        )
        tenant = self.only or (tenant_of(fields) if scope["type"] == "http" else "a")
        await self.mocks[tenant](scope, receive, send)


def _address(url: str) -> tuple[str, int]:
    host, _, port = url.removeprefix("http://").rpartition(":")
    return host, int(port)


@dataclass
class Conn:
    """What a front knows of one client connection."""

    index: int = 0  # requests already answered on it
    tenant: str | None = None  # where a front that routes per connection sends it


def pass_request(request: Request, conn: Conn) -> Request | Response:
    """Send the request on unchanged."""
    del conn
    return request


def pass_response(request: Request, response: Response, conn: Conn) -> Response:
    """Hand the answer back unchanged."""
    del request, conn
    return response


def route_by_key(request: Request, conn: Conn) -> str:
    """The organization the request's key names."""
    del conn
    return tenant_of(request.fields)


@dataclass
class Front:
    """A front's behaviour: transparent unless a hook says otherwise."""

    on_request: Callable[[Request, Conn], Request | Response] = pass_request
    on_response: Callable[[Request, Response, Conn], Response] = pass_response
    route: Callable[[Request, Conn], str] = route_by_key
    idle_timeout: float = IDLE_SECONDS
    # One request handled at a time, so that a front's memory (a cache, a counter) needs no care.
    lock: threading.Lock = field(default_factory=threading.Lock)


def fetch(address: tuple[str, int], request: Request) -> Response:
    """``request`` sent to an organization over a connection of its own; its answer."""
    with socket.create_connection(address, timeout=30) as upstream:
        upstream.sendall(request.wire())
        with upstream.makefile("rb") as reader:
            return read_response(reader, request.method)


def bad_gateway(error: Exception) -> Response:
    """The front's answer when an organization's answer could not be read (a defect here)."""
    body = f"front: upstream answer unreadable: {error}".encode()
    return Response(502, "Bad Gateway", (("Content-Type", "text/plain"),), body)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, front: Front, upstreams: dict[str, tuple[str, int]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.front = front
        self.upstreams = upstreams


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        front, sock, conn = self.server.front, self.request, Conn()
        with sock.makefile("rb") as reader:
            while True:
                sock.settimeout(front.idle_timeout)
                try:
                    request = read_request(reader)
                except Unframeable as error:
                    self._refused(error.raw)
                    return
                except (OSError, WireError):
                    return  # idle too long, or the client went away
                if request is None:
                    return
                with front.lock:
                    response = self._answer(front, request, conn)
                sock.sendall(response.wire(head_only=request.method == "HEAD"))
                conn.index += 1
                if response.closes or "close" in (request.header("connection") or "").lower():
                    return

    def _answer(self, front: Front, request: Request, conn: Conn) -> Response:
        sent = front.on_request(request, conn)
        if isinstance(sent, Response):
            return front.on_response(request, sent, conn)
        try:
            response = fetch(self.server.upstreams[front.route(sent, conn)], sent)
        except (OSError, WireError) as error:
            response = bad_gateway(error)
        return front.on_response(sent, response, conn)

    def _refused(self, head: bytes) -> None:
        # A request the front cannot frame goes on as it came, for Lago's server to refuse.
        request = Request("POST", "/", "HTTP/1.1", (), b"", head)
        try:
            response = fetch(self.server.upstreams["a"], request)
        except (OSError, WireError) as error:
            response = bad_gateway(error)
        self.request.sendall(response.wire(head_only=False))


class Stage:
    """The organizations over HTTP, alone (the reference) and behind a front, started once;
    ``reset`` gives both fresh organizations and the front to put before them."""

    def __init__(self) -> None:
        self.mocks = organizations()
        self._stack = contextlib.ExitStack()
        self.reference_url = self.front_url = ""
        self._server: _Server | None = None

    def __enter__(self) -> Stage:
        with self._stack as stack:
            self.reference_url = stack.enter_context(serving(TwoOrgs(self.mocks)))
            upstreams = {name: _address(stack.enter_context(serving(TwoOrgs(self.mocks, name))))
                         for name in KEYS}  # fmt: skip
            self._server = server = _Server(Front(), upstreams)
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            self.front_url = f"http://127.0.0.1:{server.server_address[1]}"
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def reset(
        self, front: Front, limit: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Fresh organizations (``limit``: Lago Cloud's limiter on them), behind ``front``."""
        self.mocks.update(organizations(limit, clock))
        assert self._server is not None, "reset a Stage inside its with block"
        self._server.front = front


@contextlib.contextmanager
def running(front: Front) -> Iterator[str]:
    """``front`` before fresh organizations, on 127.0.0.1; yields its base URL, stops on exit."""
    with Stage() as stage:
        stage.reset(front)
        yield stage.front_url


@contextlib.contextmanager
def reference(
    limit: int | None = None, clock: Callable[[], float] = time.monotonic
) -> Iterator[str]:
    """The faithful deployment (both organizations, no front) over HTTP; yields its base URL."""
    with serving(TwoOrgs(organizations(limit, clock))) as url:
        yield url
