from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from conformance import LEVELS, VALIDATION_REASONS, LagoMock
from conformance._contract.document import contract
from conformance._contract.request import Request
from conformance._contract.rules import bearer_token, cast_uuid, normalize_path
from conformance._mock.app import LINK_LIFETIME_SECONDS
from tests.conftest import API_KEY

if TYPE_CHECKING:
    from collections.abc import Callable

AUTH = {"Authorization": f"Bearer {API_KEY}"}
JSON = "application/json; charset=utf-8"


def url_for(lago_id: str) -> str:
    return f"/invoices/{lago_id}/payment_url"


def assert_conformant(response: httpx.Response) -> Any:
    """Every mock answer is JSON and valid at both contract levels."""
    assert response.headers["content-type"] == JSON
    body = response.json()
    for level in LEVELS:
        assert contract(level).violations(response.status_code, body) == [], level
    return body


def test_payable_invoice_answers_200_with_all_details(mock: LagoMock, client: httpx.Client) -> None:
    invoice = mock.invoice("payable")
    response = client.post(url_for(invoice.lago_id), headers=AUTH)
    again = client.post(url_for(invoice.lago_id), headers=AUTH)
    assert response.status_code == again.status_code == 200
    details = assert_conformant(response)["invoice_payment_details"]
    # The URL is compared with the second call's: Lago reuses the stored link.
    assert details == {
        "lago_customer_id": invoice.customer.lago_id,
        "external_customer_id": "conformance-payable",
        "payment_provider": "stripe",
        "lago_invoice_id": invoice.lago_id,
        "payment_url": again.json()["invoice_payment_details"]["payment_url"],
    }
    assert re.fullmatch(
        r"https://checkout\.stripe\.com/c/pay/cs_test_[0-9a-f]{24}", details["payment_url"]
    )


@pytest.mark.parametrize(
    ("name", "host"),
    [
        ("payable-adyen", "test.adyen.link"),
        ("payable-cashfree", "payments-test.cashfree.com"),
        ("payable-flutterwave", "checkout.flutterwave.com"),
        ("payable-moneyhash", "embed.moneyhash.io"),
    ],
)
def test_each_provider_gives_its_own_checkout_url(
    mock: LagoMock, client: httpx.Client, name: str, host: str
) -> None:
    response = client.post(url_for(mock.invoice(name).lago_id), headers=AUTH)
    details = assert_conformant(response)["invoice_payment_details"]
    assert httpx.URL(details["payment_url"]).host == host


def test_repeat_calls_reuse_the_link_for_24_hours(client: httpx.Client) -> None:
    now = [1000.0]
    mock = LagoMock(api_key=API_KEY, clock=lambda: now[0])
    lago_id = mock.invoice("payable").lago_id
    first = mock.respond(Request.of("POST", "/api/v1" + url_for(lago_id), f"Bearer {API_KEY}"))
    now[0] += LINK_LIFETIME_SECONDS - 1
    again = mock.respond(Request.of("POST", "/api/v1" + url_for(lago_id), f"Bearer {API_KEY}"))
    now[0] += 1
    expired = mock.respond(Request.of("POST", "/api/v1" + url_for(lago_id), f"Bearer {API_KEY}"))
    assert first.body == again.body
    assert first.body != expired.body


def test_repeat_calls_over_asgi_give_the_same_url(mock: LagoMock, client: httpx.Client) -> None:
    path = url_for(mock.invoice("payable").lago_id)
    urls = {
        client.post(path, headers=AUTH).json()["invoice_payment_details"]["payment_url"]
        for _ in range(3)
    }
    assert len(urls) == 1


# What each mock invoice answers, written by hand from lago-api (docs/lago-behaviour.md: "The
# checks, in order, and the 422 each one gives", "Visible statuses"), not read from the mock's
# own table: (status, body code, the single reason under error_details.base).
ANSWERS: dict[str, tuple[int, str | None, str | None]] = {
    "payable": (200, None, None),
    "payable-adyen": (200, None, None),
    "payable-cashfree": (200, None, None),
    "payable-flutterwave": (200, None, None),
    "payable-moneyhash": (200, None, None),
    "no-provider": (422, "validation_errors", "no_linked_payment_provider"),
    "gocardless": (422, "validation_errors", "invalid_payment_provider"),
    "draft": (422, "validation_errors", "invalid_invoice_status_or_payment_status"),
    "voided": (422, "validation_errors", "invalid_invoice_status_or_payment_status"),
    "paid": (422, "validation_errors", "invalid_invoice_status_or_payment_status"),
    "no-connection": (422, "validation_errors", "missing_payment_provider"),
    "no-provider-customer": (422, "validation_errors", "missing_payment_provider_customer"),
    "blank-url": (422, "validation_errors", "payment_provider_error"),
    "stripe-error": (422, "third_party_error", None),
    "generating": (404, "invoice_not_found", None),
    "open": (404, "invoice_not_found", None),
    "closed": (404, "invoice_not_found", None),
}


