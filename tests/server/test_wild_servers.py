"""Every wild server is a real fault: it departs from the faithful mock on its witness, and
answers a plain POST of an unknown uuid with the key exactly as the mock does."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
import pytest

from conformance import LagoMock
from conformance._asgi import ASGISyncTransport
from tests.wild_servers import API_KEY, UNKNOWN, WILD_SERVERS, Probe, WildServer, post, wild_faults

if TYPE_CHECKING:
    from collections.abc import Sequence

PLAIN = post(UNKNOWN, ("Authorization", f"Bearer {API_KEY}"))
# Headers httpx adds for the transport itself, the same for both servers.
# Headers a server owns per answer (the transport's, and Rails' request id and timing).
_TRANSPORT_HEADERS = {"date", "server", "x-request-id", "x-runtime"}


def observe(app: object, probes: Sequence[Probe]) -> tuple[object, ...]:
    """What ``app`` answers to the last of ``probes``, sent in order in-process: status,
    headers (in order) and body, or the error an HTTP client meets reading it."""
    transport = ASGISyncTransport(app)
    result: tuple[object, ...] = ()
    try:
        with httpx.Client(transport=transport, base_url="http://lago.test") as http:
            for probe in probes:
                try:
                    response = http.request(
                        probe.method, "http://lago.test" + probe.path,
                        headers=list(probe.headers), content=probe.body,
                    )  # fmt: skip
                except httpx.DecodingError as error:
                    result = ("undecodable", str(error))
                    continue
                headers = [
                    (k, v) for k, v in response.headers.multi_items() if k not in _TRANSPORT_HEADERS
                ]
                result = (response.status_code, headers, response.content)
    finally:
        transport.close()
    return result


@pytest.mark.parametrize("server", WILD_SERVERS, ids=[s.name for s in WILD_SERVERS])
def test_witness_departs_from_the_faithful_mock(server: WildServer) -> None:
    """The witness requests, sent to a fresh wild server and a fresh mock, get different answers."""
    wild = observe(server.app(), server.witness)
    faithful = observe(LagoMock(api_key=API_KEY), server.witness)
    assert wild != faithful, f"{server.name}: its witness is answered like the faithful mock"


@pytest.mark.parametrize("server", WILD_SERVERS, ids=[s.name for s in WILD_SERVERS])
def test_plain_post_is_answered_like_the_faithful_mock(server: WildServer) -> None:
    """The fault is not everywhere: a plain POST of an unknown uuid with the key is untouched."""
    assert observe(server.app(), [PLAIN]) == observe(LagoMock(api_key=API_KEY), [PLAIN])


def test_the_catalogue_is_wide_and_well_formed() -> None:
    """At least 18 servers, kebab-case unique names, a paragraph each, all handed to detection."""
    names = [server.name for server in WILD_SERVERS]
    assert len(names) >= 18
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)
    assert all(len(server.description) > 120 for server in WILD_SERVERS)
    assert [fault.name for fault in wild_faults()] == names
    assert all(fault.app().mock.api_key == API_KEY for fault in wild_faults())


def test_no_wild_server_shares_a_name_with_a_listed_fault() -> None:
    """The wild servers are new faults, not the catalogue of tests/faulty_servers.py again."""
    from tests.faulty_servers import FAULTS

    assert not {f.name for f in FAULTS} & {s.name for s in WILD_SERVERS}


@pytest.mark.parametrize("name", ["key-in-query-string", "gzip-stale-content-length"])
def test_a_wild_server_fits_the_detection_runs_budget(name: str) -> None:
    """``detection_runs.Budgeted`` wraps a wild server as it wraps FaultyLago: past the budget
    the fault is off and the witness is answered like the faithful mock."""
    from tests.detection_runs import Budgeted

    def unordered(outcome: tuple[object, ...]) -> tuple[object, ...]:
        # FaultyLago, which Budgeted falls back on, sends the same headers in another order.
        return tuple(sorted(part) if isinstance(part, list) else part for part in outcome)

    server = next(fault for fault in wild_faults() if fault.name == name)
    faithful = unordered(observe(LagoMock(api_key=API_KEY), server.witness))
    within = Budgeted(server.app(), len(server.witness))
    past = Budgeted(server.app(), 0)
    assert unordered(observe(within, server.witness)) != faithful
    assert unordered(observe(past, server.witness)) == faithful
