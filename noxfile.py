"""Sessions: `nox` runs tests, lint and typing; `nox -s conformance` runs the main job."""

from __future__ import annotations

import json
import os
from pathlib import Path

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
    """Run the test suite with pytest."""
    install(session, "test")
    session.run("pytest", *session.posargs)


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
    session.run("python", "-m", "benches.server", *session.posargs)
    session.run("python", "-m", "benches.client")


# The latest release, the first with 429 retries (1.46.0) and the last without (1.45.0).
SDK_VERSIONS = ["1.55.0", "1.46.0", "1.45.0"]


@nox.session
@nox.parametrize("version", SDK_VERSIONS)
def sdk(session: nox.Session, version: str) -> None:
    """Gate lago-python-client releases: the client suite at both levels; fails on MUST findings."""
    install(session)
    session.install(f"lago-python-client=={version}")
    failed = []
    for level in ("documented", "strict"):
        args = ["--adapter", "lago-python-client", "--level", level, "--fail-on", "must"]
        report_dir = f"reports/sdk/{version}/{level}"
        session.run(
            "lago-conformance",
            "client",
            *args,
            "--report-dir",
            report_dir,
            *session.posargs,
            success_codes=[0, 1],
        )
        report = json.loads(Path(report_dir, "client.json").read_text(encoding="utf-8"))
        if not report["conformant"]:
            failed.append(level)
    if failed:
        session.error(f"lago-python-client {version}: MUST findings at level {', '.join(failed)}")
