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
from conformance._outcome import DETAIL_FIELDS, Outcome, outcome_problems
from conformance._reference import (
    PaymentDetails,
    PaymentUrlClient,
    PaymentUrlError,
    reference_adapter,
)
from conformance._serve import serving
from conformance._version import __version__

__all__ = [
    "DEFAULT_API_KEY",
    "DETAIL_FIELDS",
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
    "Outcome",
    "PaymentDetails",
    "PaymentUrlClient",
    "PaymentUrlError",
    "UsageError",
    "Violation",
    "__version__",
    "dump_fixtures",
    "load_document",
    "load_fixtures",
    "outcome_problems",
    "parse_fixtures",
    "reference_adapter",
    "serving",
    "spec_sha256",
]
