"""Sessions: `nox` runs tests, lint and typing; `nox -s conformance` runs the main job."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import nox
from nox.command import CommandFailed

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
# The latest release here, and two older lines of the JavaScript SDK: 1.15.0 is the first whose
# default base URL is a server (1.7.0 and 1.11.0 fail the gate on it: docs/sdk-matrix.md).
SDK_JS_VERSIONS = ["1.53.0", "1.43.0", "1.15.0"]
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
    # Both levels with the SDK's defaults; strict with each option that changes the HTTP path.
    configs = [("", "documented"), ("", "strict")] + [
        (config, "strict") for config, since in SDK_HISTORY_CONFIGS[sdk] if config and
        version_key(version) >= version_key(since)]  # fmt: skip
    for config, level in configs:
        report_dir = where / (f"{level}-{folder(config)}" if config else level)
        option = ["--client-option", config] if config else []
        session.run(
            "lago-conformance", "client", "--adapter", sdk, "--level", level, "--fail-on", "must",
            *option, "--report-dir", str(report_dir), *session.posargs, success_codes=[0, 1],
            env=env,
        )  # fmt: skip
        report = json.loads((report_dir / "client.json").read_text(encoding="utf-8"))
        rows.append(sdk_matrix().matrix_row(sdk, version, level, report, config))
        if not report["conformant"]:
            failed.append(f"{level} {config}".strip())
    sdk_matrix().write_matrix(SDK_REPORTS, rows)
    if failed:
        session.error(f"{sdk} {version}: MUST findings at level {', '.join(failed)}")


# The first releases with Client(...).invoices.payment_url / invoicePaymentUrl.
SDK_HISTORY_FIRST = {"lago-python-client": "0.56.0", "lago-javascript-client": "1.7.0"}
# The options that change the HTTP path, each SDK's (from the release that has them).
SDK_HISTORY_CONFIGS = {
    "lago-python-client": [("", "0"), ("retry_on_rate_limit=false", "1.46.0")],
    "lago-javascript-client": [
        ("", "0"),
        ("rateLimitRetry={}", "1.46.0"),
        # Documented in its rate_limit_fetch.d.ts; it retries all the same (rate_limit_fetch.js).
        ('rateLimitRetry={"retryOnRateLimit":false}', "1.46.0"),
    ],
}


@nox.session
def sdk_history(session: nox.Session) -> None:
    """Opt-in: the gate (strict) over every released SDK version since payment_url appeared,
    with and without the options that change the HTTP path; a table into docs/sdk-matrix.md.
    Limit it with posargs, e.g. `-- lago-python-client==1.45.0 lago-javascript-client==1.53.0`."""
    install(session)
    history = load_tests_module("sdk_history")
    chosen = [arg.split("==", 1) for arg in session.posargs if "==" in arg]
    runs: list[dict[str, Any]] = []
    for sdk, first in SDK_HISTORY_FIRST.items():
        versions = [v for name, v in chosen if name == sdk] if chosen else (
            history.newer_or_equal(released(session, sdk), first))  # fmt: skip
        for version in versions:
            runs += gate_history(session, history, sdk, version)
    where = SDK_REPORTS.parent / "sdk-history"
    rows = history.write(where, runs, Path("docs/sdk-matrix.md"))
    session.log(f"{len(runs)} runs, {len(rows)} rows: {where / 'history.json'}")


def released(session: nox.Session, sdk: str) -> list[str]:
    """The released versions of ``sdk``, as its registry lists them."""
    if sdk == "lago-javascript-client":
        out = session.run("npm", "view", sdk, "versions", "--json", external=True, silent=True)
        return [str(v) for v in json.loads(str(out))]
    # PyPI's JSON API: uv's environments have no pip, so no `pip index versions`.
    with urllib.request.urlopen(f"https://pypi.org/pypi/{sdk}/json", timeout=60) as answer:
        return [str(v) for v in json.load(answer)["releases"]]


def gate_history(
    session: nox.Session, history: Any, sdk: str, version: str
) -> list[dict[str, Any]]:
    """Gate ``sdk`` ``version`` (strict, each configuration it has), each in its own
    environment: a venv per Python release, a node_modules folder per JavaScript one."""
    command, env, note = ["lago-conformance"], {}, ""
    try:
        if sdk == "lago-javascript-client":
            env["NODE_PATH"] = str(install_js_sdk(session, version))
        else:
            venv = Path(".nox", "sdk-history", f"py-{version}").resolve()
            if not (venv / "bin" / "lago-conformance").exists():
                install_python_sdk(session, venv, sdk, version)
            if (venv / HTTPX_OVERRIDDEN).exists():
                note = "httpx 0.28 in place of its pin httpx~=0.24.0"
            command = [str(venv / "bin" / "lago-conformance")]
    except Exception as error:  # an install that fails is a row, not the end of the run
        return [{"sdk": sdk, "version": version, "configuration": "", "error": str(error)[:200]}]
    runs = []
    for configuration, since in SDK_HISTORY_CONFIGS[sdk]:
        if history.newer_or_equal([version], since) == []:
            continue
        where = SDK_REPORTS.parent / "sdk-history" / sdk / version / folder(configuration)
        option = ["--client-option", configuration] if configuration else []
        session.run(*command, "client", "--adapter", sdk, "--level", "strict", *option,
                    "--report-dir", str(where), success_codes=[0, 1, 2], env=env,
                    external=True)  # fmt: skip
        run: dict[str, Any] = {"sdk": sdk, "version": version, "configuration": configuration}
        if note:
            run["note"] = note
        try:
            report = json.loads((where / "client.json").read_text(encoding="utf-8"))
            run["findings"] = sorted(history.findings_of(report))
        except (OSError, ValueError) as error:
            run["error"] = f"no report ({error})"
        runs.append(run)
    return runs


# lago-python-client 0.56.0 to 1.6.0 pin httpx~=0.24.0 (setup.cfg, until #251 in 1.7.0); the
# suite runs an in-process adapter under respx, in the same environment, with httpx 0.28.
HTTPX_OVERRIDE = "httpx>=0.28,<1"
HTTPX_OVERRIDDEN = "httpx-overridden"


def install_python_sdk(session: nox.Session, venv: Path, sdk: str, version: str) -> None:
    """The suite and ``sdk`` ``version`` into ``venv``; where the release's httpx pin cannot
    share an environment with the suite, with httpx 0.28 in its place, and a marker saying so."""
    python = str(venv / "bin" / "python")
    session.run("uv", "venv", "-q", "--allow-existing", str(venv), external=True)
    try:
        session.run("uv", "pip", "install", "-q", "--python", python, ".", f"{sdk}=={version}",
                    external=True)  # fmt: skip
    except CommandFailed:
        overrides = venv / "overrides.txt"
        overrides.write_text(HTTPX_OVERRIDE + "\n", encoding="utf-8")
        session.run("uv", "pip", "install", "-q", "--python", python, ".", f"{sdk}=={version}",
                    "--override", str(overrides), external=True)  # fmt: skip
        (venv / HTTPX_OVERRIDDEN).write_text(HTTPX_OVERRIDE + "\n", encoding="utf-8")


def folder(configuration: str) -> str:
    """A configuration as a folder name: JSON's quotes, colons and commas become dashes."""
    return re.sub(r"[^A-Za-z0-9_.={}-]+", "-", configuration) or "default"


def version_key(version: str) -> tuple[int, ...]:
    """A release number as numbers, for comparing."""
    return tuple(int(part) for part in version.split(".")[:3] if part.isdigit())


def load_tests_module(name: str) -> Any:
    """tests/``name``.py (standard library only), loaded by its path in nox's interpreter."""
    spec = importlib.util.spec_from_file_location(name, Path("tests", f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
