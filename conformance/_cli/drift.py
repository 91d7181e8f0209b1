"""``lago-conformance drift FILE``: what changed between the bundled contract and FILE."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from conformance._contract.document import load_document
from conformance._contract.drift import compare, to_json, to_markdown
from conformance._contract.spec import load_spec

if TYPE_CHECKING:
    import argparse

__all__ = ["run_drift"]


def run_drift(args: argparse.Namespace) -> int:
    """Print the changes (Markdown, or JSON with ``--json``); 0 when none, 1 when some."""
    spec = load_spec(args.file)
    changes = compare(load_document("documented"), spec.document())
    if args.json:
        print(json.dumps(to_json(changes, spec.path, spec.sha256), indent=2))
    else:
        print(to_markdown(changes, spec.path), end="")
    return 1 if changes else 0
