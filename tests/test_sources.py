"""Every check says where its rule comes from, and every report format shows it."""

from __future__ import annotations

import io
import json

import pytest

from conformance._client.served.catalogue import catalogue
from conformance._contract.document import load_document
from conformance._report.writers import write_json, write_junit, write_markdown
from conformance._server.judging.checks import CHECKS, CONSISTENT_ANSWERS, PAYMENT_URL_STABLE
from tests.faulty_servers import FAULTS, FaultyLago
from tests.helpers import run_suite

CLIENT_CHECKS = {check.name: check for scenario in catalogue() for check in scenario.checks}
ALL = [*CHECKS, PAYMENT_URL_STABLE, CONSISTENT_ANSWERS, *CLIENT_CHECKS.values()]


def resolve(pointer: str) -> object:
    """The node a JSON pointer names in the documented contract (RFC 6901)."""
    node: object = load_document("documented")
    for escaped in pointer.removeprefix("#/").split("/"):
        token = escaped.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, (dict, list)), pointer
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


@pytest.mark.parametrize("check", ALL, ids=lambda check: check.name)
def test_each_check_names_its_source(check: object) -> None:
    source: str = check.source  # type: ignore[attr-defined]
    assert source
    if source.startswith("#/"):
        assert resolve(source.split(" ", 1)[0]) is not None
    if check.severity == "MUST":  # type: ignore[attr-defined]
        assert source.startswith("#/"), "a MUST comes from the published contract"
    else:
        assert source.startswith(("lago-api ", "RFC ", "#/")), source


def test_every_report_format_shows_the_source_of_each_finding() -> None:
    fault = next(f for f in FAULTS if f.name == "payable-refused")
    report = run_suite(FaultyLago(fault.run), max_examples=3)
    finding = next(f for f in report.findings if f.check == "payable_invoice")
    assert finding.source == "#/paths/~1invoices~1{lago_id}~1payment_url/post/responses/200"
    texts = []
    for writer in (write_json, write_junit, write_markdown):
        stream = io.StringIO()
        writer(report, stream)
        texts.append(stream.getvalue())
    assert finding.source in texts[1]
    assert finding.source in texts[2]
    found = json.loads(texts[0])["results"]
    assert any(f["source"] == finding.source for r in found for f in r["findings"])
    assert f"Source: {finding.source}" in finding.render()
