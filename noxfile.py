"""Sessions: `nox` runs tests, lint and typing; `nox -s conformance` runs the main job."""

from __future__ import annotations

import os

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
    """Benchmark the mock against a bare handler; writes reports/bench.json."""
    install(session, "bench")
    session.run("python", "-m", "conformance._bench", *session.posargs)
