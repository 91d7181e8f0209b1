"""OpenAPI documents built for the --spec and drift tests, from the bundled fragment."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import yaml

from conformance._contract.document import openapi_dir
from conformance._contract.rules import OPERATION_PATH

if TYPE_CHECKING:
    from pathlib import Path

UNAUTHORIZED = {"$ref": "#/components/responses/Unauthorized"}


def bundled() -> dict[str, Any]:
    """The bundled fragment, as its file says."""
    text = (openapi_dir() / "payment-url.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def operation(document: dict[str, Any]) -> dict[str, Any]:
    """The payment_url operation of a fragment."""
    return dict(document["paths"][OPERATION_PATH]["post"])


def with_required(document: dict[str, Any]) -> dict[str, Any]:
    """The fragment with every 200 field required."""
    document = copy.deepcopy(document)
    root = document["components"]["schemas"]["InvoicePaymentUrl"]
    root["required"] = ["invoice_payment_details"]
    details = root["properties"]["invoice_payment_details"]["allOf"][0]
    details["required"] = sorted(details["properties"])
    return document


def with_403(document: dict[str, Any]) -> dict[str, Any]:
    """The fragment with a 403 answer."""
    document = copy.deepcopy(document)
    operation(document)["responses"]["403"] = {
        "description": "Forbidden",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    return document


def with_renamed_field(document: dict[str, Any]) -> dict[str, Any]:
    """The fragment with ``payment_url`` renamed ``checkout_url``."""
    document = copy.deepcopy(document)
    root = document["components"]["schemas"]["InvoicePaymentUrl"]
    fields = root["properties"]["invoice_payment_details"]["allOf"][0]["properties"]
    fields["checkout_url"] = fields.pop("payment_url")
    return document


def whole_document() -> dict[str, Any]:
    """A multi-operation Lago document under a server prefix, sharing components, whose
    payment_url operation equals the bundled one, as upstream Lago's has it: the same five 200
    fields and no `required` on them, `required` on the 401, 404 and 422 error schemas (here
    given as components/responses), and a `format: uuid` path parameter."""
    fragment = bundled()
    schemas = copy.deepcopy(fragment["components"]["schemas"])
    details = schemas["InvoicePaymentUrl"]["properties"]["invoice_payment_details"]["allOf"]
    schemas["InvoicePaymentDetails"] = details[0]
    details[0] = {"$ref": "#/components/schemas/InvoicePaymentDetails"}
    schemas["Customer"] = {"type": "object", "properties": {"name": {"type": "string"}}}
    responses = fragment["paths"][OPERATION_PATH]["post"]["responses"]
    shared = {"401": "Unauthorized", "404": "NotFound", "422": "UnprocessableEntity"}
    post = copy.deepcopy(fragment["paths"][OPERATION_PATH]["post"])
    post["parameters"] = [{"$ref": "#/components/parameters/lago_id"}]
    post["responses"] = {
        status: {"$ref": f"#/components/responses/{shared[status]}"} if status in shared else r
        for status, r in responses.items()
    }
    prefix = "/api/v1"
    return {
        "openapi": "3.1.0",
        "info": {"title": "Lago API documentation", "version": "1.30.0"},
        "servers": [{"url": "https://api.getlago.com"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            f"{prefix}/customers": {
                "post": {
                    "operationId": "createCustomer",
                    "responses": {
                        "200": {
                            "description": "Customer created",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Customer"}
                                }
                            },
                        },
                        "401": UNAUTHORIZED,
                    },
                }
            },
            f"{prefix}/invoices/{{lago_id}}": {
                "parameters": [{"$ref": "#/components/parameters/lago_id"}],
                "get": {"operationId": "findInvoice", "responses": {"401": UNAUTHORIZED}},
            },
            f"{prefix}{OPERATION_PATH}": {"post": post},
        },
        "components": {
            "securitySchemes": fragment["components"]["securitySchemes"],
            "parameters": {"lago_id": post_parameter(fragment)},
            "responses": {shared[s]: responses[s] for s in shared},
            "schemas": schemas,
        },
    }


def post_parameter(fragment: dict[str, Any]) -> dict[str, Any]:
    """The bundled operation's path parameter."""
    return dict(operation(fragment)["parameters"][0])


def write(path: Path, document: dict[str, Any]) -> Path:
    """``document`` as a YAML file at ``path``."""
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def loose(document: dict[str, Any]) -> dict[str, Any]:
    """The fragment without `required` on its error schemas, nor a format on its parameter."""
    document = copy.deepcopy(document)
    for name in ("ApiErrorUnauthorized", "ApiErrorNotFound", "ApiErrorUnprocessableEntity"):
        del document["components"]["schemas"][name]["required"]
    del operation(document)["parameters"][0]["schema"]["format"]
    return document
