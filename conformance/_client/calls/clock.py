"""The virtual clock of an in-process call: waits are counted, not waited.

During a call, ``time.sleep`` and ``asyncio.sleep`` record what the client asks for and return
at once; ``time.monotonic`` and ``time.time`` (and their ``_ns`` forms) run ahead of real time by
every wait counted so far, so a client that keeps a deadline sees the time it let pass. The
transport counts the other waits (a read timeout let expire, a slow body's gaps) with ``wait``.
``time.perf_counter`` is left alone: the harness measures real time with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._client.calls.call import Call

__all__ = ["virtual_clock", "wait"]

_REAL = {name: getattr(time, name) for name in ("monotonic", "time", "monotonic_ns", "time_ns")}


def wait(call: Call, what: str, seconds: float) -> None:
    """Count ``seconds`` of ``what`` (e.g. "read timeout") on ``call``'s virtual clock."""
    call.waited.append((what, float(seconds)))


@contextlib.contextmanager
def virtual_clock(call: Call) -> Iterator[None]:
    """Sleeps recorded and returned at once; monotonic and wall time ahead by ``call.virtual``."""
    saved_sleep, saved_async = time.sleep, asyncio.sleep

    def sleep(seconds: float) -> None:
        call.slept.append(float(seconds))

    async def async_sleep(seconds: float, result: Any = None) -> Any:
        call.slept.append(float(seconds))
        return await saved_async(0, result)

    def ahead(name: str, scale: float) -> Any:
        real = _REAL[name]
        if name.endswith("_ns"):
            return lambda: real() + int(call.virtual * scale)
        return lambda: real() + call.virtual

    time.sleep, asyncio.sleep = sleep, async_sleep  # type: ignore[assignment]
    for name in _REAL:
        setattr(time, name, ahead(name, 1e9))
    try:
        yield
    finally:
        time.sleep, asyncio.sleep = saved_sleep, saved_async
        for name, real in _REAL.items():
            setattr(time, name, real)
