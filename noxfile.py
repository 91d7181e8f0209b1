"""Sessions: `nox` runs tests, lint and typing; `nox -s conformance` runs the main job."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
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
    if not session.posargs:  # the whole catalogue, as measured: the docs' detection power
        DOCS_DATA.mkdir(parents=True, exist_ok=True)
        shutil.copyfile("reports/faults.json", DOCS_DATA / "detection-power.json")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site into site/ with mkdocs --strict: a broken link or page fails it."""
    install(session, "docs")
    env = {"NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2, on every build
    session.run("mkdocs", "build", "--strict", *session.posargs, env=env)


@nox.session
def browser(session: nox.Session) -> None:
    """Render real server.html reports in headless Chromium (Debian's), screenshot them into
    reports/, and check that the verdict and the first finding show unscrolled; opt-in."""
    if not Path(CHROMIUM).exists():
        if os.geteuid() != 0:
            session.error(f"{CHROMIUM} is missing: apt-get install chromium (as root), then retry")
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium",
                    external=True, env={"DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
    install(session, "browser")
    env = {"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1", "LAGO_CHROMIUM": CHROMIUM}
    session.run("python", "-m", "tests.browser", *session.posargs, env=env)


# The latest release, the first with 429 retries (1.46.0) and the last without (1.45.0).
SDK_VERSIONS = ["1.55.0", "1.46.0", "1.45.0"]
# The latest release here, and two older lines of the JavaScript SDK.
SDK_JS_VERSIONS = ["1.53.0", "1.43.0", "1.7.0"]
SDK_REPORTS = Path("reports/sdk")
DOCS_DATA = Path("docs/data")
CHROMIUM = "/usr/bin/chromium"


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
        rows.append(sdk_matrix().matrix_row(sdk, version, level, report))
        if not report["conformant"]:
            failed.append(level)
    sdk_matrix().write_matrix(SDK_REPORTS, rows)
    if failed:
        session.error(f"{sdk} {version}: MUST findings at level {', '.join(failed)}")


@nox.session(python=False)
def sdk_readme(session: nox.Session) -> None:
    """Copy the SDK matrix (reports/sdk/summary.json) into the docs: docs/data/sdk-matrix.json
    and the lines of docs/sdk-matrix.md; rewrites summary.md and summary.html."""
    rows = sdk_matrix().write_matrix(SDK_REPORTS, [])
    if not rows:
        session.error("reports/sdk/summary.json is missing or empty: run nox -s sdk sdk_js first")
    DOCS_DATA.mkdir(parents=True, exist_ok=True)
    (DOCS_DATA / "sdk-matrix.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    page = Path("docs/sdk-matrix.md")
    try:
        page.write_text(sdk_matrix().update_block(page.read_text(encoding="utf-8"), rows))
    except ValueError:
        session.error(f"{page} has no <!-- sdk-matrix --> block")


def sdk_matrix() -> Any:
    """tests/sdk_matrix.py (standard library only), loaded by its path in nox's interpreter."""
    spec = importlib.util.spec_from_file_location("sdk_matrix", Path("tests/sdk_matrix.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
