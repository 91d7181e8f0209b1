"""A second organization (``--other-api-key``): every invoice the fixtures name answers its key
as Lago answers an invoice of another organization, 404 ``invoice_not_found``.

lago-api looks the invoice up among the caller's organization's own
(``app/controllers/api/v1/invoices_controller.rb``, ``payment_url``:
``current_organization.invoices.visible.includes(:customer).find_by(id: params[:id])``, then
``not_found_error(resource: "invoice")``). A 2xx or a 422 to another organization's key is a
cross-tenant leak: the invoice was found, and its checkout link or its reason handed over (OWASP
API Security Top 10 2023, API1: broken object level authorization).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from conformance._report.findings import Problem
from conformance._server.transport.answer import Expectation
from conformance._server.transport.target import TargetUnusable

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._contract.fixtures import Fixtures
    from conformance._server.transport.answer import Answer
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["NOT_JUDGED", "cross_tenant", "tenant_isolation"]

NOT_JUDGED = (
    "cross-tenant isolation was not judged: pass --other-api-key (or set LAGO_OTHER_API_KEY), "
    "the key of another organization on the same deployment, to check that it reaches none of "
    "the invoices the fixtures name"
)


def tenant_isolation(answer: Answer) -> Iterator[Problem]:
    """Another organization's key never reaches an invoice: no 2xx, no 422 (Lago answers 404)."""
    status = answer.exchange.status
    if status is not None and (200 <= status < 300 or status == 422):
        what = "its checkout link" if status < 300 else "its 422 reason"
        yield Problem(
            f"Another organization's key reached an invoice of this one: {what} (cross-tenant leak)",
            answer.exchange.describe(),
            '404 {"code": "invoice_not_found"}: Lago looks the invoice up among the caller\'s '
            "organization's invoices only",
        )


class _Run(Protocol):
    target: Target

    @property
    def fixtures(self) -> Fixtures: ...

    def random_uuid(self) -> str: ...

    def send(
        self, scenario: str, method: str, lago_id: str, authorization: str | None, e: Expectation
    ) -> Exchange: ...


def cross_tenant(run: _Run, other_key: str) -> None:
    """Every fixture invoice with the other organization's key, after one unknown invoice with it
    (a 401 there means the deployment does not take the key: the run cannot judge isolation)."""
    bearer = f"Bearer {other_key}"
    unknown = run.send(
        "tenant/unknown-invoice", "POST", run.random_uuid(), bearer, Expectation("not_found")
    )
    if unknown.status == 401:
        raise TargetUnusable(
            f"{run.target.url} refused the other organization's key (401 on an unknown invoice "
            "with it, where Lago answers 404); check --other-api-key or LAGO_OTHER_API_KEY, and "
            "if it is right, what routes it in front of Lago"
        )
    for key, lago_id in run.fixtures.invoices.items():
        expectation = Expectation("other_organization", lago_id=lago_id)
        run.send(f"tenant/{key}", "POST", lago_id, bearer, expectation)
