"""The contract (bundled, or from ``--spec``) at its two levels: ``documented`` (published, a MUST) and ``strict`` (Lago's
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
    from conformance._contract.spec import Spec

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
    "spec_metadata",
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


def _overlay_for(schemas: dict[str, Any], spec: Spec | None) -> dict[str, Any]:
    """The strict overlay; for a spec whose schemas share its names, with its own renamed."""
    overlay = _strict_overlay()
    clashes = [name for name in overlay["schemas"] if name in schemas]
    if clashes and spec is None:
        raise ValueError(f"strict schema {clashes[0]!r} would shadow a documented one")
    text = json.dumps(overlay)
    for name in clashes:
        text = text.replace(f'"{name}"', f'"LagoConformance{name}"').replace(
            f'"#/components/schemas/{name}"', f'"#/components/schemas/LagoConformance{name}"'
        )
    renamed = cast("dict[str, Any]", json.loads(text))
    renamed["schemas"] = {
        ("LagoConformance" + name if name in clashes else name): schema
        for name, schema in overlay["schemas"].items()
    }
    return renamed


@functools.cache
def _build_document(level: Level, spec: Spec | None = None) -> str:
    document = spec.document() if spec else copy.deepcopy(_read_yaml(_DOCUMENTED_FILE))
    if level == "strict":
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        overlay = _overlay_for(schemas, spec)
        schemas.update(overlay["schemas"])
        responses = document["paths"][OPERATION_PATH]["post"]["responses"]
        for status, refinement in overlay["refinements"].items():
            # A spec may lack a status the overlay refines, or give it no JSON schema: skip it.
            media = responses.get(status, {}).get("content", {}).get(JSON_MEDIA_TYPE)
            if not isinstance(media, dict) or "schema" not in media:
                continue
            media["schema"] = {
                "allOf": [media["schema"], {"$ref": f"#/components/schemas/{refinement}"}]
            }
        document["info"]["title"] += " (strict: Lago behaviour)"
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def load_document(level: Level = "documented", spec: Spec | None = None) -> dict[str, Any]:
    """A fresh copy of the OpenAPI document at ``level`` (of ``spec``, else the bundled one);
    callers may mutate it."""
    return cast("dict[str, Any]", json.loads(_build_document(level, spec)))


def spec_sha256(level: Level, spec: Spec | None = None) -> str:
    """The sha256 of the canonical JSON form of the document at ``level``."""
    return hashlib.sha256(_build_document(level, spec).encode()).hexdigest()


def spec_metadata(spec: Spec | None) -> dict[str, Any]:
    """What a report records of the contract it used: the spec (a path, or ``bundled``), its
    file's sha256, and the sha256 of the canonical document at each level."""
    file_sha = (
        spec.sha256
        if spec
        else hashlib.sha256((openapi_dir() / _DOCUMENTED_FILE).read_bytes()).hexdigest()
    )
    return {
        "spec": spec.path if spec else "bundled",
        "spec_file_sha256": file_sha,
        "spec_sha256": {level: spec_sha256(level, spec) for level in LEVELS},
    }


DOCUMENTED_STATUSES: tuple[int, ...] = tuple(
    int(status)
    for status in load_document("documented")["paths"][OPERATION_PATH]["post"]["responses"]
)


def example_body(spec: Spec | None = None) -> dict[str, Any]:
    """The 200 example of the contract; the bundled one when ``spec`` has none usable."""
    responses = load_document("documented", spec)["paths"][OPERATION_PATH]["post"]["responses"]
    media = responses.get("200", {}).get("content", {}).get(JSON_MEDIA_TYPE, {})
    examples = [e.get("value") for e in media.get("examples", {}).values() if isinstance(e, dict)]
    for value in [media.get("example"), *examples]:
        if isinstance(value, dict) and isinstance(value.get("invoice_payment_details"), dict):
            return value
    if spec is None:
        raise ValueError("the bundled contract has no usable 200 example")
    return example_body()


@dataclass(frozen=True)
class Violation:
    """One way a body breaks a schema: where, and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"at {self.path or '/'}: {self.message}"


class Contract:
    """Response validators for one contract level."""

    def __init__(self, level: Level, spec: Spec | None = None) -> None:
        if level not in LEVELS:
            raise ValueError(f"Unknown contract level {level!r}, please use one of {LEVELS}")
        self.level: Level = level
        self.spec = spec
        self.document = load_document(level, spec)
        self.sha256 = spec_sha256(level, spec)
        components = self.document.get("components", {})
        responses = self.document["paths"][OPERATION_PATH]["post"]["responses"]
        self._validators: dict[int, jsonschema_rs.Validator] = {}
        for status, response in responses.items():
            if not status.isdigit():
                continue  # `default`, `4XX`: no one status to judge
            media = response.get("content", {}).get(JSON_MEDIA_TYPE, {})
            schema = media.get("schema", {})
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
def contract(level: Level, spec: Spec | None = None) -> Contract:
    """The shared, read-only ``Contract`` for ``level`` (of ``spec``, else the bundled one)."""
    return Contract(level, spec)
