"""Another OpenAPI document as the contract: ``--spec FILE`` and ``drift FILE``.

``load_spec`` reads an OpenAPI 3.x document (YAML or JSON; a one-operation fragment or a whole
Lago API document), finds ``POST /invoices/{lago_id}/payment_url`` in it (by path, also under a
server prefix, or by ``operationId`` ``invoicePaymentUrl``) and extracts it, with every component
it references, into a fragment shaped like the bundled ``payment-url.yaml``, OpenAPI 3.0's
``nullable`` said as JSON Schema (``nullable.py``).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from conformance._contract.nullable import translate_nullable
from conformance._contract.rules import OPERATION_PATH
from conformance._errors import SpecError

__all__ = ["OPERATION_ID", "Spec", "extract_operation", "load_spec"]

OPERATION_ID = "invoicePaymentUrl"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Spec:
    """An OpenAPI document given by the user: where it came from, its bytes' sha256, and the
    payment_url operation extracted from it (canonical JSON)."""

    path: str
    sha256: str
    fragment: str = field(repr=False)

    def document(self) -> dict[str, Any]:
        """A fresh copy of the extracted fragment; callers may mutate it."""
        return cast("dict[str, Any]", json.loads(self.fragment))


def load_spec(path: str | Path) -> Spec:
    """Read and extract ``path``; a ``SpecError`` (one line) when it cannot be used."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SpecError(f"cannot read the spec {path}: {error.strerror or error}") from None
    try:
        document = yaml.safe_load(data)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise SpecError(f"the spec {path} is not YAML or JSON{line}") from None
    fragment = extract_operation(document, str(path))
    canonical = json.dumps(fragment, sort_keys=True, separators=(",", ":"))
    return Spec(str(path), hashlib.sha256(data).hexdigest(), canonical)


def _resolve(document: dict[str, Any], ref: str, source: str) -> Any:
    if not ref.startswith("#/"):
        raise SpecError(f"the spec {source} has a $ref outside itself ({ref}); bundle it first")
    node: Any = document
    for part in ref[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            raise SpecError(f"the spec {source} has a $ref to nothing: {ref}")
    return node


def _inline(document: dict[str, Any], node: Any, source: str) -> Any:
    """``node`` with a ``$ref`` (or a chain of them) replaced by what it points to."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if node["$ref"] in seen:
            raise SpecError(f"the spec {source} has a $ref cycle at {node['$ref']}")
        seen.add(node["$ref"])
        node = _resolve(document, node["$ref"], source)
    return copy.deepcopy(node)


def _find(document: dict[str, Any], source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The path item and the operation of payment_url."""
    paths = document["paths"]
    for name, given in paths.items():
        item = _inline(document, given, source)
        if isinstance(item, dict) and str(name).endswith(OPERATION_PATH) and "post" in item:
            return item, item["post"]
    for given in paths.values():
        item = _inline(document, given, source)
        for method in _METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict) and operation.get("operationId") == OPERATION_ID:
                return item, operation
    raise SpecError(
        f"the spec {source} has no POST {OPERATION_PATH} (nor an operationId {OPERATION_ID})"
    )


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def extract_operation(document: object, source: str = "the spec") -> dict[str, Any]:
    """The payment_url operation of an OpenAPI 3.x ``document`` as a one-operation fragment:
    responses and parameters inlined, every component it references copied."""
    version = document.get("openapi") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not str(version or "").startswith("3."):
        raise SpecError(f"the spec {source} is not an OpenAPI 3.x document (no `openapi: 3.x`)")
    if not isinstance(document.get("paths"), dict):
        raise SpecError(f"the spec {source} is not an OpenAPI document: it has no `paths`")
    item, found = _find(document, source)
    operation = copy.deepcopy(found)
    parameters = [_inline(document, p, source) for p in item.get("parameters", [])]
    own = [_inline(document, p, source) for p in operation.get("parameters", [])]
    keys = {(p.get("name"), p.get("in")) for p in own}
    merged = [p for p in parameters if (p.get("name"), p.get("in")) not in keys] + own
    if merged:
        operation["parameters"] = merged
    operation["responses"] = {
        str(status): _inline(document, response, source)
        for status, response in (operation.get("responses") or {}).items()
    }
    fragment: dict[str, Any] = {
        "openapi": str(version),
        "info": {
            "title": str(document.get("info", {}).get("title", "OpenAPI document")),
            "version": str(document.get("info", {}).get("version", "0")),
        },
        "paths": {OPERATION_PATH: {"post": operation}},
        "components": {"schemas": {}},
    }
    security = operation.get("security", document.get("security"))
    if security is not None:
        fragment["security"] = security
    schemes = document.get("components", {}).get("securitySchemes", {})
    for requirement in security or []:
        for name in requirement:
            if name in schemes:
                fragment["components"].setdefault("securitySchemes", {})[name] = schemes[name]
    pending, copied = _refs(fragment), set()
    while pending:
        ref = pending.pop()
        if ref in copied:
            continue
        copied.add(ref)
        parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]
        if len(parts) != 3 or parts[0] != "components":
            raise SpecError(f"the spec {source} has a $ref this tool cannot follow: {ref}")
        target = copy.deepcopy(_resolve(document, ref, source))
        fragment["components"].setdefault(parts[1], {})[parts[2]] = target
        pending += _refs(target)
    return translate_nullable(fragment)
