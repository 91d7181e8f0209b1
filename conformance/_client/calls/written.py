"""What a client writes during a call: its log records, warnings, stdout and stderr.

In-process, for the length of one call: every log record of every logger at every level (a
logger's level and ``logging.disable`` are lifted for the call, and the records the application
would not have seen are then dropped as before), every warning, and what is written to
``sys.stdout`` and ``sys.stderr``. Over ``--command``: the command's stderr, and its stdout
beyond the outcome line. Keys leak through logs more than anywhere else.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._client.calls.call import Call

__all__ = ["captured", "command_output"]

# A record's own attributes: anything else on it came from ``extra=`` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _record_text(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a malformed call: what it holds is still written somewhere
        text = f"{record.msg!r} % {record.args!r}"
    extra = {key: value for key, value in vars(record).items() if key not in _STANDARD}
    if extra:
        text += f" extra={extra!r}"
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


@contextlib.contextmanager
def captured(call: Call) -> Iterator[None]:
    """Record into ``call.written`` every log record, warning and write to stdout or stderr."""
    is_enabled, handle = logging.Logger.isEnabledFor, logging.Logger.handle

    def every_level(self: logging.Logger, level: int) -> bool:
        return True

    def recorded(self: logging.Logger, record: logging.LogRecord) -> None:
        call.written.append((f"log record {record.levelname} of logger {record.name!r}",
                             _record_text(record)))  # fmt: skip
        if is_enabled(self, record.levelno):
            handle(self, record)

    out, err = io.StringIO(), io.StringIO()
    logging.Logger.isEnabledFor = every_level  # type: ignore[method-assign]
    logging.Logger.handle = recorded  # type: ignore[method-assign]
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            warnings.simplefilter("always")
            yield
    finally:
        logging.Logger.isEnabledFor = is_enabled  # type: ignore[method-assign]
        logging.Logger.handle = handle  # type: ignore[method-assign]
        call.written += [
            (f"warning {w.category.__name__} ({w.filename}:{w.lineno})", str(w.message))
            for w in caught
        ]
        call.written += [(name, text.getvalue()) for name, text in (("stdout", out), ("stderr", err))
                         if text.getvalue()]  # fmt: skip


def command_output(stdout: str, stderr: str) -> list[tuple[str, str]]:
    """What a command wrote beyond its outcome (the last line of stdout that is not blank)."""
    lines = stdout.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=None)
    rest = "\n".join(line for i, line in enumerate(lines) if i != last)
    written: list[tuple[str, Any]] = [("stderr", stderr)] if stderr.strip() else []
    return written + ([("stdout, beyond the outcome line", rest)] if rest.strip() else [])
