"""The bundled contract at its two levels: ``documented`` (published, a MUST) and ``strict`` (Lago's
behaviour, a SHOULD).

The strict OpenAPI document is derived from the documented one by wrapping every response schema
as ``allOf: [documented, refinement]``, so strict can only narrow what is documented.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jsonschema_rs
import yaml

from conformance._contract.levels import LEVELS
from conformance._contract.rules import JSON_MEDIA_TYPE, OPERATION_PATH

if TYPE_CHECKING:
    from conformance._contract.levels import Level

__all__ = [
    "DOCUMENTED_STATUSES",
    "NOT_FOUND_CODES",
    "PAYMENT_PROVIDERS",
    "VALIDATION_REASONS",
    "Contract",
    "Violation",
    "contract",
    "example_body",
    "load_document",
    "openapi_dir",
    "spec_sha256",
]

_DOCUMENTED_FILE = "payment-url.yaml"
_STRICT_FILE = "payment-url.strict.yaml"


def openapi_dir() -> Path:
    """Where the bundled OpenAPI files are: inside the installed package, or the source tree."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "openapi"  # where the wheel puts it
    return bundled if bundled.is_dir() else package.parent / "openapi"


@functools.cache
def _read_yaml(name: str) -> dict[str, Any]:
    with (openapi_dir() / name).open(encoding="utf-8") as stream:
        return cast("dict[str, Any]", yaml.safe_load(stream))


def _strict_overlay() -> dict[str, Any]:
    return _read_yaml(_STRICT_FILE)


def _enum(name: str) -> tuple[str, ...]:
    return tuple(_strict_overlay()["schemas"][name]["enum"])


VALIDATION_REASONS: tuple[str, ...] = _enum("ValidationErrorReason")
NOT_FOUND_CODES: tuple[str, ...] = _enum("NotFoundCode")
PAYMENT_PROVIDERS: tuple[str, ...] = _enum("PaymentProvider")


@functools.cache
def _build_document(level: Level) -> str:
    document = copy.deepcopy(_read_yaml(_DOCUMENTED_FILE))
    if level == "strict":
        overlay = _strict_overlay()
        schemas = document["components"]["schemas"]
        for name, schema in overlay["schemas"].items():
            if name in schemas:
                raise ValueError(f"strict schema {name!r} would shadow a documented one")
            schemas[name] = schema
        responses = document["paths"][OPERATION_PATH]["post"]["responses"]
        for status, refinement in overlay["refinements"].items():
            media = responses[status]["content"][JSON_MEDIA_TYPE]
            media["schema"] = {
                "allOf": [media["schema"], {"$ref": f"#/components/schemas/{refinement}"}]
            }
        document["info"]["title"] += " (strict: Lago behaviour)"
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def load_document(level: Level = "documented") -> dict[str, Any]:
    """A fresh copy of the OpenAPI 3.1 document at ``level``; callers may mutate it."""
    return cast("dict[str, Any]", json.loads(_build_document(level)))


def spec_sha256(level: Level) -> str:
    """The sha256 of the canonical JSON form of the document at ``level``."""
    return hashlib.sha256(_build_document(level).encode()).hexdigest()


DOCUMENTED_STATUSES: tuple[int, ...] = tuple(
    int(status)
    for status in load_document("documented")["paths"][OPERATION_PATH]["post"]["responses"]
)


def example_body() -> dict[str, Any]:
    """The 200 example of the published contract."""
    responses = load_document("documented")["paths"][OPERATION_PATH]["post"]["responses"]
    media = responses["200"]["content"][JSON_MEDIA_TYPE]
    return cast("dict[str, Any]", media["examples"]["example"]["value"])


@dataclass(frozen=True)
class Violation:
    """One way a body breaks a schema: where, and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"at {self.path or '/'}: {self.message}"


class Contract:
    """Response validators for one contract level."""

    def __init__(self, level: Level) -> None:
        if level not in LEVELS:
            raise ValueError(f"Unknown contract level {level!r}, please use one of {LEVELS}")
        self.level: Level = level
        self.document = load_document(level)
        self.sha256 = spec_sha256(level)
        components = self.document["components"]
        responses = self.document["paths"][OPERATION_PATH]["post"]["responses"]
        self._validators: dict[int, jsonschema_rs.Validator] = {}
        for status, response in responses.items():
            schema = response["content"][JSON_MEDIA_TYPE]["schema"]
            root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
            root["components"] = components
            self._validators[int(status)] = jsonschema_rs.validator_for(root)

    def __repr__(self) -> str:
        return f"Contract({self.level!r})"

    @property
    def statuses(self) -> tuple[int, ...]:
        """The HTTP statuses this contract documents."""
        return tuple(self._validators)

    def violations(self, status: int, body: object) -> list[Violation]:
        """What is wrong with ``body`` as the response for ``status``; empty when it is valid."""
        validator = self._validators.get(status)
        if validator is None:
            raise KeyError(f"status {status} is not documented; check `statuses` first")
        return [
            Violation("/" + "/".join(str(part) for part in error.instance_path), error.message)
            for error in validator.iter_errors(body)
        ]

    def is_valid(self, status: int, body: object) -> bool:
        """Whether ``body`` is a valid response for the documented ``status``."""
        validator = self._validators.get(status)
        return validator is not None and validator.is_valid(body)


@functools.cache
def contract(level: Level) -> Contract:
    """The shared, read-only ``Contract`` for ``level``."""
    return Contract(level)
