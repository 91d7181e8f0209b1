"""The ``lago-conformance`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from conformance._cli.options import (
    a_date,
    add_run_options,
    non_negative_float,
    non_negative_int,
    port,
    positive_int,
    seconds,
)
from conformance._client.calling.adapters import BUILT_INS
from conformance._client.calls.call import COMMAND_TIMEOUT
from conformance._errors import ConformanceError
from conformance._mock.app import DEFAULT_API_KEY
from conformance._version import __version__

__all__ = ["main"]

PROG = "lago-conformance"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _build_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Contract tests for Lago's POST /api/v1/invoices/{lago_id}/payment_url.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    mock = commands.add_parser("mock", help="serve the faithful Lago mock over HTTP")
    mock.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    mock.add_argument("--port", type=port, default=8080, help="port, 0 for any (default 8080)")
    mock.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key the mock accepts")
    mock.add_argument(
        "--other-api-key",
        metavar="KEY",
        help="another organization's key: accepted, owns no invoice (default: $LAGO_OTHER_API_KEY)",
    )
    mock.add_argument("--seed", type=int, default=0, help="seed for the invoice ids (default 0)")
    mock.add_argument(
        "--rate-limit",
        type=positive_int,
        metavar="N",
        help="answer 429 past N requests per second, as Lago Cloud does",
    )
    mock.add_argument(
        "--write-fixtures",
        type=Path,
        metavar="PATH",
        help="write the mock's invoice ids as a fixtures file",
    )
    mock.set_defaults(run=_run_mock)

    server = commands.add_parser("server", help="check a Lago deployment, or the embedded mock")
    server.add_argument(
        "--base-url",
        metavar="URL",
        help="the deployment's API root, ending in /api/v1 (default: the embedded mock)",
    )
    server.add_argument("--api-key", metavar="KEY", help="API key (default: $LAGO_API_KEY)")
    server.add_argument(
        "--other-api-key",
        metavar="KEY",
        help="the key of another organization on the same deployment: judges cross-tenant "
        "isolation (default: $LAGO_OTHER_API_KEY; without it, isolation is not judged)",
    )
    server.add_argument(
        "--fixtures", type=Path, metavar="FILE", help="TOML file naming invoices on the target"
    )
    add_run_options(server, max_examples=50)
    server.add_argument(
        "--max-requests",
        type=positive_int,
        default=360,
        metavar="N",
        help="stop sending after N requests (default 360)",
    )
    server.add_argument(
        "--rate-limit",
        type=non_negative_float,
        metavar="R",
        help="requests per second at most; 0 for no pacing (default 10, none on loopback)",
    )
    server.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="S",
        help="seconds to wait for each answer (default 10)",
    )
    server.add_argument(
        "--explore",
        type=non_negative_int,
        metavar="N",
        help="requests the exploration may send; 0 for none (default: about 37%% of "
        "--max-requests, less when the property tests need it); a sixth of N, or by default up "
        "to 24 more, draw whole requests",
    )
    server.add_argument(
        "--payable-calls",
        type=non_negative_int,
        metavar="N",
        help="calls the exploration and the stateful phase may make to the payable invoice, "
        "together (default 12; Lago reuses its checkout link, so none opens a new session)",
    )
    server.add_argument(
        "--stateful",
        type=non_negative_int,
        metavar="N",
        help="requests the stateful phase may send; 0 for none (default 40)",
    )
    server.add_argument(
        "--oracle",
        choices=("twin", "off"),
        default="twin",
        help="judge every answer against Lago's twin, the embedded mock (default), or off",
    )
    server.add_argument(
        "--checks",
        choices=("all", "generic"),
        default="all",
        help="all checks (default), or only those that hold for any API (no 5xx, the schema, "
        "no echoed key) beside the oracle",
    )
    server.add_argument(
        "--allow-key-in-url",
        action="store_true",
        help="let the exploration put the real key in a query string of a remote target "
        "(query strings land in access logs; off by default)",
    )
    server.add_argument(
        "--send-lago-bugs",
        action="store_true",
        help="also send the requests that meet Lago's own bugs (real Lago answers them 500: "
        "each is a MUST finding; off by default, so that a real deployment can pass)",
    )
    _add_spec(server)
    server.set_defaults(run=_run_server)
    _add_client(commands)
    _add_drift(commands)
    _add_baseline(commands)
    return parser


def _add_baseline(commands: argparse._SubParsersAction[_Parser]) -> None:
    baseline = commands.add_parser(
        "baseline", help="print a baseline accepting every finding of a JSON report"
    )
    baseline.add_argument(
        "report", type=Path, metavar="REPORT.json", help="a server or client report"
    )
    baseline.add_argument("--reason", required=True, help="why the findings are accepted, in words")
    baseline.add_argument(
        "--expires",
        type=a_date,
        required=True,
        metavar="DATE",
        help="YYYY-MM-DD, a year ahead at most",
    )
    baseline.set_defaults(run=_run_baseline)


def _add_client(commands: argparse._SubParsersAction[_Parser]) -> None:
    client = commands.add_parser(
        "client", help="serve a client every documented answer and network fault, and judge it"
    )
    subject = client.add_mutually_exclusive_group()
    subject.add_argument(
        "--adapter",
        metavar="NAME|module:attr",
        help=f"a built-in adapter ({', '.join(BUILT_INS)}) or a Python module:attr (default reference)",
    )
    subject.add_argument(
        "--command",
        metavar="CMD",
        help="a client in any language: CMD makes one call and prints the outcome as JSON",
    )
    client.add_argument(
        "--client-option",
        action="append",
        metavar="NAME=VALUE",
        help="an option of the built-in adapter's SDK, as its users set it (repeatable): "
        "lago-python-client max_retries, retry_on_rate_limit; lago-javascript-client "
        "rateLimitRetry (JSON); reference max_retries, timeout",
    )
    add_run_options(client, max_examples=100)
    client.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help="run only this scenario (repeatable); names are in the report",
    )
    client.add_argument(
        "--timeout",
        type=seconds,
        default=COMMAND_TIMEOUT,
        metavar="SECONDS",
        help=f"kill a --command still running after this long (default {COMMAND_TIMEOUT:g})",
    )
    client.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="run N scenarios of a --command at once, each on its own server (default: one per core)",
    )
    client.add_argument(
        "--explore",
        type=non_negative_int,
        metavar="N",
        help="generated answers to serve, 0 for none (default 200 in-process, 24 over --command)",
    )
    client.add_argument(
        "--replay",
        metavar="FILE",
        help="serve only the generated case in FILE (a client-case-N.json a report wrote)",
    )
    _add_spec(client)
    client.set_defaults(run=_run_client)


def _add_spec(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="an OpenAPI 3.x document (YAML or JSON) to check against instead of the bundled one",
    )


def _add_drift(commands: argparse._SubParsersAction[_Parser]) -> None:
    drift = commands.add_parser(
        "drift", help="what changed between the bundled contract and another OpenAPI document"
    )
    drift.add_argument("file", type=Path, metavar="FILE", help="an OpenAPI 3.x document")
    drift.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    drift.set_defaults(run=_run_drift)


def _run_drift(args: argparse.Namespace) -> int:
    from conformance._cli.drift import run_drift

    return run_drift(args)


def _run_mock(args: argparse.Namespace) -> int:
    # Each command's module is imported when it runs: schemathesis alone takes a second.
    from conformance._cli.mock import run_mock

    return run_mock(args)


def _run_server(args: argparse.Namespace) -> int:
    from conformance._cli.server import run_server

    return run_server(args)


def _run_client(args: argparse.Namespace) -> int:
    from conformance._cli.client import run_client

    return run_client(args)


def _run_baseline(args: argparse.Namespace) -> int:
    from conformance._cli.baseline import run_baseline

    return run_baseline(args)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ConformanceError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
