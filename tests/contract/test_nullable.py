"""OpenAPI 3.0's ``nullable`` in a --spec document: null is then a valid value, as 3.0 meant."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest

from conformance._contract.document import contract, example_body
from conformance._contract.nullable import translate_nullable
from conformance._contract.spec import load_spec
from tests.contract.documents import bundled, write

if TYPE_CHECKING:
    from pathlib import Path


def details(document: dict[str, Any]) -> dict[str, Any]:
    root = document["components"]["schemas"]["InvoicePaymentUrl"]
    return dict(root["properties"]["invoice_payment_details"]["allOf"][0])


def openapi_30(nullable: bool) -> dict[str, Any]:
    """The bundled fragment as a 3.0 document, ``payment_url`` and the details ``nullable``."""
    document = copy.deepcopy(bundled())
    document["openapi"] = "3.0.3"
    fields = details(document)["properties"]
    fields["payment_url"]["nullable"] = nullable
    # A property named `nullable` is a name, not the keyword: it must survive as it is.
    fields["nullable"] = {"type": "string"}
    root = document["components"]["schemas"]["InvoicePaymentUrl"]["properties"]
    root["invoice_payment_details"]["nullable"] = nullable
    return document


def body(payment_url: object, details_value: object = "") -> dict[str, Any]:
    value = example_body()
    if details_value == "":
        value["invoice_payment_details"]["payment_url"] = payment_url
    else:
        value["invoice_payment_details"] = details_value
    return value


@pytest.mark.parametrize("nullable", [True, False])
def test_a_nullable_field_accepts_null_and_nothing_else_changes(
    tmp_path: Path, nullable: bool
) -> None:
    spec = load_spec(write(tmp_path / "lago-3.0.yaml", openapi_30(nullable)))
    documented = contract("documented", spec)
    assert documented.is_valid(200, body(None)) is nullable
    assert documented.is_valid(200, body(None, None)) is nullable  # allOf: anyOf with null
    assert documented.is_valid(200, body("https://pay.example/1"))
    assert not documented.is_valid(200, body(42))
    # The bundled contract (3.1, no nullable) still refuses null.
    assert not contract("documented").is_valid(200, body(None))


def test_schemas_say_it_as_json_schema(tmp_path: Path) -> None:
    document = load_spec(write(tmp_path / "lago-3.0.yaml", openapi_30(True))).document()
    root = document["components"]["schemas"]["InvoicePaymentUrl"]["properties"]
    translated, null = root["invoice_payment_details"]["anyOf"]
    assert null == {"type": "null"}
    fields = translated["allOf"][0]["properties"]
    assert fields["payment_url"]["type"] == ["string", "null"]
    assert "nullable" not in fields["payment_url"]
    assert fields["nullable"] == {"type": "string"}


@pytest.mark.parametrize(
    ("schema", "translated"),
    [
        pytest.param({"type": "string", "nullable": True}, {"type": ["string", "null"]}, id="type"),
        pytest.param({"type": ["string", "integer"], "nullable": True},
                     {"type": ["string", "integer", "null"]}, id="type-list"),
        pytest.param({"type": "string", "enum": ["a"], "nullable": True},
                     {"type": ["string", "null"], "enum": ["a", None]}, id="enum"),
        pytest.param({"$ref": "#/components/schemas/X", "nullable": True},
                     {"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]}, id="ref"),
        pytest.param({"type": "string", "nullable": False}, {"type": "string"}, id="false"),
        pytest.param({"type": "array", "items": {"type": "integer", "nullable": True}},
                     {"type": "array", "items": {"type": ["integer", "null"]}}, id="nested"),
    ],
)  # fmt: skip
def test_each_form(schema: dict[str, Any], translated: dict[str, Any]) -> None:
    document = {"components": {"schemas": {"S": schema}}, "paths": {}}
    assert translate_nullable(document)["components"]["schemas"]["S"] == translated
    parameter = {
        "paths": {"/x": {"post": {"parameters": [{"name": "nullable", "schema": schema}]}}}
    }
    out = translate_nullable(parameter)["paths"]["/x"]["post"]["parameters"][0]
    assert out == {"name": "nullable", "schema": translated}
