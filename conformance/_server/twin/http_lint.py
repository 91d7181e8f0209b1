"""An answer read by httplint (the message linter extracted from REDbot): its notes, each with
the field it concerns and the specification it cites.

httplint is fed an answer piece by piece (status line, header lines in order, body, end) and
returns notes (level, category, summary); the caller decides what they mean. Here a note is
kept as data, keyed by its kind and its summary (never its position among the header lines, which
a front that adds headers shifts), so that the target's answer and Lago's can be compared.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from httplint import HttpRequestLinter, HttpResponseLinter, levels

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from conformance._contract.request import Request
    from conformance._contract.rules import Reply
    from conformance._server.transport.exchange import Exchange

__all__ = ["LintNote", "Linted", "forget", "lint_exchange", "lint_reply"]

# The specification a note cites when it concerns no field httplint knows: HTTP's semantics,
# its framing, caching, cookies, after the note's category.
_CATEGORY_SOURCE = {
    "CACHING": "http://httpwg.org/specs/rfc9111",
    "CONNECTION": "http://httpwg.org/specs/rfc9112",
    "COOKIES": "https://www.rfc-editor.org/rfc/rfc6265",
}
_HTTP_SEMANTICS = "http://httpwg.org/specs/rfc9110"
_JUDGED_LEVELS = frozenset({levels.BAD, levels.WARN})
_RFC = re.compile(r"rfc[-/]?(\d{4})", re.IGNORECASE)
# Rails' per-answer values (ActionDispatch::RequestId, Rack::Runtime, Rack::ETag), each replaced
# by a value of the same syntax, so that Lago's answers that differ only there are linted once.
_PER_ANSWER = {"x-request-id": "0", "x-runtime": "0.0", "etag": 'W/"0"'}
_PLAIN = {
    "x-request-id": re.compile(rb"[A-Za-z0-9._@-]{1,255}"),
    "x-runtime": re.compile(rb"[0-9]{1,6}\.[0-9]{1,9}"),
    "etag": re.compile(rb'(W/)?"[A-Za-z0-9]{1,64}"'),
}
_OFFSET = re.compile(r"offset-(\d+)")
# Fields whose repeated lines stack (a coding applied twice) or frame the message: never merged.
_STACKING = frozenset({b"transfer-encoding", b"content-encoding", b"content-length", b"set-cookie"})
# The codings the target reader undoes when the request asked for them (base_url.decode_content).
_DECODED = ("gzip", "deflate")


@dataclass(frozen=True)
class LintNote:
    """One httplint note that can be a finding (level bad or warning), as data."""

    name: str
    level: str
    category: str
    summary: str
    field: str
    cites: str

    @property
    def key(self) -> tuple[str, str]:
        """What makes two notes the same: the note's kind and its summary."""
        return self.name, self.summary

    @property
    def rfc(self) -> str | None:
        """The RFC the note cites ("RFC 9111"), or None when it cites another kind of text."""
        match = _RFC.search(self.cites)
        return f"RFC {match[1]}" if match else None


@dataclass(frozen=True)
class Linted:
    """An answer's notes (bad and warning ones), and the header fields httplint parsed."""

    notes: tuple[LintNote, ...]
    fields: tuple[str, ...]
    parsed: dict[str, Any]

    def keys(self) -> set[tuple[str, str]]:
        """The kinds of note this answer got."""
        return {note.key for note in self.notes}


