from __future__ import annotations

import importlib
import importlib.resources
import pkgutil

import conformance


def test_all_is_exactly_the_public_surface() -> None:
    # `annotations` is the __future__ import; `@py_*` are pytest's assertion rewriting helpers
    # (the package holds a pytest plugin, so pytest rewrites it).
    public = {
        name
        for name in vars(conformance)
        if not name.startswith(("_", "@")) and name != "annotations"
    } - {module.name for module in pkgutil.iter_modules(conformance.__path__)}
    assert set(conformance.__all__) == public | {"__version__"}


def test_every_module_declares_all_and_exports_what_it_names() -> None:
    for module in pkgutil.iter_modules(conformance.__path__):
        if module.name == "__main__":
            continue
        loaded = importlib.import_module(f"conformance.{module.name}")
        assert hasattr(loaded, "__all__"), module.name
        for name in loaded.__all__:
            assert hasattr(loaded, name), f"{module.name}.{name}"


def test_the_package_is_typed() -> None:
    assert importlib.resources.files("conformance").joinpath("py.typed").is_file()
