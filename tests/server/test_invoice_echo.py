"""``invoice_echo`` compares ids as Rails casts them: the path may hold any form Lago accepts."""

from __future__ import annotations

import json

import httpx
import pytest

from conformance._contract.request import Request
from conformance._server.judging.lago_checks import invoice_echo
from conformance._server.transport.answer import Answer, Expectation
from conformance._server.transport.exchange import Exchange

CANONICAL = "1a901a90-1a90-1a90-1a90-1a901a901a90"


def answer(path_id: str, echoed: str) -> Answer:
    body = json.dumps({"invoice_payment_details": {"lago_invoice_id": echoed}}).encode()
    headers = httpx.Headers({"content-type": "application/json"})
    path = f"/invoices/{path_id}/payment_url"
    exchange = Exchange(Request.of("POST", path, "Bearer k"), f"http://lago.test/api/v1{path}",
                        200, headers, body)  # fmt: skip
    return Answer(exchange, Expectation("payable", lago_id=path_id))


@pytest.mark.parametrize(
    "path_id",
    [CANONICAL, CANONICAL.upper(), "{" + CANONICAL + "}", CANONICAL.replace("-", "")],
)
def test_the_canonical_echo_of_any_cast_form_passes(path_id: str) -> None:
    assert list(invoice_echo(answer(path_id, CANONICAL))) == []


@pytest.mark.parametrize("echoed", ["1a901a90-1a90-1a90-1a90-1a901a901a91", "", "not-a-uuid"])
def test_another_invoice_is_flagged(echoed: str) -> None:
    (problem,) = invoice_echo(answer(CANONICAL, echoed))
    assert problem.title == "Payment URL answered for another invoice"