@functools.lru_cache(maxsize=256)
def _request_linter(method: str, headers: tuple[tuple[str, str], ...]) -> HttpRequestLinter:
    """The request as a note on its answer reads it: the method and the header lines (HEAD,
    Authorization, Origin), never the path; one per kind of request, shared by many answers."""
    linter = HttpRequestLinter(no_content=True)
    linter.process_request_topline(method.encode("latin-1", "replace"), b"/", b"HTTP/1.1")
    linter.process_headers(
        [(k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in headers]
    )
    linter.finish_content(True)
    return linter


def _field(subject: str, names: Sequence[str]) -> str:
    """The header field a note's subject names: ``field-<name>``, or ``offset-<n>`` (its place
    among the header lines fed)."""
    offset = _OFFSET.fullmatch(subject)
    if offset is not None:
        index = int(offset[1])
        return names[index] if index < len(names) else ""
    first = subject.split(" ", 1)[0]
    return first.removeprefix("field-") if first.startswith("field-") else ""


def _cites(note: Any, field: str, handlers: dict[str, Any]) -> str:
    """The specification of the field a note concerns, else the one its category is about."""
    handler = handlers.get(field)
    reference = getattr(handler, "reference", "") if handler is not None else ""
    if reference and reference != "about:blank":
        return str(reference)
    return _CATEGORY_SOURCE.get(note.category.name, _HTTP_SEMANTICS)


def lint(
    request: Request,
    status: int,
    headers: Iterable[tuple[bytes, bytes]],
    body: bytes,
    *,
    complete: bool = True,
) -> Linted:
    """httplint's notes on an answer to ``request``: ``headers`` the header lines in order,
    ``body`` the content as sent (``complete=False``: not all of it, so its length is not judged)."""
    lines = list(headers)
    names = [name.decode("latin-1").lower() for name, _ in lines]
    linter = HttpResponseLinter(no_content=not complete)
    linter.request = _request_linter(request.method, request.headers)
    linter.is_head_response = request.method == "HEAD"
    linter.process_response_topline(b"HTTP/1.1", str(status).encode(), b"")
    linter.process_headers(lines)
    if complete:
        linter.feed_content(body)
    linter.finish_content(complete)
    handlers = linter.headers.handlers
    notes = []
    for note in linter.notes:
        if note.level not in _JUDGED_LEVELS:
            continue
        field = _field(note.subject, names)
        notes.append(
            LintNote(
                type(note).__name__,
                note.level.value,
                note.category.name.lower(),
                str(note.summary),
                field,
                _cites(note, field, handlers),
            )
        )
    return Linted(tuple(notes), tuple(dict.fromkeys(names)), dict(linter.headers.parsed))


def lint_exchange(exchange: Exchange) -> Linted:
    """The target's answer linted; a body the suite may have decoded (a coding it asked for) or
    did not read to its end is judged by its header lines alone: its bytes on the wire are gone."""
    assert exchange.status is not None
    raw = tuple((name, _masked(name, value)) for name, value in _once(exchange.headers.raw))
    coding = exchange.headers.get("content-encoding", "").strip().lower()
    asked = (exchange.request.header("accept-encoding") or "").lower()
    decoded = coding in _DECODED and coding in asked
    complete = not exchange.truncated and not decoded
    request = replace(exchange.request, path="/", query="", body=b"")
    return _lint_target(request, exchange.status, raw, exchange.body, complete)


def _once(lines: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The header lines with a line that repeats an earlier one, name and value, read once: nginx's
    ``add_header`` over a header the answer has says nothing new (``X-Frame-Options: SAMEORIGIN``
    twice is SAMEORIGIN, HTML's processing model); other values stay, and conflict."""
    seen: set[tuple[bytes, bytes]] = set()
    kept = []
    for name, value in lines:
        line = (name.lower(), value.strip())
        if line in seen and line[0] not in _STACKING:
            continue
        seen.add(line)
        kept.append((name, value))
    return kept


def _masked(name: bytes, value: bytes) -> bytes:
    # A per-answer value of the form Rails gives it tells httplint nothing more than "0" does.
    key = name.lower().decode("latin-1")
    plain = _PLAIN.get(key)
    return _PER_ANSWER[key].encode() if plain is not None and plain.fullmatch(value) else value


@functools.lru_cache(maxsize=256)
def _lint_target(
    request: Request, status: int, raw: tuple[tuple[bytes, bytes], ...], body: bytes, complete: bool
) -> Linted:
    # As Lago's: a note reads the request's method and header lines, never its path.
    return lint(request, status, raw, body, complete=complete)


def lint_reply(reply: Reply, request: Request) -> Linted:
    """Lago's answer (the twin's) to ``request`` linted, framed as Puma frames it."""
    headers = tuple(
        (name, _PER_ANSWER.get(name.lower(), value)) for name, value in reply.all_headers()
    )
    return _lint_lago(
        replace(request, path="/", query="", body=b""), reply.status, headers, reply.body
    )


@functools.lru_cache(maxsize=256)
def _lint_lago(
    request: Request, status: int, fields: tuple[tuple[str, str], ...], body: bytes
) -> Linted:
    # A note on an answer reads its request's method and header lines, never its path: Lago's
    # answers to every unknown id are linted once.
    lines = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in fields]
    lines.append((b"content-length", str(len(body)).encode()))
    return lint(request, status, lines, b"" if request.method == "HEAD" else body)


def forget() -> None:
    """Empty the caches of linted requests and answers (a benchmark times a first run)."""
    for cached in (_request_linter, _lint_target, _lint_lago):
        cached.cache_clear()
