"""The composite GitHub Action: its structure, and the command lines it runs, run as GitHub would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
INPUTS = (
    "mode", "base-url", "fixtures", "adapter", "command", "level", "fail-on", "baseline", "spec",
    "python-version", "args",
)  # fmt: skip
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def action() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_action_is_composite_with_documented_inputs() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    assert data["description"]
    for name in INPUTS:
        assert data["inputs"][name]["description"], name
    assert data["inputs"]["mode"]["default"] == "server"
    assert not any("key" in name for name in data["inputs"])  # the key comes from the env only


def test_each_step_has_a_shell_and_pinned_major_versions() -> None:
    steps = action()["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash", step
        if "uses" in step:
            assert re.fullmatch(r"actions/[\w-]+@v\d+", step["uses"]), step
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert set(uses) == {"actions/setup-python", "actions/upload-artifact"}
    upload = uses["actions/upload-artifact"]
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "reports"
    assert uses["actions/setup-python"]["with"]["python-version"] == "${{ inputs.python-version }}"
    install = next(step for step in steps if "pip install" in step.get("run", ""))
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"


def _substitute(text: str, inputs: dict[str, str]) -> str:
    defaults = {name: str(spec.get("default", "")) for name, spec in action()["inputs"].items()}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "github.action_path":
            return str(ROOT)
        assert name.startswith("inputs."), name
        return inputs.get(name.removeprefix("inputs."), defaults[name.removeprefix("inputs.")])

    return EXPRESSION.sub(value, text)


def run_step(inputs: dict[str, str], cwd: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    """The step that runs the suite, with its expressions replaced as GitHub replaces them."""
    step = next(step for step in action()["runs"]["steps"] if step.get("id") == "run")
    env = {key: val for key, val in os.environ.items() if not key.startswith("GITHUB_")}
    env |= {key: _substitute(str(val), inputs) for key, val in step.get("env", {}).items()}
    env |= environ
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    script = _substitute(step["run"], inputs)
    assert "${{" not in script + "".join(env.values())
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, "-c", script],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


@needs_bash
def test_server_mode_on_the_embedded_mock(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = run_step(
        {"mode": "server", "args": "--max-examples 5 --seed 1"},
        tmp_path,
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_ACTIONS="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(
        "lago-conformance server --report-dir reports --max-examples 5 --seed 1\n"
    )
    reports = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert reports == ["server.html", "server.json", "server.junit.xml", "server.md"]
    assert summary.read_text().startswith("### lago-conformance server: conformant\n")


@needs_bash
def test_client_mode_with_the_reference_adapter(tmp_path: Path) -> None:
    result = run_step(
        {
            "mode": "client",
            "adapter": "reference",
            "level": "documented",
            "fail-on": "should",
            "args": "--scenario 200-example --scenario '401-unauthorized'",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(
        "lago-conformance client --report-dir reports --adapter reference --level documented"
        " --fail-on should --scenario 200-example --scenario 401-unauthorized\n"
    )
    assert (tmp_path / "reports" / "client.json").is_file()


@needs_bash
@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"mode": "both"}, "mode is server or client, not 'both'"),
        ({"mode": "server", "adapter": "reference"}, "adapter and command are inputs of mode client"),
        ({"mode": "client", "base-url": "http://x"}, "base-url and fixtures are inputs of mode server"),
    ],
)  # fmt: skip
def test_inputs_that_do_not_fit_the_mode_stop_with_an_error(
    tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    result = run_step(inputs, tmp_path)
    assert result.returncode == 2
    assert result.stdout.startswith(f"::error title=lago-conformance action::{message}")


@needs_bash
def test_baseline_and_spec_pass_through_only_when_set(tmp_path: Path) -> None:
    # The tool answers an option it does not know with exit 2: only the command line is checked.
    result = run_step(
        {"mode": "client", "baseline": "accepted findings.toml", "spec": "lago.yaml"}, tmp_path
    )
    assert result.stdout.startswith(
        "lago-conformance client --report-dir reports --baseline accepted\\ findings.toml"
        " --spec lago.yaml\n"
    )


@pytest.mark.parametrize(
    "document", ["README.md", "docs/getting-started/run-in-ci.md", "docs/sdk-integration.md"]
)
def test_the_documented_workflows_use_only_the_action_inputs(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    inputs = set(action()["inputs"])
    used = 0
    for block in blocks:
        data = yaml.safe_load(block)
        steps = data["jobs"]["conformance"]["steps"] if "jobs" in data else data
        for step in steps:
            if "lago-conformance@" in step.get("uses", ""):
                used += 1
                assert set(step["with"]) <= inputs, step
                assert step["with"]["mode"] in {"server", "client"}
                assert "LAGO_API_KEY" not in str(step["with"])
    assert used >= 1
