"""The client as its users configure it: its own default base URL, and the retries it was told.

With no base URL given, a client calls a server the contract documents (US or EU): in-process
respx answers every host, over ``--command`` the built-in JavaScript runner sends the
documented servers' requests to the harness and names the URL it was asked for in the
``X-Lago-Conformance-Url`` header (any other host is refused there and written to stderr).
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from conformance._report.findings import Problem

if TYPE_CHECKING:
    from conformance._client.calls.call import Call

__all__ = ["INTERCEPTED", "SERVERS", "default_base_url", "retries_as_configured"]

# The contract's servers (#/servers): where a client with no base URL must go.
SERVERS = ("https://api.getlago.com/api/v1", "https://api.eu.getlago.com/api/v1")
# The header the JavaScript runner adds to a request it sent to the harness instead.
INTERCEPTED = "x-lago-conformance-url"
# What the JavaScript runner writes to stderr when it refuses a request to another host.
BLOCKED = "lago-conformance: refused a request to "


def default_base_url(call: Call) -> list[Problem]:
    """Given no base URL, every request goes to ``<server>/invoices/<id>/payment_url`` on a
    server the contract documents."""
    segment = urllib.parse.quote(call.lago_id, safe="")
    wanted = {f"{server}/invoices/{segment}/payment_url" for server in SERVERS}
    sent = [request.headers.get(INTERCEPTED, request.url) for request in call.requests]
    elsewhere = [url for url in sent if url not in wanted]
    refused = [
        line.split(BLOCKED, 1)[1].strip()
        for _, text in call.written
        for line in text.splitlines()
        if BLOCKED in line
    ]
    if not elsewhere and not refused and sent:
        return []
    shown = (elsewhere + refused)[:3]
    return [
        Problem(
            "with no base URL, the client calls no server the contract documents",
            ", ".join(call.shown_url(url) for url in shown) or "no request",
            f"POST {SERVERS[0]}/invoices/{segment}/payment_url (or the EU server's)",
        )
    ]


def retries_as_configured(call: Call) -> list[Problem]:
    """A client told how many times it may retry (its documented option) retries no more: told
    not to retry, it sends one request."""
    if call.allowed_retries is None or len(call.requests) <= call.allowed_retries + 1:
        return []
    told = "not to retry" if call.allowed_retries == 0 else f"{call.allowed_retries} retries"
    return [
        Problem(
            "the client retried more than it was configured to",
            f"{len(call.requests)} requests, configured for {told}",
            f"at most {call.allowed_retries + 1} request(s)",
        )
    ]
