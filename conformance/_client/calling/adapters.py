"""How a client plugs in: a built-in adapter, a ``module:attr`` callable, or a command."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance._client.calling.js_adapter import JS_SDK, probe_js_sdk
from conformance._client.calling.reference import reference_adapter
from conformance._client.calls.outcome import failure, success
from conformance._errors import UsageError
from conformance._version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._client.calls.outcome import Outcome

__all__ = [
    "BUILT_INS",
    "Subject",
    "command_subject",
    "declared",
    "lago_python_client_adapter",
    "load_adapter",
]

SDK = "lago-python-client"


@dataclass(frozen=True)
class Subject:
    """The client under test: how to call it, and what it is."""

    name: str
    version: str | None
    call: Callable[[str, str, str], Any] | None = None
    command: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # It takes no base URL and uses its own default (in-process: called with None).
    default_base_url: bool = False
    # The retries its configuration allows (its documented option), when it was told.
    allowed_retries: int | None = None
    # Its configuration, as given on the command line (NAME=VALUE), for reports.
    configuration: tuple[str, ...] = ()

    @property
    def transport(self) -> str:
        """``in-process (respx)`` for Python adapters, ``http`` for commands."""
        return "http" if self.command is not None else "in-process (respx)"

    def identity(self) -> dict[str, str]:
        """What reports say about the client."""
        return {
            "adapter": self.name,
            "version": self.version or "unknown",
            "transport": self.transport,
            **({"configuration": " ".join(self.configuration)} if self.configuration else {}),
            **self.extra,
        }


def lago_python_client_adapter(
    base_url: str | None, api_key: str, lago_id: str, **options: Any
) -> Outcome:
    """The official SDK: ``Client(...).invoices.payment_url(id)`` returns the URL, nothing else;
    ``options`` are the Client's own (max_retries, retry_on_rate_limit); no base URL: its own."""
    import httpx
    from lago_python_client.client import Client
    from lago_python_client.exceptions import LagoApiError

    if base_url is None:
        client = Client(api_key=api_key, **options)
    else:
        # The SDK takes the API's root and joins "api/v1/" to it (the root must end in "/").
        root = base_url.rstrip("/")
        if not root.endswith("/api/v1"):
            raise ValueError(
                f"the SDK appends /api/v1 itself; base URL {base_url!r} must end with it"
            )
        client = Client(api_key=api_key, api_url=root.removesuffix("api/v1"), **options)
    try:
        url = client.invoices.payment_url(lago_id)
    except LagoApiError as error:
        body = error.response if isinstance(error.response, dict) else {}
        code, details = body.get("code"), body.get("error_details")
        return failure(
            error.status_code,
            code if isinstance(code, str) else None,
            details if isinstance(details, dict) else None,
            str(error),  # what a user sees: the exception's message
        )
    except httpx.HTTPError as error:  # the SDK lets httpx's errors through
        return failure(None, message=f"{type(error).__name__}: {error}")
    return success({"payment_url": url})


def declared(subject: Subject) -> Subject:
    """``subject`` (a Python adapter) with what its callable declares: ``default_base_url =
    True`` (call me with None for my own default), ``allowed_retries`` (what I was told)."""
    default = getattr(subject.call, "default_base_url", False) is True
    allowed = getattr(subject.call, "allowed_retries", None)
    allowed = allowed if isinstance(allowed, int) and not isinstance(allowed, bool) else None
    return dataclasses.replace(subject, default_base_url=default, allowed_retries=allowed)


def _sdk_version() -> str | None:
    try:
        return importlib.metadata.version(SDK)
    except importlib.metadata.PackageNotFoundError:
        return None


# Each built-in name and its in-process callable; None: it runs as a command (Node, over HTTP).
BUILT_INS: dict[str, Callable[..., Any] | None] = {
    "reference": reference_adapter,
    SDK: lago_python_client_adapter,
    JS_SDK: None,
}


def _module_version(module_name: str) -> str | None:
    top = module_name.partition(".")[0]
    for dist in importlib.metadata.packages_distributions().get(top, []):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    version = getattr(sys.modules.get(module_name), "__version__", None)
    return version if isinstance(version, str) else None


def _built_in(spec: str) -> Subject:
    if spec == "reference":
        return Subject(spec, __version__, reference_adapter, default_base_url=True)
    if spec == SDK:
        version = _sdk_version()
        if version is None:
            raise UsageError(
                f"--adapter {SDK}: the SDK is not installed; pip install 'lago-conformance[sdk]'"
            )
        return Subject(spec, version, lago_python_client_adapter, default_base_url=True)
    sdk = probe_js_sdk()
    extra = {"node": sdk.node, "sdk_path": sdk.root}
    return Subject(spec, sdk.version, command=sdk.command, extra=extra, default_base_url=True)


def load_adapter(spec: str) -> Subject:
    """The adapter named ``spec``: a built-in name or ``module:attr``; a ``UsageError`` otherwise.

    ``lago-javascript-client`` is a command subject: Node runs the SDK against a local server.
    """
    if spec in (*BUILT_INS, JS_SDK):
        return _built_in(spec)
    module_name, colon, attr = spec.partition(":")
    if not colon or not module_name or not attr:
        names = ", ".join(BUILT_INS)
        raise UsageError(f"--adapter {spec!r} is neither a built-in ({names}) nor module:attr")
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)  # adapters usually live next to where the command runs
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise UsageError(
                f"--adapter {spec!r}: no module named {module_name!r}; check the name and that it is importable"
            ) from None
        raise UsageError(f"--adapter {spec!r}: importing {module_name!r} failed: {error}") from None
    except Exception as error:
        message = str(error).splitlines()[0] if str(error) else ""
        raise UsageError(
            f"--adapter {spec!r}: importing {module_name!r} failed: {type(error).__name__}: {message}"
        ) from None
    call = getattr(module, attr, None)
    if call is None:
        raise UsageError(f"--adapter {spec!r}: module {module_name!r} has no attribute {attr!r}")
    if not callable(call):
        raise UsageError(
            f"--adapter {spec!r}: {attr!r} is not callable; it must be payment_url(base_url, api_key, lago_id)"
        )
    return declared(Subject(spec, _module_version(module_name), call))


def _runnable(program: str) -> bool:
    if shutil.which(program) is not None:
        return True
    # A shell builtin or keyword (cd, exec, exit, ...) runs too: ask the shell that will run it.
    probe = ["sh", "-c", 'command -v "$1" >/dev/null', "sh", program]
    return subprocess.run(probe, check=False, timeout=10).returncode == 0


def command_subject(command: str) -> Subject:
    """A command adapter; a ``UsageError`` if it is empty or its program cannot be found."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise UsageError(f"--command {command!r} cannot be parsed: {error}") from None
    if not words:
        raise UsageError(
            "--command is empty; give the command that makes one call, e.g. --command './client.sh'"
        )
    program = words[0]
    if "=" not in program and not _runnable(program):
        raise UsageError(
            f"--command: program {program!r} not found or not executable; check PATH or the path"
        )
    return Subject("command", None, command=command, extra={"command": command})
