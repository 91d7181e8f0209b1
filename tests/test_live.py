"""Opt-in: the server suite against a real deployment, named by LAGO_API_URL and LAGO_API_KEY.

Set LAGO_FIXTURES to a fixtures file to cover 200 and 422 too. Paced at 10 requests/s and bounded
by the default request budget, as the command is.
"""

from __future__ import annotations

import argparse
import os

import pytest

from conformance._server_cli import run_suite_from_options

URL, KEY = os.environ.get("LAGO_API_URL"), os.environ.get("LAGO_API_KEY")

pytestmark = pytest.mark.skipif(
    not (URL and KEY), reason="live deployment tests need LAGO_API_URL and LAGO_API_KEY"
)


@pytest.mark.parametrize("level", ["documented", "strict"])
def test_the_live_deployment_has_no_must_findings(level: str) -> None:
    args = argparse.Namespace(
        base_url=URL, api_key=KEY, fixtures=os.environ.get("LAGO_FIXTURES"), level=level,
        fail_on="must", seed=0, max_examples=20, max_requests=300, rate_limit=None, timeout=10.0,
    )  # fmt: skip
    report = run_suite_from_options(args)
    must = [finding.render() for finding in report.findings if finding.severity == "MUST"]
    assert must == [], "\n\n".join(must)
