"""A baseline: findings a team has accepted for a while, read from TOML and applied to a report.

Each ``[[accept]]`` table names a ``check``, optionally a ``scenario`` (every scenario when
absent), a ``reason`` and the date it ``expires``, at most a year ahead. Applied to a report
(``apply_baseline``, the one place that does), a live entry marks its findings accepted (they do
not count), an expired one marks them as such (they count again), and an entry that matched
nothing is stale: it fails the run, unless the baseline allows stale entries.
"""

from __future__ import annotations

import datetime
import json
import tomllib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from conformance._errors import BaselineError, UsageError
from conformance._report.findings import now

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable
    from pathlib import Path

    from conformance._report.findings import CaseResult, Report

__all__ = [
    "Accept",
    "Baseline",
    "apply_baseline",
    "baseline_toml",
    "check_expiry",
    "load_baseline",
    "parse_baseline",
    "today",
]

_KEYS = {"check", "scenario", "reason", "expires"}


def today() -> datetime.date:
    """Today's date in UTC, or the date of ``$SOURCE_DATE_EPOCH`` when it is set."""
    try:
        return now().date()
    except UsageError as error:
        raise BaselineError(str(error)) from None


def _a_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def check_expiry(expires: datetime.date, on: datetime.date) -> None:
    """Refuse an ``expires`` date further than a year after ``on``."""
    if expires > _a_year_after(on):
        raise BaselineError(
            f"expires {expires.isoformat()} is more than a year ahead (at most"
            f" {_a_year_after(on).isoformat()}): accept a finding for a year at most"
        )


@dataclass(frozen=True)
class Accept:
    """One ``[[accept]]`` entry: a check (on one scenario, or all), why, and until when."""

    check: str
    scenario: str | None
    reason: str
    expires: datetime.date

    def matches(self, result: CaseResult) -> bool:
        """Whether this entry covers ``result``'s check and scenario."""
        return self.check == result.check and self.scenario in (None, result.scenario)

    def describe(self) -> str:
        """The entry as its TOML keys name it, for messages."""
        scenario = f", scenario = {json.dumps(self.scenario)}" if self.scenario is not None else ""
        return f"check = {json.dumps(self.check)}{scenario}"


@dataclass(frozen=True)
class Baseline:
    """The entries of a baseline file, where it came from, and whether stale entries are notes."""

    entries: tuple[Accept, ...]
    source: str = "the baseline"
    allow_stale: bool = False


def _entry(table: Any, where: str, known: Collection[str], on: datetime.date) -> Accept:
    if not isinstance(table, dict):
        raise BaselineError(f"{where} is not a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise BaselineError(
            f"{where} has unknown key {unknown[0]!r} (keys: {', '.join(sorted(_KEYS))})"
        )
    check, scenario = table.get("check"), table.get("scenario")
    reason, expires = table.get("reason"), table.get("expires")
    if not isinstance(check, str) or not check:
        raise BaselineError(f"{where} has no check: name the check to accept")
    if check not in known:
        raise BaselineError(f"{where} names unknown check {check!r}; see a report for the names")
    if scenario is not None and (not isinstance(scenario, str) or not scenario):
        raise BaselineError(f"{where}: scenario must be a scenario's name, as in a report")
    if not isinstance(reason, str) or not reason.strip():
        raise BaselineError(f"{where} has no reason: say in words why {check} is accepted")
    if type(expires) is not datetime.date:
        raise BaselineError(f"{where}: expires must be a TOML date such as 2027-01-31")
    try:
        check_expiry(expires, on)
    except BaselineError as error:
        raise BaselineError(f"{where}: {error}") from None
    return Accept(check, scenario, " ".join(reason.split()), expires)


def parse_baseline(
    text: str,
    known: Collection[str],
    *,
    on: datetime.date,
    source: str = "the baseline",
    allow_stale: bool = False,
) -> Baseline:
    """The baseline in TOML ``text``, each check one of ``known``; dates judged as of ``on``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BaselineError(f"{source} is not valid TOML: {error}") from None
    extra = sorted(set(data) - {"accept"})
    if extra:
        raise BaselineError(f"{source} has unknown key {extra[0]!r}: only [[accept]] tables")
    tables = data.get("accept", [])
    if not isinstance(tables, list):
        raise BaselineError(f"{source}: accept must be [[accept]] tables")
    entries = tuple(
        _entry(table, f"{source} [[accept]] entry {number}", known, on)
        for number, table in enumerate(tables, 1)
    )
    return Baseline(entries, source, allow_stale)


def load_baseline(
    path: Path, known: Collection[str], *, on: datetime.date, allow_stale: bool = False
) -> Baseline:
    """The baseline file at ``path`` (see ``parse_baseline``); one-line errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise BaselineError(f"cannot read --baseline {str(path)!r}: {reason}") from None
    return parse_baseline(text, known, on=on, source=str(path), allow_stale=allow_stale)


def apply_baseline(report: Report, baseline: Baseline, on: datetime.date) -> None:
    """Mark ``report``'s findings that ``baseline`` accepts, or whose acceptance has expired, as of
    ``on``; note (and, unless allowed, fail on) the entries that matched nothing."""
    used = [False] * len(baseline.entries)
    for index, result in enumerate(report.results):
        if not result.findings:
            continue
        matching = [n for n, entry in enumerate(baseline.entries) if entry.matches(result)]
        for number in matching:
            used[number] = True
        live = [baseline.entries[n] for n in matching if baseline.entries[n].expires >= on]
        if live:
            entry = max(live, key=lambda accept: accept.expires)
            text = f"accepted until {entry.expires.isoformat()}: {entry.reason}"
            report.results[index] = _marked(result, accepted=text)
        elif matching:
            entry = max((baseline.entries[n] for n in matching), key=lambda a: a.expires)
            text = f"accepted until {entry.expires.isoformat()}, expired: {entry.reason}"
            report.results[index] = _marked(result, expired=text)
    report.describe(baseline=baseline.source)
    for number, entry in enumerate(baseline.entries, 1):
        if used[number - 1]:
            continue
        message = (
            f"stale baseline entry {number} ({entry.describe()}) matched nothing in this run:"
            f" delete it from {baseline.source}"
        )
        report.note(message)
        if not baseline.allow_stale:
            report.stale.append(message)


def _marked(
    result: CaseResult, *, accepted: str | None = None, expired: str | None = None
) -> CaseResult:
    findings = tuple(replace(f, accepted=accepted, expired=expired) for f in result.findings)
    return replace(result, findings=findings)


def _string(text: str) -> str:
    # JSON's escapes are TOML's, but for DEL, which TOML wants escaped too.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def baseline_toml(
    results: Iterable[dict[str, Any]], reason: str, expires: datetime.date, *, on: datetime.date
) -> str:
    """A baseline accepting every check x scenario with findings in a JSON report's ``results``."""
    reason = " ".join(reason.split())
    if not reason:
        raise BaselineError("--reason is empty: say in words why these findings are accepted")
    check_expiry(expires, on)
    seen: dict[tuple[str, str], None] = {}
    for result in results:
        if result.get("findings"):
            seen[str(result["check"]), str(result["scenario"])] = None
    lines = [
        "# lago-conformance baseline: every finding of the report, accepted for a while.",
        "# Delete each entry as its fix lands; a stale entry fails the run.",
    ]
    for check, scenario in seen:
        lines += [
            "",
            "[[accept]]",
            f"check = {_string(check)}",
            f"scenario = {_string(scenario)}",
            f"reason = {_string(reason)}",
            f"expires = {expires.isoformat()}",
        ]
    return "\n".join(lines) + "\n"
