"""Every example in the README and the docs is run or checked; generated pages match their source.

A fenced block is claimed by its language (the runners are in ``docs_examples``): console
commands parse with the real parsers, Python runs, TOML loads, YAML workflows use only the
action's inputs, the shell client is the file the tests run, JSON outcomes are outcomes. A block
in a language nobody claims fails the test.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from conformance._cli.main import _build_parser
from conformance._client.calls.outcome import outcome_problems
from tests.docs_examples import (
    DOCS,
    ROOT,
    blocks,
    hooks,
    pytest_option_names,
    run_console,
    run_python,
    run_toml,
    run_yaml,
)
from tests.sdk_matrix import END, START, block_lines

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.mark.parametrize(("language", "text"), list(blocks()))
def test_every_example_is_run_or_checked(
    language: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if language == "console":
        run_console(text)
    elif language == "python":
        run_python(text, monkeypatch)
    elif language == "toml":
        run_toml(text, tmp_path, monkeypatch)
    elif language == "yaml":
        run_yaml(text)
    elif language == "sh":
        # tests/client/test_command.py runs this file against every scenario.
        assert text in (ROOT / "tests" / "clients" / "curl-client.sh").read_text(encoding="utf-8")
    elif language == "json":
        for line in text.splitlines():
            assert outcome_problems(json.loads(line)) == [], line
    else:
        pytest.fail(f"no test runs a ```{language or 'text'} block: claim it here")


@pytest.mark.parametrize(
    ("page", "command"),
    [
        ("getting-started/check-a-deployment.md", "server"),
        ("getting-started/gate-an-sdk.md", "client"),
        ("getting-started/mock.md", "mock"),
    ],
)
def test_option_tables_name_only_options_the_parser_has(page: str, command: str) -> None:
    parser = _build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    known = {
        flag for action in commands.choices[command]._actions for flag in action.option_strings
    }
    text = (DOCS / page).read_text(encoding="utf-8")
    named = {
        flag
        for row in re.findall(r"^\| (`--.*?) \|", text, re.M)
        for flag in re.findall(r"--[a-z-]+", row)
    }
    assert named
    assert named <= known, named - known


def test_the_readme_is_the_front_door() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text) <= 10_000
    assert "python3 -m pip install nox && nox -s conformance" in text
    assert "python3 -m pip install nox && nox " in text
    for link in re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)\)", text):
        assert (ROOT / link).is_file(), link


def test_the_sdk_matrix_lines_are_the_committed_matrix() -> None:
    rows = json.loads((DOCS / "data" / "sdk-matrix.json").read_text(encoding="utf-8"))
    text = (DOCS / "sdk-matrix.md").read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert block.splitlines() == block_lines(rows)
    assert {row["level"] for row in rows} == {"documented", "strict"}
    # The page's table names each configuration (the SDK options a row ran with).
    table = hooks().sdk_matrix_table(rows)
    for row in rows:
        if row.get("configuration"):
            assert f"| strict, `{row['configuration']}` |" in table


def test_the_readme_quotes_the_measured_detection_power() -> None:
    totals = json.loads((DOCS / "data" / "detection-power.json").read_text(encoding="utf-8"))[
        "totals"
    ]
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    servers, clients = totals["servers"], totals["clients"]
    assert (
        f"faulty servers: {servers}, caught by us: {totals['servers_caught_by_us']}/{servers}, by"
        f" plain schemathesis: {totals['servers_caught_by_schemathesis']}/{servers}; faulty"
        f" clients: {clients}, caught by us: {totals['clients_caught_by_us']}/{clients}"
    ) in text
    assert totals["baseline_findings_ours"] == []
    # The method's own columns: the oracle alone, the generated answers alone, the wild servers.
    alone, generated = (
        totals["servers_caught_by_the_oracle_alone"],
        totals["clients_caught_by_generated_alone"],
    )
    assert f"no echoed key): {alone}/{servers}." in text
    assert f"catalogue turned off): {generated}/{clients}." in text
    wild = totals["wild"]
    assert (
        f"Now it catches {totals['wild_caught_by_us']}/{wild} (the oracle alone:"
        f" {totals['wild_caught_by_the_oracle_alone']}/{wild}; plain schemathesis:"
        f" {totals['wild_caught_by_schemathesis']}/{wild})."
    ) in text


def test_generated_parts_hold_every_command_option_and_fault() -> None:
    module = hooks()
    cli = module.cli_reference()
    parser = _build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        assert f"## `lago-conformance {name}`" in cli
        for action in command._actions:
            for flag in action.option_strings:
                assert flag in {"-h", "--help"} or f"`{flag}" in cli, flag
    assert "`--seed SEED` | seed for generated data (default 0) | `0` |" in cli
    plugin = module.pytest_options()
    assert {"--lago-spec", "--lago-base-url", "--lago-allow-stale"} <= pytest_option_names()
    assert "`--lago-spec VALUE`" in plugin
    data = json.loads((DOCS / "data" / "detection-power.json").read_text(encoding="utf-8"))
    table = module.detection_table(data)
    assert all(f"| {row['name']} |" in table for row in data["rows"])
    assert f"Caught by us: {data['totals']['servers_caught_by_us']}/" in module.detection_totals(
        data
    )
    with pytest.raises(ValueError, match="no generator"):
        module.render("<!-- generated: nothing -->")


def test_every_page_renders_and_the_nav_names_pages_that_exist() -> None:
    module = hooks()
    for page in DOCS.rglob("*.md"):
        assert "<!-- generated:" not in module.render(page.read_text(encoding="utf-8")), page
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def paths(node: Any) -> Iterator[str]:
        if isinstance(node, str):
            yield node
        elif isinstance(node, list):
            for item in node:
                yield from paths(item)
        elif isinstance(node, dict):
            for item in node.values():
                yield from paths(item)

    named = list(paths(config["nav"]))
    assert "concepts/checks.md" in named
    assert all((DOCS / path).is_file() for path in named), named


def test_the_pages_workflow_builds_with_nox_and_publishes_the_site() -> None:
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "docs.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["build"]["steps"]
    assert {"run": "nox -s docs"} in steps
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_dir"]
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == site
    assert workflow["permissions"]["pages"] == "write"
