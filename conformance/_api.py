"""The Python API: run either suite and get its ``Report``; the CLI and the pytest plugin call it.

It sits above the suites and the mock: with no ``base_url`` the server suite checks the
embedded mock, in-process.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

import httpx

from conformance._client.suite import ClientOptions, run_subject, subject_for
from conformance._contract.fixtures import Fixtures
from conformance._errors import UsageError
from conformance._mock.app import DEFAULT_API_KEY, LagoMock
from conformance._report.baseline import apply_baseline, today
from conformance._server.suite import ServerOptions, run_on_target
from conformance._server.transport.base_url import check_base_url, default_rate
from conformance._server.transport.target import Target

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._contract.request import Request
    from conformance._contract.rules import Reply
    from conformance._report.baseline import Baseline
    from conformance._report.findings import Report

__all__ = ["ClientOptions", "ServerOptions", "run_client_suite", "run_server_suite"]


def run_server_suite(
    options: ServerOptions | None = None, *, on_request: Callable[[str], None] | None = None
) -> Report:
    """Check a Lago deployment (``options.base_url``) or the embedded mock; returns the report.

    ``on_request(phase)`` is called before each request; ``options.baseline`` is applied last.
    Raises ``UsageError`` (or its subclass ``TargetUnusable``) when the options or the target
    cannot be used; a target that stops answering mid-run gives a report with ``aborted`` set.
    """
    options = options or ServerOptions()
    api_key = options.api_key or os.environ.get("LAGO_API_KEY") or None
    other = options.other_api_key or os.environ.get("LAGO_OTHER_API_KEY") or None
    options = dataclasses.replace(options, other_api_key=_other_key(other, api_key, options))
    if options.base_url is None:
        mock = LagoMock(
            api_key=api_key or DEFAULT_API_KEY,
            seed=options.seed,
            other_api_key=options.other_api_key,
        )
        target = Target(
            mock.api_key,
            app=mock,
            timeout=options.timeout,
            max_requests=options.max_requests,
            rate_limit=options.rate_limit or None,
        )
        subject = {"target": "embedded mock (in-process)"}
        fixtures = options.fixtures if options.fixtures is not None else mock.fixtures
    else:
        url = check_base_url(options.base_url)
        if not api_key:
            raise UsageError("no API key: pass --api-key or set LAGO_API_KEY")
        if any(character.isspace() for character in api_key):
            raise UsageError("the API key holds whitespace; check --api-key or LAGO_API_KEY")
        rate = default_rate(url) if options.rate_limit is None else options.rate_limit
        target = Target(
            api_key,
            base_url=str(url).rstrip("/"),
            timeout=options.timeout,
            max_requests=options.max_requests,
            rate_limit=rate or None,
        )
        subject = {"target": target.url}
        fixtures = options.fixtures or Fixtures()
    target.on_request = on_request
    target.allow_key_in_url = options.allow_key_in_url
    host = httpx.URL(target.url).netloc.decode()
    twin = lago_twin(target.api_key, fixtures, options.seed, host, options.other_api_key)
    with target:
        report = run_on_target(target, options, fixtures, subject, twin)
    return _with_baseline(report, options.baseline)


def _other_key(other: str | None, api_key: str | None, options: ServerOptions) -> str | None:
    """Another organization's key, checked: not blank, no whitespace, not the run's own key."""
    if other is None:
        return None
    if any(character.isspace() for character in other):
        raise UsageError(
            "the other organization's key holds whitespace; check --other-api-key or "
            "LAGO_OTHER_API_KEY"
        )
    own = api_key or (DEFAULT_API_KEY if options.base_url is None else None)
    if other == own:
        raise UsageError(
            "--other-api-key is the run's own key: pass the key of another organization on the "
            "same deployment (or leave it out: cross-tenant isolation is then not judged)"
        )
    return other


def lago_twin(
    api_key: str, fixtures: Fixtures, seed: int, host: str, other_api_key: str | None = None
) -> Callable[[Request], Reply]:
    """Lago's twin of a target: the faithful mock holding the invoices the fixtures name, with
    the run's key, answering a request as the target receives it (below /api/v1, with a Host).

    ``other_api_key`` is another organization's key: it authenticates and owns none of them.
    """
    # A still clock: the twin's answers (its timings) are the same in every run of a seed.
    mock = LagoMock(
        api_key=api_key,
        seed=seed,
        invoices_from=fixtures,
        clock=lambda: 0.0,
        other_api_key=other_api_key,
    )

    def answer(request: Request) -> Reply:
        seen = request.prefixed("/api/v1")
        if seen.header("host") is None:
            seen = seen.replace(headers=(("Host", host), *seen.headers))
        return mock.respond(seen)

    return answer


def run_client_suite(
    options: ClientOptions | None = None, *, on_call: Callable[[str], None] | None = None
) -> Report:
    """Serve the catalogue to the client the options name, judge each call; returns the report.

    ``on_call(scenario)`` is called after each call; ``options.baseline`` is applied last.
    Raises ``UsageError`` when the client cannot be loaded or a scenario name is unknown.
    """
    options = options or ClientOptions()
    report = run_subject(subject_for(options), options, on_call)
    return _with_baseline(report, options.baseline)


def _with_baseline(report: Report, baseline: Baseline | None) -> Report:
    if baseline is not None:
        apply_baseline(report, baseline, today())
    return report
