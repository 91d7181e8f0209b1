"""The public Python API: what ``conformance`` exports, and running both suites without the CLI."""

from __future__ import annotations

import importlib
import importlib.resources
import pkgutil

import pytest

import conformance
from conformance import (
    ClientOptions,
    Report,
    ServerOptions,
    UsageError,
    run_client_suite,
    run_server_suite,
)


def test_all_is_exactly_the_public_surface() -> None:
    # Names load on first use; dir() lists them all, and each resolves.
    public = {name for name in dir(conformance) if not name.startswith(("_", "@"))}
    public -= {"annotations", "importlib", "TYPE_CHECKING", "Any"}
    public -= {module.name for module in pkgutil.iter_modules(conformance.__path__)}
    assert set(conformance.__all__) == public | {"__version__"}
    for name in conformance.__all__:
        assert getattr(conformance, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'run_suite'"):
        conformance.run_suite  # noqa: B018


def test_every_module_declares_all_and_exports_what_it_names() -> None:
    for module in pkgutil.walk_packages(conformance.__path__, "conformance."):
        if module.name.endswith("__main__") or module.ispkg:
            continue
        loaded = importlib.import_module(module.name)
        assert hasattr(loaded, "__all__"), module.name
        for name in loaded.__all__:
            assert hasattr(loaded, name), f"{module.name}.{name}"


def test_the_package_is_typed() -> None:
    assert importlib.resources.files("conformance").joinpath("py.typed").is_file()


def test_the_server_suite_runs_from_python_on_the_embedded_mock() -> None:
    report = run_server_suite(ServerOptions(level="strict", seed=2, max_examples=5))
    assert isinstance(report, Report)
    assert report.subject == {"target": "embedded mock (in-process)"}
    assert report.counts()["checks"] > 50
    assert (report.conformant, report.aborted, report.exit_code) == (True, None, 0)


def test_the_server_suite_tells_which_phase_each_request_is_in() -> None:
    phases: list[str] = []
    run_server_suite(ServerOptions(max_examples=3), on_request=phases.append)
    assert list(dict.fromkeys(phases)) == [
        "preflight", "auth probes", "fixture scenarios", "vary", "consistency", "hostile ids",
        "near-misses", "credential near-misses", "other methods", "stateful", "exploration",
        "drawn requests", "property tests",
    ]  # fmt: skip
    assert phases[-1] == "consistency"


def test_the_client_suite_runs_from_python_on_a_callable() -> None:
    def swallows_errors(base_url: str, api_key: str, lago_id: str) -> dict[str, object]:
        return {"ok": True, "details": {}}

    calls: list[str] = []
    report = run_client_suite(
        ClientOptions(swallows_errors, level="documented", scenarios=("401-unauthorized",)),
        on_call=calls.append,
    )
    assert calls == ["401-unauthorized"]
    assert [f.check for f in report.findings] == ["error_fields"]
    assert report.exit_code == 1


def test_bad_options_raise_usage_errors() -> None:
    with pytest.raises(UsageError, match="must end in /api/v1"):
        run_server_suite(ServerOptions(base_url="https://lago.example.com", api_key="k"))
    with pytest.raises(UsageError, match="unknown --scenario nope"):
        run_client_suite(ClientOptions(scenarios=("nope",)))
