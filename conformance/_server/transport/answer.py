"""What the server checks judge: one answer, and what its scenario expected of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from conformance._contract.request import Request
    from conformance._contract.spec import Spec
    from conformance._server.transport.exchange import Exchange

__all__ = ["OPERATION_KINDS", "Answer", "Expectation", "Kind", "long_header_line", "verb_kind"]

# A header line this long may be refused by any server or proxy on the way (400, or 431: RFC 6585
# section 5), as nginx's and Apache's default limits do (8 KB, 8,190 bytes); Puma, which serves
# Lago, takes 80 KB, and Lago answers it.
LONG_FIELD = 8190


def long_header_line(request: Request) -> bool:
    """Whether ``request`` has a header line (name, colon, space, value) over ``LONG_FIELD``."""
    return any(len(name) + len(value) + 2 > LONG_FIELD for name, value in request.headers)


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
    "explore",
    "other_organization",
]


def verb_kind(method: str) -> Kind:
    """What another verb on the route is: one that must never succeed (GET, PUT, PATCH, DELETE:
    a 2xx is a MUST finding), or one HTTP lets a gateway answer (HEAD, OPTIONS, TRACE...)."""
    return "wrong_verb" if method in ("GET", "PUT", "PATCH", "DELETE") else "other_verb"


# The kinds of a POST on the documented operation: every kind but another verb's.
# An exploration's variant is outside the contract's inputs: the oracle judges it, with the checks
# that judge every answer.
OPERATION_KINDS: tuple[str, ...] = tuple(
    kind for kind in get_args(Kind) if kind not in ("wrong_verb", "other_verb", "explore")
)


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
