"""Hypothesis strategies for JSON bodies, driven by the contract's schemas.

Covers the JSON Schema the bundled contract uses ($ref, allOf, oneOf, const, enum, object,
string, integer, array); every value drawn is checked against the schema before it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from conformance._contract.document import contract
from conformance._contract.rules import JSON_MEDIA_TYPE, OPERATION_PATH

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hypothesis.strategies import SearchStrategy

    from conformance._contract.levels import Level
    from conformance._contract.spec import Spec

__all__ = ["json_values", "response_bodies"]

Schema = dict[str, Any]
_TEXT = st.text(st.characters(codec="utf-8"), max_size=20)


def json_values() -> SearchStrategy[Any]:
    """Any JSON value, small."""
    scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _TEXT
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
        max_leaves=6,
    )


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Schema:
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**{k: v for k, v in schema.items() if k != "$ref"}, **target}
    return dict(schema)


def _merge(schemas: list[Schema], root: Mapping[str, Any]) -> Schema:
    merged: Schema = {}
    for raw in schemas:
        part = _resolve(raw, root)
        if "allOf" in part:
            part = _merge([*part.pop("allOf"), part], root)
        for key, value in part.items():
            if key == "properties" and key in merged:
                properties = dict(merged[key])
                for name, sub in value.items():
                    properties[name] = (
                        {"allOf": [properties[name], sub]} if name in properties else sub
                    )
                merged[key] = properties
            elif key == "required":
                merged[key] = sorted({*merged.get(key, []), *value})
            elif key == "oneOf" and key in merged:
                raise ValueError("two oneOf in one allOf are not supported")
            else:
                merged[key] = value
    return merged


def _strategy(
    schema: Mapping[str, Any], root: Mapping[str, Any], extra: bool
) -> SearchStrategy[Any]:
    schema = _merge([dict(schema)], root)
    if "oneOf" in schema:
        base = {k: v for k, v in schema.items() if k != "oneOf"}
        return st.one_of(
            [_strategy(_merge([base, branch], root), root, extra) for branch in schema["oneOf"]]
        )
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        strategy = st.fixed_dictionaries(
            {
                name: _strategy(sub, root, extra)
                for name, sub in properties.items()
                if name in required
            },
            optional={
                name: _strategy(sub, root, extra)
                for name, sub in properties.items()
                if name not in required
            },
        )
        if not extra:
            return strategy
        unknown = st.dictionaries(
            _TEXT.filter(lambda key: key not in properties), json_values(), max_size=3
        )
        return st.builds(lambda known, more: {**more, **known}, strategy, unknown)
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(
            st.characters(codec="utf-8"), min_size=schema.get("minLength", 0), max_size=30
        )
    if kind == "integer":
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "array":
        low = schema.get("minItems", 0)
        items = _strategy(schema.get("items", {}), root, extra)
        return st.lists(items, min_size=low, max_size=schema.get("maxItems", low + 3))
    return json_values()


def response_bodies(
    level: Level, status: int, *, extra_fields: bool = False, spec: Spec | None = None
) -> SearchStrategy[Any]:
    """Bodies valid for ``status`` at ``level``; ``extra_fields`` adds unknown keys to every object."""
    documented = contract(level, spec)
    response = documented.document["paths"][OPERATION_PATH]["post"]["responses"][str(status)]
    schema = response["content"][JSON_MEDIA_TYPE]["schema"]
    strategy = _strategy(schema, documented.document, extra_fields)
    return strategy.filter(lambda body: documented.is_valid(status, body))
