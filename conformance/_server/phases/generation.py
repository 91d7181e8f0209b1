"""The one place lago-conformance reaches into schemathesis' internals: case generation.

Schemathesis' public API cannot give the examples and coverage phases of one operation outside
a pytest session (``APIOperation.as_strategy`` draws fuzzing cases only; ``schema.parametrize``
needs pytest to run the test). So this module calls ``create_test`` from
``schemathesis.generation.hypothesis.builder``, whose config fields changed between 4.x minor
releases. The names it needs are checked when it is imported: a schemathesis that lacks them
fails here, in one line, not deep inside a run. ``pyproject.toml`` pins the releases run with it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity
from schemathesis import GenerationMode
from schemathesis.generation.hypothesis import builder

from conformance._contract.rules import OPERATION_PATH

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["REQUIRED_CONFIG_FIELDS", "case_phase", "generate_cases"]

REQUIRED_CONFIG_FIELDS = frozenset(
    {"project", "modes", "settings", "explicit_setting_names", "apply_ci_profile", "seed"}
)
_missing = REQUIRED_CONFIG_FIELDS - {
    f.name for f in dataclasses.fields(builder.HypothesisTestConfig)
}
if _missing or not hasattr(builder, "create_test"):
    raise ImportError(
        f"lago-conformance does not support schemathesis {schemathesis.__version__}: its "
        f"HypothesisTestConfig lacks {', '.join(sorted(_missing)) or 'create_test'}; install "
        "the version pyproject.toml pins"
    )


def generate_cases(
    document: dict[str, Any],
    seed: int,
    max_examples: int,
    test: Callable[[schemathesis.Case[Any]], None],
) -> None:
    """Call ``test`` on every case of the examples, coverage and fuzzing phases, positive and
    negative, for ``POST /invoices/{lago_id}/payment_url``; the same seed gives the same cases."""
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    settings = {
        "max_examples": max_examples,
        "deadline": None,
        "database": None,
        "derandomize": False,
        "phases": (Phase.explicit, Phase.generate),
        "suppress_health_check": list(HealthCheck),
        "verbosity": Verbosity.quiet,
    }
    hypothesis_test = builder.create_test(
        operation=schema[OPERATION_PATH]["POST"],
        test_func=test,
        config=builder.HypothesisTestConfig(
            project=schema.config,
            modes=list(builder.HypothesisTestMode),
            # Hypothesis' own defaults as parent: a profile the caller loaded (pytest's, a user's)
            # must not change the cases a seed gives.
            settings=hypothesis.settings(
                hypothesis.settings.get_profile("default"),
                **settings,  # type: ignore[arg-type]
            ),
            explicit_setting_names=set(settings),
            apply_ci_profile=False,
            seed=seed,
        ),
    )
    hypothesis_test()


def case_phase(case: schemathesis.Case[Any]) -> str:
    """The phase that made ``case``: ``examples``, ``coverage`` or ``fuzzing``."""
    return case.meta.phase.name.value if case.meta is not None else "fuzzing"
