"""The mock's seeded organization: customers and invoices, one invoice for each outcome.

Outcomes are not looked up from a table: ``generate_payment_url`` walks the same checks, in the
same order, as Lago's ``Invoices::Payments::GeneratePaymentUrlService``, on the invoice's state.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from conformance._contract.fixtures import FIXTURE_KEYS, PAYABLE, Fixtures
from conformance._contract.rules import THIRD_PARTY_ERROR, VALIDATION_ERRORS, cast_uuid

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "NOT_FOUND",
    "Customer",
    "Decision",
    "Invoice",
    "build_invoices",
    "checkout_url",
    "fixtures_for",
    "generate_payment_url",
    "invoices_for",
]

NOT_FOUND = "not_found"
# app/models/invoice.rb VISIBLE_STATUS; other statuses (generating, open, closed) answer 404.
VISIBLE_STATUSES = frozenset({"draft", "finalized", "voided", "failed", "pending"})
ProviderFault = Literal["blank_url", "api_error"]

_CHECKOUT_URLS = {
    "stripe": "https://checkout.stripe.com/c/pay/cs_test_{token}",
    "adyen": "https://test.adyen.link/PL{token}",
    "cashfree": "https://payments-test.cashfree.com/links/{token}",
    "flutterwave": "https://checkout.flutterwave.com/v3/hosted/pay/{token}",
    "moneyhash": "https://embed.moneyhash.io/embed/payment/{token}",
}
THIRD_PARTY_MESSAGE = "No such customer: 'cus_conformance'"


@dataclass(frozen=True)
class Customer:
    """A customer and its payment-provider set-up."""

    lago_id: str
    external_id: str
    provider: str | None
    provider_connected: bool = True
    provider_customer_id: str | None = "cus_conformance"
    provider_fault: ProviderFault | None = None


@dataclass(frozen=True)
class Invoice:
    """An invoice of the mock organization, named for the outcome it demonstrates."""

    name: str
    expect: str  # a fixtures key (payable or a 422 reason), or NOT_FOUND
    lago_id: str
    status: str
    payment_status: str
    customer: Customer

    @property
    def visible(self) -> bool:
        """Whether Lago's API can see this invoice at all."""
        return self.status in VISIBLE_STATUSES


@dataclass(frozen=True)
class Decision:
    """What the service decided: a checkout URL, or a 422 code with its details."""

    payment_url: str | None = None
    code: str | None = None
    error_details: dict[str, object] | None = None


def checkout_url(provider: str, seed: int, lago_id: str, generation: int) -> str:
    """A provider-looking https checkout URL, deterministic for its inputs."""
    token = hashlib.sha256(f"{seed}:{lago_id}:{generation}".encode()).hexdigest()[:24]
    return _CHECKOUT_URLS[provider].format(token=token)


def generate_payment_url(invoice: Invoice, create_url: Callable[[Invoice], str]) -> Decision:
    """Lago's checks, in the service's order; ``create_url`` plays the provider."""
    customer = invoice.customer
    if customer.provider is None:
        return _invalid("no_linked_payment_provider")
    if customer.provider == "gocardless":
        return _invalid("invalid_payment_provider")
    if invoice.status in ("draft", "voided") or invoice.payment_status == "succeeded":
        return _invalid("invalid_invoice_status_or_payment_status")
    if not customer.provider_connected:
        return _invalid("missing_payment_provider")
    if not customer.provider_customer_id:
        return _invalid("missing_payment_provider_customer")
    if customer.provider_fault == "api_error":
        details: dict[str, object] = {
            "third_party": customer.provider.capitalize(),
            "thirdparty_error": THIRD_PARTY_MESSAGE,
        }
        return Decision(code=THIRD_PARTY_ERROR, error_details=details)
    url = "" if customer.provider_fault == "blank_url" else create_url(invoice)
    if not url:
        return _invalid("payment_provider_error")
    return Decision(payment_url=url)


def _invalid(reason: str) -> Decision:
    return Decision(code=VALIDATION_ERRORS, error_details={"base": [reason]})


# (name, expect, invoice status, payment status, provider, connected, provider customer, fault)
_CATALOGUE: tuple[tuple[str, str, str, str, str | None, bool, bool, ProviderFault | None], ...] = (
    ("payable", PAYABLE, "finalized", "pending", "stripe", True, True, None),
    ("payable-adyen", PAYABLE, "finalized", "failed", "adyen", True, True, None),
    ("payable-cashfree", PAYABLE, "pending", "pending", "cashfree", True, True, None),
    ("payable-flutterwave", PAYABLE, "failed", "pending", "flutterwave", True, True, None),
    ("payable-moneyhash", PAYABLE, "finalized", "pending", "moneyhash", True, True, None),
    ("no-provider", "no_linked_payment_provider", "finalized", "pending", None, True, True, None),
    ("gocardless", "invalid_payment_provider", "finalized", "pending", "gocardless", True, True, None),
    ("draft", "invalid_invoice_status_or_payment_status", "draft", "pending", "stripe", True, True, None),
    ("voided", "invalid_invoice_status_or_payment_status", "voided", "pending", "stripe", True, True, None),
    ("paid", "invalid_invoice_status_or_payment_status", "finalized", "succeeded", "stripe", True, True, None),
    ("no-connection", "missing_payment_provider", "finalized", "pending", "stripe", False, True, None),
    ("no-provider-customer", "missing_payment_provider_customer", "finalized", "pending", "stripe", True, False, None),
    ("blank-url", "payment_provider_error", "finalized", "pending", "adyen", True, True, "blank_url"),
    ("stripe-error", THIRD_PARTY_ERROR, "finalized", "pending", "stripe", True, True, "api_error"),
    ("generating", NOT_FOUND, "generating", "pending", "stripe", True, True, None),
    ("open", NOT_FOUND, "open", "pending", "stripe", True, True, None),
    ("closed", NOT_FOUND, "closed", "pending", "stripe", True, True, None),
)  # fmt: skip


def build_invoices(seed: int) -> tuple[Invoice, ...]:
    """The mock organization's invoices; ids depend only on ``seed``."""
    rng = random.Random(seed)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    invoices = []
    for name, expect, status, payment_status, provider, connected, has_pc, fault in _CATALOGUE:
        customer = Customer(
            lago_id=new_id(),
            external_id=f"conformance-{name}",
            provider=provider,
            provider_connected=connected,
            provider_customer_id="cus_conformance" if has_pc else None,
            provider_fault=fault,
        )
        invoices.append(Invoice(name, expect, new_id(), status, payment_status, customer))
    return tuple(invoices)


def invoices_for(fixtures: Fixtures, seed: int) -> tuple[Invoice, ...]:
    """An organization holding exactly the invoices ``fixtures`` names, each with the outcome it
    is named for: Lago's twin of a deployment whose invoices only the fixtures describe."""
    catalogue = build_invoices(seed)
    invoices = []
    for key, lago_id in fixtures.invoices.items():
        model = next(invoice for invoice in catalogue if invoice.expect == key)
        canonical = cast_uuid(lago_id) or lago_id
        invoices.append(Invoice(model.name, key, canonical, *_state(model)))
    return tuple(invoices)


def _state(invoice: Invoice) -> tuple[str, str, Customer]:
    return invoice.status, invoice.payment_status, invoice.customer


def fixtures_for(invoices: tuple[Invoice, ...]) -> Fixtures:
    """A fixtures file naming the first invoice for each fixtures key."""
    named: dict[str, str] = {}
    for invoice in invoices:
        if invoice.expect in FIXTURE_KEYS:
            named.setdefault(invoice.expect, invoice.lago_id)
    return Fixtures(named)
