"""One request of the server suite and what came back: the unit every server check reads."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance._report.findings import REDACTED

__all__ = ["Exchange"]

_NO_HEADERS = httpx.Headers()


@dataclass(frozen=True)
class Exchange:
    """One request and what came back: a response, or the transport error instead."""

    method: str
    url: str
    authorization: str | None
    status: int | None = None
    headers: httpx.Headers = field(default_factory=lambda: _NO_HEADERS)
    body: bytes = b""
    truncated: bool = False
    error: str | None = None
    rate_limited: bool = False

    @property
    def media_type(self) -> str:
        """The response's media type, lower case, without parameters."""
        content_type: str = self.headers.get("content-type", "")
        return content_type.split(";", maxsplit=1)[0].strip().lower()

    def json(self) -> tuple[bool, Any]:
        """``(True, value)`` when the body parses as JSON, else ``(False, None)``."""
        if self.truncated:
            return False, None
        try:
            return True, json.loads(self.body)
        except ValueError:
            return False, None

    def body_json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        return self.json()[1]

    def curl(self) -> str:
        """A curl command line that sends this request again, with the API key redacted."""
        parts = ["curl", "-X", self.method]
        if self.authorization is not None:
            parts += ["-H", f"Authorization: {_redact_authorization(self.authorization)}"]
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


def _redact_authorization(value: str) -> str:
    words = value.split()
    return " ".join([*words[:1], REDACTED] if len(words) > 1 else [REDACTED]) if words else value
