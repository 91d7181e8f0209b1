"""OpenAPI 3.0's ``nullable: true``, said as JSON Schema: the type, enum or schema also takes null.

The suites validate with JSON Schema 2020-12 (OpenAPI 3.1's dialect), where ``nullable`` is an
unknown keyword that changes nothing. Lago's upstream document is 3.0-style in places, so a
``--spec`` fragment has its schemas translated: ``type: string, nullable: true`` becomes
``type: [string, "null"]`` (null joins an ``enum`` too), and a schema without ``type`` (a
``$ref``, an ``allOf``) becomes ``anyOf: [the schema, {type: "null"}]``. ``nullable: false``
is dropped. Only schema positions are read, so a property *named* ``nullable`` is kept.
"""

from __future__ import annotations

from typing import Any

__all__ = ["translate_nullable"]

# Keywords whose value is a schema, a list of schemas, or a map of names to schemas.
_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then",
        "else", "unevaluatedItems", "unevaluatedProperties", "additionalItems")  # fmt: skip
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_NAMED = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# In an OpenAPI document (outside schemas), the places that hold a map of schemas.
_SCHEMA_MAPS = ("schemas",)


def _schema(node: Any) -> Any:
    if not isinstance(node, dict):
        return [_schema(item) for item in node] if isinstance(node, list) else node
    schema = {key: _walk_keyword(key, value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is not True:
        return schema
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list):
        schema["type"] = kind if "null" in kind else [*kind, "null"]
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    if kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def _walk_keyword(key: str, value: Any) -> Any:
    if key in _ONE or key in _MANY:
        return _schema(value)
    if key in _NAMED and isinstance(value, dict):
        return {name: _schema(item) for name, item in value.items()}
    return value


def _document(node: Any) -> Any:
    if isinstance(node, list):
        return [_document(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "schema":
            out[key] = _schema(value)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _schema(item) for name, item in value.items()}
        else:
            out[key] = _document(value)
    return out


def translate_nullable(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of an OpenAPI ``document`` (or fragment) whose schemas say ``nullable`` as JSON
    Schema; everything else as it was."""
    translated: dict[str, Any] = _document(document)
    return translated
