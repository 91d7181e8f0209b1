"""Errors lago-conformance raises on purpose.

ConformanceError            anything this tool reports as one line, then exits 2
 +-- UsageError             bad command-line input or an unusable target
      +-- FixturesError     a fixtures file that cannot be used as it is
      +-- SpecError         an OpenAPI document (--spec, drift) that cannot be used
      +-- BaselineError     a baseline file (or its dates) that cannot be used as it is
"""

from __future__ import annotations

__all__ = ["BaselineError", "ConformanceError", "FixturesError", "SpecError", "UsageError"]


class ConformanceError(Exception):
    """Base class: the message is one line saying what was wrong and how to fix it."""


class UsageError(ConformanceError):
    """The user asked for something that cannot be done as asked."""


class FixturesError(UsageError):
    """A fixtures file is missing, malformed, or names something Lago cannot answer."""


class SpecError(UsageError):
    """An OpenAPI document is unreadable, not OpenAPI 3.x, or lacks the payment_url operation."""


class BaselineError(UsageError):
    """A baseline file is missing or malformed, names an unknown check, or accepts for too long."""
