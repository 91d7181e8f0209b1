"""The drawn exploration: whole requests drawn by Hypothesis from the request strategy
(``_contract/drawn/strategy.py``), beyond the hand-written operators of ``variations.py``, each
judged by the oracle with Lago's twin as the model.

It draws what the operators do not write: header names and values (unknown names, drawn
values), the catalogue's queries, credential forms (a very long key, a key with non-ASCII
characters, an empty or lone scheme, two keys), and CORS preflights (OPTIONS with ``Origin``
and ``Access-Control-Request-Method``). A sweep first sends each credential form the operators
lack and a preflight, once; then Hypothesis draws whole requests with the rest of the budget, and
a request that shows a difference is shrunk to a minimal one. Each difference is recorded as
``explore/<dimension>/drawn: <features>``.

Only kinds of request the twin answers as Lago's real stack did are drawn: every feature in
``VOCABULARY`` is in the corpus recorded against it (tests/server/test_explore_drawn.py holds that).
Requests that meet one of Lago's own bugs are kept back unless ``--send-lago-bugs``; no drawn
request names the payable invoice (a request with no id names an unknown one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from hypothesis import strategies as st

from conformance._contract.drawn.catalogue import CREDENTIALS, ID_FORMS, LITERAL_IDS, QUERIES
from conformance._contract.drawn.headers import HEADERS
from conformance._contract.drawn.strategy import Aim, Free, build, feature_sets, requests
from conformance._contract.fixtures import PAYABLE
from conformance._server.phases.lago_bugs import lago_bug_in
from conformance._server.phases.search import Sender, first_difference, search_settings
from conformance._server.transport.answer import Expectation

if TYPE_CHECKING:
    from conformance._contract.drawn.strategy import Drawn
    from conformance._server.judging.recorder import Recorder
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = [
    "DRAWN_SHARE", "PHASE", "VOCABULARY", "DrawnExploration", "aim_of", "drawable", "kinds", "share",
]  # fmt: skip

PHASE = "drawn requests"
# The requests the drawn exploration may send by default, of what the exploration and the
# property tests leave; --explore N gives it a sixth of N.
DRAWN_SHARE = 24
# New requests the shrinking of one difference may spend.
SHRINK_REQUESTS = 8
_EXPLORE = Expectation("explore")
_ROUNDS = 4
# Credential forms the hand-written operators do not write (variations.py).
BEYOND_CREDENTIALS = (
    "long", "non_ascii_utf8", "empty", "bearer_alone", "two_keys", "two_keys_other_first", "other_org",
)  # fmt: skip
# Headers left out: origins a deployment may allow (the twin knows only its own front URL, not
# the deployment's), and hop-by-hop or proxy-bound ones a correct front may act on itself
# (RFC 9110 sections 7.6.1, 7.6.2, 10.1.1).
_LEFT_OUT_HEADERS = frozenset(
    {
        "Origin: allowed", "Origin: https localhost", "Origin: localhost:3000",
        "Connection: upgrade", "Upgrade: h2c", "Upgrade: websocket", "TE: trailers",
        "Expect: 100-continue", "Expect: unknown", "Max-Forwards: 0",
    }
)  # fmt: skip
_HEADER_FEATURES = tuple(f"header {h}" for h in sorted(HEADERS) if h not in _LEFT_OUT_HEADERS)
_PREFLIGHT_METHODS = tuple(h for h in _HEADER_FEATURES if "Access-Control-Request-Method" in h)
_PREFLIGHT_HEADERS = tuple(h for h in _HEADER_FEATURES if "Access-Control-Request-Headers" in h)
_ORIGINS = ("header Origin: foreign", "header Origin: null")
_CREDENTIALS = tuple(f"auth={name}" for name in sorted(CREDENTIALS))
_QUERIES = tuple(f"query={name}" for name in sorted(QUERIES))
_IDS = (*(f"id=literal '{value}'" for value in LITERAL_IDS), "id=random uuid")
_ID_FORMS = tuple(f"id_form={name}" for name in sorted(ID_FORMS))
# Every feature the drawn exploration can draw (an unknown header's name is drawn: its feature
# is "header X-*: random name" here). Invoices named by a 422 reason add "invoice=<reason>".
VOCABULARY = frozenset(
    {*_HEADER_FEATURES, *_CREDENTIALS, *_QUERIES, *_IDS, *_ID_FORMS, "method=OPTIONS",
     "header X-*: random name"}
)  # fmt: skip


class _Run(Protocol):
    target: Target
    recorder: Recorder


def drawable(feature: str) -> bool:
    """Whether the drawn exploration may send a request with ``feature``."""
    if feature.startswith("header X-") and feature.endswith(": random name"):
        return True
    return feature in VOCABULARY or feature.startswith("invoice=")


def _one(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.sampled_from(values).map(lambda value: (value,))


def _optional(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.one_of(st.just(()), _one(values))


def kinds(aim: Aim) -> st.SearchStrategy[tuple[str, ...]]:
    """The feature sets drawn: a preflight, a credential form, headers, a query, or any mix of
    them and an id, the catalogue's own (``feature_sets``), kept to ``VOCABULARY``."""
    headers = st.lists(st.sampled_from(_HEADER_FEATURES), max_size=2, unique=True).map(tuple)
    preflight = st.tuples(
        st.just(("method=OPTIONS",)),
        _one(_ORIGINS),
        _one(_PREFLIGHT_METHODS),
        _optional(_PREFLIGHT_HEADERS),
        _optional(_CREDENTIALS),
    )
    credential = st.tuples(_one(_CREDENTIALS), headers, _optional(_QUERIES))
    query = st.tuples(_one(_QUERIES), headers, _optional(_IDS))
    many = st.tuples(
        st.lists(st.sampled_from(_HEADER_FEATURES), min_size=1, max_size=4, unique=True).map(tuple)
    )
    joined = st.one_of(credential, many, query, preflight).map(
        lambda parts: tuple(f for p in parts for f in p)
    )
    # The catalogue's whole feature sets, with no body (the hand-written bodies cover those),
    # on POST only, and only what the vocabulary holds.
    whole = feature_sets(aim).map(lambda features: tuple(filter(drawable, features)))
    return st.one_of(joined, whole)


