"""Sessions: `nox` runs tests, lint and typing; `nox -s conformance` runs the main job."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typing"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session: nox.Session, *groups: str, project: bool = True) -> None:
    """Install the project (unless told not to) and the named dependency groups."""
    requirements = [
        req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)
    ]
    if project:
        requirements.insert(0, ".")
    if requirements:
        session.install(*requirements)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite with pytest, a worker per core (pytest-xdist), a file per worker."""
    install(session, "test")
    session.run("pytest", "-n", "auto", "--dist", "loadfile", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    install(session, "lint", project=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """Type-check the package, the tests and this file with mypy (strict)."""
    install(session, "typing")
    session.install("nox")
    session.run("mypy")


@nox.session
def latest(session: nox.Session) -> None:
    """Run the tests on the newest release of every dependency, past our pins: drift shows here."""
    dependencies = [*PYPROJECT["project"]["dependencies"], *dependency_names("test")]
    names = sorted({_name(requirement) for requirement in dependencies})
    # The newest of each, unpinned; then the project without its pins (e.g. schemathesis <4.33).
    session.install("--upgrade", *names)
    session.install("--no-deps", ".")
    listing = "import importlib.metadata as m, sys; [print(n, m.version(n)) for n in sys.argv[1:]]"
    session.run("python", "-c", listing, *names, silent=False)
    session.run("pytest", *session.posargs)


def dependency_names(group: str) -> list[str]:
    """The requirements of a dependency group, as strings."""
    return [str(req) for req in nox.project.dependency_groups(PYPROJECT, group)]


def _name(requirement: str) -> str:
    for separator in "<>=!~[; ":
        requirement = requirement.split(separator, 1)[0]
    return requirement


@nox.session
def mock(session: nox.Session) -> None:
    """Serve the Lago mock over HTTP on 127.0.0.1 (arguments go to `lago-conformance mock`)."""
    install(session)
    session.run("lago-conformance", "mock", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """The main job: check the embedded mock, or $LAGO_API_URL with $LAGO_API_KEY when set."""
    install(session)
    args = ["lago-conformance", "server"]
    if url := os.environ.get("LAGO_API_URL"):
        args += ["--base-url", url]  # the key is read from LAGO_API_KEY by the command itself
        if fixtures := os.environ.get("LAGO_FIXTURES"):
            args += ["--fixtures", fixtures]
    session.run(*args, *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark the mock, the server suite and the client catalogue; writes reports/bench*.json."""
    install(session, "bench")
    node_modules = install_js_sdk(session, SDK_JS_VERSIONS[0])
    session.run("python", "-m", "benches.server", *session.posargs)
    session.run("python", "-m", "benches.client", env={"NODE_PATH": str(node_modules)})


@nox.session
def faults(session: nox.Session) -> None:
    """Detection power: every faulty server through our suite and plain schemathesis, every
    faulty client through ours; writes reports/faults.md and reports/faults.json."""
    install(session, "test")  # schemathesis (its CLI too) is a dependency of the project
    session.run("python", "-m", "tests.detection", *session.posargs)


# The latest release, the first with 429 retries (1.46.0) and the last without (1.45.0).
SDK_VERSIONS = ["1.55.0", "1.46.0", "1.45.0"]
# The latest release here, and two older lines of the JavaScript SDK.
SDK_JS_VERSIONS = ["1.53.0", "1.43.0", "1.7.0"]
SDK_REPORTS = Path("reports/sdk")


@nox.session
@nox.parametrize("version", SDK_VERSIONS)
def sdk(session: nox.Session, version: str) -> None:
    """Gate lago-python-client releases: the client suite at both levels; fails on MUST findings."""
    install(session)
    session.install(f"lago-python-client=={version}")
    gate(session, "lago-python-client", version, SDK_REPORTS / "python" / version)


@nox.session
@nox.parametrize("version", SDK_JS_VERSIONS)
def sdk_js(session: nox.Session, version: str) -> None:
    """Gate lago-javascript-client releases (npm, Node 18+) as `sdk` gates the Python one."""
    install(session, "test")
    node_modules = install_js_sdk(session, version)
    prefix = node_modules.parent
    env = {"NODE_PATH": str(node_modules)}
    # The findings checked by hand against this version's source, pinned in a test.
    pinned = {"LAGO_JS_SDK_DIR": str(prefix), "LAGO_JS_SDK_VERSION": version}
    session.run("pytest", "-q", "tests/client/test_js_adapter.py", env=pinned)
    gate(session, "lago-javascript-client", version, SDK_REPORTS / "js" / version, env)


def install_js_sdk(session: nox.Session, version: str) -> Path:
    """npm-install lago-javascript-client ``version`` under .nox/js-sdk/; its node_modules."""
    prefix = Path(".nox", "js-sdk", version).resolve()
    if not (prefix / "node_modules" / "lago-javascript-client").is_dir():
        session.run(
            "npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
            f"lago-javascript-client@{version}", external=True,
        )  # fmt: skip
    return prefix / "node_modules"


def gate(
    session: nox.Session, sdk: str, version: str, where: Path, env: dict[str, str] | None = None
) -> None:
    """Run the client suite on ``sdk`` at both levels, record the matrix rows, fail on MUST."""
    failed, rows = [], []
    for level in ("documented", "strict"):
        report_dir = where / level
        session.run(
            "lago-conformance", "client", "--adapter", sdk, "--level", level, "--fail-on", "must",
            "--report-dir", str(report_dir), *session.posargs, success_codes=[0, 1], env=env,
        )  # fmt: skip
        report = json.loads((report_dir / "client.json").read_text(encoding="utf-8"))
        rows.append(matrix_row(sdk, version, level, report))
        if not report["conformant"]:
            failed.append(level)
    write_matrix(rows)
    if failed:
        session.error(f"{sdk} {version}: MUST findings at level {', '.join(failed)}")


def matrix_row(sdk: str, version: str, level: str, report: dict[str, Any]) -> dict[str, Any]:
    """One row of the SDK matrix: verdict, counts and the failing scenario x check pairs."""
    failing = [
        f"{result['scenario']} ({result['check']}, {result['severity']})"
        for result in report["results"]
        if result["findings"]
    ]
    return {
        "sdk": sdk,
        "version": version,
        "level": level,
        "verdict": "pass" if report["conformant"] else "FAIL",
        "must": report["counts"]["must"],
        "should": report["counts"]["should"],
        "failing": failing,
    }


def write_matrix(rows: list[dict[str, Any]]) -> None:
    """Merge ``rows`` into reports/sdk/summary.json and write summary.md from it."""
    path = SDK_REPORTS / "summary.json"
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    keyed = {(row["sdk"], row["version"], row["level"]): row for row in [*known, *rows]}
    merged = [keyed[key] for key in sorted(keyed, key=_row_order)]
    SDK_REPORTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# SDK matrix",
        "",
        "| SDK | version | level | verdict | MUST | SHOULD | failing scenarios (check, severity) |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    lines += [
        f"| {r['sdk']} | {r['version']} | {r['level']} | {r['verdict']} | {r['must']}"
        f" | {r['should']} | {'; '.join(r['failing']) or '-'} |"
        for r in merged
    ]
    (SDK_REPORTS / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


@nox.session(python=False)
def sdk_readme(session: nox.Session) -> None:
    """Copy the SDK matrix (reports/sdk/summary.json) into the README, one line per SDK version."""
    rows = json.loads((SDK_REPORTS / "summary.json").read_text(encoding="utf-8"))
    lines = []
    for row in rows:
        if row["level"] != "strict":
            continue  # strict holds the documented level's findings and the SHOULD ones
        found = "; ".join(row["failing"]) or "no findings"
        lines.append(
            f"- **{row['sdk']} {row['version']}** ({row['verdict']} at `--fail-on must`): {found}"
        )
    readme = Path("README.md")
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- sdk-matrix -->\n", "<!-- /sdk-matrix -->"
    if start not in text or end not in text:
        session.error("README.md has no <!-- sdk-matrix --> block")
    head, rest = text.split(start, 1)
    readme.write_text(head + start + "\n".join(lines) + "\n" + end + rest.split(end, 1)[1])


def _row_order(key: tuple[str, str, str]) -> tuple[str, tuple[int, ...], str]:
    sdk, version, level = key
    return sdk, tuple(-int(part) for part in version.split(".")), level
