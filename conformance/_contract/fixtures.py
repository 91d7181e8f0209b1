"""The fixtures file: which invoices exist on a target, and what each must answer.

```toml
[invoices]
payable = "<uuid>"                            # expects 200
missing_payment_provider_customer = "<uuid>"  # a Lago 422 reason: expects that reason
```
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from conformance._contract.document import VALIDATION_REASONS
from conformance._contract.rules import THIRD_PARTY_ERROR
from conformance._errors import FixturesError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "FIXTURE_KEYS",
    "PAYABLE",
    "Fixtures",
    "dump_fixtures",
    "load_fixtures",
    "parse_fixtures",
]

PAYABLE = "payable"
# Every key a fixtures file may use: the payable invoice, then each 422 Lago can answer.
FIXTURE_KEYS: tuple[str, ...] = (PAYABLE, *VALIDATION_REASONS, THIRD_PARTY_ERROR)
_SECRET_HINTS = ("key", "token", "secret", "password")


@dataclass(frozen=True)
class Fixtures:
    """Named invoice ids on a target; keys are ``payable`` or a Lago 422 reason."""

    invoices: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "invoices", MappingProxyType(dict(self.invoices)))

    def get(self, key: str) -> str | None:
        """The invoice id named ``key``, or None when the fixtures do not name one."""
        return self.invoices.get(key)


def _canonical_uuid(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise FixturesError(f"{where} must be a quoted invoice id (a UUID string), got {value!r}")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise FixturesError(
            f"{where} = {value!r} is not a UUID; copy the invoice's lago_id from Lago"
        ) from None


def _secret_hint(key: str) -> str | None:
    if any(word in key.lower() for word in _SECRET_HINTS):
        return "API keys never live in this file: pass --api-key or set LAGO_API_KEY"
    return None


def parse_fixtures(text: str, source: str = "fixtures") -> Fixtures:
    """Parse fixtures TOML; every problem is a one-line ``FixturesError`` naming ``source``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FixturesError(f"{source}: not valid TOML ({error})") from None
    for key in data:
        if key != "invoices":
            hint = _secret_hint(key) or "the only table is [invoices]"
            raise FixturesError(f"{source}: unknown top-level key {key!r}; {hint}")
    table = data.get("invoices", {})
    if not isinstance(table, dict):
        raise FixturesError(f"{source}: 'invoices' must be a table: write [invoices]")
    invoices: dict[str, str] = {}
    for key, value in table.items():
        if key not in FIXTURE_KEYS:
            hint = _secret_hint(key) or "use one of: " + ", ".join(FIXTURE_KEYS)
            raise FixturesError(f"{source}: unknown key {key!r} in [invoices]; {hint}")
        invoices[key] = _canonical_uuid(value, f"{source}: invoices.{key}")
    return Fixtures(invoices)


def load_fixtures(path: str | Path) -> Fixtures:
    """Read and parse a fixtures file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FixturesError(f"fixtures file {str(path)!r} does not exist; check the path") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FixturesError(f"cannot read fixtures file {str(path)!r}: {error}") from None
    return parse_fixtures(text, source=str(path))


def dump_fixtures(fixtures: Fixtures, comment: str = "") -> str:
    """The TOML text of ``fixtures``, keys in the canonical order."""
    lines = [f"# {line}" for line in comment.splitlines()]
    lines.append("[invoices]")
    lines += [
        f'{key} = "{fixtures.invoices[key]}"' for key in FIXTURE_KEYS if key in fixtures.invoices
    ]
    return "\n".join(lines) + "\n"
