"""One request of the server suite and what came back: the unit every server check reads."""

from __future__ import annotations

import functools
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from conformance._contract.json_text import JsonText, read_json_text
from conformance._report.findings import REDACTED

if TYPE_CHECKING:
    from conformance._contract.request import Request

__all__ = ["Exchange", "Head", "redact_authorization"]

_NO_HEADERS = httpx.Headers()


@dataclass(frozen=True)
class Head:
    """An answer's head as it came: the status line (``HTTP/1.1 200 OK``, every byte kept as
    latin-1), its status, and every header line in order, repeats and names' case kept."""

    line: str
    status: int | None
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Exchange:
    """One request (``request``, sent to ``url``) and what came back: a response, or the transport
    error instead. ``headers`` keeps the answer's header lines in order, repeats included, and
    ``body`` its bytes as they came (a content coding the request asked for undone).

    Read at the wire: ``head`` (the status line and header lines as received), ``interim`` (the
    1xx answers before it), ``framing`` and ``interim_faults`` (what was wrong with how the
    answer, or a 1xx before it, was framed: each a sentence), ``coded_body`` (the body before its content coding was undone, when it was), and
    ``throttled`` (the 429 answers to the same request that the run waited out first)."""

    request: Request
    url: str
    status: int | None = None
    headers: httpx.Headers = field(default_factory=lambda: _NO_HEADERS)
    body: bytes = b""
    truncated: bool = False
    error: str | None = None
    rate_limited: bool = False
    head: Head | None = None
    interim: tuple[Head, ...] = ()
    framing: tuple[str, ...] = ()
    interim_faults: tuple[str, ...] = ()
    coded_body: bytes | None = None
    throttled: tuple[Exchange, ...] = ()

    @property
    def method(self) -> str:
        """The request's method."""
        return self.request.method

    @property
    def authorization(self) -> str | None:
        """The request's first ``Authorization`` value."""
        return self.request.authorization

    @property
    def media_type(self) -> str:
        """The response's media type, lower case, without parameters."""
        content_type: str = self.headers.get("content-type", "")
        return content_type.split(";", maxsplit=1)[0].strip().lower()

    def json(self) -> tuple[bool, Any]:
        """``(True, value)`` when the body is JSON text (read strictly, as bytes: see
        ``read_json_text``), else ``(False, None)``."""
        if self.truncated:
            return False, None
        text = self.json_text
        return (True, text.value) if text.ok else (False, None)

    @functools.cached_property
    def json_text(self) -> JsonText:
        """The body judged as JSON text, with the reason when it is not."""
        return read_json_text(self.body)

    def body_json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        return self.json()[1]

    def curl(self) -> str:
        """A curl command line that sends this request again, every header and the body, with the
        ``Authorization`` credentials redacted (the key elsewhere is redacted by the finding)."""
        request = self.request
        parts = ["curl", "-X", request.method]
        for name, value in request.headers:
            shown = redact_authorization(value) if name.lower() == "authorization" else value
            # curl drops a header given as "Name:"; "Name;" sends it empty.
            parts += ["-H", f"{name}: {shown}" if shown else f"{name};"]
        if request.body:
            text = request.body.decode("utf-8", "replace")
            parts += ["--data-binary", text if len(text) <= 2000 else text[:2000] + "..."]
        parts.append(self.url)
        return shlex.join(parts)

    def describe(self, limit: int = 300) -> str:
        """A one-line summary of what came back."""
        if self.status is None:
            return f"no response: {self.error}"
        text = self.body.decode("utf-8", errors="replace")
        if len(text) > limit:
            text = text[:limit] + "..."
        more = " (body over 1 MiB, not read past it)" if self.truncated else ""
        return f"{self.status} {self.headers.get('content-type', '(no content-type)')} {text}{more}"


def redact_authorization(value: str) -> str:
    """An ``Authorization`` value with every word after the scheme redacted."""
    words = value.split()
    return " ".join([*words[:1], REDACTED] if len(words) > 1 else [REDACTED]) if words else value
