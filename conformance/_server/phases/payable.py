"""The payable invoice, asked within a budget (``--payable-calls``) by the exploration and the
stateful phase, and what the exploration sends it.

Lago reuses a checkout link for 24 hours: ``PaymentIntents::FetchService`` finds the invoice's
non-expired ``PaymentIntent`` (``PaymentIntent.non_expired.find_or_create_by!``, its
``expires_at`` 24 hours ahead) and asks the provider only when it has no ``payment_url`` yet
(lago-api ``app/services/payment_intents/fetch_service.rb``, ``app/models/payment_intent.rb``).
Calls to the payable invoice on a correct deployment therefore open no new session at the
provider; the budget still bounds them, for a deployment that does.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance._contract.rules import cast_uuid
from conformance._server.phases.variations import OTHER_ORGANIZATION

if TYPE_CHECKING:
    from conformance._contract.request import Request
    from conformance._server.phases.variations import Variation

__all__ = ["DEFAULT_PAYABLE_CALLS", "PayableCalls", "payable_variations"]

DEFAULT_PAYABLE_CALLS = 12
# What a front may build a link from: the headers a proxy sets, tried first on the invoice.
_PROXY_HEADERS = ("X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "X-Forwarded-For")
# The credential forms that carry no key of the run's organization: sent last, since a front
# that reacts to a refused call must be seen by the stateful phase, not here.
_REFUSED = (OTHER_ORGANIZATION, "a wrong key", "no header at all")


@dataclass
class PayableCalls:
    """The run's budget of calls to the payable invoice (``limit``), counted per phase."""

    lago_id: str | None
    limit: int = DEFAULT_PAYABLE_CALLS
    by_phase: Counter[str] = field(default_factory=Counter)

    def names(self, request: Request) -> bool:
        """Whether ``request`` asks for the payable invoice, in any form Rails casts to its id."""
        if self.lago_id is None:
            return False
        parts = request.path.split("/")
        return len(parts) >= 3 and cast_uuid(parts[-2].replace("%7B", "{").replace("%7D", "}")) == (
            cast_uuid(self.lago_id)
        )

    @property
    def left(self) -> int:
        """Calls the budget still allows."""
        return max(0, self.limit - sum(self.by_phase.values()))

    def take(self, phase: str) -> bool:
        """Count one call in ``phase``; False (nothing counted) when the budget is spent."""
        if self.left <= 0:
            return False
        self.by_phase[phase] += 1
        return True

    def give_back(self, phase: str) -> None:
        """Uncount a call ``take`` counted and that was not sent after all."""
        self.by_phase[phase] -= 1
        if not self.by_phase[phase]:
            del self.by_phase[phase]

    def table(self) -> list[list[object]]:
        """The report's table: calls per phase, and the limit."""
        rows: list[list[object]] = [["phase", "calls"]]
        rows += [[phase, count] for phase, count in self.by_phase.items()]
        return [*rows, ["limit (--payable-calls)", self.limit]]


def payable_variations(variations: list[Variation], calls: int, seed: int) -> list[Variation]:
    """The variations the exploration sends the payable invoice, ``calls`` at most (one of which
    is a fresh base when any keyed variation is sent): the forms that carry no key of the
    organization always, the proxy headers a link could be built from first, then a seeded
    choice of the rest, keyed first and refused last."""
    refused = [v for name in _REFUSED for v in variations if v.name == name]
    refused = refused[:calls]
    room = calls - len(refused) - 1  # the fresh base, sent before any keyed variation
    if room <= 0:
        return refused
    proxies = [
        v
        for header in _PROXY_HEADERS
        for v in variations
        if v.dimension == "headers" and v.name.startswith(f"{header}:")
    ]
    # Keyed, and safe on a live invoice: no other verb, no credentials, no id that is not it.
    rest = [
        v
        for v in variations
        if v.dimension in ("headers", "query", "path", "body") and v not in proxies
    ]
    random.Random(f"lago-conformance-payable:{seed}").shuffle(rest)
    return [*(proxies + rest)[:room], *refused]
