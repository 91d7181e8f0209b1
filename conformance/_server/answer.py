"""What the server checks judge: one answer, and what its scenario expected of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from conformance._contract.spec import Spec
    from conformance._server.exchange import Exchange

__all__ = ["Answer", "Expectation", "Kind"]

Kind = Literal[
    "any",
    "reject",
    "unauthorized",
    "wrong_verb",
    "other_verb",
    "payable",
    "reason",
    "not_found",
    "hostile",
    "near_absent",
    "cast_form",
    "scheme_case",
]


@dataclass(frozen=True)
class Expectation:
    """What a scenario's answer must be, beyond the contract.

    ``reason`` and ``lago_id`` name the fixture invoice asked for (its 422 reason, its id);
    ``long_id`` marks an id over 1,024 characters, which a proxy or HTTP server may refuse (400, 414).
    """

    kind: Kind = "any"
    reason: str | None = None
    lago_id: str | None = None
    long_id: bool = False


@dataclass(frozen=True)
class Answer:
    """One answer as the checks see it: the exchange, its expectation, the secrets presented,
    and the run's spec (None: the bundled contract)."""

    exchange: Exchange
    expectation: Expectation
    secrets: tuple[str, ...] = ()
    spec: Spec | None = None

    @property
    def kind(self) -> str:
        """The kind of scenario it answers."""
        return self.expectation.kind
