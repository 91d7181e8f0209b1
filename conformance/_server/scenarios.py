"""One server run's state and its fixed scenarios: the preflight, the auth probes and the
fixture scenarios, each request judged by the recorder as it comes back."""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING

from conformance._contract.fixtures import PAYABLE
from conformance._contract.request import Request
from conformance._server.judging.answered_by import advice, looks_like_lago, what_answered
from conformance._server.judging.checks import PAYMENT_URL_STABLE
from conformance._server.judging.recorder import REASONS
from conformance._server.phases.variations import variations
from conformance._server.transport.answer import Expectation
from conformance._server.transport.target import TargetUnusable
from conformance._server.twin.oracle import lago_values

if TYPE_CHECKING:
    from conformance._contract.fixtures import Fixtures
    from conformance._server.judging.recorder import Recorder
    from conformance._server.options import ServerOptions
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["OTHER_ID", "ServerRun", "path_of"]

# An id no invoice has, for variations that name another invoice where none is known.
OTHER_ID = "5a1e5a1e-0000-4000-8000-000000000000"


def path_of(lago_id: str) -> str:
    return f"/invoices/{lago_id}/payment_url"


class ServerRun:
    """One run's state: the target, the options, the recorder and a seeded id generator."""

    def __init__(
        self, target: Target, options: ServerOptions, fixtures: Fixtures, recorder: Recorder
    ) -> None:
        self.target, self.options, self.recorder = target, options, recorder
        self.fixtures = fixtures
        # The payable invoice's first answer, once the fixture scenarios have asked for it.
        self.payable_answer: Exchange | None = None
        # Namespaced, so the ids never follow the same sequence as a mock seeded alike.
        self.rng = random.Random(f"lago-conformance-server:{options.seed}")

    def random_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def send(
        self,
        scenario: str,
        method: str,
        lago_id: str,
        authorization: str | None,
        expectation: Expectation,
    ) -> Exchange:
        return self.send_request(
            scenario, Request.of(method, path_of(lago_id), authorization), expectation
        )

    def send_request(self, scenario: str, request: Request, expectation: Expectation) -> Exchange:
        exchange = self.target.send(request)
        self.recorder.record(exchange, expectation, scenario, self.target.phase)
        return exchange

    def ignored_variation(self, request: Request) -> Request:
        """``request`` with one header variation Lago ignores, drawn with the run's seed (the
        request itself without a twin)."""
        if self.recorder.twin is None:
            return request
        lago = lago_values(self.recorder.lago(request), request)
        candidates = [
            variant
            for variation in variations(self.target.api_key, OTHER_ID)
            if variation.dimension == "headers"
            and lago_values(self.recorder.lago(variant := variation.apply(request)), variant)
            == lago
        ]
        return self.rng.choice(candidates) if candidates else request

    def skip(self, scenario: str, expectation: Expectation, reason: str) -> None:
        self.recorder.skip(scenario, expectation, reason, self.target.phase)

    def named(self) -> str | None:
        """A fixture invoice, the payable one last: it is asked for as little as possible."""
        invoices = self.fixtures.invoices
        return next((v for k, v in invoices.items() if k != PAYABLE), invoices.get(PAYABLE))

    def record(self, exchange: Exchange, expectation: Expectation, scenario: str) -> None:
        """Judge an exchange sent by someone else (the property tests) in the current phase."""
        self.recorder.record(exchange, expectation, scenario, self.target.phase)

    def preflight(self) -> None:
        """Is it Lago, is the key accepted? A front that answers the keyless request itself (a
        redirect to its login page, a WAF's 403) is judged, not taken for another site: the run
        stops only when neither request gets an answer Lago could give."""
        keyless = self.send(
            "auth/no-header", "POST", self.random_uuid(), None, Expectation("unauthorized")
        )
        # With the run's key, an unknown invoice is a 404. A 401 means the key itself is refused:
        # every later answer would blame the server for the user's key, so stop here.
        keyed = self.send(
            "invoice/unknown-uuid", "POST", self.random_uuid(), self.target.bearer(),
            Expectation("not_found"),
        )  # fmt: skip
        answered = keyless.status is not None and keyed.status is not None
        # An answer broken at the wire (framing, a 1xx) is judged: its findings say what is wrong.
        broken = any(e.framing or e.interim_faults for e in (keyless, keyed))
        if answered and not broken and not (looks_like_lago(keyless) or looks_like_lago(keyed)):
            first, second = what_answered(keyless), what_answered(keyed)
            said = (
                f"answered {first} with the key and without"
                if first == second
                else f"answered {first} without a key and {second} with it"
            )
            raise TargetUnusable(
                f"{self.target.url} does not look like Lago: POST {path_of('<uuid>')} {said}; "
                f"{advice(keyed)}"
            )
        if keyed.status == 401:
            raise TargetUnusable(
                f"{self.target.url} refused the API key (401 on POST {path_of('<uuid>')} with it); "
                "check --api-key or LAGO_API_KEY"
            )

    def auth_probes(self) -> None:
        named = self.named()
        unauthorized = Expectation("unauthorized")
        self.send("auth/empty-bearer", "POST", self.random_uuid(), "Bearer", unauthorized)
        self.send(
            "auth/unknown-key",
            "POST",
            self.random_uuid(),
            f"Bearer lago-conformance-{self.random_uuid()}",
            unauthorized,
        )
        if named is None:
            self.skip(
                "auth/wrong-key-for-invoice",
                unauthorized,
                "not covered: the fixtures name no invoice",
            )
        else:
            self.send(
                "auth/wrong-key-for-invoice",
                "POST",
                named,
                f"Bearer wrong-{self.random_uuid()}",
                unauthorized,
            )

    def fixture_scenarios(self) -> None:
        fixtures, bearer = self.fixtures, self.target.bearer()
        payable = fixtures.get(PAYABLE)
        if payable is None:
            self.skip(
                "invoice/payable", Expectation("payable"), "not covered: no fixture names `payable`"
            )
        else:
            expectation = Expectation("payable", lago_id=payable)
            first = self.send("invoice/payable", "POST", payable, bearer, expectation)
            self.payable_answer = first
            # The second call rides a variation Lago ignores: the whole answer must not change.
            variant = self.ignored_variation(first.request)
            again = self.target.send(variant)
            self.recorder.record(
                again, expectation, "invoice/payable-again", self.target.phase, base=first
            )
            if self.options.level == "strict" and not (first.rate_limited or again.rate_limited):
                self.recorder.judge(
                    PAYMENT_URL_STABLE, "invoice/payable", (first, again), again.curl()
                )
        for reason in REASONS:
            lago_id = fixtures.get(reason)
            expectation = Expectation("reason", reason=reason)
            if lago_id is None:
                self.skip(
                    f"invoice/{reason}", expectation, f"not covered: no fixture names `{reason}`"
                )
            else:
                self.send(f"invoice/{reason}", "POST", lago_id, bearer, expectation)
        self.send("invoice/not-a-uuid", "POST", "not-a-uuid", bearer, Expectation("not_found"))
        # On the payable invoice: a server that serves GET as POST shows it with a 2xx. A GET
        # never reaches the checkout on a server that routes it right.
        self.send(
            "verb/GET", "GET", payable or self.random_uuid(), bearer, Expectation("wrong_verb")
        )
