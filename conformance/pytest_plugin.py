"""pytest front end of the server suite: one test per check x scenario, same verdicts as the CLI.

In any repository with lago-conformance installed::

    # test_lago.py
    def test_lago(lago_check):
        lago_check.verdict()

    $ pytest --lago-base-url https://lago.example.com/api/v1 --lago-fixtures fixtures.toml

``--lago-spec FILE`` checks against another OpenAPI 3.x document, as the command's ``--spec``.

The key comes from ``--lago-api-key`` or ``LAGO_API_KEY``; without ``--lago-base-url`` the
embedded mock is checked. The suite runs once per session, at collection, and only in a session
that asks for ``lago_check``: until then this module has imported nothing but the option types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from conformance._cli.options import (
    SERVER_OPTION_NAMES,
    non_negative_float,
    positive_int,
    seconds,
    server_options,
)
from conformance._contract.levels import FAIL_ON, LEVELS

if TYPE_CHECKING:
    from conformance._contract.levels import FailOn
    from conformance._report.findings import CaseResult, Report

__all__ = ["LagoCheck"]

_REPORT_KEY = pytest.StashKey["Report"]()


@dataclass(frozen=True)
class LagoCheck:
    """One check on one scenario of the run, and the run's fail-on threshold."""

    result: CaseResult
    fail_on: FailOn

    def verdict(self) -> None:
        """Pass, skip (not run, with why), fail (with each finding), or xfail (every finding
        accepted by the baseline, with until when and why), as the CLI would judge."""
        if self.result.skipped is not None and not self.result.findings:
            pytest.skip(self.result.skipped)
        counted = self.result.counted(self.fail_on)
        if counted:
            pytest.fail("\n\n".join(finding.render() for finding in counted), pytrace=False)
        if self.result.outcome == "accepted":
            pytest.xfail("; ".join(sorted({str(f.accepted) for f in self.result.findings})))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--lago-*`` options."""
    group = parser.getgroup("lago-conformance", "Lago payment URL conformance (lago_check fixture)")
    group.addoption(
        "--lago-base-url", help="API root ending in /api/v1 (default: the embedded mock)"
    )
    group.addoption("--lago-api-key", help="API key (default: $LAGO_API_KEY)")
    group.addoption("--lago-fixtures", help="TOML file naming invoices on the target")
    group.addoption("--lago-level", choices=LEVELS, default="strict")
    group.addoption("--lago-fail-on", choices=FAIL_ON, default="must")
    group.addoption("--lago-seed", type=int, default=0)
    group.addoption("--lago-max-examples", type=positive_int, default=50)
    group.addoption("--lago-max-requests", type=positive_int, default=360)
    group.addoption("--lago-rate-limit", type=non_negative_float, default=None)
    group.addoption("--lago-timeout", type=seconds, default=10.0)
    group.addoption(
        "--lago-spec",
        help="an OpenAPI 3.x document (YAML or JSON) to check against instead of the bundled one",
    )
    group.addoption("--lago-baseline", help="TOML file of accepted findings, as --baseline")
    group.addoption(
        "--lago-other-api-key",
        help="another organization's key on the deployment (default: $LAGO_OTHER_API_KEY)",
    )
    group.addoption(
        "--lago-allow-stale",
        action="store_true",
        help="a baseline entry that matched nothing is a note, not a failure",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Refuse bad ``--lago-*`` options before collection, as the CLI would."""
    option = config.option
    given = (option.lago_base_url, option.lago_fixtures, option.lago_baseline, option.lago_spec)
    if given == (None, None, None, None):
        return  # nothing to check, and nothing to import
    from conformance._cli.options import baseline_option
    from conformance._contract.fixtures import load_fixtures
    from conformance._contract.spec import load_spec
    from conformance._errors import UsageError
    from conformance._server.transport.base_url import check_base_url

    try:
        if option.lago_base_url is not None:
            check_base_url(option.lago_base_url)
        if option.lago_fixtures is not None:
            load_fixtures(option.lago_fixtures)
        baseline_option(option.lago_baseline)
        if option.lago_spec is not None:
            load_spec(option.lago_spec)
    except UsageError as error:
        raise pytest.UsageError(f"lago-conformance: {error}") from None


def _run(config: pytest.Config) -> Report:
    from conformance._api import run_server_suite
    from conformance._errors import UsageError

    names = (*SERVER_OPTION_NAMES, "spec")
    values = {name: getattr(config.option, f"lago_{name}") for name in names}
    try:
        return run_server_suite(server_options(values))
    except UsageError as error:
        raise pytest.UsageError(f"lago-conformance: {error}") from None


def _stale(number: int, message: str) -> CaseResult:
    """A stale baseline entry as a failing result, so that it fails the session as it fails a run."""
    from conformance._report.findings import CaseResult, Finding

    finding = Finding("baseline", "MUST", message, "an entry that matched nothing", "none")
    return CaseResult("baseline", f"stale entry {number}", "MUST", (finding,))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``lago_check`` with every check x scenario of the (once per session) run."""
    if "lago_check" not in metafunc.fixturenames:
        return
    config = metafunc.config
    if _REPORT_KEY not in config.stash:
        config.stash[_REPORT_KEY] = _run(config)
    report = config.stash[_REPORT_KEY]
    checks = [LagoCheck(result, report.fail_on) for result in report.results]
    checks += [
        LagoCheck(_stale(number, message), report.fail_on)
        for number, message in enumerate(report.stale, 1)
    ]
    ids = [f"{check.result.check}[{check.result.scenario}]" for check in checks]
    metafunc.parametrize("lago_check", checks, ids=ids)
