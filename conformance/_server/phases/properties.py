"""Property tests from the bundled spec: schemathesis generates, ``Target`` sends, our checks judge.

Schemathesis' examples, coverage and fuzzing phases run in positive and negative modes. Every case
goes through the run's ``Target`` (budget, pacing, no redirects), so generated traffic obeys the
same limits as the rest of the run. Generated ``lago_id``s are random: they never name a real
invoice, so no checkout is ever created by them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from conformance._contract.document import load_document
from conformance._contract.request import Request
from conformance._server.phases.generation import case_phase, generate_cases
from conformance._server.phases.lago_bugs import lago_bug_in
from conformance._server.transport.answer import Expectation, verb_kind
from conformance._server.transport.target import BudgetExhausted, TargetUnusable, Unsendable

if TYPE_CHECKING:
    from collections.abc import Callable

    import schemathesis

    from conformance._contract.levels import Level
    from conformance._contract.spec import Spec
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["run_property_tests"]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_POSITIVE_AUTH = re.compile(r"Bearer \S*")


def _plan(case: schemathesis.Case[Any], target: Target) -> tuple[str | None, Expectation]:
    """The Authorization header to send for ``case``, and what its answer must be."""
    method = case.method.upper()
    authorization = case.headers.get("Authorization") if case.headers else None
    if authorization is not None and _POSITIVE_AUTH.fullmatch(authorization):
        # A well-formed bearer: send the run's key, so the case exercises the id, not the auth.
        authorization = target.bearer()
    if method != "POST":
        return authorization, Expectation(verb_kind(method))
    valid_id = _UUID.fullmatch(str(case.path_parameters.get("lago_id", ""))) is not None
    if authorization != target.bearer():
        # With a malformed id as well, a router may answer 404 before auth looks: both are fine.
        return authorization, Expectation("unauthorized" if valid_id else "reject")
    return authorization, Expectation("any" if valid_id else "reject")


def run_property_tests(
    target: Target,
    level: Level,
    seed: int,
    max_examples: int,
    record: Callable[[Exchange, Expectation, str], None],
    *,
    spec: Spec | None = None,
    send_lago_bugs: bool = False,
) -> list[str]:
    """Run the property tests, recording each answer; returns notes for the report. A case
    that meets one of Lago's own bugs is kept back unless ``send_lago_bugs``."""
    state = {"unsent": 0, "unsendable": 0, "lago_bugs": 0}
    aborted: list[TargetUnusable] = []

    def test(case: schemathesis.Case[Any]) -> None:
        if aborted or target.remaining <= 0:
            state["unsent"] += 1
            return
        authorization, expectation = _plan(case, target)
        phase = case_phase(case)
        try:
            request = Request.of(case.method.upper(), case.formatted_path, authorization)
            if not send_lago_bugs and lago_bug_in(request) is not None:
                state["lago_bugs"] += 1
                return
            exchange = target.send(request)
        except BudgetExhausted:
            state["unsent"] += 1
            return
        except Unsendable:
            state["unsendable"] += 1
            return
        except TargetUnusable as error:
            aborted.append(error)
            return
        record(exchange, expectation, f"property/{phase}")

    generate_cases(load_document(level, spec), seed, max_examples, test)
    if aborted:
        raise aborted[0]
    notes = []
    if state["unsendable"]:
        notes.append(
            f"{state['unsendable']} generated cases had an Authorization value no HTTP client "
            "can send (control characters); they were skipped"
        )
    if state["lago_bugs"]:
        notes.append(
            f"{state['lago_bugs']} generated cases meet a bug of Lago's own (real Lago answers "
            "them 500); they were kept back: --send-lago-bugs sends them"
        )
    if state["unsent"]:
        notes.append(
            f"property tests stopped at --max-requests {target.max_requests}: "
            f"{state['unsent']} generated cases were not sent"
        )
    return notes
