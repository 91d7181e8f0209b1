"""What changed between two contracts of the payment_url operation, point by point.

Pure functions over two extracted fragments (the bundled one and ``Spec.document()``): statuses,
response fields (by JSON path), ``required`` entries, formats, enums, parameters and security
schemes. Each change says whom it breaks: servers (what they send is no longer valid, or must now
include more), clients (what they rely on may no longer come, or something new may), or neither.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from conformance._contract.rules import JSON_MEDIA_TYPE, OPERATION_PATH

__all__ = ["Breaks", "Change", "compare", "to_json", "to_markdown"]

Breaks = Literal["servers", "clients", "both", "neither"]
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Change:
    """One difference: what kind, where (status and JSON path, or parameter), how, whom it breaks."""

    kind: str
    where: str
    change: Literal["added", "removed", "changed"]
    detail: str
    breaks: Breaks


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node = target
    return node


def _flatten(document: dict[str, Any], schema: Any, path: str, out: dict[str, dict[str, Any]],
             depth: int = 0) -> None:  # fmt: skip
    """Every JSON path of ``schema`` with its facts: required names, format, enum values."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return
    facts = out.setdefault(path, {"required": set(), "format": None, "enum": None})
    facts["required"] |= set(schema.get("required", []))
    if "format" in schema:
        facts["format"] = schema["format"]
    if "enum" in schema:
        facts["enum"] = set(map(str, schema["enum"])) | (facts["enum"] or set())
    for keyword in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(keyword, []):
            _flatten(document, branch, path, out, depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        _flatten(document, sub, f"{path}.{name}", out, depth + 1)
    if "items" in schema:
        _flatten(document, schema["items"], f"{path}[]", out, depth + 1)


def _operation(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["paths"][OPERATION_PATH]["post"])


def _fields(document: dict[str, Any], response: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    media = _resolve(document, response).get("content", {}).get(JSON_MEDIA_TYPE, {})
    if "schema" in media:
        _flatten(document, media["schema"], "$", out)
    return out


def _compare_fields(status: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for path in sorted(set(old) | set(new)):
        where = f"{status} {path}"
        parent, _, name = path.rpartition(".")
        if path not in new:
            changes.append(Change("field", where, "removed", "no longer documented", "clients"))
            continue
        if path not in old:
            required = name in new.get(parent, {}).get("required", set())
            breaks: Breaks = "servers" if required else "neither"
            how = "a new required field" if required else "a new optional field"
            changes.append(Change("field", where, "added", how, breaks))
            continue
        before, after = old[path], new[path]
        for entry in sorted(after["required"] - before["required"]):
            detail = f"`{entry}` is now required"
            changes.append(Change("required", f"{where}.{entry}", "added", detail, "servers"))
        for entry in sorted(before["required"] - after["required"]):
            detail = f"`{entry}` is no longer required"
            changes.append(Change("required", f"{where}.{entry}", "removed", detail, "clients"))
        if before["format"] != after["format"]:
            changes.append(_format_change(where, before["format"], after["format"]))
        old_enum, new_enum = before["enum"] or set(), after["enum"] or set()
        if before["enum"] is not None and after["enum"] is not None:
            for value in sorted(new_enum - old_enum):
                changes.append(Change("enum", where, "added", f"new value `{value}`", "clients"))
            for value in sorted(old_enum - new_enum):
                detail = f"value `{value}` removed"
                changes.append(Change("enum", where, "removed", detail, "servers"))
        elif before["enum"] != after["enum"]:
            added = after["enum"] is not None
            detail = f"enum {'added' if added else 'removed'}: {sorted(new_enum or old_enum)}"
            breaks = "servers" if added else "clients"
            changes.append(Change("enum", where, "added" if added else "removed", detail, breaks))
    return changes


def _format_change(where: str, before: str | None, after: str | None) -> Change:
    if before is None:
        return Change("format", where, "added", f"now `format: {after}`", "servers")
    if after is None:
        return Change("format", where, "removed", f"`format: {before}` dropped", "clients")
    return Change("format", where, "changed", f"`format: {before}` -> `{after}`", "both")


def _parameters(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for given in _operation(document).get("parameters", []):
        parameter = _resolve(document, given)
        found[f"{parameter.get('in')} {parameter.get('name')}"] = parameter
    return found


def _compare_parameters(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    before, after = _parameters(old), _parameters(new)
    for key in sorted(set(before) | set(after)):
        if key not in after:
            changes.append(Change("parameter", key, "removed", "no longer documented", "clients"))
        elif key not in before:
            required = bool(after[key].get("required"))
            detail = "a new required parameter" if required else "a new optional parameter"
            breaks: Breaks = "clients" if required else "neither"
            changes.append(Change("parameter", key, "added", detail, breaks))
        else:
            old_format = _resolve(old, before[key].get("schema", {})).get("format")
            new_format = _resolve(new, after[key].get("schema", {})).get("format")
            if old_format != new_format:
                change = _format_change(key, old_format, new_format)
                # A parameter is sent by clients: a narrower format breaks them, not servers.
                flips: dict[Breaks, Breaks] = {"servers": "clients", "clients": "servers"}
                flipped = flips.get(change.breaks, change.breaks)
                changes.append(Change("format", key, change.change, change.detail, flipped))
            if bool(before[key].get("required")) != bool(after[key].get("required")):
                now = bool(after[key].get("required"))
                detail = "now required" if now else "no longer required"
                breaks = "clients" if now else "servers"
                changes.append(Change("required", key, "changed", detail, breaks))
    return changes


def _schemes(document: dict[str, Any]) -> dict[str, Any]:
    security = _operation(document).get("security", document.get("security", []))
    defined = document.get("components", {}).get("securitySchemes", {})
    return {name: defined.get(name) for requirement in security or [] for name in requirement}


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` (two documents holding the payment_url operation)."""
    changes: list[Change] = []
    old_responses = _operation(old).get("responses", {})
    new_responses = _operation(new).get("responses", {})
    for status in sorted(set(old_responses) | set(new_responses)):
        if status not in new_responses:
            detail = "no longer documented: clients that handle it may never see it"
            changes.append(Change("status", status, "removed", detail, "clients"))
        elif status not in old_responses:
            detail = "newly documented: clients must handle it"
            changes.append(Change("status", status, "added", detail, "clients"))
        else:
            before = _fields(old, old_responses[status])
            after = _fields(new, new_responses[status])
            changes += _compare_fields(status, before, after)
    changes += _compare_parameters(old, new)
    before_schemes, after_schemes = _schemes(old), _schemes(new)
    for name in sorted(set(before_schemes) | set(after_schemes)):
        if name not in after_schemes:
            changes.append(Change("security", name, "removed", "scheme no longer used", "clients"))
        elif name not in before_schemes:
            changes.append(Change("security", name, "added", "a new scheme", "clients"))
        elif before_schemes[name] != after_schemes[name]:
            detail = f"{before_schemes[name]} -> {after_schemes[name]}"
            changes.append(Change("security", name, "changed", detail, "both"))
    return changes


def to_json(changes: list[Change], spec: str, sha256: str) -> dict[str, Any]:
    """The changes as a JSON-ready dict."""
    return {"spec": spec, "spec_sha256": sha256, "changes": [asdict(c) for c in changes]}


def to_markdown(changes: list[Change], spec: str) -> str:
    """The changes as a Markdown table, one row per change."""
    title = f"# Drift: the bundled contract -> {spec}\n\n"
    if not changes:
        return title + "No differences.\n"
    rows = [f"| {c.kind} | `{c.where}` | {c.change} | {c.detail} | {c.breaks} |" for c in changes]
    header = "| kind | where | change | detail | breaks |\n|---|---|---|---|---|\n"
    count = f"{len(changes)} difference{'' if len(changes) == 1 else 's'}"
    return f"{title}{count}.\n\n{header}" + "\n".join(rows) + "\n"
