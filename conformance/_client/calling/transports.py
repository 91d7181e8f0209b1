"""The two ways a scenario reaches a client: respx in-process, or a real local server for a command."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from typing import TYPE_CHECKING, Any

import httpx
import respx

from conformance._client.calling.fault_server import closed_port
from conformance._client.calls.answers import Answer
from conformance._client.calls.call import (
    API_KEY,
    CRASHED,
    HANG_BOUND_SECONDS,
    OTHER_ORIGIN,
    RUNAWAY_LIMIT,
    Call,
    Fault,
    SentRequest,
    origin_of,
    resolve,
)
from conformance._client.calls.clock import virtual_clock, wait
from conformance._client.calls.outcome import outcome_problems
from conformance._client.calls.written import captured, command_output

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conformance._client.calling.fault_server import FaultServer
    from conformance._client.calls.call import Serve

__all__ = ["call_command", "call_in_process"]


class _Stopped(BaseException):
    """Raised into a client the harness stops: not an Exception, so clients cannot swallow it."""


def _no_network(*args: object, **kwargs: object) -> Any:
    raise OSError("lago-conformance: in-process adapters must call through httpx; use --command")


@contextlib.contextmanager
def _sockets_blocked() -> Iterator[None]:
    """respx answers httpx without sockets; anything else must not reach a real network."""
    saved = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    socket.socket.connect = socket.socket.connect_ex = _no_network  # type: ignore[method-assign]
    socket.getaddrinfo = _no_network
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = saved  # type: ignore[method-assign]


_TLS: dict[tuple[object, ...], Any] = {}


@contextlib.contextmanager
def _tls_shared() -> Iterator[None]:
    """Each httpx client a call builds gets a shared TLS context: respx answers without TLS, and
    building one costs 25 ms, which a client calling ``httpx.post`` pays on every call."""
    module: Any = getattr(httpx, "_transports", None)
    default: Any = getattr(module, "default", None)
    real = getattr(default, "create_ssl_context", None)
    if real is None:  # pragma: no cover - another httpx: nothing to share
        yield
        return

    def shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if cert is not None or not isinstance(verify, (bool, str)):
            return real(verify=verify, cert=cert, trust_env=trust_env)
        key = (verify, trust_env)
        if key not in _TLS:
            _TLS[key] = real(verify=verify, cert=cert, trust_env=trust_env)
        return _TLS[key]

    default.create_ssl_context = shared
    try:
        yield
    finally:
        default.create_ssl_context = real


def _settle(call: Call, value: object) -> None:
    problems = outcome_problems(value)
    if problems:
        call.error = (
            f"the adapter returned an invalid outcome ({'; '.join(problems)}): {value!r:.300}"
        )
    else:
        call.outcome = value  # type: ignore[assignment]


class _AnswerStream(httpx.SyncByteStream):
    """A generated answer's body: in pieces, slow ones counted on the virtual clock, or cut."""

    def __init__(self, call: Call, answer: Answer, body: bytes, request: httpx.Request) -> None:
        self.call, self.answer, self.body, self.request = call, answer, body, request

    def __iter__(self) -> Iterator[bytes]:
        answer, pieces = self.answer, self.answer.split(self.body)
        if answer.transport in ("cut", "reset"):
            yield self.body[: len(self.body) // 2]
            if answer.transport == "cut":
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body",
                    request=self.request,
                )
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=self.request)
        for piece in pieces:
            if answer.transport == "slow":
                read = self.request.extensions.get("timeout", {}).get("read")
                if read is not None and answer.gap > read:
                    wait(self.call, "read timeout", read)
                    raise httpx.ReadTimeout("timed out", request=self.request)
                wait(self.call, "slow body", answer.gap)
            yield piece


def _answered(call: Call, answer: Answer, request: httpx.Request) -> httpx.Response:
    answer = answer.resolved(time.time())
    headers, body = answer.wire(request.headers.get("accept-encoding", ""))
    if answer.framing == "chunked":
        headers.append(("transfer-encoding", "chunked"))
    else:
        headers.append(("content-length", str(len(body))))
    stream = _AnswerStream(call, answer, body, request)
    return httpx.Response(answer.status, headers=headers, stream=stream)


