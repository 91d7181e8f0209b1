"""Faulty servers that no named check is written for: each is found by the oracle, through one
exploration dimension, or by the bytes of an answer. ``ORACLE_FAULTS`` names, for each, the
check that decides and the dimension whose exploration alone finds it (None: found elsewhere).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tests.faulty_servers import FaultyLago, Reply, Request

if TYPE_CHECKING:
    from collections.abc import Callable


def _with_key(server: FaultyLago, request: Request) -> Request:
    return replace(request, authorization=f"Bearer {server.mock.api_key}")


def key_in_query_accepted(server: FaultyLago, request: Request) -> Reply:
    """A re-implementation that also takes the key from ``?api_key=`` or ``?access_token=``."""
    query = urllib.parse.parse_qs(request.query)
    given = query.get("api_key", []) + query.get("access_token", [])
    if request.authorization is None and server.mock.api_key in given:
        return server.faithful(_with_key(server, request))
    return server.faithful(request)


def case_insensitive_routes(server: FaultyLago, request: Request) -> Reply:
    """A router that lower-cases the path before it matches (Rails' routes are case-sensitive)."""
    head, _, tail = request.path.rpartition("/")
    return server.faithful(replace(request, path=f"{head}/{tail.lower()}"))


def body_id_wins(server: FaultyLago, request: Request) -> Reply:
    """A clone that takes ``lago_id`` from a JSON body over the path (Lago reads the path only)."""
    try:
        body = json.loads(request.body) if request.body else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("lago_id"), str):
        lago_id = request.path.split("/")[-2]
        return server.faithful(
            replace(request, path=request.path.replace(lago_id, body["lago_id"]))
        )
    return server.faithful(request)


def query_id_wins(server: FaultyLago, request: Request) -> Reply:
    """A clone whose ``params[:id]`` comes from the query before the path."""
    given = urllib.parse.parse_qs(request.query).get("id")
    if given:
        lago_id = request.path.split("/")[-2]
        return server.faithful(replace(request, path=request.path.replace(lago_id, given[0])))
    return server.faithful(request)


def html_errors_for_browsers(server: FaultyLago, request: Request) -> Reply:
    """Errors rendered for ``Accept: text/html`` as a page (a web framework's default)."""
    reply = server.faithful(request)
    if reply.status >= 400 and "text/html" in (request.header("accept") or ""):
        return Reply(reply.status, b"Not Found", (("content-type", "text/plain"),))
    return reply


def nil_uuid_is_a_test_invoice(server: FaultyLago, request: Request) -> Reply:
    """A fork whose seed data holds an invoice with the nil uuid, payable by anyone keyed."""
    if request.path.split("/")[-2] == "00000000-0000-0000-0000-000000000000":
        payable = server.mock.invoice("payable").lago_id
        return server.faithful(
            replace(
                request, path=request.path.replace("0" * 8 + "-0000-0000-0000-" + "0" * 12, payable)
            )
        )
    return server.faithful(request)


def propfind_lists_the_invoice(server: FaultyLago, request: Request) -> Reply:
    """A WebDAV-minded gateway that answers PROPFIND itself, with a 207 listing (Puma, in front of
    Lago, answers 501: not implemented)."""
    if request.method == "PROPFIND":
        return Reply(207, b"<multistatus/>", (("content-type", "application/xml"),))
    return server.faithful(request)


def customer_id_changes(server: FaultyLago, request: Request) -> Reply:
    """A re-implementation that creates a provider customer per call: the answer's
    ``lago_customer_id`` changes between two calls (``payment_url`` does not)."""
    reply = server.faithful(request)
    if reply.status == 200 and "invoice_payment_details" in reply.json:  # not a preflight's 200
        server.calls += 0
        count = len(server.memory)
        server.memory.add(f"call-{count}")
        return reply.with_json(
            {
                "invoice_payment_details": {
                    **reply.json["invoice_payment_details"],
                    "lago_customer_id": f"00000000-0000-4000-8000-{count:012d}",
                }
            }
        )
    return reply


def byte_order_mark(server: FaultyLago, request: Request) -> Reply:
    """A serializer writing a UTF-8 byte-order mark before JSON (some .NET and PHP defaults)."""
    reply = server.faithful(request)
    return replace(reply, body=b"\xef\xbb\xbf" + reply.body) if reply.status == 404 else reply


def repeated_member_names(server: FaultyLago, request: Request) -> Reply:
    """A hand-built JSON error with ``code`` twice: parsers disagree on which one wins."""
    reply = server.faithful(request)
    if reply.status == 404 and b'"code":"invoice_not_found"' in reply.body:
        body = reply.body.replace(
            b'"code":"invoice_not_found"', b'"code":"not_found","code":"invoice_not_found"'
        )
        return replace(reply, body=body)
    return reply


@dataclass(frozen=True)
class OracleFault:
    """A faulty server, the check that decides, and the dimension whose exploration finds it."""

    name: str
    run: Callable[[FaultyLago, Request], Reply]
    check: str
    severity: str
    dimension: str | None


ORACLE_FAULTS: tuple[OracleFault, ...] = (
    OracleFault("key-in-query-accepted", key_in_query_accepted, "lago_refuses", "MUST", "credentials"),
    OracleFault("action-case-insensitive", case_insensitive_routes, "lago_reacts", "SHOULD", "path"),
    OracleFault("body-lago-id-wins", body_id_wins, "lago_ignores", "SHOULD", "body"),
    OracleFault("query-id-wins", query_id_wins, "lago_ignores", "SHOULD", "query"),
    OracleFault("html-errors-for-browsers", html_errors_for_browsers, "lago_ignores", "SHOULD", "headers"),
    OracleFault("nil-uuid-test-invoice", nil_uuid_is_a_test_invoice, "lago_refuses", "MUST", "id"),
    OracleFault("propfind-answered-207", propfind_lists_the_invoice, "lago_reacts", "SHOULD", "method"),
    OracleFault("customer-id-changes", customer_id_changes, "lago_ignores", "SHOULD", None),
    OracleFault("json-byte-order-mark", byte_order_mark, "response_schema_conformance", "MUST", None),
    OracleFault("json-repeated-names", repeated_member_names, "response_schema_conformance", "MUST", None),
)  # fmt: skip
