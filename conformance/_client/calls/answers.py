"""A generated answer: an HTTP answer with its framing, content coding and network behaviour.

An ``Answer`` is what the client suite serves beyond its catalogue: a status, headers in the
order and case they are sent (the content type among them), body bytes, Content-Length or
chunked framing, a content coding (applied only when the client asked for it), and a transport
fault: the connection closed or reset mid-body, or a body that arrives slowly. A header value
``{date+N}`` is an HTTP-date N seconds after the moment it is served.
"""

from __future__ import annotations

import base64
import datetime
import email.utils
import gzip
import json
import re
import zlib
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

__all__ = ["NOT_JSON", "Answer", "Framing", "Transport", "render"]

Framing = Literal["length", "chunked"]
Transport = Literal["", "cut", "reset", "slow"]
# How a JSON body is written: compact or pretty, non-ASCII raw or \u-escaped.
Style = Literal["", "compact", "pretty", "compact-ascii", "pretty-ascii"]
NOT_JSON: Any = type("NotJson", (), {"__repr__": lambda self: "NOT_JSON"})()
_DATE = re.compile(r"\{date([+-]\d+)\}")


def render(value: object, style: Style) -> bytes:
    """``value`` as JSON in ``style``."""
    ascii_only = style.endswith("-ascii")
    if style.startswith("pretty"):
        return json.dumps(value, indent=2, ensure_ascii=ascii_only).encode()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only).encode()


def _reject(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


@dataclass(frozen=True)
class Answer:
    """One generated HTTP answer, as sent on the wire (before any content coding)."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    framing: Framing = "length"
    coding: Literal["identity", "gzip", "deflate"] = "identity"
    transport: Transport = ""
    # A slow body: this many pieces, each after ``gap`` seconds.
    gap: float = 0.0
    pieces: int = 1
    style: Style = ""  # how the JSON body was rendered ("": not rendered JSON)
    kind: str = ""  # what the generator meant, for reports: "valid", "mutated", "html", ...

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def media_type(self) -> str:
        """The content type's media type, lower-cased ("" when there is none)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The content type's charset parameter, lower-cased and unquoted, or None."""
        for part in (self.header("content-type") or "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return None

    @property
    def declared_json(self) -> bool:
        """The content type says JSON, in UTF-8 (RFC 8259: JSON between systems is UTF-8)."""
        return self.media_type == "application/json" and self.charset in (None, "utf-8")

    def json(self) -> Any:
        """The body as JSON (strict UTF-8, no NaN or Infinity), or ``NOT_JSON``."""
        try:
            return json.loads(self.body.decode("utf-8"), parse_constant=_reject)
        except ValueError:
            return NOT_JSON

    def resolved(self, now: float) -> Answer:
        """This answer with each ``{date+N}`` filled in, ``now`` being the epoch second."""

        def date(match: re.Match[str]) -> str:
            moment = datetime.datetime.fromtimestamp(now + int(match[1]), datetime.UTC)
            return email.utils.format_datetime(moment, usegmt=True)

        headers = tuple((name, _DATE.sub(date, value)) for name, value in self.headers)
        return replace(self, headers=headers)

    def wire(self, accept_encoding: str) -> tuple[list[tuple[str, str]], bytes]:
        """The headers and body bytes to send, the coding applied if ``accept_encoding`` asks
        for it; framing headers (Content-Length, Transfer-Encoding) are the sender's."""
        headers, body = list(self.headers), self.body
        asked = {token.split(";")[0].strip().lower() for token in accept_encoding.split(",")}
        if self.coding != "identity" and self.coding in asked and body:
            body = gzip.compress(body, mtime=0) if self.coding == "gzip" else zlib.compress(body)
            headers.append(("content-encoding", self.coding))
        return headers, body

    def split(self, body: bytes) -> list[bytes]:
        """``body`` in ``pieces`` pieces (at least one byte each, when it has that many)."""
        count = max(1, min(self.pieces, len(body)))
        size = -(-len(body) // count) if body else 0
        return [body[i : i + size] for i in range(0, len(body), size)] if body else [b""]

    def describe(self) -> str:
        """One line: status, headers, framing, coding, transport and the body."""
        head = ", ".join(f"{name}: {value}" for name, value in self.headers) or "no headers"
        extra = [] if self.framing == "length" else ["chunked"]
        extra += [] if self.coding == "identity" else [f"{self.coding} if asked"]
        if self.transport == "slow":
            extra.append(f"slow: {self.pieces} pieces, {self.gap:g} s apart")
        elif self.transport:
            extra.append({"cut": "closed mid-body", "reset": "reset mid-body"}[self.transport])
        text = self.body.decode("utf-8", "replace")
        text = text if len(text) <= 300 else text[:300] + "…"
        how = f" [{'; '.join(extra)}]" if extra else ""
        return f"{self.status} ({head}){how} {text or '<empty>'}"

    def to_json(self) -> dict[str, Any]:
        """This answer as a JSON object (a body that is not UTF-8 goes as base64)."""
        data = asdict(self)
        data["headers"] = [list(pair) for pair in self.headers]
        try:
            data["body"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            data["body"], data["body_base64"] = None, base64.b64encode(self.body).decode()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        """The answer ``to_json`` wrote; ``ValueError`` or ``TypeError`` when it is not one."""
        fields = dict(data)
        encoded = fields.pop("body_base64", None)
        body = fields.get("body")
        fields["body"] = base64.b64decode(encoded) if encoded else str(body or "").encode()
        fields["headers"] = tuple((str(name), str(value)) for name, value in fields["headers"])
        answer = cls(**fields)
        if not isinstance(answer.status, int) or answer.framing not in ("length", "chunked"):
            raise ValueError("status must be an integer, framing length or chunked")
        if answer.transport not in ("", "cut", "reset", "slow"):
            raise ValueError("transport must be '', cut, reset or slow")
        return answer
