"""Helpers for the stack tests: one request to the mock in-process, and what Lago answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance._contract.request import Request
from tests.conftest import API_KEY

if TYPE_CHECKING:
    from conformance import LagoMock
    from conformance._contract.rules import Reply

AUTH = ("Authorization", f"Bearer {API_KEY}")
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=UTF-8"
PAGE_JSON = "application/json; charset=UTF-8"  # Rails' error pages write the charset so
OTHER_ID = "00000000-0000-4000-8000-000000000001"


def payable_path(mock: LagoMock, suffix: str = "") -> str:
    """The payable invoice's payment_url path, ``/api/v1`` included."""
    return f"/api/v1/invoices/{mock.invoice('payable').lago_id}/payment_url{suffix}"


def ask(
    mock: LagoMock,
    *headers: tuple[str, str],
    method: str = "POST",
    path: str | None = None,
    query: str = "",
    body: bytes = b"",
) -> Reply:
    """The mock's answer to one request (the payable invoice's path unless ``path``)."""
    request = Request(method, path or payable_path(mock), query, headers, body)
    return mock.respond(request)


@dataclass(frozen=True)
class Lago:
    """What Lago answers: status, content type, and the body's ``code`` or exact bytes."""

    status: int
    content_type: str | None = JSON
    code: str | None = None
    body: bytes | None = None

    def check(self, reply: Reply) -> None:
        """Assert ``reply`` is this answer."""
        assert (reply.status, reply.content_type) == (self.status, self.content_type), reply
        if self.body is not None:
            assert reply.body == self.body
        if self.code is not None:
            body = reply.json()
            assert isinstance(body, dict)
            assert body.get("code") == self.code, reply


OK = Lago(200)
UNAUTHORIZED = Lago(401, body=b'{"status":401,"error":"Unauthorized"}')
RESOURCE_NOT_FOUND = Lago(404, code="resource_not_found")
INVOICE_NOT_FOUND = Lago(404, code="invoice_not_found")
PUMA_400 = Lago(400, None, body=b"")
EMPTY_400 = Lago(400, HTML, body=b"")
EMPTY_404 = Lago(404, HTML, body=b"")
