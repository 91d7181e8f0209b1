from __future__ import annotations

import copy
from typing import Any

from conformance._contract.document import load_document
from conformance._contract.drift import Change, compare, to_json, to_markdown
from conformance._contract.spec import extract_operation
from tests.contract.documents import (
    bundled,
    loose,
    operation,
    whole_document,
    with_403,
    with_renamed_field,
    with_required,
)

DETAILS = "200 $.invoice_payment_details"


def drift(document: dict[str, Any]) -> list[Change]:
    return compare(load_document("documented"), extract_operation(document))


def test_the_bundled_fragment_and_a_whole_document_alike_do_not_drift() -> None:
    assert drift(bundled()) == []
    assert drift(whole_document()) == []


def test_required_lists_break_servers() -> None:
    changes = drift(with_required(bundled()))
    assert {(c.kind, c.where, c.change, c.breaks) for c in changes} == {
        ("required", "200 $.invoice_payment_details", "added", "servers"),
        *{
            ("required", f"{DETAILS}.{name}", "added", "servers")
            for name in (
                "external_customer_id",
                "lago_customer_id",
                "lago_invoice_id",
                "payment_provider",
                "payment_url",
            )
        },
    }


def test_a_new_status_breaks_clients_and_a_removed_one_too() -> None:
    assert [(c.kind, c.where, c.change, c.breaks) for c in drift(with_403(bundled()))] == [
        ("status", "403", "added", "clients")
    ]
    document = bundled()
    del operation(document)["responses"]["422"]
    assert [(c.where, c.change, c.breaks) for c in drift(document)] == [
        ("422", "removed", "clients")
    ]


def test_a_renamed_field_is_one_removed_and_one_added() -> None:
    assert [
        (c.kind, c.where, c.change, c.breaks) for c in drift(with_renamed_field(bundled()))
    ] == [
        ("field", f"{DETAILS}.checkout_url", "added", "neither"),
        ("field", f"{DETAILS}.payment_url", "removed", "clients"),
    ]


def test_the_upstream_document_differs_from_a_loose_fragment_exactly_as_described() -> None:
    changes = compare(extract_operation(loose(bundled())), extract_operation(whole_document()))
    required = {
        "401": ["error", "status"],
        "404": ["code", "error", "status"],
        "422": ["code", "error", "error_details", "status"],
    }
    expected = [
        ("required", f"{status} $.{name}", "added", "servers")
        for status, names in required.items()
        for name in names
    ] + [("format", "path lago_id", "added", "clients")]
    assert [(c.kind, c.where, c.change, c.breaks) for c in changes] == expected


def test_enums_formats_parameters_and_security() -> None:
    old = bundled()
    fields = old["components"]["schemas"]["InvoicePaymentUrl"]["properties"]
    fields["invoice_payment_details"]["allOf"][0]["properties"]["payment_provider"]["enum"] = [
        "stripe",
        "adyen",
    ]
    new = copy.deepcopy(old)
    provider = new["components"]["schemas"]["InvoicePaymentUrl"]["properties"][
        "invoice_payment_details"
    ]["allOf"][0]["properties"]["payment_provider"]
    provider["enum"] = ["stripe", "gocardless"]
    provider["format"] = "slug"
    operation(new)["parameters"].append({"name": "locale", "in": "query", "schema": {}})
    new["security"] = [{"apiKey": []}]
    new["components"]["securitySchemes"] = {"apiKey": {"type": "apiKey", "in": "header"}}
    changes = compare(extract_operation(old), extract_operation(new))
    assert [(c.kind, c.where, c.change, c.breaks) for c in changes] == [
        ("format", f"{DETAILS}.payment_provider", "added", "servers"),
        ("enum", f"{DETAILS}.payment_provider", "added", "clients"),
        ("enum", f"{DETAILS}.payment_provider", "removed", "servers"),
        ("parameter", "query locale", "added", "neither"),
        ("security", "apiKey", "added", "clients"),
        ("security", "bearerAuth", "removed", "clients"),
    ]


def test_markdown_and_json() -> None:
    changes = drift(with_403(bundled()))
    assert "| status | `403` | added |" in to_markdown(changes, "new.yaml")
    assert "No differences." in to_markdown([], "same.yaml")
    assert to_json(changes, "new.yaml", "abc")["changes"][0]["breaks"] == "clients"
