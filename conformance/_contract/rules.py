"""Lago's rules for this endpoint, shared by the mock, the server suite and the client suite.

How Rails renders an answer (compact UTF-8 JSON, the reason phrase in ``error``), how it reads a
request (the token is the second word of ``Authorization``; ids are cast as ActiveRecord casts
uuids; paths are normalized as Journey does), and where a body keeps its payload.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CATCH_ALL_VERBS",
    "JSON_CONTENT_TYPE",
    "JSON_MEDIA_TYPE",
    "OPERATION_PATH",
    "REASON_PHRASES",
    "ROOT_KEY",
    "ROUTING_ERROR_CONTENT_TYPE",
    "RUBY_WHITESPACE",
    "SERVER_METHODS",
    "THIRD_PARTY_ERROR",
    "VALIDATION_ERRORS",
    "Reply",
    "bearer_token",
    "cast_uuid",
    "error_body",
    "error_reasons",
    "normalize_path",
    "payment_details",
    "render_json",
]

OPERATION_PATH = "/invoices/{lago_id}/payment_url"
JSON_MEDIA_TYPE = "application/json"
# What Rails sends with `render json:`.
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
ROOT_KEY = "invoice_payment_details"
VALIDATION_ERRORS = "validation_errors"
THIRD_PARTY_ERROR = "third_party_error"
# Rails answers with the standard reason phrase, and this endpoint can answer nothing else.
REASON_PHRASES: dict[int, str] = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
RUBY_WHITESPACE = " \t\n\v\f\r"
# config/routes.rb: the catch-all takes these verbs (HEAD rides on GET). Another verb (OPTIONS,
# TRACE) is a routing error, which Rails ends in an empty 404 (ShowExceptions#pass_response).
CATCH_ALL_VERBS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"})
# Rails writes its error pages' charset as config.encoding names it (actionpack railtie.rb)
ROUTING_ERROR_CONTENT_TYPE = "text/html; charset=UTF-8"
# Puma 7.2.1 (lib/puma/const.rb SUPPORTED_HTTP_METHODS): any other verb gets 501 and the text
# "<VERB> method is not supported" before the app (lib/puma/request.rb handle_request).
SERVER_METHODS = frozenset({"HEAD", "GET", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"})
# ActiveRecord's PostgreSQL OID::Uuid::ACCEPTABLE_UUID (a conditional group closes the brace)
_ACCEPTABLE_UUID = re.compile(r"(\{)?([a-fA-F0-9]{4}-?){8}(?(1)\}|)")


def render_json(body: object) -> bytes:
    """``body`` as Rails renders it: compact UTF-8 JSON."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def error_body(status: int, code: str | None = None, details: object = None) -> dict[str, object]:
    """Lago's error body: ``status``, the reason phrase, then ``code`` and ``error_details``."""
    body: dict[str, object] = {"status": status, "error": REASON_PHRASES[status]}
    if code is not None:
        body["code"] = code
    if details is not None:
        body["error_details"] = details
    return body


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, body bytes, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_CONTENT_TYPE
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_json(cls, status: int, body: object, *headers: tuple[str, str]) -> Reply:
        """A JSON answer, rendered as Rails renders it."""
        return cls(status, render_json(body), JSON_CONTENT_TYPE, headers)

    @classmethod
    def error(cls, status: int, code: str | None = None, details: object = None) -> Reply:
        """Lago's JSON error answer for ``status``."""
        return cls.of_json(status, error_body(status, code, details))

    def with_headers(self, *headers: tuple[str, str]) -> Reply:
        """This answer with ``headers`` added."""
        return Reply(self.status, self.body, self.content_type, self.headers + headers)

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


def payment_details(body: object) -> dict[str, Any] | None:
    """The ``invoice_payment_details`` object of a body, or None when it has none."""
    details = body.get(ROOT_KEY) if isinstance(body, dict) else None
    return details if isinstance(details, dict) else None


def error_reasons(body: object) -> list[str] | None:
    """The ``error_details.base`` list of a 422 body, or None when it has none."""
    details = body.get("error_details") if isinstance(body, dict) else None
    base = details.get("base") if isinstance(details, dict) else None
    return base if isinstance(base, list) else None


def normalize_path(path: str) -> str:
    """Rails' Journey ``normalize_path``: one leading slash, no repeated or trailing slashes."""
    path = re.sub(r"/+", "/", "/" + path)
    return path.rstrip("/") or "/"


def cast_uuid(value: str) -> str | None:
    """Rails' uuid cast: the canonical lower-case form, or None where Rails gives nil.

    ``OID::Uuid#format_uuid`` deletes braces and every hyphen before it rebuilds the canonical
    form, so a hyphen after the last group of four is accepted too.
    """
    value = value.lower()
    if not _ACCEPTABLE_UUID.fullmatch(value):
        return None
    hex_digits = value.strip("{}").replace("-", "")
    return "-".join(
        (hex_digits[:8], hex_digits[8:12], hex_digits[12:16], hex_digits[16:20], hex_digits[20:])
    )


def bearer_token(authorization: str | None) -> str | None:
    """``header&.split(" ")&.second``: Ruby splits on runs of whitespace, dropping leading ones."""
    if authorization is None:
        return None
    words = [word for word in re.split(f"[{RUBY_WHITESPACE}]+", authorization) if word]
    return words[1] if len(words) > 1 else None
