"""The Hypothesis settings every search of a server run shares (the exploration's rounds, the
drawn requests, the stateful phase): seeded by the caller, no example database, no deadline, one
difference at a time, and quiet, since the run reports what it finds itself."""

from __future__ import annotations

from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity

__all__ = ["search_settings"]


def search_settings(max_examples: int, **more: Any) -> hypothesis.settings:
    """Settings for a seeded search of at most ``max_examples`` examples (``more``: any other)."""
    return hypothesis.settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        **more,
    )
