"""The ``lago-conformance`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from conformance._adapters import BUILT_INS
from conformance._console import print_summary
from conformance._contract import LEVELS
from conformance._errors import ConformanceError, UsageError
from conformance._exchange import COMMAND_TIMEOUT
from conformance._findings import FAIL_ON
from conformance._fixtures import dump_fixtures
from conformance._mock import DEFAULT_API_KEY, LagoMock
from conformance._mock_data import NOT_FOUND
from conformance._reports import write_reports
from conformance._serve import base_url, bind, serve_forever
from conformance._version import __version__

if TYPE_CHECKING:
    from conformance._findings import Report

__all__ = ["main"]

PROG = "lago-conformance"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a finite number, 0 or more")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{value:g} must be more than 0 and at most 600")
    return value


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
        type=_positive_int,
        default=max_examples,
        metavar="N",
        help=f"generated examples per property (default {max_examples})",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where to write the JUnit XML, JSON and Markdown reports (default reports/)",
    )


def finish(report: Report, report_dir: Path) -> int:
    """Write the reports, print the summary, and return the run's exit code."""
    try:
        paths = write_reports(report, report_dir)
    except OSError as error:
        raise UsageError(
            f"cannot write reports to --report-dir {str(report_dir)!r}: {error.strerror}"
        ) from None
    print_summary(report, paths)
    return report.exit_code


def _build_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Contract tests for Lago's POST /api/v1/invoices/{lago_id}/payment_url.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    mock = commands.add_parser("mock", help="serve the faithful Lago mock over HTTP")
    mock.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    mock.add_argument("--port", type=_port, default=8080, help="port, 0 for any (default 8080)")
    mock.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key the mock accepts")
    mock.add_argument("--seed", type=int, default=0, help="seed for the invoice ids (default 0)")
    mock.add_argument(
        "--rate-limit",
        type=_positive_int,
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
        "--fixtures", type=Path, metavar="FILE", help="TOML file naming invoices on the target"
    )
    add_run_options(server, max_examples=50)
    server.add_argument(
        "--max-requests",
        type=_positive_int,
        default=300,
        metavar="N",
        help="stop sending after N requests (default 300)",
    )
    server.add_argument(
        "--rate-limit",
        type=_non_negative_float,
        metavar="R",
        help="requests per second at most; 0 for no pacing (default 10, none on loopback)",
    )
    server.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="seconds to wait for each answer (default 10)",
    )
    server.set_defaults(run=_run_server)
    _add_client(commands)
    return parser


def _add_client(commands: argparse._SubParsersAction[_Parser]) -> None:
    client = commands.add_parser(
        "client", help="serve a client every documented answer and network fault, and judge it"
    )
    subject = client.add_mutually_exclusive_group()
    subject.add_argument(
        "--adapter",
        metavar="NAME|module:attr",
        help=f"a Python adapter: {', '.join(BUILT_INS)}, or module:attr (default reference)",
    )
    subject.add_argument(
        "--command",
        metavar="CMD",
        help="a client in any language: CMD makes one call and prints the outcome as JSON",
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
        type=_seconds,
        default=COMMAND_TIMEOUT,
        metavar="SECONDS",
        help=f"kill a --command still running after this long (default {COMMAND_TIMEOUT:g})",
    )
    client.set_defaults(run=_run_client)


def _run_client(args: argparse.Namespace) -> int:
    # Imported here, like the server suite: its strategies take a third of a second to import.
    from conformance._client_cli import run_client

    return run_client(args)


def _run_mock(args: argparse.Namespace) -> int:
    if not args.api_key or any(c.isspace() for c in args.api_key):
        raise UsageError("--api-key must be non-empty with no whitespace")
    app = LagoMock(api_key=args.api_key, seed=args.seed, rate_limit=args.rate_limit)
    sock = bind(args.host, args.port)
    url = base_url(sock, "/api/v1")
    if args.write_fixtures is not None:
        note = f"Fixtures of the lago-conformance mock (seed {args.seed}), served at {url}"
        try:
            args.write_fixtures.write_text(dump_fixtures(app.fixtures, note), encoding="utf-8")
        except OSError as error:
            sock.close()
            raise UsageError(
                f"cannot write --write-fixtures {str(args.write_fixtures)!r}: {error.strerror}"
            ) from None
    lines = [f"Lago mock serving at {url}", f"API key: {app.api_key}"]
    if args.rate_limit:
        lines.append(f"Rate limit: {args.rate_limit} requests/s (429 past it)")
    lines.append("Invoices (name, lago_id, expected answer):")
    for invoice in app.invoices:
        expect = {"payable": "200", NOT_FOUND: "404 invoice_not_found"}.get(
            invoice.expect, f"422 {invoice.expect}"
        )
        lines.append(f"  {invoice.name:<22} {invoice.lago_id}  {expect}")
    if args.write_fixtures is not None:
        lines.append(f"Fixtures written to {args.write_fixtures}")
    lines.append("Press Ctrl+C to stop.")
    print("\n".join(lines), flush=True)
    serve_forever(app, sock)
    return 0


def _run_server(args: argparse.Namespace) -> int:
    # Imported here: schemathesis takes a second to import, which `mock` need not pay.
    from conformance._server_cli import run_server

    return run_server(args)


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
