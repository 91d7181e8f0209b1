"""The official JavaScript SDK (npm ``lago-javascript-client``), driven by a Node script shipped here.

The script (``node/lago_javascript_client.mjs``) runs over the command transport: it makes one
``Client(key, {baseUrl}).invoices.invoicePaymentUrl(id)`` call and prints the outcome. Loading
it probes, once, that Node is there and where the SDK resolves from the current directory or
``NODE_PATH``, as the script will when it runs.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conformance._errors import UsageError

__all__ = ["JS_SDK", "SCRIPT", "NodeSdk", "probe_js_sdk"]

JS_SDK = "lago-javascript-client"
SCRIPT = Path(__file__).resolve().parent / "node" / "lago_javascript_client.mjs"
MIN_NODE = 18  # the first Node with a global fetch, which the SDK calls
_PROBE_TIMEOUT = 60.0
_NOT_INSTALLED = (
    f"--adapter {JS_SDK}: the SDK is not installed; run `npm install {JS_SDK}` in this directory, "
    "or set NODE_PATH to a node_modules folder that has it"
)


@dataclass(frozen=True)
class NodeSdk:
    """The SDK as the script will load it: the command to run, its version, where it lives."""

    command: str
    version: str
    node: str
    root: str


def _need_node(found: str = "") -> UsageError:
    seen = f" (found {found})" if found else ""
    return UsageError(
        f"--adapter {JS_SDK}: Node.js {MIN_NODE} or newer is needed{seen}; "
        "install it (e.g. apt install nodejs)"
    )


def _node_major(version: str) -> int:
    head = version.lstrip("v").partition(".")[0]
    return int(head) if head.isdigit() else 0


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        stdin=subprocess.DEVNULL,
        timeout=_PROBE_TIMEOUT,
        check=False,
    )


def _why(result: subprocess.CompletedProcess[str]) -> str:
    """The error line of Node's stderr (it ends with a stack and its version), else its last line."""
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]*(Error|Exception)\b", line)]
    return (errors or lines or [f"exit status {result.returncode}, no output"])[0][:300]


def probe_js_sdk() -> NodeSdk:
    """Where the SDK resolves and its version; a one-line ``UsageError`` when it cannot run."""
    node = shutil.which("node")
    if node is None:
        raise _need_node()
    try:
        result = _run([node, str(SCRIPT), "--probe"])
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UsageError(f"--adapter {JS_SDK}: running {node} failed: {error}") from None
    try:
        found = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        found = None
    if result.returncode != 0 or not isinstance(found, dict):
        try:
            version = _run([node, "--version"]).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            version = ""
        if _node_major(version) < MIN_NODE:
            raise _need_node(version or "an unknown version")
        raise UsageError(f"--adapter {JS_SDK}: {node} failed to run {SCRIPT.name}: {_why(result)}")
    if _node_major(str(found.get("node", ""))) < MIN_NODE:
        raise _need_node(f"v{found.get('node')}")
    if "error" in found:
        why = (str(found["error"]).splitlines() or [""])[0][:300]
        raise UsageError(f"--adapter {JS_SDK}: importing the SDK failed: {why}")
    sdk = found.get("sdk")
    if not isinstance(sdk, dict):
        raise UsageError(_NOT_INSTALLED)
    if not sdk.get("callable"):
        raise UsageError(
            f"--adapter {JS_SDK}: the SDK at {sdk.get('root')} has no "
            "Client(...).invoices.invoicePaymentUrl; install a release that has it"
        )
    # npm publishes "1.53.0" from a package.json that says "v1.53.0": report npm's spelling.
    version = str(sdk.get("version") or "").removeprefix("v") or "unknown"
    return NodeSdk(
        f"{shlex.quote(node)} {shlex.quote(str(SCRIPT))}",
        version,
        str(found["node"]),
        str(sdk["root"]),
    )
