"""The requests of a witness: what is sent to a wild server and to the faithful mock to compare."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from conformance import LagoMock
from tests.wild_asgi import API_KEY

FIXTURES = LagoMock(api_key=API_KEY).fixtures
UNKNOWN = "6f1d3c52-8d4e-4d7a-9a3e-2b0c5e7f9a11"  # no invoice of the mock's seed


def endpoint(lago_id: str, suffix: str = "") -> str:
    """The endpoint's path for ``lago_id``, with ``suffix`` (a query, a slash) appended."""
    return f"/api/v1/invoices/{lago_id}/payment_url{suffix}"


@dataclass(frozen=True)
class Probe:
    """One request of a witness: method, path (with any query), headers and body."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def describe(self) -> str:
        """One line, the key shown as ``KEY`` and the fixtures' ids by name."""
        text = " ".join([self.method, self.path, *(f"[{k}: {v}]" for k, v in self.headers)])
        if self.body:
            text += f" body {self.body.decode('latin-1')!r}"
        names = {**{v: k for k, v in FIXTURES.invoices.items()}, UNKNOWN: "unknown"}
        for lago_id, name in names.items():
            text = text.replace(lago_id, f"{{{name}}}").replace(
                lago_id.upper(), f"{{{name} upper-case}}"
            )
        text = text.replace(base64.b64encode(f"{API_KEY}:".encode()).decode(), "base64(KEY:)")
        text = re.sub(r"(.)\1{19,}", lambda run: f"{run[1]}*{len(run[0])}", text)
        return text.replace(API_KEY, "KEY")


def post(lago_id: str, *headers: tuple[str, str], suffix: str = "", body: bytes = b"") -> Probe:
    """A POST to the endpoint for ``lago_id`` with exactly ``headers`` (no key unless given)."""
    return Probe("POST", endpoint(lago_id, suffix), headers, body)
