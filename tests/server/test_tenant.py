"""A second organization, the payable invoice in the exploration, and the stateful phase: each
catches a faulty deployment nothing else catches; the faithful mock passes; the other key never
reaches a report."""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING, Any

import pytest

from conformance import LagoMock
from conformance._mock.serve import serving
from conformance._report.output import finish
from conformance._report.writers import write_json
from conformance._server.phases.stateful import SCENARIO
from tests.faulty_servers import API_KEY, FaultyLago, Reply, Request
from tests.tenant_faults import (
    OTHER_KEY,
    TENANT_FAULTS,
    TenantFault,
    deployment,
    flagged,
    run_tenant_suite,
)

if TYPE_CHECKING:
    from pathlib import Path

# What turns each part off: the other key, the payable calls, the stateful phase.
_WITHOUT: dict[str, dict[str, Any]] = {
    "tenant": {"other": False},
    "payable": {"payable_calls": 0},
    "stateful": {"stateful": 0},
}


@pytest.mark.parametrize("fault", TENANT_FAULTS, ids=lambda fault: fault.name)
def test_each_fault_is_caught_by_its_part_and_unseen_without_it(fault: TenantFault) -> None:
    report = run_tenant_suite(deployment(fault))
    found = flagged(report)
    assert fault.check in {check for check, _scenario in found}, sorted(found)
    prefix = {"tenant": "tenant/", "payable": "explore/", "stateful": "stateful/"}[fault.part]
    assert any(s.startswith(prefix) for check, s in found if check == fault.check), sorted(found)
    if fault.part != "tenant":
        # The other key goes into the exploration and the stateful phase too: a leak to it shows
        # there as well, but only with --other-api-key.
        assert all(scenario.startswith(prefix) for _check, scenario in found), sorted(found)
    without = run_tenant_suite(deployment(fault), **_WITHOUT[fault.part])
    assert without.findings == []


def test_a_cross_tenant_leak_is_a_must_finding_at_the_documented_level() -> None:
    (fault,) = [f for f in TENANT_FAULTS if f.name == "unscoped-invoice-lookup"]
    report = run_tenant_suite(deployment(fault), level="documented")
    leaks = [f for f in report.findings if f.check == "tenant_isolation"]
    assert leaks
    assert all(f.severity == "MUST" for f in leaks)
    assert "cross-tenant leak" in leaks[0].title
    assert report.exit_code == 1


@pytest.mark.parametrize("level", ["documented", "strict"])
@pytest.mark.parametrize("seed", [0, 13])
def test_the_faithful_mock_with_another_organization_has_no_findings(level: str, seed: int) -> None:
    report = run_tenant_suite(deployment(None, seed), seed=seed, level=level, fail_on="should")
    assert report.findings == []
    assert report.metadata["requests"] <= 400
    assert report.metadata["stateful"]["requests"] == 38
    assert report.metadata["payable_calls"] == {
        "vary": 2,
        "stateful": 4,
        "exploration": 6,
        "limit": 12,
    }
    assert report.metadata["requests_by_phase"]["tenant"] == 1 + len(report.metadata["fixtures"])


@pytest.mark.http
def test_the_faithful_mock_over_http_with_another_organization_has_no_findings() -> None:
    mock = LagoMock(api_key=API_KEY, seed=4, other_api_key=OTHER_KEY)
    with serving(mock) as url:
        report = run_tenant_suite(mock, seed=4, base_url=url + "/api/v1", fail_on="should")
    assert report.findings == []
    assert report.metadata["stateful"]["requests"] == 38


def test_without_the_other_key_the_report_says_isolation_was_not_judged() -> None:
    report = run_tenant_suite(deployment(None), other=False)
    assert any(note.startswith("cross-tenant isolation was not judged") for note in report.notes)
    assert "--other-api-key" in next(n for n in report.notes if n.startswith("cross-tenant"))
    assert "tenant" not in report.metadata["requests_by_phase"]
    assert report.metadata["other_organization"] is False


def test_a_difference_in_a_sequence_is_shown_as_its_shortest_numbered_curl_lines() -> None:
    (fault,) = [f for f in TENANT_FAULTS if f.name == "keyless-call-opens-cache"]
    report = run_tenant_suite(deployment(fault))
    (finding,) = [f for f in report.findings if f.check == "sequence_refuses"]
    # No key on the invoice, then another credential on it: the stored 200 comes back.
    assert 2 <= len(finding.sequence) <= 4
    assert all(line.startswith("curl -X POST") for line in finding.sequence)
    assert "# no key" in "".join(finding.sequence)
    assert finding.reproduce == finding.sequence[-1].split("  # ")[0]
    stream = io.StringIO()
    write_json(report, stream)
    written = [f for r in json.loads(stream.getvalue())["results"] for f in r["findings"]]
    assert [f["sequence"] for f in written if "sequence" in f] == [list(finding.sequence)]
    assert re.search(r"Sequence:\n  1\. curl .*\n  2\. curl", finding.render())
    assert finding.lago.startswith(("401", "404"))
    again = run_tenant_suite(deployment(fault))
    assert [f.sequence for f in again.findings] == [f.sequence for f in report.findings]


def test_a_refused_call_that_changes_the_link_is_named_in_the_finding() -> None:
    (fault,) = [f for f in TENANT_FAULTS if f.name == "refused-call-expires-link"]
    report = run_tenant_suite(deployment(fault))
    (finding,) = [f for f in report.findings if f.check == "sequence_no_side_effect"]
    assert finding.title.startswith("A refused or failed call changed what a later call sees")
    assert "payment_url" in finding.received
    assert report.metadata["stateful"]["differences"] == ["sequence_no_side_effect"]
    assert (("sequence_no_side_effect", SCENARIO)) in flagged(report)


def _echo_authorization(server: FaultyLago, request: Request) -> Reply:
    reply = server.faithful(request)
    echoed = (("x-debug-authorization", request.authorization or ""),)
    return Reply(reply.status, reply.body, reply.headers + echoed)


def test_the_other_key_reaches_no_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = FaultyLago(_echo_authorization, mock=LagoMock(api_key=API_KEY, other_api_key=OTHER_KEY))
    report = run_tenant_suite(app)
    assert any(f.check == "no_secret_echo" for f in report.findings)
    assert OTHER_KEY in report.secrets
    finish(report, tmp_path)
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(written) >= 4
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert OTHER_KEY not in text, path.name
        assert API_KEY not in text, path.name
    assert OTHER_KEY not in json.dumps([f.__dict__ for f in report.findings], default=str)
    printed = capsys.readouterr()
    assert OTHER_KEY not in printed.out + printed.err


def test_another_organization_key_the_deployment_refuses_ends_the_run_with_why() -> None:
    # A mock that knows only the run's key: the other one is answered 401.
    app = FaultyLago(
        lambda server, request: server.faithful(request), mock=LagoMock(api_key=API_KEY)
    )
    report = run_tenant_suite(app)
    assert report.aborted is not None
    assert "refused the other organization's key" in report.aborted
    assert "--other-api-key" in report.aborted
    assert report.exit_code == 2