@pytest.mark.parametrize(("name", "answer"), ANSWERS.items(), ids=list(ANSWERS))
def test_each_invoice_answers_what_lago_answers(
    mock: LagoMock, client: httpx.Client, name: str, answer: tuple[int, str | None, str | None]
) -> None:
    status, code, reason = answer
    response = client.post(url_for(mock.invoice(name).lago_id), headers=AUTH)
    body = assert_conformant(response)
    assert (response.status_code, body.get("code")) == (status, code)
    if code == "validation_errors":
        assert body == {
            "status": 422,
            "error": "Unprocessable Entity",
            "code": "validation_errors",
            "error_details": {"base": [reason]},
        }


def test_every_invoice_is_pinned_and_every_reason_has_one(mock: LagoMock) -> None:
    assert [invoice.name for invoice in mock.invoices] == list(ANSWERS)
    assert {reason for _, _, reason in ANSWERS.values()} - {None} == set(VALIDATION_REASONS)


def test_provider_api_error_is_a_third_party_error(mock: LagoMock, client: httpx.Client) -> None:
    response = client.post(url_for(mock.invoice("stripe-error").lago_id), headers=AUTH)
    body = assert_conformant(response)
    assert (response.status_code, body["code"]) == (422, "third_party_error")
    assert body["error_details"] == {
        "third_party": "Stripe",
        "thirdparty_error": "No such customer: 'cus_conformance'",
    }


@pytest.mark.parametrize("name", ["generating", "open", "closed"])
def test_invisible_invoices_are_not_found(mock: LagoMock, client: httpx.Client, name: str) -> None:
    response = client.post(url_for(mock.invoice(name).lago_id), headers=AUTH)
    assert (response.status_code, assert_conformant(response)) == (
        404,
        {"status": 404, "error": "Not Found", "code": "invoice_not_found"},
    )


@pytest.mark.parametrize(
    "lago_id",
    [
        pytest.param(str(uuid.UUID(int=7)), id="unknown-uuid"),
        pytest.param("not-a-uuid", id="not-a-uuid"),
        pytest.param("1234", id="digits"),
        pytest.param("%F0%9F%92%B3", id="emoji"),
        pytest.param("a%2Fb", id="encoded-slash"),
    ],
)
def test_unknown_or_malformed_ids_are_invoice_not_found(client: httpx.Client, lago_id: str) -> None:
    response = client.post(url_for(lago_id), headers=AUTH)
    assert response.status_code == 404
    assert assert_conformant(response)["code"] == "invoice_not_found"


@pytest.mark.parametrize(
    "spell",
    [
        pytest.param(str.upper, id="upper-case"),
        pytest.param(lambda i: i.replace("-", ""), id="no-hyphens"),
        pytest.param(lambda i: "{" + i + "}", id="braced"),
    ],
)
def test_ids_are_cast_as_rails_casts_uuids(
    mock: LagoMock, client: httpx.Client, spell: Callable[[str], str]
) -> None:
    invoice = mock.invoice("payable")
    response = client.post(url_for(spell(invoice.lago_id)), headers=AUTH)
    assert response.status_code == 200
    assert response.json()["invoice_payment_details"]["lago_invoice_id"] == invoice.lago_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{1A901A90-1A90-1A90-1A90-1A901A901A90}", "1a901a90-1a90-1a90-1a90-1a901a901a90"),
        ("1a901a901a901a901a901a901a901a90", "1a901a90-1a90-1a90-1a90-1a901a901a90"),
        ("1a90-1a90-1a90-1a90-1a90-1a90-1a90-1a90", "1a901a90-1a90-1a90-1a90-1a901a901a90"),
        ("{1a901a901a901a901a901a901a901a90", None),
        # ACCEPTABLE_UUID allows it, and format_uuid deletes every hyphen (Rails 8.0).
        ("1a901a901a901a901a901a901a901a90-", "1a901a90-1a90-1a90-1a90-1a901a901a90"),
        ("1a901a901a901a901a901a901a901a90\n", None),
        ("1a901a901a901a901a901a901a901a9", None),
        ("g" * 32, None),
    ],
)
def test_cast_uuid(value: str, expected: str | None) -> None:
    assert cast_uuid(value) == expected


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_verbs_are_resource_not_found_before_auth(
    mock: LagoMock, client: httpx.Client, method: str
) -> None:
    response = client.request(method, url_for(mock.invoice("payable").lago_id))
    assert response.status_code == 404
    assert assert_conformant(response)["code"] == "resource_not_found"


