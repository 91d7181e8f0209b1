"""One scenario of the client suite: what to serve, to which base URL, and the checks that judge it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from conformance._client.calls.call import INVOICE_ID
from conformance._client.judging.checks import INVARIANTS

if TYPE_CHECKING:
    from conformance._client.calls.call import Call, Serve
    from conformance._contract.levels import Severity
    from conformance._report.findings import Check

__all__ = ["BASE_URLS", "Base", "Scenario"]

Base = Literal[
    "us", "eu", "self-hosted", "us-slash", "self-hosted-slash", "port", "http", "default"
]
# In-process base URLs; over HTTP, the path of each follows the harness server's origin.
BASE_URLS: dict[Base, str] = {
    "us": "https://api.getlago.com/api/v1",
    "eu": "https://api.eu.getlago.com/api/v1",
    "self-hosted": "https://billing.example.test/lago/api/v1",
    "us-slash": "https://api.getlago.com/api/v1/",
    "self-hosted-slash": "https://billing.example.test/lago/api/v1/",
    "port": "https://billing.example.test:8443/api/v1",
    "http": "http://billing.example.test/api/v1",
    # No base URL given: the client's own default, judged against the documented servers.
    "default": "https://api.getlago.com/api/v1",
}


@dataclass(frozen=True)
class Scenario:
    """What to serve, in order (the last answer repeats), and the checks that judge the call.

    ``only`` names the one transport a scenario runs on ("" both), ``why`` says why.
    """

    name: str
    group: str
    serves: tuple[Serve, ...]
    checks: tuple[Check[Call], ...]
    base: Base = "us"
    lago_id: str = INVOICE_ID
    only: Literal["", "in-process", "command"] = ""
    why: str = ""
    generated: bool = False
    # The generated answers (generated_scenario.py): cases drawn, not ``serves``.
    explore: bool = False

    @property
    def own_checks(self) -> tuple[Check[Call], ...]:
        """Its checks but the invariants that ride along (they never make it run)."""
        if self.explore:
            return self.checks
        return tuple(check for check in self.checks if check not in INVARIANTS)

    @property
    def severity(self) -> Severity:
        """The highest severity among its own checks."""
        return "MUST" if any(check.severity == "MUST" for check in self.own_checks) else "SHOULD"

    def skipped_on(self, *, command: bool) -> str | None:
        """Why it does not run on this transport, or None when it does."""
        if self.only == ("in-process" if command else "command"):
            return f"{self.why}: runs {'in-process' if command else 'over --command'} only"
        return None
