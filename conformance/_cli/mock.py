"""``lago-conformance mock``: serve the faithful Lago mock over HTTP until interrupted."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from conformance._contract.fixtures import dump_fixtures
from conformance._errors import UsageError
from conformance._mock.app import LagoMock
from conformance._mock.organization import NOT_FOUND
from conformance._mock.serve import base_url, bind, serve_forever

if TYPE_CHECKING:
    import argparse

__all__ = ["run_mock"]


def run_mock(args: argparse.Namespace) -> int:
    """Serve the mock as the options say, after printing its URL, key and invoices."""
    if not args.api_key or any(c.isspace() for c in args.api_key):
        raise UsageError("--api-key must be non-empty with no whitespace")
    other = args.other_api_key or os.environ.get("LAGO_OTHER_API_KEY") or None
    if other is not None and any(c.isspace() for c in other):
        raise UsageError("--other-api-key (or LAGO_OTHER_API_KEY) must hold no whitespace")
    if other == args.api_key:
        raise UsageError("--other-api-key must differ from --api-key")
    app = LagoMock(
        api_key=args.api_key, seed=args.seed, rate_limit=args.rate_limit, other_api_key=other
    )
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
    if other is not None:
        lines.append(f"Another organization's key (owns no invoice): {other}")
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
