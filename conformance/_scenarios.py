"""The client suite's catalogue: each scenario is what to serve, and which checks judge the call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from conformance import _judges as judges
from conformance._bodies import response_bodies
from conformance._contract import (
    NOT_FOUND_CODES,
    REASON_PHRASES,
    THIRD_PARTY_ERROR,
    VALIDATION_ERRORS,
    VALIDATION_REASONS,
    load_document,
)
from conformance._exchange import INVOICE_ID, Fault, Reply

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._contract import Level
    from conformance._exchange import Exchange, Serve
    from conformance._findings import Severity
    from conformance._judges import Problem

__all__ = [
    "BASE_URLS",
    "RESERVED_ID",
    "Check",
    "Scenario",
    "catalogue",
    "example_body",
    "generated_bodies",
]

Base = Literal["us", "eu", "self-hosted"]
# In-process base URLs; over HTTP, "self-hosted" becomes <server>/lago/api/v1, the others <server>/api/v1.
BASE_URLS: dict[Base, str] = {
    "us": "https://api.getlago.com/api/v1",
    "eu": "https://api.eu.getlago.com/api/v1",
    "self-hosted": "https://billing.example.test/lago/api/v1",
}
# Reserved characters, a space, a percent sign and non-ASCII: one path segment, always.
RESERVED_ID = "1a901a90/../x?y=1#z %2F é"


@dataclass(frozen=True)
class Check:
    """One judgement of a call: a name for reports, a severity, and the judge."""

    name: str
    severity: Severity
    judge: Callable[[Exchange], list[Problem]]
    needs_outcome: bool = True


@dataclass(frozen=True)
class Scenario:
    """What to serve, in order (the last answer repeats), and the checks that judge the call."""

    name: str
    group: str
    serves: tuple[Serve, ...]
    checks: tuple[Check, ...]
    base: Base = "us"
    lago_id: str = INVOICE_ID
    in_process_only: bool = False
    generated: bool = False

    @property
    def severity(self) -> Severity:
        """The highest severity among its checks."""
        return "MUST" if any(check.severity == "MUST" for check in self.checks) else "SHOULD"


SUCCESS = Check("success-details", "MUST", judges.succeeds_with_served_details)
ALL_FIELDS = Check("all-success-fields", "SHOULD", judges.exposes_all_fields)
ERROR = Check("error-fields", "MUST", judges.fails_with_served_error)
NO_RETRY = Check("no-retry-after-4xx", "SHOULD", judges.no_retry_after_4xx)
REQUEST = Check("request", "MUST", judges.request_shape, needs_outcome=False)
STATUS = Check("keeps-http-status", "SHOULD", judges.fails_keeping_status)
NOT_SILENT = Check("no-silent-success", "SHOULD", judges.fails_not_silently)
BOUNDED_429 = Check("429-bounded", "SHOULD", judges.rate_limit_bounded)
RETRIED_429 = Check("429-retried", "SHOULD", judges.rate_limit_retried)
TRANSPORT = Check("transport-fault", "SHOULD", judges.gives_up_on_transport_fault)


def example_body() -> dict[str, Any]:
    """The 200 example of the published contract."""
    responses = load_document("documented")["paths"]["/invoices/{lago_id}/payment_url"]["post"]
    body: dict[str, Any] = responses["responses"]["200"]["content"]["application/json"]["examples"][
        "example"
    ]["value"]
    return body


def generated_bodies(level: Level, seed: int, count: int) -> list[dict[str, Any]]:
    """``count`` 200 bodies valid at ``level``, with unknown fields and non-ASCII text; seeded."""
    bodies: list[dict[str, Any]] = []
    strategy = response_bodies(level, 200, extra_fields=True).filter(
        lambda body: (
            isinstance(body, dict) and isinstance(body.get("invoice_payment_details"), dict)
        )
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


def _error(status: int, code: str | None = None, details: object = None) -> Reply:
    body: dict[str, object] = {"status": status, "error": REASON_PHRASES[status]}
    if code is not None:
        body["code"] = code
    if details is not None:
        body["error_details"] = details
    return Reply.of_json(status, body)


def _documented() -> list[Scenario]:
    scenarios = [
        Scenario(
            "200-example",
            "documented",
            (Reply.of_json(200, example_body()),),
            (SUCCESS, ALL_FIELDS),
        ),
        Scenario("200-generated", "documented", (), (SUCCESS,), generated=True),
        Scenario("401-unauthorized", "documented", (_error(401),), (ERROR, NO_RETRY)),
    ]
    scenarios += [
        Scenario(f"404-{code}", "documented", (_error(404, code),), (ERROR, NO_RETRY))
        for code in NOT_FOUND_CODES
    ]
    scenarios += [
        Scenario(
            f"422-{reason}",
            "documented",
            (_error(422, VALIDATION_ERRORS, {"base": [reason]}),),
            (ERROR, NO_RETRY),
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
            (_error(422, THIRD_PARTY_ERROR, third_party),),
            (ERROR, NO_RETRY),
        )
    )
    return scenarios


def _requests() -> list[Scenario]:
    ok = (Reply.of_json(200, example_body()),)
    return [
        Scenario("request-us", "request", ok, (REQUEST,), base="us", in_process_only=True),
        Scenario("request-eu", "request", ok, (REQUEST,), base="eu", in_process_only=True),
        Scenario("request-self-hosted", "request", ok, (REQUEST,), base="self-hosted"),
        Scenario("request-reserved-characters", "request", ok, (REQUEST,), lago_id=RESERVED_ID),
    ]


def _robustness() -> list[Scenario]:
    hints = (
        ("retry-after", "0"),
        ("x-ratelimit-limit", "50"),
        ("x-ratelimit-remaining", "0"),
        ("x-ratelimit-reset", "0"),
    )
    too_many = Reply.of_json(429, {"status": 429, "error": REASON_PHRASES[429]}, *hints)
    scenarios = [
        Scenario(
            "429-then-200",
            "robustness",
            (too_many, Reply.of_json(200, example_body())),
            (RETRIED_429,),
        ),
        Scenario("429-always", "robustness", (too_many,), (BOUNDED_429,)),
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
            Scenario(f"{status}-{kind}", "robustness", (reply,), (STATUS,))
            for kind, reply in broken.items()
        ]
    scenarios += [
        Scenario(
            "200-invalid-json",
            "robustness",
            (Reply(200, b'{"invoice_payment_details": {'),),
            (NOT_SILENT,),
        ),
        Scenario(
            "200-without-root-key",
            "robustness",
            (Reply.of_json(200, {"payment_url": "https://foo.bar"}),),
            (NOT_SILENT,),
        ),
        Scenario("connection-refused", "transport", (Fault("refuse"),), (TRANSPORT,)),
        Scenario("connection-reset", "transport", (Fault("reset"),), (TRANSPORT,)),
        Scenario("never-answers", "transport", (Fault("hang"),), (TRANSPORT,)),
    ]
    return scenarios


def catalogue() -> list[Scenario]:
    """Every scenario, documented (MUST) first, then request shape, then robustness (SHOULD)."""
    return [*_documented(), *_requests(), *_robustness()]
