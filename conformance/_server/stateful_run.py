"""The stateful phase in a run: built from the run's state, its budget taken from the run's, and
what the report says of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance._contract.fixtures import PAYABLE
from conformance._contract.request import Request
from conformance._server.judging.sequence_checks import SEQUENCE_CHECKS
from conformance._server.phases.stateful import (
    DEFAULT_STATEFUL_REQUESTS,
    SCENARIO,
    Credentials,
    StatefulPhase,
)
from conformance._server.phases.variations import variations
from conformance._server.scenarios import OTHER_ID, path_of

if TYPE_CHECKING:
    from conformance._server.phases.payable import PayableCalls
    from conformance._server.scenarios import ServerRun

__all__ = ["start_stateful", "stateful_phase", "stateful_summary", "stateful_table"]

# The share of what the run has left that the stateful phase may take at most: the exploration
# and the property tests come after it.
_SHARE = 4


def stateful_phase(run: ServerRun, payable: PayableCalls) -> StatefulPhase | None:
    """The run's stateful phase, or None: ``--stateful 0``, or no twin to judge it."""
    options, target, twin = run.options, run.target, run.recorder.twin
    wanted = DEFAULT_STATEFUL_REQUESTS if options.stateful is None else options.stateful
    if twin is None or wanted <= 0:
        return None
    invoices = run.fixtures.invoices
    others = [lago_id for key, lago_id in invoices.items() if key != PAYABLE]
    bases = [Request.of("POST", path_of(run.random_uuid()))]
    bases += [Request.of("POST", path_of(lago_id)) for lago_id in others]
    lago_id = invoices.get(PAYABLE)
    payable_request = Request.of("POST", path_of(lago_id)) if lago_id is not None else None
    found = variations(target.api_key, others[-1] if others else OTHER_ID, options.other_api_key)
    return StatefulPhase(
        target,
        run.recorder,
        twin,
        Credentials(target.api_key, options.other_api_key),
        bases,
        payable_request,
        payable,
        found,
        wanted,
        options.seed,
        # What the exploration, run after it, leaves: its half (rounded up) of --payable-calls.
        payable_share=payable.limit - (payable.limit + 1) // 2,
    )


def start_stateful(phase: StatefulPhase, run: ServerRun) -> None:
    """Run the phase within its share of what the run has left, its checks marked as judged."""
    phase.budget = min(phase.budget, max(0, run.target.remaining - 1) // _SHARE)
    if phase.budget <= 0:
        return
    judged = [check for check in SEQUENCE_CHECKS if check.runs_at(run.options.level)]
    # The SHOULD invariants only at the strict level, as every other check.
    phase.unjudged = {check.name for check in SEQUENCE_CHECKS if check not in judged}
    run.recorder.passing(judged, SCENARIO, "stateful")
    phase.run()


def stateful_summary(phase: StatefulPhase | None) -> dict[str, Any]:
    """The report's metadata of the phase: requests, sequences tried, differences."""
    if phase is None:
        return {"requests": 0}
    return {
        "requests": phase.sent,
        "budget": phase.budget,
        "sequences": phase.sequences,
        "differences": [found.check.name for found in phase.found],
    }


def stateful_table(phase: StatefulPhase) -> list[list[Any]]:
    """The report's table of the phase."""
    rows: list[list[Any]] = [["requests", "sequences tried", "differences (shortest sequence)"]]
    shown = ", ".join(f"{f.check.name} ({len(f.steps)} steps)" for f in phase.found) or "none"
    return [*rows, [phase.sent, phase.sequences, shown]]
