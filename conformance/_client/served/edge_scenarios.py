"""The client suite's scenarios of answers beyond the documented ones: redirects, rate-limit hints
that ask for too long a wait, 200s whose root is not an object, bodies that are not UTF-8 or
never end, and the forms a base URL takes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._client.calls.call import INVOICE_ID, Fault
from conformance._client.judging.checks import (
    BASE_URL_JOINED,
    DEFAULT_BASE_URL,
    EXACT_PATH,
    KEEPS_HTTP_STATUS,
    KEY_STAYS_ON_ORIGIN,
    NO_REDIRECT_FOLLOWED,
    NO_SILENT_SUCCESS,
    RATE_LIMIT_HINT_WAITED,
    RATE_LIMIT_WAIT_BOUNDED,
    RETRIES_AS_CONFIGURED,
    SLOW_BODY_BOUNDED,
    UNDECODABLE_BODY,
)
from conformance._client.served.scenario import Scenario
from conformance._contract.document import example_body
from conformance._contract.rules import Reply

if TYPE_CHECKING:
    from conformance._contract.spec import Spec

__all__ = ["edge_scenarios"]

# Where redirects point: another origin, or (relative) another path of the same one.
_ENDPOINT = f"/invoices/{INVOICE_ID}/payment_url"
_ELSEWHERE = "{other}/api/v1" + _ENDPOINT
_SAME_ORIGIN = "/api/v2" + _ENDPOINT
# An hour: no call should wait that long for a payment link.
_HOUR = "3600"


def _redirect(status: int, location: str) -> Reply:
    body = b'<html><body>You are being <a href="%s">redirected</a>.</body></html>'
    return Reply(status, body % location.encode(), "text/html; charset=utf-8").with_headers(
        ("location", location)
    )


def _redirects(spec: Spec | None) -> list[Scenario]:
    ok = Reply.of_json(200, example_body(spec))
    scenarios = [
        Scenario(
            f"redirect-{status}-other-origin",
            "redirect",
            (_redirect(status, _ELSEWHERE), ok),
            (KEY_STAYS_ON_ORIGIN, NO_REDIRECT_FOLLOWED),
        )
        for status in (301, 302, 303, 307, 308)
    ]
    # The key cannot leave the origin here: only following at all is judged.
    scenarios.append(
        Scenario(
            "redirect-307-same-origin",
            "redirect",
            (_redirect(307, _SAME_ORIGIN), ok),
            (NO_REDIRECT_FOLLOWED,),
        )
    )
    return scenarios


def _rate_limited(*hints: tuple[str, str]) -> Reply:
    return Reply.error(429).with_headers(("x-ratelimit-limit", "50"), *hints)


def _waits(spec: Spec | None) -> list[Scenario]:
    retry_after = Reply.error(429).with_headers(("retry-after", _HOUR))
    reset = _rate_limited(("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", _HOUR))
    ok = Reply.of_json(200, example_body(spec))
    # Each hint alone, short enough to wait out: the retry must not come before it.
    floors = {
        "429-retry-after-2-then-200": (("retry-after", "2"),),
        "429-retry-after-date-then-200": (("retry-after", "{date+3}"),),
        "429-reset-2-then-200": (("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "2")),
    }
    return [
        Scenario("429-retry-after-3600", "robustness", (retry_after,), (RATE_LIMIT_WAIT_BOUNDED,)),
        Scenario("429-reset-far-ahead", "robustness", (reset,), (RATE_LIMIT_WAIT_BOUNDED,)),
        *(
            Scenario(
                name,
                "robustness",
                (_rate_limited(*hints), ok),
                (RATE_LIMIT_HINT_WAITED, RETRIES_AS_CONFIGURED),
            )
            for name, hints in floors.items()
        ),
    ]


# A 200 whose root, or whose invoice_payment_details, is not an object.
_ROOTS: dict[str, object] = {
    "200-details-null": {"invoice_payment_details": None},
    "200-details-array": {"invoice_payment_details": []},
    "200-details-string": {"invoice_payment_details": "https://foo.bar"},
    "200-details-number": {"invoice_payment_details": 1},
    "200-body-null": None,
    "200-body-array": [],
    "200-body-string": "text",
}


def _bodies() -> list[Scenario]:
    scenarios = [
        Scenario(name, "robustness", (Reply.of_json(200, body),), (NO_SILENT_SUCCESS,))
        for name, body in _ROOTS.items()
    ]
    latin1 = "<html><body><h1>Passerelle erronée</h1><p>Réessayez.</p></body></html>"
    invalid = (
        b'{"status":422,"error":"Unprocessable Entity","code":"validation_errors",'
        b'"error_details":{"base":["r\xe9f\xe9rence invalide"]}}'
    )
    scenarios += [
        Scenario(
            "502-latin1-html",
            "robustness",
            (Reply(502, latin1.encode("latin-1"), "text/html; charset=iso-8859-1"),),
            (UNDECODABLE_BODY, KEEPS_HTTP_STATUS),
        ),
        Scenario(
            "422-invalid-utf8-json",
            "robustness",
            (Reply(422, invalid, "application/json; charset=utf-8"),),
            (UNDECODABLE_BODY, KEEPS_HTTP_STATUS),
        ),
        Scenario(
            "200-trickles",
            "transport",
            (Fault("trickle"),),
            (SLOW_BODY_BOUNDED,),
            only="command",
            why="needs real time",
        ),
    ]
    return scenarios


def _base_urls(spec: Spec | None) -> list[Scenario]:
    ok = (Reply.of_json(200, example_body(spec)),)
    # Over HTTP every base URL is http:// with an explicit port, as request-self-hosted's.
    same = "over HTTP every base URL has them"
    return [
        Scenario(
            "base-trailing-slash", "request", ok, (BASE_URL_JOINED, EXACT_PATH), base="us-slash"
        ),
        # A // here is base-trailing-slash's finding: this one asks that the prefix is kept.
        Scenario(
            "base-prefix-trailing-slash",
            "request",
            ok,
            (BASE_URL_JOINED,),
            base="self-hosted-slash",
        ),
        Scenario(
            "base-explicit-port",
            "request",
            ok,
            (BASE_URL_JOINED,),
            base="port",
            only="in-process",
            why=same,
        ),
        Scenario(
            "base-http", "request", ok, (BASE_URL_JOINED,), base="http", only="in-process", why=same
        ),
        Scenario("default-base-url", "request", ok, (DEFAULT_BASE_URL,), base="default"),
    ]


def edge_scenarios(spec: Spec | None = None) -> list[Scenario]:
    """The scenarios of answers beyond the documented ones, in catalogue order."""
    return [*_base_urls(spec), *_redirects(spec), *_waits(spec), *_bodies()]
