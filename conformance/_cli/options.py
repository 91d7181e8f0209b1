"""Option types and the options every suite command takes; shared with the pytest plugin.

Import-light on purpose: the pytest plugin registers its options with these in every session.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance._contract.levels import FAIL_ON, LEVELS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from conformance._report.baseline import Baseline
    from conformance._server.suite import ServerOptions

__all__ = [
    "SERVER_OPTION_NAMES",
    "a_date",
    "add_run_options",
    "baseline_option",
    "non_negative_float",
    "non_negative_int",
    "port",
    "positive_int",
    "seconds",
    "server_options",
]

# The server suite's options, as both front ends name them (the plugin adds a `lago_` prefix).
SERVER_OPTION_NAMES = (
    "base_url", "api_key", "fixtures", "level", "fail_on", "seed",
    "max_examples", "max_requests", "rate_limit", "timeout", "baseline", "allow_stale",
    "other_api_key",
)  # fmt: skip


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{value} must be {least} or more")
    return value


def positive_int(text: str) -> int:
    """A whole number, 1 or more."""
    return _whole(text, 1)


def non_negative_int(text: str) -> int:
    """A whole number, 0 or more."""
    return _whole(text, 0)


def non_negative_float(text: str) -> float:
    """A finite number, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a finite number, 0 or more")
    return value


def port(text: str) -> int:
    """A TCP port number, 0 to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535)")
    return value


def seconds(text: str) -> float:
    """A number of seconds, more than 0 and at most 600."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{value:g} must be more than 0 and at most 600")
    return value


def a_date(text: str) -> datetime.date:
    """A calendar date, YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2027-01-31") from None


def add_run_options(parser: argparse.ArgumentParser, *, max_examples: int) -> None:
    """The options every suite takes: level, fail-on, seed, example budget, report directory."""
    parser.add_argument(
        "--level",
        choices=LEVELS,
        default="strict",
        help="contract level to check: documented (MUST) or strict (adds SHOULD); default strict",
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="must",
        help="exit 1 on MUST findings only, or on SHOULD findings too; default must",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for generated data (default 0)")
    parser.add_argument(
        "--max-examples",
        type=positive_int,
        default=max_examples,
        metavar="N",
        help=f"generated examples per property (default {max_examples})",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where to write the JUnit XML, JSON, Markdown and HTML reports (default reports/)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="TOML file of accepted findings ([[accept]] check, scenario, reason, expires)",
    )
    parser.add_argument(
        "--allow-stale",
        action="store_true",
        help="a baseline entry that matched nothing is a note, not a failure",
    )


def baseline_option(path: str | Path | None, allow_stale: bool = False) -> Baseline | None:
    """The baseline file at ``path`` (None: no baseline), its checks those of the register."""
    if path is None:
        return None
    from conformance._report.baseline import load_baseline, today
    from conformance._report.register import register

    return load_baseline(Path(path), set(register()), on=today(), allow_stale=allow_stale)


def server_options(values: Mapping[str, Any]) -> ServerOptions:
    """The ``ServerOptions`` that parsed options describe; the fixtures and baseline files are
    read here."""
    from conformance._contract.fixtures import load_fixtures
    from conformance._server.suite import ServerOptions

    given = {name: values[name] for name in SERVER_OPTION_NAMES}
    if given["fixtures"] is not None:
        given["fixtures"] = load_fixtures(given["fixtures"])
    if values.get("spec") is not None:
        from conformance._contract.spec import load_spec

        given["spec"] = load_spec(values["spec"])
    given["baseline"] = baseline_option(given["baseline"], bool(given.pop("allow_stale")))
    # The command line's own (the pytest plugin leaves them at their defaults).
    if values.get("explore") is not None:
        given["explore"] = values["explore"]
    given["allow_key_in_url"] = bool(values.get("allow_key_in_url"))
    for name in ("payable_calls", "stateful"):
        if values.get(name) is not None:
            given[name] = values[name]
    given["send_lago_bugs"] = bool(values.get("send_lago_bugs"))
    given["oracle"] = values.get("oracle", "twin") != "off"
    given["generic_only"] = values.get("checks", "all") == "generic"
    return ServerOptions(**given)
