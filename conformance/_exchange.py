"""What the client suite serves (replies and network faults) and what it records of one call."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from conformance._outcome import Outcome

__all__ = [
    "API_KEY",
    "HANG_BOUND_SECONDS",
    "INVOICE_ID",
    "JSON_TYPE",
    "MAX_ATTEMPTS",
    "RUNAWAY_LIMIT",
    "Exchange",
    "Fault",
    "Recorded",
    "Reply",
    "Serve",
]

# A fixed fake key: it never authorizes anything, and every report scrubs it anyway.
API_KEY = "lago-conformance-client-key-0000"
INVOICE_ID = "1e501a90-1a90-1a90-1a90-1a901a901a80"
JSON_TYPE = "application/json; charset=utf-8"
# A client that is never answered must give up within this many seconds.
HANG_BOUND_SECONDS = 30.0
# The harness kills a command past the client's bound plus a grace for starting up.
COMMAND_TIMEOUT = HANG_BOUND_SECONDS + 5
# A 429 may be retried, but the call must stop within this many requests.
MAX_ATTEMPTS = 6
# Past this many requests in one call the harness stops the client as a runaway.
RUNAWAY_LIMIT = 25


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, body bytes, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_json(cls, status: int, body: object, *headers: tuple[str, str]) -> Reply:
        """A JSON answer, rendered as Rails renders it: compact UTF-8."""
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        return cls(status, text.encode(), JSON_TYPE, headers)

    def all_headers(self) -> list[tuple[str, str]]:
        """Content type (if any) and the extra headers."""
        base = [("content-type", self.content_type)] if self.content_type else []
        return base + list(self.headers)

    def json(self) -> object:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def describe(self) -> str:
        """One line: status, content type, headers and the body."""
        extra = "".join(f", {name}: {value}" for name, value in self.headers)
        body = self.body.decode("utf-8", "replace")
        body = body if len(body) <= 400 else body[:400] + "…"
        return (
            f"{self.status} ({self.content_type or 'no content type'}{extra}) {body or '<empty>'}"
        )


@dataclass(frozen=True)
class Fault:
    """A network fault instead of an answer."""

    kind: Literal["refuse", "reset", "hang"]

    def describe(self) -> str:
        """One line saying what the network did."""
        return {
            "refuse": "connection refused",
            "reset": "connection reset in the middle of the response",
            "hang": "connection accepted, never answered",
        }[self.kind]


Serve = Reply | Fault


@dataclass(frozen=True)
class Recorded:
    """One request as the harness received it."""

    method: str
    url: str
    raw_path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Exchange:
    """One call of the client on one scenario: what was served, asked and reported."""

    base_url: str
    lago_id: str
    requests: list[Recorded] = field(default_factory=list)
    served: list[Serve] = field(default_factory=list)
    outcome: Outcome | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def last_reply(self) -> Reply | None:
        """The last answer served, if any was an answer."""
        replies = [serve for serve in self.served if isinstance(serve, Reply)]
        return replies[-1] if replies else None
