"""ASGI plumbing for the wild servers: the faithful mock called with a rewritten request.

A wild server never calls the mock's Python methods: it awaits ``LagoMock(...)`` as an ASGI
app, with a scope it may have rewritten and the request body it read, and captures what the
mock sends, so that it can pass it on, change it, or answer on its own.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from conformance import LagoMock

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

API_KEY = "faulty-server-key-0123"  # the one key of every faulty server (nox -s faults)
JSON_UTF8 = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Incoming:
    """The request a wild server received: its ASGI scope and the whole body."""

    scope: dict[str, Any]
    body: bytes = b""

    @property
    def method(self) -> str:
        """The request method, as sent."""
        return str(self.scope["method"])

    @property
    def raw_path(self) -> str:
        """The path as sent (percent-encoded), without the query string."""
        raw = self.scope.get("raw_path") or self.scope["path"].encode()
        return bytes(raw).decode("latin-1").partition("?")[0]

    @property
    def query(self) -> str:
        """The query string, without the ``?``."""
        return bytes(self.scope.get("query_string") or b"").decode("latin-1")

    def params(self) -> dict[str, str]:
        """The query parameters (the first value of each)."""
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.query).items()}

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or None."""
        wanted = name.lower().encode()
        for key, value in self.scope["headers"]:
            if key.lower() == wanted:
                return bytes(value).decode("latin-1")
        return None

    def with_headers(self, **headers: str | None) -> Incoming:
        """This request with headers set (``None`` removes one); ``x_api_key`` is X-Api-Key."""
        names = {name.replace("_", "-").lower().encode(): value for name, value in headers.items()}
        kept = [(k, v) for k, v in self.scope["headers"] if k.lower() not in names]
        added = [(k, v.encode("latin-1")) for k, v in names.items() if v is not None]
        return replace(self, scope={**self.scope, "headers": kept + added})

    def with_path(self, raw_path: str) -> Incoming:
        """This request sent to ``raw_path`` (percent-encoded, no query)."""
        path = urllib.parse.unquote(raw_path)
        return replace(self, scope={**self.scope, "path": path, "raw_path": raw_path.encode()})

    def with_method(self, method: str) -> Incoming:
        """This request with another method."""
        return replace(self, scope={**self.scope, "method": method})

    def json_body(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class Answer:
    """A whole HTTP answer: status, header list and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first header called ``name``, or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        """The body parsed as JSON (None when it is not)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def with_body(self, body: bytes, content_type: str | None = None) -> Answer:
        """This answer with another body (Content-Length follows it)."""
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        if content_type is not None:
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            headers.append(("content-type", content_type))
        headers.append(("content-length", str(len(body))))
        return replace(self, headers=tuple(headers), body=body)

    def with_json(self, body: object, status: int | None = None) -> Answer:
        """This answer with a compact JSON body, as Rails renders one."""
        rendered = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        answer = self.with_body(rendered, JSON_UTF8)
        return answer if status is None else replace(answer, status=status)

    def with_headers(self, *headers: tuple[str, str]) -> Answer:
        """This answer with ``headers`` added."""
        return replace(self, headers=self.headers + headers)

    def without_header(self, name: str) -> Answer:
        """This answer without the headers called ``name``."""
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return replace(self, headers=kept)


def answer(status: int, body: bytes = b"", content_type: str | None = JSON_UTF8) -> Answer:
    """An answer of a wild server's own, with a correct Content-Length."""
    base = Answer(status, (("content-type", content_type),) if content_type else ())
    return base.with_body(body)


def json_answer(status: int, body: object) -> Answer:
    """An answer of a wild server's own, with a compact JSON body."""
    return Answer(status).with_json(body)


@dataclass
class WildApp:
    """An ASGI app: the faithful mock behind ``handle``, which sees every request first."""

    handle: Callable[[WildApp, Incoming], Awaitable[Answer]]
    mock: LagoMock = field(default_factory=lambda: LagoMock(api_key=API_KEY))
    # What a fault remembers between requests (a cache, replayed answers).
    memory: dict[str, Answer] = field(default_factory=dict)

    async def faithful(self, request: Incoming) -> Answer:
        """What the faithful mock answers to ``request``."""
        sent: list[MutableMapping[str, Any]] = []
        delivered = False

        async def receive() -> MutableMapping[str, Any]:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": request.body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await self.mock(dict(request.scope), receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        headers = tuple(
            (bytes(k).decode(), bytes(v).decode("latin-1")) for k, v in start["headers"]
        )
        return Answer(int(start["status"]), headers, body)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.mock(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        reply = await self.handle(self, Incoming(dict(scope), body))
        headers = [(k.encode(), v.encode("latin-1")) for k, v in reply.headers]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        body = b"" if scope["method"] == "HEAD" else reply.body
        await send({"type": "http.response.body", "body": body})
