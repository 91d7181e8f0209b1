"""MkDocs hooks: the pages generated at build time, so that they cannot drift from their source.

A page asks for a generated part with ``<!-- generated: NAME -->`` on a line of its own:

- ``cli-reference``: every command and option, from the parser ``conformance._cli.main`` builds;
- ``pytest-options``: the plugin's ``--lago-*`` options, from its ``pytest_addoption``;
- ``sdk-matrix-table``: the SDK matrix, from ``docs/data/sdk-matrix.json`` (``nox -s sdk_readme``);
- ``detection-totals`` and ``detection-table``: detection power, from
  ``docs/data/detection-power.json`` (``nox -s faults``);
- ``checks-SUITE-GROUP``: one group of the register of checks (``conformance/_report/checks.toml``).

An unknown name fails the build, as a missing page does under ``--strict``.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

DATA = Path(__file__).parent / "data"
_MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.M)


def cell(text: object) -> str:
    """``text`` fit for one Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]


def _value(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(map(str, action.choices)) + "}"
    return action.dest if not action.option_strings else action.dest.upper()


def _flags(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{_value(action)}`"
    value = "" if action.nargs == 0 else f" {_value(action)}"
    return ", ".join(f"`{flag}{value}`" for flag in action.option_strings)


def _default(action: argparse.Action) -> str:
    if action.nargs == 0 or action.default is None or action.default is argparse.SUPPRESS:
        return ""
    return f"`{action.default}`"


def _options(parser: argparse.ArgumentParser) -> list[str]:
    rows: list[list[object]] = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        meaning = action.help or ""
        if action.required and action.option_strings:
            meaning += " (required)"
        rows.append([_flags(action), meaning, _default(action)])
    return _table(["option", "meaning", "default"], rows)


def _usage(parser: argparse.ArgumentParser) -> str:
    parser.formatter_class = functools.partial(argparse.HelpFormatter, width=80)
    return parser.format_usage().strip()


def cli_reference() -> str:
    """Every command of ``lago-conformance``, its usage and its options, from the parser."""
    from conformance._cli.main import _build_parser

    parser = _build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {action.dest: action.help for action in commands._choices_actions}
    lines = ["```text", _usage(parser), "```", "", *_options(parser)]
    for name, command in commands.choices.items():
        lines += ["", f"## `lago-conformance {name}`", "", f"{helps.get(name) or ''}.", ""]
        lines += ["```text", _usage(command), "```", "", *_options(command)]
    return "\n".join(lines)


class _Options:
    """Stands in for pytest's parser and its option group: records each ``addoption``."""

    def __init__(self) -> None:
        self.rows: list[list[object]] = []

    def getgroup(self, *_: object) -> _Options:
        return self

    def addoption(self, *names: str, **settings: Any) -> None:
        meaning = settings.get("help", "")
        if "choices" in settings:
            meaning = f"{meaning} (one of: {', '.join(settings['choices'])})".strip()
        default = settings.get("default")
        shown = "" if default is None or settings.get("action") == "store_true" else f"`{default}`"
        value = "" if settings.get("action") == "store_true" else " VALUE"
        self.rows.append([", ".join(f"`{name}{value}`" for name in names), meaning, shown])


def pytest_options() -> str:
    """The pytest plugin's options, as its ``pytest_addoption`` registers them."""
    from conformance.pytest_plugin import pytest_addoption

    recorder = _Options()
    pytest_addoption(recorder)  # type: ignore[arg-type]
    return "\n".join(_table(["option", "meaning", "default"], recorder.rows))


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def sdk_matrix_table(rows: list[dict[str, Any]] | None = None) -> str:
    """The SDK matrix: one row per SDK, version, level and configuration (its options)."""
    rows = _load("sdk-matrix.json") if rows is None else rows
    body: list[list[object]] = [
        [r["sdk"], r["version"],
         r["level"] + (f", `{r['configuration']}`" if r.get("configuration") else ""),
         r["verdict"], r["must"], r["should"],
         "; ".join(r["failing"]) or "-"]
        for r in rows
    ]  # fmt: skip
    header = ["SDK", "version", "level", "verdict", "MUST", "SHOULD", "failing (check, severity)"]
    return "\n".join(_table(header, body))


def detection_totals(data: dict[str, Any] | None = None) -> str:
    """The totals of the last ``nox -s faults`` run, as bullets."""
    data = _load("detection-power.json") if data is None else data
    t = data["totals"]
    n, m = t["servers"], t["clients"]
    should_only = t["servers_caught_by_us"] - t["servers_caught_by_us_at_must"]
    mock = t["baseline_findings_ours"]
    theirs = ", ".join(t["baseline_failures_schemathesis"] or []) or "no failure"
    lines = [
        f"- **Faulty servers: {n}. Caught by us: {t['servers_caught_by_us']}/{n}** (by the check"
        f" meant for the fault: {t['servers_caught_by_intended_check']}; with a MUST finding:"
        f" {t['servers_caught_by_us_at_must']}, with SHOULD findings only: {should_only})."
        f" **Caught by plain schemathesis: {t['servers_caught_by_schemathesis']}/{n}.** Only by"
        f" us: {t['servers_caught_only_by_us']}; only by schemathesis:"
        f" {t['servers_caught_only_by_schemathesis']}; by neither: {t['servers_caught_by_neither']}.",
        f"- **Caught by the oracle alone** (`--checks generic`: Lago's twin, no 5xx, the schema,"
        f" no echoed key; no Lago-specific named check):"
        f" **{t.get('servers_caught_by_the_oracle_alone', '-')}/{n}**.",
        f"- **Wild servers** (faults from real deployments, written apart from the suite):"
        f" {t.get('wild', 0)}. Caught by us: {t.get('wild_caught_by_us', '-')}/{t.get('wild', 0)};"
        f" by the oracle alone: {t.get('wild_caught_by_the_oracle_alone', '-')}/{t.get('wild', 0)};"
        f" by plain schemathesis: {t.get('wild_caught_by_schemathesis', '-')}/{t.get('wild', 0)}.",
        f"- Requests on the faulty servers: ours {t['server_requests_ours']}, schemathesis"
        f" {t['server_requests_schemathesis']}.",
        f"- **Faulty clients: {m}. Caught by us: {t['clients_caught_by_us']}/{m}** (by the check"
        f" meant for the fault: {t['clients_caught_by_intended_check']}; schemathesis has no"
        " client side).",
        *(
            [
                f"- Faulty clients caught by the generated answers alone (the hand-written catalogue"
                f" turned off): {t['clients_caught_by_generated_alone']}/{m}."
            ]
            if "clients_caught_by_generated_alone" in t
            else []
        ),
        f"- The faithful mock: {len(mock or [])} findings from us, {theirs} from plain schemathesis.",
        f"- Measured with lago-conformance {data['tool_version']} and schemathesis"
        f" {data['schemathesis_version']} on Python {data['python']}, {data['cpus']} cores,"
        f" {data['jobs']} workers: {data['wall_s']:.0f} s of wall time"
        + ("" if data.get("cpu_s") is None else f", {data['cpu_s']:.0f} s of CPU time")
        + ".",
    ]
    if t["errors"]:
        lines.append(f"- Not judged (errors): {', '.join(t['errors'])}.")
    return "\n".join(lines)


def _checks(found: dict[str, str]) -> str:
    return ", ".join(f"`{check}` ({severity})" for check, severity in sorted(found.items())) or "-"


def detection_table(data: dict[str, Any] | None = None) -> str:
    """One row per fault of the last ``nox -s faults`` run."""
    data = _load("detection-power.json") if data is None else data
    rows: list[list[object]] = []
    for r in data["rows"]:
        baseline = r["kind"] == "baseline"
        ours = f"error: {r['error']}" if r.get("error") else _checks(r.get("ours") or {})
        if r.get("aborted"):
            ours = f"refused the target (exit 2): {r['aborted']}; {ours}"
        theirs = "n/a" if r.get("theirs") is None else ", ".join(r["theirs"]) or "no failure"
        fired = "-" if baseline else "yes" if r["intended_fired"] else "**no**"
        intended = "-" if baseline else f"`{r['check']}` ({r.get('severity') or '-'})"
        requests = f"{r.get('ours_requests') or '-'} / {r.get('theirs_requests') or '-'}"
        alone = r.get("caught_alone")
        oracle = "n/a" if alone is None else _checks(r.get("alone") or {}) if alone else "no"
        if r["kind"] == "wild":
            fired, intended = "-", "-"
        rows.append([r["name"], r["kind"], intended, ours, fired, oracle, theirs, requests])
    header = ["fault", "kind", "meant for", "our checks with findings", "meant check fired",
              "the oracle alone", "plain schemathesis", "requests ours / theirs"]  # fmt: skip
    return "\n".join(_table(header, rows))


def check_table(suite: str, group: str) -> str:
    """The register's checks of one suite and group: name, severity, what it asks, source."""
    from conformance._report.register import register

    client = suite == "client"
    rows: list[list[object]] = [
        [f"`{e.name}`", e.severity, *([e.scenarios or "-"] if client else []), e.description,
         e.source]
        for e in register().values()
        if (e.suite, e.group) == (suite, group)
    ]  # fmt: skip
    header = ["check", "severity", *(["scenarios"] if client else []), "what it asks", "source"]
    return "\n".join(_table(header, rows))


def _check_tables() -> dict[str, Callable[[], str]]:
    from conformance._report.register import GROUPS

    return {
        f"checks-{suite}-{group}": functools.partial(check_table, suite, group)
        for suite, groups in GROUPS.items()
        for group in groups
    }


GENERATORS = {
    "cli-reference": cli_reference,
    "pytest-options": pytest_options,
    "sdk-matrix-table": sdk_matrix_table,
    "detection-totals": detection_totals,
    "detection-table": detection_table,
    **_check_tables(),
}


def render(markdown: str) -> str:
    """``markdown`` with each ``<!-- generated: NAME -->`` line replaced by what NAME generates."""

    def generate(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise ValueError(
                f"no generator for <!-- generated: {name} -->: one of {list(GENERATORS)}"
            )
        return GENERATORS[name]()

    return _MARKER.sub(generate, markdown)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs' hook: fill in the generated parts of a page."""
    return render(markdown)
