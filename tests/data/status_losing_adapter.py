"""An adapter with a SHOULD-only fault: a non-JSON error body becomes status 500."""

from __future__ import annotations

from tests.faulty_clients import FaultyClient

call = FaultyClient(non_json_status=500)
