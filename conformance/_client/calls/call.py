"""What the client suite serves (replies and network faults) and what it records of one call."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from conformance._client.calls.answers import Answer
from conformance._contract.rules import Reply

if TYPE_CHECKING:
    from conformance._client.calls.outcome import Outcome

__all__ = [
    "API_KEY",
    "COMMAND_TIMEOUT",
    "CRASHED",
    "HANG_BOUND_SECONDS",
    "INVOICE_ID",
    "MAX_ATTEMPTS",
    "OTHER_ORIGIN",
    "RUNAWAY_LIMIT",
    "Call",
    "Fault",
    "SentRequest",
    "Serve",
    "origin_of",
    "resolve",
    "show",
]

# A fixed fake key: it never authorizes anything, and every report redacts it anyway.
API_KEY = "lago-conformance-client-key-0000"
INVOICE_ID = "1e501a90-1a90-1a90-1a90-1a901a901a80"
# How the harness reports an adapter that raised (the rest of the line is the exception).
CRASHED = "the client crashed: "
# A client that is never answered must give up within this many seconds.
HANG_BOUND_SECONDS = 30.0
# The harness kills a command past the client's bound plus a grace for starting up.
COMMAND_TIMEOUT = HANG_BOUND_SECONDS + 5
# A 429 may be retried, but the call must stop within this many requests.
MAX_ATTEMPTS = 6
# Past this many requests in one call the harness stops the client as a runaway.
RUNAWAY_LIMIT = 25
# In-process, the other origin a redirect points to; over HTTP, the fault server's second port.
OTHER_ORIGIN = "https://payments.example.test"
# A header value's placeholders for the origin of the base URL and for that other origin.
_ORIGIN, _OTHER = "{origin}", "{other}"


@dataclass(frozen=True)
class Fault:
    """A network fault instead of an answer."""

    kind: Literal["refuse", "reset", "hang", "trickle"]

    def describe(self) -> str:
        """One line saying what the network did."""
        return {
            "refuse": "connection refused",
            "reset": "connection reset in the middle of the response",
            "hang": "connection accepted, never answered",
            "trickle": "200 headers at once, then the body one byte a second",
        }[self.kind]


Serve = Reply | Fault | Answer


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased as origins compare."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def resolve(serve: Serve, origin: str, other: str, now: float | None = None) -> Serve:
    """``serve`` with ``{origin}`` and ``{other}`` in its header values filled in, and each
    ``{date+N}`` as the HTTP-date N seconds after ``now`` (epoch seconds; default: now)."""
    if not isinstance(serve, Reply) or not any("{" in value for _, value in serve.headers):
        return serve
    headers = tuple(
        (name, value.replace(_ORIGIN, origin).replace(_OTHER, other))
        for name, value in serve.headers
    )
    dated = Answer(serve.status, headers).resolved(time.time() if now is None else now)
    return Reply(serve.status, serve.body, serve.content_type, dated.headers)


@dataclass(frozen=True)
class SentRequest:
    """One request as the harness received it from the client."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    # When it came (epoch seconds): the virtual clock's in-process, real time over HTTP.
    at: float = 0.0


@dataclass
class Call:
    """One call of the client on one scenario: what was served, asked and reported."""

    base_url: str
    lago_id: str
    requests: list[SentRequest] = field(default_factory=list)
    served: list[Serve] = field(default_factory=list)
    outcome: Outcome | None = None
    error: str | None = None
    seconds: float = 0.0
    # In-process, the seconds the client asked time.sleep or asyncio.sleep for (not slept).
    slept: list[float] = field(default_factory=list)
    # In-process, the other waits the virtual clock counted: ("read timeout", s), ("slow body", s).
    waited: list[tuple[str, float]] = field(default_factory=list)
    # What the client wrote during the call: (where, text) of each log record, warning, and its
    # stdout and stderr (written.py).
    written: list[tuple[str, str]] = field(default_factory=list)
    # The retries the client was configured to allow (its documented option), if it was told.
    allowed_retries: int | None = None
    # A generated case with a relation: its name, and the call on the answer's twin.
    relation: str | None = None
    twin: Call | None = None

    @property
    def virtual(self) -> float:
        """The seconds the virtual clock advanced: sleeps, read timeouts, a slow body's gaps."""
        return sum(self.slept) + sum(seconds for _, seconds in self.waited)

    @property
    def elapsed(self) -> float:
        """How long the call took, every wait counted: real time plus the virtual clock's."""
        return self.seconds + self.virtual

    @property
    def answered(self) -> bool:
        """Whether any answer (not a network fault) was served."""
        return any(isinstance(serve, (Reply, Answer)) for serve in self.served)

    @property
    def last_reply(self) -> Reply | None:
        """The last answer served, if any was an answer."""
        replies = [serve for serve in self.served if isinstance(serve, Reply)]
        return replies[-1] if replies else None

    def served_text(self, planned: tuple[Serve, ...]) -> str:
        """What was served (or, when nothing was, what was planned), on one line."""
        served = self.served or list(planned)
        more = " …" if len(served) > 3 else ""
        return self.shown_url(" then ".join(serve.describe() for serve in served[:3]) + more)

    def shown_url(self, text: str) -> str:
        """``text`` (a URL, or a line that holds some) as reports show it: the harness's own
        server's two origins (new ports each run) named."""
        if urllib.parse.urlsplit(self.base_url).hostname != "127.0.0.1":
            return text
        text = re.sub(re.escape(origin_of(self.base_url)) + r"(?![0-9])", "<harness>", text)
        return re.sub(r"http://127\.0\.0\.1:\d+", "<harness's other origin>", text)

    @property
    def reply(self) -> Reply:
        """The last answer served; only for checks of scenarios that serve one."""
        if self.last_reply is None:  # pragma: no cover - every judged scenario serves an answer
            raise ValueError("this check needs a served reply")
        return self.last_reply

    @property
    def reported(self) -> dict[str, Any]:
        """The outcome; only for checks that need one (``judge_call`` sees to it)."""
        assert self.outcome is not None
        return self.outcome


def show(value: object) -> str:
    """``value`` as compact JSON, for findings."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
