"""The register of checks: every check either suite offers, read from ``checks.toml``.

One place holds each check's name, severity, suite, group, source and one-line description.
``Check`` takes its severity and source from here and refuses a name that is not here; the
baseline's validation, the docs' check tables and the HTML report's legend list from here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping

    from conformance._contract.levels import Severity

__all__ = ["GROUPS", "Entry", "Suite", "entry", "register"]

Suite = Literal["server", "client"]
# Each suite's groups, in the order the docs list them.
GROUPS: dict[Suite, tuple[str, ...]] = {
    "server": ("answer", "probe", "oracle", "http", "wire", "tenant", "stateful"),
    "client": ("catalogue", "generated"),
}


@dataclass(frozen=True)
class Entry:
    """One registered check: what it is called, how much it weighs, where its rule comes from."""

    name: str
    severity: Severity
    suite: Suite
    group: str
    source: str
    description: str
    scenarios: str = ""


@cache
def register() -> Mapping[str, Entry]:
    """Every registered check by name, in the register's order."""
    text = resources.files(__package__).joinpath("checks.toml").read_text(encoding="utf-8")
    entries: dict[str, Entry] = {}
    for row in tomllib.loads(text)["check"]:
        found = Entry(**row)
        if found.name in entries:
            raise ValueError(f"check {found.name!r} is registered twice")
        if found.severity not in ("MUST", "SHOULD"):
            raise ValueError(f"check {found.name!r} has severity {found.severity!r}")
        if found.group not in GROUPS.get(found.suite, ()):
            raise ValueError(f"check {found.name!r} has group {found.group!r}")
        entries[found.name] = found
    return entries


def entry(name: str) -> Entry:
    """The register's entry for ``name``; a name not registered is a programming error."""
    try:
        return register()[name]
    except KeyError:
        raise LookupError(
            f"check {name!r} is not in the register: add it to conformance/_report/checks.toml"
        ) from None
