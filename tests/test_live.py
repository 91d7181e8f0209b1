"""Opt-in: the server suite against a real deployment, named by LAGO_API_URL and LAGO_API_KEY.

Set LAGO_FIXTURES to a fixtures file to cover 200 and 422 too. Paced at 10 requests/s and bounded
by the default request budget, as the command is.
"""

from __future__ import annotations

import os

import pytest

from conformance import ServerOptions, load_fixtures, run_server_suite

URL, KEY = os.environ.get("LAGO_API_URL"), os.environ.get("LAGO_API_KEY")

pytestmark = pytest.mark.skipif(
    not (URL and KEY), reason="live deployment tests need LAGO_API_URL and LAGO_API_KEY"
)


@pytest.mark.parametrize("level", ["documented", "strict"])
def test_the_live_deployment_has_no_must_findings(level: str) -> None:
    fixtures = os.environ.get("LAGO_FIXTURES")
    options = ServerOptions(
        base_url=URL,
        api_key=KEY,
        fixtures=load_fixtures(fixtures) if fixtures else None,
        level=level,  # type: ignore[arg-type]
        max_examples=20,
    )
    report = run_server_suite(options)
    must = [finding.render() for finding in report.findings if finding.severity == "MUST"]
    assert must == [], "\n\n".join(must)
