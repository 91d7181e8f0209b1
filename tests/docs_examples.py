"""Running or checking the examples of the README and the docs, one runner per language.

Console commands parse with the real parsers (and name real nox sessions and pytest options),
Python runs (on a small example budget, Lago answered by the mock through respx), TOML loads as
fixtures or a baseline, YAML workflows use only the action's inputs and parse their
``lago-conformance`` command lines.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib.util
import io
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx
import yaml

import conformance
from conformance._cli.main import _build_parser
from conformance._contract.fixtures import parse_fixtures
from conformance._contract.request import Request
from conformance._mock.app import LagoMock
from tests.test_pytest_plugin import TEST_FILE

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)


def hooks() -> Any:
    """docs/hooks.py, the MkDocs hook module, loaded as MkDocs loads it: by its path."""
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def blocks() -> Iterator[Any]:
    for page in PAGES:
        for number, match in enumerate(_FENCE.finditer(page.read_text(encoding="utf-8")), 1):
            name = f"{page.relative_to(ROOT)}#{number}-{match.group(1) or 'text'}"
            yield pytest.param(match.group(1), match.group(2), id=name)


def nox_sessions() -> set[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("nox.session" in ast.unparse(d) or "nox.parametrize" in ast.unparse(d)
                for d in node.decorator_list)
    }  # fmt: skip


def pytest_option_names() -> set[str]:
    recorder = hooks()._Options()
    from conformance.pytest_plugin import pytest_addoption

    pytest_addoption(recorder)
    return {cell.strip("`").split()[0] for row in recorder.rows for cell in row[0].split(", ")}


def check_command(line: str) -> None:
    """One command line as the docs show it: it must be one the tools accept."""
    for command in re.split(r"\s&&\s", line):
        words = shlex.split(command, comments=True)
        for stop in (">", "|"):
            words = words[: words.index(stop)] if stop in words else words
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words = words[1:]  # VAR=value before a command
        if not words:
            continue
        program, *args = words
        if program == "lago-conformance":
            try:
                _build_parser().parse_args(args)
            except SystemExit as error:
                pytest.fail(f"`{command}` does not parse (exit {error.code})")
        elif program == "nox":
            sessions = [args[i + 1] for i, arg in enumerate(args) if arg == "-s"]
            assert set(sessions) <= nox_sessions(), command
        elif program == "pytest":
            options = {arg.split("=")[0] for arg in args if arg.startswith("--lago")}
            assert options <= pytest_option_names(), command
        elif program == "curl":
            assert "http://127.0.0.1:" in command, f"a curl example must target the mock: {command}"
        else:
            assert program in {"export", "python3", "pip", "npm"}, f"unchecked command: {command}"
            if program == "python3":
                assert args[:3] == ["-m", "pip", "install"], command


def run_console(text: str) -> None:
    lines = text.replace("\\\n", " ").splitlines()  # a line continued with a backslash
    prompted = [line[2:] for line in lines if line.startswith("$ ")]
    for line in prompted or lines:  # a block without prompts is commands only
        check_command(line)


@contextlib.contextmanager
def cheap_suites(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Python API's suites, on 3 generated examples instead of the default budget."""
    real_server, real_client = conformance.run_server_suite, conformance.run_client_suite

    def server(options: Any, **kwargs: Any) -> Any:
        return real_server(dataclasses.replace(options, max_examples=3), **kwargs)

    def client(options: Any, **kwargs: Any) -> Any:
        return real_client(dataclasses.replace(options, max_examples=3), **kwargs)

    monkeypatch.setattr(conformance, "run_server_suite", server)
    monkeypatch.setattr(conformance, "run_client_suite", client)
    yield


def lago_answers(mock: LagoMock) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        wire = Request.of(
            request.method, request.url.raw_path.decode(), request.headers.get("authorization")
        )
        reply = mock.respond(wire)
        return httpx.Response(reply.status, content=reply.body, headers=list(reply.all_headers()))

    return answer


def run_python(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if text.startswith("# test_lago.py"):
        # tests/test_pytest_plugin.py runs this very file through pytest.
        assert text.split("\n", 1)[1].strip() == TEST_FILE.strip()
        return
    tree = ast.parse(text)
    expected = re.search(r"^# (\[.*)$", text, re.M)
    last = tree.body.pop() if expected and isinstance(tree.body[-1], ast.Expr) else None
    assert last is None or isinstance(last, ast.Expr)
    mock = LagoMock(api_key="docs-example-key")
    namespace: dict[str, Any] = {
        "api_key": mock.api_key,
        "invoice_id": mock.fixtures.get("payable"),
    }
    out = io.StringIO()
    with (
        cheap_suites(monkeypatch),
        respx.mock(assert_all_called=False) as router,
        contextlib.redirect_stdout(out),
    ):
        router.route().mock(side_effect=lago_answers(mock))
        exec(compile(tree, "<docs example>", "exec"), namespace)
        value = (
            eval(compile(ast.Expression(last.value), "<docs>", "eval"), namespace) if last else None
        )
    if expected and last:
        shown = expected.group(1)
        if shown.endswith(", ...]"):
            assert repr(value).startswith(shown[: -len(", ...]")]), repr(value)
        else:
            assert repr(value) == shown
    if "report.counts()" in text:
        assert out.getvalue().startswith("True {'checks': "), out.getvalue()[:200]
    if "client.payment_url(" in text:
        assert namespace["details"].payment_url.startswith("https://")


def run_toml(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "[invoices]" in text:
        assert parse_fixtures(text, "the docs").get("payable") is not None
        return
    from conformance._cli.options import baseline_option

    assert "[[accept]]" in text
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # 2026-09-21: the dates stay ahead
    (tmp_path / "baseline.toml").write_text(text, encoding="utf-8")
    baseline = baseline_option(tmp_path / "baseline.toml")
    assert baseline is not None
    assert baseline.entries


def run_yaml(text: str) -> None:
    data = yaml.safe_load(text)
    jobs = data.get("jobs", {}).values() if isinstance(data, dict) else [{"steps": data}]
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"])
    for step in (step for job in jobs for step in job["steps"]):
        if "lago-conformance@" in step.get("uses", ""):
            assert set(step["with"]) <= inputs, step
        for line in str(step.get("run", "")).splitlines():
            if line.startswith(("lago-conformance ", "nox ")):
                check_command(line)
