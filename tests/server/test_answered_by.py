"""The preflight's words for what answered when it is not Lago."""

from __future__ import annotations

import httpx
import pytest

from conformance._contract.request import Request
from conformance._server.judging.answered_by import advice, looks_like_lago, what_answered
from conformance._server.transport.exchange import Exchange

REQUEST = Request.of("POST", "/invoices/x/payment_url")


def _exchange(status: int, headers: dict[str, str], body: bytes = b"") -> Exchange:
    return Exchange(REQUEST, "http://x/api/v1", status, httpx.Headers(headers), body)


@pytest.mark.parametrize(
    ("exchange", "said", "advised"),
    [
        pytest.param(
            _exchange(302, {"location": "https://sso.example.com/login?next=/api"}),
            "302 redirect to https://sso.example.com/login?next=/api (a login page)",
            "--base-url reaches a login front",
            id="login-redirect",
        ),
        pytest.param(
            _exchange(301, {"location": "https://example.com/api/v1/"}),
            "301 redirect to https://example.com/api/v1/",
            "check that --base-url ends in /api/v1",
            id="redirect",
        ),
        pytest.param(
            _exchange(
                403,
                {"content-type": "text/html", "server": "cloudflare"},
                b"<html><title>Attention Required! | Cloudflare</title></html>",
            ),
            "403 text/html, a WAF's page (Attention Required! | Cloudflare) from cloudflare",
            "a WAF refuses the suite's requests",
            id="waf",
        ),
        pytest.param(
            _exchange(504, {"content-type": "text/plain"}, b"upstream request timeout\n"),
            "504 text/plain, a proxy's error page (upstream request timeout)",
            "the proxy in front of Lago cannot reach it",
            id="proxy",
        ),
        pytest.param(
            _exchange(200, {"content-type": "text/html"}, b"<h1>Welcome</h1>"),
            "200 text/html, not JSON",
            "check that --base-url ends in /api/v1",
            id="a-site",
        ),
    ],
)
def test_what_answered_is_named_in_a_few_words(exchange: Exchange, said: str, advised: str) -> None:
    assert not looks_like_lago(exchange)
    assert what_answered(exchange) == said
    assert advice(exchange).startswith(advised)


def test_a_401_or_json_could_be_lago() -> None:
    assert looks_like_lago(_exchange(401, {"content-type": "text/html"}, b"<html>"))
    assert looks_like_lago(_exchange(404, {"content-type": "application/json"}, b"{}"))
