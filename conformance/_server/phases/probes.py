"""The probes: requests derived from what the run knows (the fixture ids, the key, the route).

Five phases, each sent before the property tests so that a small ``--max-requests`` still covers
them, and each deterministic for a seed:

- hostile ids: metacharacters, very long ids, non-ASCII, control characters, percent-encoded
  reserved characters and whitespace, with the run's key: a 404, never a 5xx, HTML or a 2xx;
- near-misses of every fixture id: forms Rails casts to the same uuid find the invoice, the
  others are 404 (forms rotate over the fixtures, so that each form is sent once or twice);
- credential near-misses: keys one edit away from the run's key get a 401, and the right key
  under ``bearer`` or ``BEARER`` is accepted;
- other methods on the route (PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE);
- consistency: one identical request at the start, the middle and the end of the run.

The probes ask for the payable invoice once, in one cast form (the fixture scenarios ask twice);
only the stateful phase and the exploration ask for it more, within ``--payable-calls``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from conformance._contract.fixtures import PAYABLE
from conformance._server.transport.answer import Expectation, verb_kind

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from conformance._contract.fixtures import Fixtures
    from conformance._server.transport.answer import Kind
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["HOSTILE_IDS", "METHODS", "PHASES", "Probes"]

PHASES = ("hostile ids", "near-misses", "credential near-misses", "other methods", "consistency")
_LONG = 1024


def _long(length: int) -> str:
    return ("0123456789abcdef-" * (length // 17 + 1))[:length]


# (name, the id as it goes on the wire): percent-encoded where a raw character is not a valid URL.
HOSTILE_IDS: tuple[tuple[str, str], ...] = (
    ("quote", "'%20OR%20'1'='1"),
    ("double-quote", "%22"),
    ("semicolon", "1;select%201"),
    ("sql-comment", "--"),
    ("backslash", "%5C"),
    ("percent", "100%25"),
    ("length-37", _long(37)),
    ("length-255", _long(255)),
    ("length-256", _long(256)),
    ("length-1024", _long(1024)),
    ("length-8192", _long(8192)),
    ("latin-1", "factur%C3%A9e"),
    ("cjk", "%E5%8F%91%E7%A5%A8"),
    ("emoji", "%F0%9F%92%B3"),
    ("right-to-left", "%D9%81%D8%A7%D8%AA%D9%88%D8%B1%D8%A9"),
    ("nul", "%00"),
    ("line-feed", "%0A"),
    ("carriage-return", "%0D"),
    ("tab", "%09"),
    ("encoded-slash", "%2Fetc%2Fpasswd"),
    ("encoded-dot-dot", "%2E%2E"),
    ("encoded-question-mark", "%3Fx=1"),
    ("encoded-hash", "%23"),
    ("double-encoded-slash", "%252F"),
    ("space", "%20"),
    ("whitespace", "%20%09%20"),
)
# Forms Rails casts to the same uuid (ActiveRecord's OID::Uuid), and forms it cannot find.
_CAST_FORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("upper-case", str.upper),
    ("no-hyphens", lambda i: i.replace("-", "")),
    ("braces", lambda i: f"%7B{i}%7D"),
)
_ABSENT_FORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("junk-prefix", lambda i: f"x{i}"),
    ("junk-suffix", lambda i: f"{i}x"),
    ("line-feed-prefix", lambda i: f"%0A{i}"),
    ("line-feed-suffix", lambda i: f"{i}%0A"),
    # A raw slash would be squeezed away by Rails' router; encoded, it stays in the id.
    ("slash-prefix", lambda i: f"%2F{i}"),
    ("slash-suffix", lambda i: f"{i}%2F"),
    ("last-character-cut", lambda i: i[:-1]),
    ("twice", lambda i: i + i),
    ("one-digit-changed", lambda i: i[:-1] + format((int(i[-1], 16) + 1) % 16, "x")),
)
# The forms that never hold the whole id: the only ones sent for the payable invoice.
_PAYABLE_ABSENT = ("last-character-cut", "one-digit-changed")
_WELL_FORMED = frozenset({"one-digit-changed"})
METHODS = ("PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


class _Run(Protocol):
    target: Target
    fixtures: Fixtures
    rng: random.Random

    def random_uuid(self) -> str: ...

    def send(
        self, scenario: str, method: str, lago_id: str, authorization: str | None, e: Expectation
    ) -> Exchange: ...

    def skip(self, scenario: str, expectation: Expectation, reason: str) -> None: ...


class Probes:
    """The probe phases of one run."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.offset = run.rng.randrange(len(_CAST_FORMS) * len(_ABSENT_FORMS))
        self.consistency_id = run.random_uuid()
        self.consistency: list[Exchange] = []

    def named(self) -> str | None:
        """A fixture invoice that is not the payable one, or None."""
        return next((v for k, v in self.run.fixtures.invoices.items() if k != PAYABLE), None)

    def hostile_ids(self) -> None:
        """Ids no invoice has, with the run's key: 404 ``invoice_not_found`` each."""
        bearer = self.run.target.bearer()
        for name, lago_id in HOSTILE_IDS:
            expectation = Expectation("hostile", long_id=len(lago_id) > _LONG)
            self.run.send(f"probe/hostile-id/{name}", "POST", lago_id, bearer, expectation)

    def near_misses(self) -> None:
        """One cast form and two absent forms of each fixture id, rotating over the forms."""
        run, bearer = self.run, self.run.target.bearer()
        invoices = list(run.fixtures.invoices.items())
        if not invoices:
            run.skip("probe/near-miss", Expectation("cast_form"), "not covered: no fixtures")
        for index, (name, lago_id) in enumerate(invoices):
            reason = None if name == PAYABLE else name
            cast_name, cast = _CAST_FORMS[(index + self.offset) % len(_CAST_FORMS)]
            expectation = Expectation("cast_form", reason=reason, lago_id=lago_id)
            run.send(
                f"probe/near-miss/{name}/{cast_name}", "POST", cast(lago_id), bearer, expectation
            )
            if name == PAYABLE:
                absent = [form for form in _ABSENT_FORMS if form[0] in _PAYABLE_ABSENT]
            else:
                start = 2 * index + self.offset
                absent = [_ABSENT_FORMS[(start + k) % len(_ABSENT_FORMS)] for k in range(2)]
            for form_name, form in absent:
                kind: Kind = "near_absent" if form_name in _WELL_FORMED else "hostile"
                scenario = f"probe/near-miss/{name}/{form_name}"
                run.send(scenario, "POST", form(lago_id), bearer, Expectation(kind))

    def credential_near_misses(self) -> None:
        """Keys one edit away from the run's key: 401; the right key, scheme in other cases: not."""
        run, key = self.run, self.run.target.api_key
        middle = len(key) // 2
        forms = {
            "character-appended": key + "x",
            "last-character-cut": key[:-1],
            "other-case": key.swapcase(),
            "space-inside": f"{key[:middle]} {key[middle:]}",
            "tab-inside": f"{key[:middle]}\t{key[middle:]}",
        }
        for name, near in forms.items():
            scenario = f"probe/credential/{name}"
            if near == key or not key[:-1]:
                run.skip(
                    scenario, Expectation("unauthorized"), "not covered: the key has no such form"
                )
                continue
            run.send(
                scenario, "POST", run.random_uuid(), f"Bearer {near}", Expectation("unauthorized")
            )
        for scheme in ("bearer", "BEARER"):
            run.send(
                f"probe/credential/scheme-{scheme}", "POST", run.random_uuid(),
                f"{scheme} {key}", Expectation("scheme_case"),
            )  # fmt: skip

    def other_methods(self) -> None:
        """Every other verb on the route of a fixture invoice (an unknown one without fixtures)."""
        run = self.run
        lago_id = self.named() or run.random_uuid()
        for method in METHODS:
            scenario = f"probe/method/{method}"
            run.send(scenario, method, lago_id, run.target.bearer(), Expectation(verb_kind(method)))

    def consistent(self) -> None:
        """Send the run's identical request once more (an unknown uuid, with the key)."""
        exchange = self.run.send(
            "probe/consistency", "POST", self.consistency_id, self.run.target.bearer(),
            Expectation("not_found"),
        )  # fmt: skip
        self.consistency.append(exchange)
