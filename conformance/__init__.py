"""lago-conformance: contract tests for Lago's ``POST /invoices/{lago_id}/payment_url``."""

from __future__ import annotations

from conformance._contract import (
    DOCUMENTED_STATUSES,
    LEVELS,
    NOT_FOUND_CODES,
    PAYMENT_PROVIDERS,
    VALIDATION_REASONS,
    Contract,
    Level,
    Violation,
    load_document,
    spec_sha256,
)
from conformance._errors import ConformanceError, FixturesError, UsageError
from conformance._fixtures import (
    FIXTURE_KEYS,
    Fixtures,
    dump_fixtures,
    load_fixtures,
    parse_fixtures,
)
from conformance._mock import DEFAULT_API_KEY, LagoMock
from conformance._serve import serving
from conformance._version import __version__

__all__ = [
    "DEFAULT_API_KEY",
    "DOCUMENTED_STATUSES",
    "FIXTURE_KEYS",
    "LEVELS",
    "NOT_FOUND_CODES",
    "PAYMENT_PROVIDERS",
    "VALIDATION_REASONS",
    "ConformanceError",
    "Contract",
    "Fixtures",
    "FixturesError",
    "LagoMock",
    "Level",
    "UsageError",
    "Violation",
    "__version__",
    "dump_fixtures",
    "load_document",
    "load_fixtures",
    "parse_fixtures",
    "serving",
    "spec_sha256",
]
