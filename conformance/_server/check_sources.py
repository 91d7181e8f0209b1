"""Where each server check's rule comes from: the bundled contract for a MUST, lago-api's source
(or the RFC) for a SHOULD, so that "the spec says" reads apart from "Lago does"."""

from __future__ import annotations

__all__ = ["SOURCES"]

_PATH = "#/paths/~1invoices~1{lago_id}~1payment_url"
_OP = f"{_PATH}/post"
_LAGO = "lago-api "
# Where each rule comes from: the bundled contract for a MUST, lago-api's source for a SHOULD.
SOURCES: dict[str, str] = {
    "not_a_server_error": f"{_OP}/responses",
    "status_code_conformance": f"{_OP}/responses",
    "content_type_conformance": f"{_OP}/responses",
    "response_schema_conformance": f"{_OP}/responses",
    "status_field_matches": "#/components/schemas/ApiErrorUnauthorized/properties/status",
    "no_error_leak": f"{_OP}/responses",
    "no_secret_echo": "#/components/securitySchemes/bearerAuth",
    "negative_data_rejection": f"{_OP}/parameters/0/schema",
    "unsupported_method": _PATH,
    "auth_required": f"{_OP}/responses/401",
    "payable_invoice": f"{_OP}/responses/200",
    "unprocessable_invoice": f"{_OP}/responses/422",
    "unknown_invoice": f"{_OP}/responses/404",
    "strict_schema_conformance": _LAGO
    + "app/serializers/v1/payment_providers/invoice_payment_serializer.rb, "
    "app/controllers/concerns/api_errors.rb",
    "router_not_found": _LAGO + "config/routes.rb (the catch-all route)",
    "invoice_not_found": _LAGO + "app/controllers/api/v1/invoices_controller.rb",
    "invoice_echo": _LAGO + "app/serializers/v1/payment_providers/invoice_payment_serializer.rb",
    "unprocessable_reason": _LAGO
    + "app/services/invoices/payments/generate_payment_url_service.rb",
    "payment_url_stable": _LAGO + "app/services/payment_intents/fetch_service.rb",
    "cast_form_found": _LAGO + "db/schema.rb (invoices.id is a uuid, cast by Rails' "
    "activerecord/lib/active_record/connection_adapters/postgresql/oid/uuid.rb)",
    "scheme_case_insensitive": "RFC 9110 section 11.1; "
    + _LAGO
    + "app/controllers/api/base_controller.rb (auth_token)",
    "consistent_answers": f"{_OP}/responses",
}
