"""The built-in adapters as their users configure them: each SDK's documented options.

``--client-option NAME=VALUE`` (repeatable) sets one option of the built-in adapter:

- ``reference``: ``max_retries`` (0 or more), ``timeout`` (seconds);
- ``lago-python-client``: ``max_retries`` and ``retry_on_rate_limit`` (``Client(...)``'s own);
- ``lago-javascript-client``: ``rateLimitRetry``, a JSON object (``Client(key, {rateLimitRetry})``:
  ``maxRetries``, ``retryOnRateLimit``, ``maxRetryDelay``), handed to the Node runner as
  ``LAGO_CLIENT_OPTIONS``.

Each configuration says how many retries it allows, where it says so: ``retries_as_configured``
holds the client to it (told not to retry, one request).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import shlex
from typing import TYPE_CHECKING, Any

from conformance._errors import UsageError

if TYPE_CHECKING:
    from conformance._client.calling.adapters import Subject

__all__ = ["OPTIONS", "configured"]

# Each built-in's options, and how a value is read.
OPTIONS: dict[str, dict[str, str]] = {
    "reference": {"max_retries": "int", "timeout": "float"},
    "lago-python-client": {"max_retries": "int", "retry_on_rate_limit": "bool"},
    "lago-javascript-client": {"rateLimitRetry": "json"},
}
# The JavaScript SDK's rateLimitFetch: 3 retries unless told otherwise (rate_limit_fetch.js).
_JS_DEFAULT_RETRIES = 3


def _value(adapter: str, name: str, kind: str, raw: str) -> Any:
    try:
        if kind == "int" and raw.isdigit():
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool" and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        if kind == "json" and isinstance(value := json.loads(raw), dict):
            return value
    except ValueError:
        pass
    expected = {"int": "a whole number such as 3", "float": "a number such as 2.5",
                "bool": "true or false", "json": 'a JSON object such as {"retryOnRateLimit":false}'}  # fmt: skip
    raise UsageError(f"--client-option {name}={raw!r} for {adapter}: expected {expected[kind]}")


def _parsed(adapter: str, given: tuple[str, ...]) -> dict[str, Any]:
    known, options = OPTIONS[adapter], {}
    for item in given:
        name, equals, raw = item.partition("=")
        if not equals or name not in known:
            names = ", ".join(known) or "none"
            raise UsageError(
                f"--client-option {item!r}: {adapter} takes NAME=VALUE with NAME one of {names}"
            )
        options[name] = _value(adapter, name, known[name], raw)
    return options


def _allowed(adapter: str, options: dict[str, Any]) -> int | None:
    if adapter == "lago-javascript-client":
        retry = options.get("rateLimitRetry")
        if retry is None:
            return None
        if retry.get("retryOnRateLimit") is False:
            return 0
        return int(retry.get("maxRetries", _JS_DEFAULT_RETRIES))
    if options.get("retry_on_rate_limit") is False:
        return 0
    return options.get("max_retries")


def configured(adapter: str, subject: Subject, given: tuple[str, ...]) -> Subject:
    """``subject`` (the built-in ``adapter``) with the options ``given`` as NAME=VALUE."""
    if not given:
        return subject
    options = _parsed(adapter, given)
    changes: dict[str, Any] = {
        "allowed_retries": _allowed(adapter, options),
        "configuration": given,
    }
    if subject.call is not None:
        call = functools.partial(subject.call, **options)
        changes["call"] = functools.update_wrapper(call, subject.call)
    elif subject.command is not None:
        env = shlex.quote(json.dumps(options, separators=(",", ":")))
        changes["command"] = f"LAGO_CLIENT_OPTIONS={env} {subject.command}"
    return dataclasses.replace(subject, **changes)
