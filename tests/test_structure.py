"""The architecture, checked: layers, no import cycles, small modules, documented public names.

Layers, lowest first; a module may import only from its own layer or a lower one:

    ground    _version, _errors
    contract  _contract, _asgi
    report    _report
    suites    _mock, _server, _client  (peers: none imports another)
    api       _api
    cli       _cli
    fronts    pytest_plugin (uses the CLI's option types), __main__, __init__
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "conformance"
LAYERS: dict[str, int] = {
    "_version": 0, "_errors": 0,
    "_contract": 1, "_asgi": 1,
    "_report": 2,
    "_mock": 3, "_server": 3, "_client": 3,
    "_api": 4,
    "_cli": 5,
    "pytest_plugin": 6, "__init__": 6, "__main__": 6,
}  # fmt: skip
MAX_LINES = 300
MAX_MODULES_PER_FOLDER = 10
# The rooms of the two largest suites, lowest first: a room imports from its own room or a lower
# one ("" is the suite's own folder: its run, which may import any room).
ROOMS: dict[str, dict[str, int]] = {
    "_client": {"calls": 0, "judging": 1, "calling": 1, "served": 2, "": 3},
    "_server": {"transport": 0, "twin": 1, "judging": 2, "phases": 3, "": 4},
}


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _part(module: str) -> str:
    """The top-level part a module belongs to: ``conformance._server.suite`` -> ``_server``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module: str) -> set[str]:
    """The ``conformance`` modules ``module`` imports, at run time or for typing alike."""
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("conformance")
        ):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("conformance")}
    return found - {module}


MODULES = _modules()


def test_every_part_has_a_layer() -> None:
    assert {_part(module) for module in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_a_higher_layer_or_a_peer_suite(module: str) -> None:
    mine = _part(module)
    for imported in _imports(module):
        theirs = _part(imported)
        assert LAYERS[theirs] < LAYERS[mine] or theirs == mine, f"{module} imports {imported}"


def _room(module: str) -> str:
    """The room of a suite module: ``conformance._server.twin.oracle`` -> ``twin``."""
    parts = module.split(".")
    return parts[2] if len(parts) > 3 else ""


@pytest.mark.parametrize("module", [m for m in MODULES if _part(m) in ROOMS])
def test_rooms_import_one_way(module: str) -> None:
    rooms = ROOMS[_part(module)]
    assert _room(module) in rooms, f"{module} is in a room ROOMS does not name"
    for imported in _imports(module):
        if _part(imported) == _part(module):
            mine, theirs = rooms[_room(module)], rooms[_room(imported)]
            assert theirs < mine or _room(imported) == _room(module), f"{module} imports {imported}"


def test_folders_stay_small() -> None:
    folders = {path.parent for path in PACKAGE.rglob("*.py")}
    sizes = {
        folder.relative_to(PACKAGE.parent).as_posix(): len(
            [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        )
        for folder in folders
    }
    assert {f: n for f, n in sizes.items() if n > MAX_MODULES_PER_FOLDER} == {}


def test_the_import_graph_has_no_cycle() -> None:
    graph = {module: {i for i in _imports(module) if i in MODULES} for module in MODULES}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            assert state.get(imported) != "open", " -> ".join([*path, module, imported])
            if imported not in state:
                visit(imported, [*path, module])
        state[module] = "done"

    for module in MODULES:
        if module not in state:
            visit(module, [])


# Where a fresh interpreter meets the package first: `import conformance`, the console script
# (and `python -m conformance`, which imports the same module), the pytest plugin's entry point.
ENTRY_POINTS = ["conformance", "conformance._cli.main", "conformance.pytest_plugin"]
# Each module imported first among the package's: every `conformance*` entry of sys.modules is
# dropped before it, while third-party libraries stay loaded. An import cycle between our modules,
# or an import that only works after another of ours was loaded, fails as in a fresh interpreter;
# one interpreter instead of one per module saves loading schemathesis and friends ~120 times.
_IMPORT_EACH_ALONE = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] == "conformance"]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        sys.exit(f"{name}: {type(error).__name__}: {error}")
"""


def test_each_module_imports_alone() -> None:
    modules = [module for module in MODULES if not module.endswith("__main__")]
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_ALONE, *modules],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-800:]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_each_entry_point_imports_in_a_fresh_interpreter(module: str) -> None:
    # What the one interpreter above cannot see: a module that leans on a third-party submodule
    # or registration another module loaded; only entry points start from an empty interpreter.
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{module}: {result.stderr[-800:]}"


@pytest.mark.parametrize("module", MODULES)
def test_modules_stay_small(module: str) -> None:
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_every_public_name_is_documented() -> None:
    import conformance

    undocumented = []
    for name in conformance.__all__:
        value = getattr(conformance, name)
        if (inspect.isclass(value) or inspect.isfunction(value)) and not inspect.getdoc(value):
            undocumented.append(name)
        if inspect.isclass(value):
            undocumented += [
                f"{name}.{attr}"
                for attr, member in vars(value).items()
                if not attr.startswith("_") and inspect.isfunction(member) and not member.__doc__
            ]
    assert undocumented == []


def test_the_pytest_plugin_imports_nothing_heavy() -> None:
    code = "import sys, conformance.pytest_plugin; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())  # fmt: skip
    heavy = {"uvicorn", "rich", "yaml", "schemathesis", "httpx", "jsonschema_rs", "hypothesis"}
    assert loaded & heavy == set()
