"""The client suite's options, and the reproduction line a finding carries."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance._client.calls.call import COMMAND_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Callable

    from conformance._client.calling.adapters import Subject
    from conformance._contract.levels import FailOn, Level
    from conformance._contract.spec import Spec
    from conformance._report.baseline import Baseline

__all__ = ["ClientOptions", "reproduce_line"]


@dataclass(frozen=True)
class ClientOptions:
    """Which client to judge and how: a Python adapter (a built-in name, ``module:attr`` or a
    callable ``payment_url(base_url, api_key, lago_id) -> outcome``) or a ``command``."""

    adapter: str | Callable[[str, str, str], Any] = "reference"
    command: str | None = None
    # The built-in adapter's SDK options, each NAME=VALUE (configs.py).
    client_options: tuple[str, ...] = ()
    level: Level = "strict"
    fail_on: FailOn = "must"
    seed: int = 0
    max_examples: int = 100
    scenarios: tuple[str, ...] = ()
    timeout: float = COMMAND_TIMEOUT
    # Scenarios run at once for a command (each with its own server); None: one per core.
    # In-process adapters run one at a time: respx patches httpx for the whole process.
    jobs: int | None = None
    spec: Spec | None = None  # None: the bundled contract
    # Accepted findings, applied to the report by run_*_suite (None: none accepted).
    baseline: Baseline | None = None
    # Generated answers (the "generated" scenario): how many cases; None: the default for the
    # transport (explore.DEFAULT_EXPLORE in-process, DEFAULT_EXPLORE_COMMAND over a command).
    explore: int | None = None
    # A case file (--replay): run that one case, and nothing else.
    replay: str | None = None
    # Where the command line writes the failing cases (client-case-N.json): the report directory.
    case_dir: str | None = None

    def jobs_for(self, subject: Subject) -> int:
        """How many scenarios run at once for ``subject``."""
        if subject.command is None:
            return 1
        return max(1, self.jobs if self.jobs is not None else (os.cpu_count() or 1))


def reproduce_line(subject: Subject, options: ClientOptions, scenario: str, extra: str = "") -> str:
    """The command line that runs ``scenario`` again (``extra``: its own options)."""
    # A built-in adapter that runs as a command (lago-javascript-client) is named, not spelled out.
    how = (
        f"--command {shlex.quote(subject.command)}"
        if subject.command and subject.name == "command"
        else f"--adapter {shlex.quote(subject.name)}"
    )
    line = f"lago-conformance client {how} --level {options.level}"
    line += "".join(f" --client-option {shlex.quote(item)}" for item in options.client_options)
    if extra.startswith("--replay"):
        return f"{line} {extra}"
    line += f" --seed {options.seed} --scenario {scenario}"
    if scenario == "200-generated":
        line += f" --max-examples {options.max_examples}"
    spec = f" --spec {shlex.quote(options.spec.path)}" if options.spec else ""
    return line + (f" {extra}" if extra else "") + spec