def test_head_rides_on_get_and_has_no_body(mock: LagoMock, client: httpx.Client) -> None:
    response = client.head(url_for(mock.invoice("payable").lago_id))
    assert (response.status_code, response.content) == (404, b"")
    assert response.headers["content-type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
def test_verbs_no_route_takes_end_in_rails_empty_404(
    mock: LagoMock, client: httpx.Client, method: str
) -> None:
    # config/routes.rb's catch-all takes GET, POST, PUT, DELETE and PATCH only: the routing error
    # ends in ShowExceptions#pass_response, whatever the key.
    for headers in ({}, AUTH):
        response = client.request(method, url_for(mock.invoice("payable").lago_id), headers=headers)
        assert (response.status_code, response.content) == (404, b"")
        assert response.headers["content-type"] == "text/html; charset=UTF-8"


@pytest.mark.parametrize(
    "path",
    [
        "/invoices",
        "/invoices//payment_url",
        "/invoices/a.b/payment_url",
        "/invoices/x/payment_urls",
        "/../v2/invoices/x/payment_url",
    ],
)
def test_other_paths_are_resource_not_found(client: httpx.Client, path: str) -> None:
    response = client.post(path, headers=AUTH)
    assert (response.status_code, assert_conformant(response)["code"]) == (
        404,
        "resource_not_found",
    )


def test_rails_path_normalisation(mock: LagoMock, client: httpx.Client) -> None:
    lago_id = mock.invoice("payable").lago_id
    for path in (
        url_for(lago_id) + "/",
        url_for(lago_id) + ".json",
        f"/invoices//{lago_id}/payment_url",
        url_for(lago_id) + "?x=1",
    ):
        assert client.post(path, headers=AUTH).status_code == 200, path
    assert normalize_path("//api//v1/") == "/api/v1"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer"}, id="empty-bearer"),
        pytest.param({"Authorization": "Bearer wrong-key"}, id="unknown-key"),
        pytest.param({"Authorization": API_KEY}, id="bare-key-no-scheme"),
        pytest.param({"Authorization": f"Bearer {API_KEY}x"}, id="key-prefix"),
        pytest.param({"X-Api-Key": API_KEY}, id="other-header"),
    ],
)
def test_unauthenticated_requests_are_401(
    mock: LagoMock, client: httpx.Client, headers: dict[str, str]
) -> None:
    response = client.post(url_for(mock.invoice("payable").lago_id), headers=headers)
    assert (response.status_code, assert_conformant(response)) == (
        401,
        {"status": 401, "error": "Unauthorized"},
    )


@pytest.mark.parametrize(
    "header", [f"Token {API_KEY}", f"bearer {API_KEY}", f"  Bearer\t {API_KEY} extra"]
)
def test_lago_reads_the_second_word_of_the_header(
    mock: LagoMock, client: httpx.Client, header: str
) -> None:
    response = client.post(
        url_for(mock.invoice("payable").lago_id), headers={"Authorization": header}
    )
    assert response.status_code == 200


def test_bearer_token_parsing() -> None:
    assert bearer_token(None) is None
    assert bearer_token("") is None
    assert bearer_token("Bearer") is None
    assert bearer_token(" Bearer  k ") == "k"


def test_auth_comes_before_the_invoice_lookup(client: httpx.Client) -> None:
    assert client.post(url_for("not-a-uuid")).status_code == 401


def test_ids_depend_only_on_the_seed() -> None:
    assert LagoMock(seed=3).fixtures == LagoMock(seed=3).fixtures
    assert LagoMock(seed=3).fixtures != LagoMock(seed=4).fixtures
    assert len({invoice.lago_id for invoice in LagoMock().invoices}) == len(LagoMock().invoices)


