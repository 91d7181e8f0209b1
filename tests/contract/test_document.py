from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from openapi_spec_validator import validate

from conformance import DOCUMENTED_STATUSES, LEVELS, Contract, load_document, spec_sha256
from conformance._client.served.bodies import response_bodies
from conformance._contract.document import contract
from conformance._contract.rules import OPERATION_PATH

# The seed is vendored so the comparison always runs; the copy is checked against ../shared/.
SEED = Path(__file__).parents[1] / "data" / "seed-payment-url.md"
SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_2f294a9493646739.txt"


def test_vendored_seed_matches_the_shared_one() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"no shared/ beside the project to compare with ({SHARED_SEED})")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def seed_fragment() -> dict[str, Any]:
    text = SEED.read_text(encoding="utf-8")
    block = re.search(r"````yaml[^\n]*\n(.*?)````", text, re.S)
    assert block is not None, "no yaml block in the seed"
    return yaml.safe_load(block.group(1))  # type: ignore[no-any-return]


def operation(level: str = "documented") -> dict[str, Any]:
    return load_document(level)["paths"][OPERATION_PATH]["post"]  # type: ignore[arg-type,no-any-return]


def schema_of(status: str) -> dict[str, Any]:
    ref = operation()["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return load_document()["components"]["schemas"][ref.rsplit("/", 1)[1]]  # type: ignore[no-any-return]


@pytest.mark.parametrize("level", LEVELS)
def test_document_is_valid_openapi_3_1(level: str) -> None:
    document = load_document(level)  # type: ignore[arg-type]
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_servers_and_security_match_the_seed() -> None:
    seed = seed_fragment()["paths"]
    document = load_document()
    assert [s["url"] for s in document["servers"]] == [s["url"] for s in seed["servers"]]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearerAuth": []}]


def test_path_method_and_parameter_match_the_seed() -> None:
    seed = seed_fragment()["paths"]
    assert seed["path"] == OPERATION_PATH
    assert list(load_document()["paths"]) == [OPERATION_PATH]
    assert list(load_document()["paths"][OPERATION_PATH]) == [seed["method"]]
    (parameter,) = operation()["parameters"]
    (seed_schema,) = seed["request"]["parameters"]["path"]["lago_id"]["schema"]
    assert (parameter["name"], parameter["in"], parameter["required"]) == ("lago_id", "path", True)
    assert parameter["schema"]["format"] == seed_schema["format"] == "uuid"


def test_statuses_and_schema_properties_match_the_seed() -> None:
    seed_responses = seed_fragment()["paths"]["response"]
    assert sorted(seed_responses) == [str(s) for s in DOCUMENTED_STATUSES]
    for status, media in seed_responses.items():
        (seed_schema,) = media["application/json"]["schemaArray"]
        ours = schema_of(status)
        name = operation()["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert name.endswith("/" + seed_schema["refIdentifier"].rsplit("/", 1)[1])
        assert sorted(ours["properties"]) == sorted(seed_schema["properties"])
        assert sorted(ours.get("required", [])) == sorted(seed_schema.get("requiredProperties", []))
    seed_details = seed_responses["200"]["application/json"]["schemaArray"][0]["properties"]
    ours_details = schema_of("200")["properties"]["invoice_payment_details"]["allOf"][0]
    assert sorted(ours_details["properties"]) == sorted(
        seed_details["invoice_payment_details"]["allOf"][0]["properties"]
    )
    assert "required" not in ours_details, "the published contract requires no 200 field"


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
def test_seed_examples_validate_against_the_documented_level(status: int) -> None:
    media = seed_fragment()["paths"]["response"][str(status)]["application/json"]
    example = media["examples"]["example"]["value"]
    assert Contract("documented").violations(status, example) == []
    ours = operation()["responses"][str(status)]["content"]["application/json"]["examples"][
        "example"
    ]["value"]
    assert ours == example


def test_strict_refines_every_documented_response_by_all_of() -> None:
    documented, strict = operation("documented")["responses"], operation("strict")["responses"]
    assert sorted(documented) == sorted(strict)
    for status, response in strict.items():
        schema = response["content"]["application/json"]["schema"]
        assert schema["allOf"][0] == documented[status]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
def test_every_strict_valid_body_is_documented_valid(status: int) -> None:
    @given(response_bodies("strict", status, extra_fields=True))
    def check(body: object) -> None:
        assert contract("strict").is_valid(status, body)
        assert contract("documented").violations(status, body) == []

    check()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(
            422,
            {
                "status": 422,
                "error": "Unprocessable entity",
                "code": "validation_errors",
                "error_details": {},
            },
            id="spec-422-example",
        ),
        pytest.param(
            404,
            {"status": 404, "error": "Not Found", "code": "object_not_found"},
            id="spec-404-code",
        ),
        pytest.param(
            200,
            {"invoice_payment_details": {"payment_url": "https://foo.bar"}},
            id="200-missing-fields",
        ),
        pytest.param(401, {"status": 404, "error": "Unauthorized"}, id="401-wrong-status-field"),
    ],
)
def test_strict_rejects_what_documented_allows(status: int, body: object) -> None:
    assert contract("documented").is_valid(status, body)
    assert not contract("strict").is_valid(status, body)
    assert contract("strict").violations(status, body)


def test_violations_name_the_place() -> None:
    body = {"invoice_payment_details": {"payment_url": 3}}
    (violation,) = contract("documented").violations(200, body)
    assert str(violation).startswith("at /invoice_payment_details/payment_url: 3 is not of type")


def test_undocumented_status_is_an_error_not_a_pass() -> None:
    assert not contract("documented").is_valid(403, {})
    with pytest.raises(KeyError, match="403 is not documented"):
        contract("documented").violations(403, {})


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown contract level 'loose'"):
        Contract("loose")  # type: ignore[arg-type]


def test_sha256_is_stable_and_differs_per_level() -> None:
    assert spec_sha256("documented") == spec_sha256("documented")
    assert spec_sha256("documented") != spec_sha256("strict")
    assert re.fullmatch(r"[0-9a-f]{64}", spec_sha256("strict"))


def test_load_document_returns_a_copy() -> None:
    load_document()["paths"].clear()
    assert OPERATION_PATH in load_document()["paths"]
