from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from conformance._contract.document import (
    Contract,
    contract,
    example_body,
    load_document,
    spec_metadata,
    spec_sha256,
)
from conformance._contract.rules import OPERATION_PATH
from conformance._contract.spec import extract_operation, load_spec
from conformance._errors import SpecError, UsageError
from tests.contract.documents import (
    bundled,
    operation,
    whole_document,
    with_403,
    with_required,
    write,
)

if TYPE_CHECKING:
    from pathlib import Path

BODY = example_body()


def test_the_bundled_fragment_extracts_to_the_bundled_operation(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path / "fragment.yaml", bundled()))
    assert operation(spec.document()) == operation(load_document("documented"))
    assert spec.sha256 == hashlib.sha256((tmp_path / "fragment.yaml").read_bytes()).hexdigest()


def test_a_whole_document_gives_the_operation_with_every_component_it_needs(
    tmp_path: Path,
) -> None:
    spec = load_spec(write(tmp_path / "lago.yaml", whole_document()))
    document = spec.document()
    assert list(document["paths"]) == [OPERATION_PATH]
    assert "Customer" not in document["components"]["schemas"]
    assert "InvoicePaymentDetails" in document["components"]["schemas"]
    responses = operation(document)["responses"]
    assert "$ref" not in responses["401"]  # components/responses are resolved in place
    for level in ("documented", "strict"):
        assert Contract(level, spec).statuses == (200, 401, 404, 422)
        assert contract(level, spec).is_valid(200, BODY)
    assert not contract("strict", spec).is_valid(401, {"status": 401, "error": "Nope"})
    assert contract("documented", spec).is_valid(401, {"status": 401, "error": "Nope"})


def test_json_and_the_operation_id_find_the_operation_elsewhere(tmp_path: Path) -> None:
    document = whole_document()
    document["paths"]["/v1/bills/{id}/pay"] = document["paths"].pop(f"/api/v1{OPERATION_PATH}")
    path = tmp_path / "lago.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert contract("documented", load_spec(path)).statuses == (200, 401, 404, 422)


def test_strict_is_derived_from_the_spec(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path / "required.yaml", with_required(bundled())))
    assert not contract("documented", spec).is_valid(200, {})
    assert contract("documented").is_valid(200, {})
    strict = load_document("strict", spec)
    schema = operation(strict)["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["allOf"][1] == {"$ref": "#/components/schemas/StrictInvoicePaymentUrl"}
    assert spec_sha256("strict", spec) != spec_sha256("strict")


def test_a_spec_without_a_refined_status_or_with_clashing_names_still_has_a_strict_level(
    tmp_path: Path,
) -> None:
    document = with_403(bundled())
    del operation(document)["responses"]["404"]
    document["components"]["schemas"]["Uuid"] = {"type": "string"}
    spec = load_spec(write(tmp_path / "odd.yaml", document))
    strict = contract("strict", spec)
    assert strict.statuses == (200, 401, 403, 422)
    assert strict.is_valid(200, BODY)
    assert not strict.is_valid(200, {"invoice_payment_details": {"lago_invoice_id": "x"}})


def test_the_example_falls_back_to_the_bundled_one(tmp_path: Path) -> None:
    document = bundled()
    del operation(document)["responses"]["200"]["content"]["application/json"]["examples"]
    assert example_body(load_spec(write(tmp_path / "bare.yaml", document))) == BODY


def test_reports_record_the_spec(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path / "lago.yaml", whole_document()))
    described = spec_metadata(spec)
    assert described["spec"] == str(tmp_path / "lago.yaml")
    assert described["spec_file_sha256"] == spec.sha256
    assert described["spec_sha256"]["documented"] == spec_sha256("documented", spec)
    assert spec_metadata(None)["spec"] == "bundled"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [unclosed", "is not YAML or JSON"),
        ("just a string", "is not an OpenAPI 3.x document"),
        ("swagger: '2.0'\npaths: {}", "is not an OpenAPI 3.x document"),
        ("openapi: 3.0.3\ninfo: {title: x}", "has no `paths`"),
        ("openapi: 3.0.3\npaths: {/customers: {post: {responses: {}}}}", "has no POST"),
        (
            "openapi: 3.1.0\npaths:\n  /invoices/{lago_id}/payment_url: {$ref: '#/nowhere'}",
            "has a \\$ref to nothing",
        ),
    ],
)
def test_unusable_documents_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=message) as caught:
        load_spec(path)
    assert isinstance(caught.value, UsageError)
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the spec"):
        load_spec(tmp_path / "nope.yaml")


def test_external_refs_are_refused() -> None:
    document = bundled()
    operation(document)["responses"]["401"] = {"$ref": "errors.yaml#/Unauthorized"}
    with pytest.raises(SpecError, match="outside itself"):
        extract_operation(document)
