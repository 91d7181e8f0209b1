"""``lago-conformance server``: from command-line options to a run, its reports and exit code."""

from __future__ import annotations

import ipaddress
import os
from typing import TYPE_CHECKING

import httpx

from conformance._cli import finish
from conformance._console import Progress
from conformance._errors import UsageError
from conformance._fixtures import Fixtures, load_fixtures
from conformance._mock import DEFAULT_API_KEY, LagoMock
from conformance._server_suite import ServerOptions, run_server_suite
from conformance._target import Target

if TYPE_CHECKING:
    import argparse

    from conformance._findings import Report

__all__ = ["check_base_url", "run_server", "run_suite_from_options"]

DEFAULT_REMOTE_RATE = 10.0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> httpx.URL:
    """The parsed ``--base-url``, or a one-line ``UsageError`` saying how to fix it."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as error:
        raise UsageError(f"--base-url {base_url!r} is not a URL ({error})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise UsageError(
            f"--base-url {base_url!r} must be an http(s) URL, like https://api.getlago.com/api/v1"
        )
    if not url.path.rstrip("/").endswith("/api/v1") or url.query or url.fragment:
        raise UsageError(
            f"--base-url {base_url!r} must end in /api/v1, like https://api.getlago.com/api/v1"
        )
    return url


def run_suite_from_options(args: argparse.Namespace, progress: Progress | None = None) -> Report:
    """Build the target the options name and run the server suite on it."""
    api_key = args.api_key or os.environ.get("LAGO_API_KEY") or None
    fixtures = load_fixtures(args.fixtures) if args.fixtures is not None else None
    if args.base_url is None:
        mock = LagoMock(api_key=api_key or DEFAULT_API_KEY, seed=args.seed)
        target = Target(api_key=mock.api_key, app=mock, timeout=args.timeout,
                        max_requests=args.max_requests, rate_limit=args.rate_limit or None)  # fmt: skip
        subject = {"target": "embedded mock (in-process)"}
        fixtures = fixtures if fixtures is not None else mock.fixtures
    else:
        url = check_base_url(args.base_url)
        if not api_key:
            raise UsageError("no API key: pass --api-key or set LAGO_API_KEY")
        if any(character.isspace() for character in api_key):
            raise UsageError("the API key holds whitespace; check --api-key or LAGO_API_KEY")
        rate = args.rate_limit
        if rate is None:
            rate = None if _is_loopback(url.host) else DEFAULT_REMOTE_RATE
        target = Target(api_key=api_key, base_url=str(url).rstrip("/"), timeout=args.timeout,
                        max_requests=args.max_requests, rate_limit=rate or None)  # fmt: skip
        subject = {"target": target.url}
    if progress is not None:
        target.on_request = progress.step
    options = ServerOptions(
        args.level, args.fail_on, args.seed, args.max_examples, fixtures or Fixtures()
    )
    with target:
        return run_server_suite(target, options, subject)


def run_server(args: argparse.Namespace) -> int:
    """Run the server suite as the options say, write the reports; returns the exit code."""
    progress = Progress("lago-conformance server")
    try:
        report = run_suite_from_options(args, progress)
    finally:
        progress.close()
    code = finish(report, args.report_dir)
    return 2 if "aborted" in report.metadata else code