def call_in_process(
    adapter: Callable[..., Any],
    serves: tuple[Serve, ...],
    base_url: str,
    lago_id: str,
    *,
    given: bool = True,
) -> Call:
    """Call the Python ``adapter`` with every httpx request answered by respx from ``serves``;
    ``given``: it gets ``base_url``, else None (its own default, which respx answers too)."""
    call = Call(base_url, lago_id)
    serves = tuple(resolve(serve, origin_of(base_url), OTHER_ORIGIN) for serve in serves)

    def answer(request: httpx.Request) -> httpx.Response:
        call.requests.append(
            SentRequest(
                request.method, str(request.url), dict(request.headers), request.read(),
                time.time(),  # the virtual clock's: the sleeps asked for count
            )
        )  # fmt: skip
        if len(call.requests) > RUNAWAY_LIMIT:
            call.error = f"the client kept sending requests: stopped after {RUNAWAY_LIMIT}"
            raise _Stopped
        serve = serves[min(len(call.requests), len(serves)) - 1]
        call.served.append(serve)
        if isinstance(serve, Answer):
            return _answered(call, serve, request)
        if not isinstance(serve, Fault):
            return httpx.Response(serve.status, headers=serve.all_headers(), content=serve.body)
        if serve.kind == "refuse":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if serve.kind == "reset":
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        if serve.kind == "trickle":  # pragma: no cover - such scenarios run over HTTP only
            call.error = "a trickling body needs real time: it is served over --command only"
            raise _Stopped
        read = request.extensions.get("timeout", {}).get("read")
        if read is None or read > HANG_BOUND_SECONDS:
            waits = "forever (no read timeout)" if read is None else f"{read:g} s"
            call.error = f"the client would wait {waits} for a server that never answers; the bound is {HANG_BOUND_SECONDS:g} s"
            raise _Stopped
        wait(call, "read timeout", read)
        raise httpx.ReadTimeout("timed out", request=request)

    start = time.perf_counter()
    with (
        _sockets_blocked(),
        _tls_shared(),
        virtual_clock(call),
        captured(call),
        respx.mock(assert_all_called=False, assert_all_mocked=True) as router,
    ):
        router.route().mock(side_effect=answer)
        try:
            value = adapter(base_url if given else None, API_KEY, lago_id)
        except _Stopped:
            value = None
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the client crashed: a finding, not a harness error
            call.error = f"{CRASHED}{type(error).__name__}: {error}"
            value = None
    call.seconds = time.perf_counter() - start
    if call.error is None:
        _settle(call, value)
    return call


def _kill(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def call_command(
    command: str,
    server: FaultServer,
    *,
    serves: tuple[Serve, ...],
    path_prefix: str,
    lago_id: str,
    timeout: float,
    given: bool = True,
) -> Call:
    """Run ``command`` once against ``server`` serving ``serves``; kill it past ``timeout``.
    ``given``: ``LAGO_API_URL`` names the server; else it is empty and the documented servers'
    requests reach ``server`` through the command's own interception (the JavaScript runner's)."""
    refused = any(isinstance(serve, Fault) and serve.kind == "refuse" for serve in serves)
    origin = f"http://127.0.0.1:{closed_port()}" if refused else server.origin
    call = Call(origin + path_prefix, lago_id)
    server.plan(serves if not refused else (), call)
    if refused:
        call.served.extend(serves)
    env = {
        **os.environ,
        "LAGO_API_URL": call.base_url if given else "",
        "LAGO_API_KEY": API_KEY,
        "LAGO_INVOICE_ID": lago_id,
    }
    if not given:
        env["LAGO_CONFORMANCE_ORIGIN"] = origin
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        shell=True,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,  # its own process group, so a kill reaches its children too
    )
    deadline = start + timeout
    while True:
        try:
            stdout, stderr = process.communicate(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            if len(call.requests) > RUNAWAY_LIMIT:
                call.error = f"the client kept sending requests: killed after {len(call.requests)}"
            elif time.perf_counter() > deadline:
                call.error = f"the command did not finish within {timeout:g} s and was killed"
            else:
                continue
            _kill(process)
            stdout, stderr = process.communicate()
            break
    call.seconds = time.perf_counter() - start
    server.plan((), Call("", ""))
    call.written = command_output(stdout, stderr)
    if call.error is not None:
        return call
    tail = stderr.strip()[-300:]
    if process.returncode != 0:
        call.error = f"the command exited with status {process.returncode}" + (
            f": {tail}" if tail else ""
        )
        return call
    # JSON may hold U+0085 or U+2028 raw: only "\n" ends a line.
    lines = [line for line in stdout.split("\n") if line.strip()]
    try:
        value = json.loads(lines[-1])
    except (IndexError, ValueError):
        call.error = f"the command printed no JSON outcome (stdout: {stdout.strip()[:200]!r})"
        return call
    _settle(call, value)
    return call
