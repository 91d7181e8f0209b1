"""What a server run is asked to do: ``ServerOptions``, shared by the suite, the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance._contract.fixtures import Fixtures
    from conformance._contract.levels import FailOn, Level
    from conformance._contract.spec import Spec
    from conformance._report.baseline import Baseline

__all__ = ["ServerOptions"]


@dataclass(frozen=True)
class ServerOptions:
    """What to check, where, and how hard; ``base_url=None`` checks the embedded mock in-process.

    ``api_key`` None means ``$LAGO_API_KEY`` (the mock's own key for the embedded mock).
    """

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    # Another organization's key on the target: it authenticates and owns none of the invoices.
    other_api_key: str | None = field(default=None, repr=False)
    fixtures: Fixtures | None = None
    level: Level = "strict"
    fail_on: FailOn = "must"
    seed: int = 0
    max_examples: int = 50
    max_requests: int = 360
    rate_limit: float | None = None
    timeout: float = 10.0
    spec: Spec | None = None  # None: the bundled contract
    # Lago's twin as the oracle (off: the named checks alone, as before it).
    oracle: bool = True
    # Only the invariants of any API beside the oracle (no 5xx, the schema, no secret echo).
    generic_only: bool = False
    # Requests the exploration may send (None: the default share of --max-requests).
    explore: int | None = None
    # Whether the real key may go into a URL of a remote target (query strings land in logs).
    allow_key_in_url: bool = False
    # Whether to send the requests that meet Lago's own bugs (real Lago answers them 500).
    send_lago_bugs: bool = False
    # Accepted findings, applied to the report by run_*_suite (None: none accepted).
    baseline: Baseline | None = None
    # Calls the exploration and the stateful phase may make to the payable invoice, together.
    payable_calls: int = 12
    # Requests the stateful phase may send (None: its default; 0: no stateful phase).
    stateful: int | None = None
