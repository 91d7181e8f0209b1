"""Faulty deployments around a correct Lago that only the second organization (``--other-api-key``),
the payable invoice's exploration (``--payable-calls``) or the stateful phase catch.

Each is the faithful mock with one fault of a multi-tenant setup, a proxy or a cache in front of
it, in-process (``FaultyLago``). ``TENANT_FAULTS`` names, for each, the part of the run that alone
catches it, and the check that decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from conformance import LagoMock
from conformance._api import lago_twin
from conformance._contract.rules import bearer_token
from conformance._server.suite import ServerOptions, run_on_target
from conformance._server.transport.target import Target
from tests.faulty_servers import API_KEY, FaultyLago, Reply, Request

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._report.findings import Report

OTHER_KEY = "other-organization-key-0456"


def _as_own(server: FaultyLago, request: Request) -> Request:
    return replace(request, authorization=f"Bearer {server.mock.api_key}")


def unscoped_invoice_lookup(server: FaultyLago, request: Request) -> Reply:
    """A multi-tenant fork that finds invoices by id across organizations: another
    organization's key is answered as the owner's (200 with the checkout link, or the 422)."""
    if bearer_token(request.authorization) == OTHER_KEY:
        return server.faithful(_as_own(server, request))
    return server.faithful(request)


def reasons_across_tenants(server: FaultyLago, request: Request) -> Reply:
    """A fork that checks the organization only before the checkout: another organization's key
    gets the 422 reasons of the owner's invoices (the payable one stays 404)."""
    if bearer_token(request.authorization) == OTHER_KEY:
        reply = server.faithful(_as_own(server, request))
        if reply.status == 422:
            return reply
    return server.faithful(request)


def link_from_forwarded_host(server: FaultyLago, request: Request) -> Reply:
    """A front that rewrites the checkout link to the host a client names in
    ``X-Forwarded-Host`` (the link's host taken from the request: an open redirect to a
    look-alike checkout)."""
    reply = server.faithful(request)
    host = request.header("x-forwarded-host")
    if reply.status != 200 or host is None:
        return reply
    details = dict(reply.json["invoice_payment_details"])
    path = details["payment_url"].split("/", 3)[3]
    details["payment_url"] = f"https://{host}/{path}"
    return reply.with_json({"invoice_payment_details": details})


@dataclass
class RefusedCallExpiresLink:
    """A deployment that expires the invoice's checkout session when a call to it is refused
    (401): the next keyed call opens a new one at the provider (Lago writes nothing on a 401)."""

    expired: dict[str, int] = field(default_factory=dict)

    def __call__(self, server: FaultyLago, request: Request) -> Reply:
        reply = server.faithful(request)
        lago_id = request.lago_id.lower()
        if reply.status == 401:
            self.expired[lago_id] = self.expired.get(lago_id, 0) + 1
        elif reply.status == 200 and reply.body and self.expired.get(lago_id):  # not a preflight
            details = dict(reply.json["invoice_payment_details"])
            details["payment_url"] += f"-{self.expired[lago_id]}"
            return reply.with_json({"invoice_payment_details": details})
        return reply


@dataclass
class KeylessCallOpensCache:
    """A shared cache in front of Lago that stores each path's last 200 and, after a request
    without any ``Authorization`` on that path, answers the next one on it from its store,
    whatever key it carries (a stale-while-revalidate rule keyed on the path alone)."""

    stored: dict[str, Reply] = field(default_factory=dict)
    opened: set[str] = field(default_factory=set)

    def __call__(self, server: FaultyLago, request: Request) -> Reply:
        path = request.path
        if path in self.opened and path in self.stored:
            self.opened.discard(path)
            return self.stored[path]
        reply = server.faithful(request)
        if reply.status == 200:
            self.stored[path] = reply
        if request.header("authorization") is None:
            self.opened.add(path)
        return reply


@dataclass(frozen=True)
class TenantFault:
    """A faulty deployment, the check that decides, and the part of the run that alone sees it:
    ``tenant`` (--other-api-key), ``payable`` (the exploration's calls to the payable invoice)
    or ``stateful``."""

    name: str
    make: Callable[[], Callable[[FaultyLago, Request], Reply]]
    check: str
    part: str


TENANT_FAULTS: tuple[TenantFault, ...] = (
    TenantFault("unscoped-invoice-lookup", lambda: unscoped_invoice_lookup, "tenant_isolation", "tenant"),
    TenantFault("reasons-across-tenants", lambda: reasons_across_tenants, "tenant_isolation", "tenant"),
    TenantFault("link-from-forwarded-host", lambda: link_from_forwarded_host, "lago_ignores", "payable"),
    TenantFault("refused-call-expires-link", RefusedCallExpiresLink, "sequence_no_side_effect", "stateful"),
    TenantFault("keyless-call-opens-cache", KeylessCallOpensCache, "sequence_refuses", "stateful"),
)  # fmt: skip


def deployment(fault: TenantFault | None = None, seed: int = 0) -> FaultyLago:
    """The faithful mock (``fault`` None) or one faulty deployment, holding both organizations."""
    mock = LagoMock(api_key=API_KEY, seed=seed, other_api_key=OTHER_KEY)
    run: Callable[[FaultyLago, Request], Reply] = (
        fault.make() if fault is not None else (lambda server, request: server.faithful(request))
    )
    return FaultyLago(run, mock=mock)


def run_tenant_suite(
    app: Any, *, seed: int = 0, other: bool = True, base_url: str | None = None, **extra: Any
) -> Report:
    """The server suite on ``app`` (a FaultyLago or LagoMock), with the other organization's key
    unless ``other`` is False; ``extra``: more ServerOptions."""
    mock = app.mock if isinstance(app, FaultyLago) else app
    options = ServerOptions(seed=seed, other_api_key=OTHER_KEY if other else None, **extra)
    target = (
        Target(api_key=API_KEY, app=app, max_requests=options.max_requests)
        if base_url is None
        else Target(api_key=API_KEY, base_url=base_url, max_requests=options.max_requests)
    )
    twin = lago_twin(API_KEY, mock.fixtures, seed, "lago.test", options.other_api_key)
    with target:
        return run_on_target(target, options, mock.fixtures, {"target": "test"}, twin)


def flagged(report: Report) -> set[tuple[str, str]]:
    """(check, scenario) of every result with findings."""
    return {(result.check, result.scenario) for result in report.results if result.findings}


def body(reply: Reply) -> Any:
    """The JSON body of a reply (for the tests' own assertions)."""
    return json.loads(reply.body)
