"""Running the server suite in tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance import LagoMock
from conformance._api import lago_twin
from conformance._server.suite import ServerOptions, run_on_target
from conformance._server.transport.target import Target
from tests.faulty_servers import FaultyLago

if TYPE_CHECKING:
    from conformance._contract.fixtures import Fixtures
    from conformance._contract.levels import FailOn, Level
    from conformance._report.findings import Report


def run_suite(
    app: Any = None,
    *,
    level: Level = "strict",
    fail_on: FailOn = "must",
    seed: int = 0,
    max_examples: int = 10,
    fixtures: Fixtures | None = None,
    base_url: str | None = None,
    extra: dict[str, Any] | None = None,
    **target: Any,
) -> Report:
    """The server suite against ``app`` in-process, or ``base_url``; the mock's fixtures by default."""
    app = app if app is not None else LagoMock(api_key="faulty-server-key-0123")
    mock = app.mock if isinstance(app, FaultyLago) else app
    # The run's default budget, as the command line's (unless the test names one).
    target.setdefault("max_requests", ServerOptions().max_requests)
    if base_url is None:
        runner = Target(api_key=mock.api_key, app=app, **target)
    else:
        runner = Target(api_key=mock.api_key, base_url=base_url, **target)
    options = ServerOptions(
        level=level, fail_on=fail_on, seed=seed, max_examples=max_examples, **(extra or {})
    )
    fixtures = mock.fixtures if fixtures is None else fixtures
    twin = lago_twin(mock.api_key, fixtures, seed, "lago.test")
    try:
        return run_on_target(runner, options, fixtures, {"target": "test"}, twin)
    finally:
        runner.close()