def _dimension(features: tuple[str, ...]) -> str:
    if "method=OPTIONS" in features:
        return "method"
    for prefix, dimension in (
        ("auth=", "credentials"),
        ("header ", "headers"),
        ("query=", "query"),
    ):
        if any(f.startswith(prefix) for f in features):
            return dimension
    return "id"


@dataclass
class DrawnExploration:
    """One run's drawn exploration: ``wanted`` requests at most, seeded by ``seed``."""

    run: _Run
    aim: Aim
    wanted: int
    seed: int
    send_lago_bugs: bool = False
    reserve: int = 0
    # Differences found, by dimension, and the minimal feature sets that showed them.
    differences: Counter[str] = field(default_factory=Counter)
    found: list[frozenset[str]] = field(default_factory=list)
    _sender: Sender = field(init=False)

    def __post_init__(self) -> None:
        keep = None if self.send_lago_bugs else (lambda r: lago_bug_in(r) is not None)
        self._sender = Sender(self.run.target, self.wanted, SHRINK_REQUESTS, keep)

    @property
    def sent(self) -> int:
        """Drawn requests sent."""
        return self._sender.sent

    @property
    def kept_back(self) -> int:
        """Drawn requests kept back (a Lago bug, a safety rule of the target)."""
        return self._sender.kept_back

    def explore(self) -> None:
        """The sweep, then Hypothesis' rounds; re-raises what stopped the target."""
        # One request stays for the run's last consistency probe, and ``reserve`` for the
        # property tests.
        spare = self.run.target.remaining - 1
        self.wanted = self._sender.budget = min(self.wanted, max(spare - self.reserve, 0))
        for features in self._sweep():
            drawn = build(features, self.aim, Free())
            if self._sender.stop is None and not self._known(drawn.features):
                exchange = self._answer(drawn)
                if exchange is not None and self._differs(exchange):
                    self._record(drawn, exchange)
        for number in range(_ROUNDS):
            if self._sender.stop is not None or self.sent >= self.wanted:
                break
            found = self._round(number)
            if found is None:
                break
            self._record(*found)
        if self._sender.stop is not None:
            raise self._sender.stop

    def table(self) -> list[list[Any]]:
        """The report's table: requests drawn and sent, differences by dimension, kept back."""
        rows: list[list[Any]] = [["drawn requests", "count"], ["sent", self.sent]]
        rows += [[f"differences ({d})", n] for d, n in sorted(self.differences.items())]
        return [*rows, ["kept back", self.kept_back]]

    def _sweep(self) -> list[tuple[str, ...]]:
        origin = _ORIGINS[self.seed % len(_ORIGINS)]
        method = _PREFLIGHT_METHODS[self.seed % len(_PREFLIGHT_METHODS)]
        forms = [(f"auth={name}",) for name in BEYOND_CREDENTIALS]
        return [("method=OPTIONS", origin, method), *forms]

    def _round(self, number: int) -> tuple[Drawn, Exchange] | None:
        return first_difference(
            requests(self.aim, features=kinds(self.aim)),
            search_settings(max(10, 2 * self._sender.left)),
            self.seed * 1000 + 500 + number,
            self._sender,
            self._look,
        )

    def _look(self, drawn: Drawn) -> tuple[Drawn, Exchange] | None:
        if self._sender.stop is not None or self._known(drawn.features):
            return None
        exchange = self._answer(drawn)
        if exchange is not None and self._differs(exchange):
            return drawn, exchange
        return None

    def _known(self, features: tuple[str, ...]) -> bool:
        return any(known <= set(features) for known in self.found)

    def _differs(self, exchange: Exchange) -> bool:
        if exchange.rate_limited or exchange.status is None:
            return False
        return bool(self.run.recorder.preview(exchange, _EXPLORE))

    def _record(self, drawn: Drawn, exchange: Exchange) -> None:
        self.found.append(frozenset(drawn.features))
        dimension = _dimension(drawn.features)
        self.differences[dimension] += 1
        scenario = f"explore/{dimension}/drawn: {' + '.join(sorted(drawn.features))}"
        self.run.recorder.record(exchange, _EXPLORE, scenario, self.run.target.phase)

    def _answer(self, drawn: Drawn) -> Exchange | None:
        return self._sender.answer(drawn.request)


def share(wanted: int, given: bool) -> int:
    """The drawn exploration's requests: a sixth of ``--explore N`` when ``given``, else
    ``DRAWN_SHARE`` (none when the exploration is off)."""
    return wanted // 6 if given else min(DRAWN_SHARE, wanted)


def aim_of(
    api_key: str, other_api_key: str | None, reasons: dict[str, str], unknown_id: str
) -> Aim:
    """What drawn requests aim at: the run's key, the other organization's (a stand-in that no
    organization holds without one), the 422 invoices, and an unknown invoice in place of the
    payable one, which no drawn request names."""
    other = other_api_key or "lago-conformance-other-organization"
    return Aim(api_key, other, {**reasons, PAYABLE: unknown_id}, root="")
