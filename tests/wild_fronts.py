"""Lago behind faulty and correct fronts (proxies, CDNs, caches, WAFs, gateways, limiters).

Written apart from the suite's checks, from what real deployments get wrong in front of a correct
Lago. Each deployment is two organizations (faithful mocks, ``KEY_A``'s holding the fixtures a
run is given, ``KEY_B``'s the other tenant) behind one front (``tests/wild_front_server.py``):
faulty ones add ONE fault, with its real-world cause and a witness (requests whose answers differ
from those of the same organizations with no front); correct ones only look different.
``python -m tests.wild_fronts_run`` runs the suite on each, as a user would.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from tests.wild_front_client import run
from tests.wild_front_kit import Deployment
from tests.wild_front_server import KEY_A, KEY_B, Front, Stage
from tests.wild_fronts_correct import CORRECT
from tests.wild_fronts_edges import EDGE_FAULTS
from tests.wild_fronts_framing import FRAMING_FAULTS
from tests.wild_fronts_tenants import TENANT_FAULTS

if TYPE_CHECKING:
    from tests.wild_front_client import Probe, Seen
    from tests.wild_front_kit import Clock

__all__ = ["CORRECT", "DEPLOYMENTS", "FAULTY", "KEY_A", "KEY_B", "Deployment", "answers_of"]

FAULTY: tuple[Deployment, ...] = TENANT_FAULTS + EDGE_FAULTS + FRAMING_FAULTS
DEPLOYMENTS: tuple[Deployment, ...] = FAULTY + CORRECT
TRANSPARENT = Deployment("transparent-front", "correct", "The front with no fault (a control)",
                         lambda clock: Front(), ())  # fmt: skip


def frozen(at: float = 1000.5) -> Clock:
    """A clock that never moves: a limiter's window never rolls, so its answers are the same
    on every machine, however slow."""
    return lambda: at


def answers_of(
    deployment: Deployment, probes: tuple[Probe, ...] | None = None, stage: Stage | None = None
) -> tuple[list[Seen], list[Seen]]:
    """The witness (or ``probes``) sent to the deployment, then to its reference (each with fresh
    organizations, on a frozen clock): the deployment's answers, then the reference's."""
    sent = deployment.witness if probes is None else probes
    with contextlib.ExitStack() as stack:
        stage = stage or stack.enter_context(Stage())
        stage.reset(deployment.build(frozen()))
        got = run(stage.front_url, sent, deployment.compare)
        stage.reset(Front(), deployment.limit, frozen())
        expected = run(stage.reference_url, sent, deployment.compare)
    return got, expected
