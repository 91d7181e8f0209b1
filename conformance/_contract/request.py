"""A request as data: what the server suite sends, and what the mock (Lago's twin) answers.

Every part a client controls is a field: the method, the raw path (percent-escapes kept as on the
wire), the raw query string, the headers in order (repeats allowed, names in any case) and the
body bytes. Nothing is normalized here: reading a request the way Lago's stack reads it is the
mock's job, and sending it as it is, the ``Target``'s.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["Request"]


@dataclass(frozen=True)
class Request:
    """One HTTP request: method, raw path, raw query, ordered headers (repeats allowed), body;
    ``length`` False sends a bodiless request with no ``Content-Length`` at all (as ``curl -X
    POST`` does) instead of the ``Content-Length: 0`` HTTP client libraries write."""

    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    length: bool = True

    @classmethod
    def of(
        cls, method: str, path: str, authorization: str | None = None, *headers: tuple[str, str]
    ) -> Request:
        """A request with an ``Authorization`` header first when ``authorization`` is given."""
        first = (("Authorization", authorization),) if authorization is not None else ()
        return cls(method, path, headers=first + headers)

    @property
    def target(self) -> str:
        """The request target as on the request line: the path, and ``?query`` when there is one."""
        return f"{self.path}?{self.query}" if self.query else self.path

    def values(self, name: str) -> list[str]:
        """Every value of the header ``name`` (any case), in the order they were sent."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def header(self, name: str) -> str | None:
        """The first value of the header ``name`` (any case), or None."""
        values = self.values(name)
        return values[0] if values else None

    @property
    def authorization(self) -> str | None:
        """The first ``Authorization`` value, or None."""
        return self.header("authorization")

    def without(self, name: str) -> Request:
        """This request without any header called ``name`` (any case)."""
        wanted = name.lower()
        kept = tuple((key, value) for key, value in self.headers if key.lower() != wanted)
        return dataclasses.replace(self, headers=kept)

    def adding(self, *headers: tuple[str, str]) -> Request:
        """This request with ``headers`` appended (after the ones it has)."""
        return dataclasses.replace(self, headers=self.headers + headers)

    def replace(self, **changes: object) -> Request:
        """This request with the named fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def prefixed(self, prefix: str) -> Request:
        """This request with ``prefix`` before its path (the base URL's path, for the mock)."""
        return dataclasses.replace(self, path=prefix + self.path)
