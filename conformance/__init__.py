"""lago-conformance: contract tests for Lago's ``POST /invoices/{lago_id}/payment_url``.

Run either suite from Python and read its report::

    from conformance import ClientOptions, ServerOptions, run_client_suite, run_server_suite

    report = run_server_suite(ServerOptions(level="strict", seed=1))  # the embedded mock
    assert report.conformant, [finding.title for finding in report.findings]

Names are imported on first use, so that importing the package (as pytest does for the plugin)
costs nothing until a suite is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from conformance._version import __version__

if TYPE_CHECKING:
    from conformance._api import run_client_suite, run_server_suite
    from conformance._client.calling.options import ClientOptions
    from conformance._client.calling.reference import (
        PaymentDetails,
        PaymentUrlClient,
        PaymentUrlError,
        reference_adapter,
    )
    from conformance._client.calls.outcome import DETAIL_FIELDS, Outcome, outcome_problems
    from conformance._contract.document import (
        DOCUMENTED_STATUSES,
        NOT_FOUND_CODES,
        PAYMENT_PROVIDERS,
        VALIDATION_REASONS,
        Contract,
        Violation,
        load_document,
        spec_sha256,
    )
    from conformance._contract.fixtures import (
        FIXTURE_KEYS,
        Fixtures,
        dump_fixtures,
        load_fixtures,
        parse_fixtures,
    )
    from conformance._contract.levels import LEVELS, FailOn, Level, Severity
    from conformance._errors import ConformanceError, FixturesError, UsageError
    from conformance._mock.app import DEFAULT_API_KEY, LagoMock
    from conformance._mock.serve import serving
    from conformance._report.baseline import Accept, Baseline
    from conformance._report.findings import CaseResult, Finding, Report
    from conformance._server.suite import ServerOptions

_WHERE = {
    "conformance._api": ("run_client_suite", "run_server_suite"),
    "conformance._client.calls.outcome": ("DETAIL_FIELDS", "Outcome", "outcome_problems"),
    "conformance._client.calling.reference": (
        "PaymentDetails",
        "PaymentUrlClient",
        "PaymentUrlError",
        "reference_adapter",
    ),
    "conformance._client.calling.options": ("ClientOptions",),
    "conformance._contract.document": (
        "DOCUMENTED_STATUSES",
        "NOT_FOUND_CODES",
        "PAYMENT_PROVIDERS",
        "VALIDATION_REASONS",
        "Contract",
        "Violation",
        "load_document",
        "spec_sha256",
    ),
    "conformance._contract.fixtures": (
        "FIXTURE_KEYS",
        "Fixtures",
        "dump_fixtures",
        "load_fixtures",
        "parse_fixtures",
    ),
    "conformance._contract.levels": ("LEVELS", "FailOn", "Level", "Severity"),
    "conformance._errors": ("ConformanceError", "FixturesError", "UsageError"),
    "conformance._mock.app": ("DEFAULT_API_KEY", "LagoMock"),
    "conformance._mock.serve": ("serving",),
    "conformance._report.baseline": ("Accept", "Baseline"),
    "conformance._report.findings": ("CaseResult", "Finding", "Report"),
    "conformance._server.suite": ("ServerOptions",),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = [
    "DEFAULT_API_KEY",
    "DETAIL_FIELDS",
    "DOCUMENTED_STATUSES",
    "FIXTURE_KEYS",
    "LEVELS",
    "NOT_FOUND_CODES",
    "PAYMENT_PROVIDERS",
    "VALIDATION_REASONS",
    "Accept",
    "Baseline",
    "CaseResult",
    "ClientOptions",
    "ConformanceError",
    "Contract",
    "FailOn",
    "Finding",
    "Fixtures",
    "FixturesError",
    "LagoMock",
    "Level",
    "Outcome",
    "PaymentDetails",
    "PaymentUrlClient",
    "PaymentUrlError",
    "Report",
    "ServerOptions",
    "Severity",
    "UsageError",
    "Violation",
    "__version__",
    "dump_fixtures",
    "load_document",
    "load_fixtures",
    "outcome_problems",
    "parse_fixtures",
    "reference_adapter",
    "run_client_suite",
    "run_server_suite",
    "serving",
    "spec_sha256",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'conformance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
