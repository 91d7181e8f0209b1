"""The exploration's sweep sends the header values a middleware may key stored answers on
(Idempotency-Key, X-Request-Id) on two bases in turn: a replay keyed on the value alone shows
against Lago's answer whatever the seed, not by the luck of a later combination."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.faulty_servers import FaultyLago, Reply, Request
from tests.helpers import run_suite

if TYPE_CHECKING:
    from collections.abc import Callable


def _replaying(header: str) -> Callable[[FaultyLago, Request], Reply]:
    """A middleware that stores the first answer to a POST carrying ``header`` and replays it to
    any later POST with the same value, whatever its path or key."""
    stored: dict[str, Reply] = {}

    def behaviour(server: FaultyLago, request: Request) -> Reply:
        value = request.header(header)
        if request.method != "POST" or value is None:
            return server.faithful(request)
        if value not in stored:
            stored[value] = server.faithful(request)
        return stored[value]

    return behaviour


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Request-Id"])
def test_an_answer_replayed_by_a_header_value_is_found_by_the_sweep(seed: int, header: str) -> None:
    report = run_suite(FaultyLago(_replaying(header)), seed=seed)
    flagged = {r.scenario for r in report.results if r.findings}
    assert any(s.startswith(f"explore/headers/headers: {header}: ") for s in flagged), flagged