def test_fixtures_name_one_invoice_per_outcome(mock: LagoMock) -> None:
    fixtures = mock.fixtures.invoices
    assert set(fixtures) == {"payable", *VALIDATION_REASONS, "third_party_error"}
    assert fixtures["payable"] == mock.invoice("payable").lago_id
    assert fixtures["invalid_invoice_status_or_payment_status"] == mock.invoice("draft").lago_id


def test_rate_limit_answers_429_with_headers_once_exceeded() -> None:
    now = [50.25]
    mock = LagoMock(api_key=API_KEY, rate_limit=2, clock=lambda: now[0])
    path = "/api/v1" + url_for(mock.invoice("payable").lago_id)
    statuses = [mock.respond(Request.of("POST", path, f"Bearer {API_KEY}")) for _ in range(3)]
    assert [r.status for r in statuses] == [200, 200, 429]
    limited = statuses[2]
    assert limited.json() == {"status": 429, "error": "Too Many Requests"}
    assert dict(limited.headers) == {
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "1",
    }
    assert dict(statuses[0].headers)["x-ratelimit-remaining"] == "1"
    now[0] = 51.0
    assert mock.respond(Request.of("POST", path, f"Bearer {API_KEY}")).status == 200


def test_rate_limit_off_by_default(mock: LagoMock) -> None:
    path = "/api/v1" + url_for(mock.invoice("payable").lago_id)
    assert all(
        mock.respond(Request.of("POST", path, f"Bearer {API_KEY}")).status == 200
        for _ in range(200)
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_limit": 0}, "Invalid rate limit 0"),
        ({"api_key": "a b"}, "no whitespace"),
        ({"api_key": ""}, "non-empty"),
    ],
)
def test_bad_mock_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LagoMock(**kwargs)  # type: ignore[arg-type]


def test_unknown_invoice_name_is_a_clear_error(mock: LagoMock) -> None:
    with pytest.raises(KeyError, match="No mock invoice named 'nope'"):
        mock.invoice("nope")


@pytest.mark.http
def test_over_real_http(mock: LagoMock, http_client: httpx.Client) -> None:
    assert str(http_client.base_url).startswith("http://127.0.0.1:")
    payable = http_client.post(url_for(mock.invoice("payable").lago_id), headers=AUTH)
    assert payable.status_code == 200
    assert_conformant(payable)
    again = http_client.post(url_for(mock.invoice("payable").lago_id), headers=AUTH)
    assert again.json() == payable.json()
    for lago_id, status in ((mock.invoice("draft").lago_id, 422), ("nope", 404)):
        response = http_client.post(url_for(lago_id), headers=AUTH)
        assert response.status_code == status
        assert_conformant(response)
    unauthorized = http_client.post(url_for(mock.invoice("payable").lago_id))
    assert (unauthorized.status_code, assert_conformant(unauthorized)["error"]) == (
        401,
        "Unauthorized",
    )
    wrong_verb = http_client.get(url_for(mock.invoice("payable").lago_id), headers=AUTH)
    assert (wrong_verb.status_code, assert_conformant(wrong_verb)["code"]) == (
        404,
        "resource_not_found",
    )
    head = http_client.head(url_for("x"))
    assert (head.status_code, head.content) == (404, b"")


def test_another_organizations_key_authenticates_and_owns_no_invoice() -> None:
    mock = LagoMock(api_key=API_KEY, other_api_key="other-org-key")
    for invoice in mock.invoices:
        path = f"/api/v1/invoices/{invoice.lago_id}/payment_url"
        mine = mock.respond(Request.of("POST", path, f"Bearer {API_KEY}"))
        other = mock.respond(Request.of("POST", path, "Bearer other-org-key"))
        assert mine.status != 401
        assert (other.status, json.loads(other.body)) == (
            404,
            {"status": 404, "error": "Not Found", "code": "invoice_not_found"},
        )
    unknown = mock.respond(Request.of("POST", "/api/v1/invoices/x/payment_url", "Bearer nope"))
    assert unknown.status == 401


@pytest.mark.parametrize("other", ["", "a b", API_KEY])
def test_the_other_organizations_key_is_a_usable_key_of_its_own(other: str) -> None:
    with pytest.raises(ValueError, match="key"):
        LagoMock(api_key=API_KEY, other_api_key=other)
