"""The client suite's catalogue: each scenario is what to serve, and which checks judge the call."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from conformance._client.calls.call import Fault
from conformance._client.judging.checks import (
    ALL_ERROR_FIELDS,
    ALL_SUCCESS_FIELDS,
    CALL_WITHIN_BOUND,
    ERROR_FIELDS,
    EVERY_SCENARIO,
    FAILURE_NAMES_ERROR,
    GENERATED,
    ID_PERCENT_ENCODED,
    KEEPS_HTTP_STATUS,
    NO_INVENTED_VALUES,
    NO_RETRY_AFTER_4XX,
    NO_SILENT_SUCCESS,
    RATE_LIMIT_BOUNDED,
    RATE_LIMIT_RETRIED,
    REQUEST_SHAPE,
    RETRIES_AS_CONFIGURED,
    SUCCESS_DETAILS,
    TRANSPORT_FAULT,
)
from conformance._client.served.bodies import response_bodies
from conformance._client.served.edge_scenarios import edge_scenarios
from conformance._client.served.scenario import BASE_URLS, Scenario
from conformance._contract.document import NOT_FOUND_CODES, VALIDATION_REASONS, example_body
from conformance._contract.rules import (
    THIRD_PARTY_ERROR,
    VALIDATION_ERRORS,
    Reply,
    payment_details,
)

if TYPE_CHECKING:
    from conformance._contract.levels import Level
    from conformance._contract.spec import Spec

__all__ = ["BASE_URLS", "RESERVED_ID", "Scenario", "catalogue", "generated_bodies"]

# Reserved characters, a space, a percent sign and non-ASCII: one path segment, always.
RESERVED_ID = "1a901a90/../x?y=1#z %2F é"


def generated_bodies(
    level: Level, seed: int, count: int, spec: Spec | None = None
) -> list[dict[str, Any]]:
    """``count`` 200 bodies valid at ``level``, with unknown fields and non-ASCII text; seeded."""
    bodies: list[dict[str, Any]] = []
    strategy = response_bodies(level, 200, extra_fields=True, spec=spec).filter(
        lambda body: payment_details(body) is not None
    )

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(body: dict[str, Any]) -> None:
        bodies.append(body)

    collect()
    return bodies[:count]


def _without(body: dict[str, Any], field: str) -> dict[str, Any]:
    details = {k: v for k, v in body["invoice_payment_details"].items() if k != field}
    return {**body, "invoice_payment_details": details}


def _documented(spec: Spec | None) -> list[Scenario]:
    scenarios = [
        Scenario(
            "200-example",
            "documented",
            (Reply.of_json(200, example_body(spec)),),
            (SUCCESS_DETAILS, ALL_SUCCESS_FIELDS),
        ),
        Scenario("200-generated", "documented", (), (SUCCESS_DETAILS,), generated=True),
        # The contract requires no field of the 200: one without payment_url is documented.
        Scenario(
            "200-without-payment-url",
            "documented",
            (Reply.of_json(200, _without(example_body(spec), "payment_url")),),
            (SUCCESS_DETAILS, NO_INVENTED_VALUES),
        ),
        Scenario(
            "401-unauthorized",
            "documented",
            (Reply.error(401),),
            # A 401 has no code or error_details.
            (ERROR_FIELDS, NO_RETRY_AFTER_4XX, FAILURE_NAMES_ERROR),
        ),
    ]
    scenarios += [
        Scenario(
            f"404-{code}",
            "documented",
            (Reply.error(404, code),),
            (ERROR_FIELDS, ALL_ERROR_FIELDS, NO_RETRY_AFTER_4XX, FAILURE_NAMES_ERROR),
        )
        for code in NOT_FOUND_CODES
    ]
    scenarios += [
        Scenario(
            f"422-{reason}",
            "documented",
            (Reply.error(422, VALIDATION_ERRORS, {"base": [reason]}),),
            (ERROR_FIELDS, ALL_ERROR_FIELDS, NO_RETRY_AFTER_4XX, FAILURE_NAMES_ERROR),
        )
        for reason in VALIDATION_REASONS
    ]
    third_party = {
        "third_party": "Stripe",
        "thirdparty_error": "Your card was declined, réessayez.",
    }
    scenarios.append(
        Scenario(
            f"422-{THIRD_PARTY_ERROR}",
            "documented",
            (Reply.error(422, THIRD_PARTY_ERROR, third_party),),
            (ERROR_FIELDS, ALL_ERROR_FIELDS, NO_RETRY_AFTER_4XX, FAILURE_NAMES_ERROR),
        )
    )
    return scenarios


def _requests(spec: Spec | None) -> list[Scenario]:
    ok = (Reply.of_json(200, example_body(spec)),)
    public = "needs a public host name"
    return [
        Scenario("request-us", "request", ok, (REQUEST_SHAPE,), only="in-process", why=public),
        Scenario(
            "request-eu", "request", ok, (REQUEST_SHAPE,), base="eu", only="in-process", why=public
        ),
        Scenario("request-self-hosted", "request", ok, (REQUEST_SHAPE,), base="self-hosted"),
        Scenario(
            "request-reserved-characters",
            "request",
            ok,
            (REQUEST_SHAPE, ID_PERCENT_ENCODED),
            lago_id=RESERVED_ID,
        ),
    ]


def _robustness(spec: Spec | None) -> list[Scenario]:
    hints = (
        ("retry-after", "0"),
        ("x-ratelimit-limit", "50"),
        ("x-ratelimit-remaining", "0"),
        ("x-ratelimit-reset", "0"),
    )
    too_many = Reply.error(429).with_headers(*hints)
    scenarios = [
        Scenario(
            "429-then-200",
            "robustness",
            (too_many, Reply.of_json(200, example_body(spec))),
            (RATE_LIMIT_RETRIED, RETRIES_AS_CONFIGURED),
        ),
        Scenario(
            "429-always", "robustness", (too_many,), (RATE_LIMIT_BOUNDED, RETRIES_AS_CONFIGURED)
        ),
    ]
    for status in (500, 502, 503):
        broken = {
            "html": Reply(
                status,
                b"<html><body><h1>Bad gateway</h1></body></html>",
                "text/html; charset=utf-8",
            ),
            "empty": Reply(status, b"", None),
            "invalid-json": Reply(status, b'{"status": 5', "application/json"),
            "json-as-text": Reply(status, b'{"status":%d,"error":"Oops"}' % status, "text/plain"),
        }
        scenarios += [
            Scenario(f"{status}-{kind}", "robustness", (reply,), (KEEPS_HTTP_STATUS,))
            for kind, reply in broken.items()
        ]
    scenarios += [
        Scenario(
            "200-invalid-json",
            "robustness",
            (Reply(200, b'{"invoice_payment_details": {'),),
            (NO_SILENT_SUCCESS,),
        ),
        Scenario(
            "200-without-root-key",
            "robustness",
            (Reply.of_json(200, {"payment_url": "https://foo.bar"}),),
            (NO_SILENT_SUCCESS,),
        ),
        Scenario("connection-refused", "transport", (Fault("refuse"),), (TRANSPORT_FAULT,)),
        Scenario("connection-reset", "transport", (Fault("reset"),), (TRANSPORT_FAULT,)),
        # Each read timeout it lets expire counts on the virtual clock: so do its retries.
        Scenario(
            "never-answers", "transport", (Fault("hang"),), (TRANSPORT_FAULT, CALL_WITHIN_BOUND)
        ),
    ]
    return scenarios


def catalogue(spec: Spec | None = None) -> list[Scenario]:
    """Every scenario, documented (MUST) first, then request shape, then robustness (SHOULD),
    then answers beyond the documented ones, then the generated answers; the 200 bodies are
    ``spec``'s example when it has one. Each scenario's checks end with those that judge every
    scenario (``EVERY_SCENARIO``)."""
    scenarios = [*_documented(spec), *_requests(spec), *_robustness(spec), *edge_scenarios(spec)]
    ridden = [
        dataclasses.replace(scenario, checks=scenario.checks + EVERY_SCENARIO)
        for scenario in scenarios
    ]
    return [*ridden, Scenario("generated", "generated", (), GENERATED, explore=True)]
