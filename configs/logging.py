"""Structured logs (structlog) for every process: JSON when not on a terminal.

Tracebacks are rendered as one plain string field: structlog's default pretty
exception formatter walks frame locals, which costs seconds per error on a small box
and can print secrets held in locals.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: int = logging.INFO) -> None:
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
        if sys.stderr.isatty() else structlog.processors.JSONRenderer()
    )
    processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
    ]
    if not sys.stderr.isatty():
        processors.append(structlog.processors.format_exc_info)
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_current_stderr_logger,
    )


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the time of the call, not at configure time:
    test runners and CLIs that swap stderr must not leave loggers writing to a closed file.

    The Faust worker swaps stderr for a proxy that logs every write at WARNING (mode's
    ``FileLogProxy``, ``redirect_stdouts_level``), which tagged each of our info lines
    ``[WARNING]`` in the worker log. Behind such a proxy a line goes to the proxy's logger
    at its own level instead."""

    def _write(self, level: int, message: str) -> None:
        stream = sys.stderr
        proxied = getattr(stream, "logger", None)
        if isinstance(proxied, logging.Logger):
            proxied.log(level, message)
            return
        print(message, file=stream, flush=True)

    def debug(self, message: str) -> None:
        self._write(logging.DEBUG, message)

    def info(self, message: str) -> None:
        self._write(logging.INFO, message)

    def warning(self, message: str) -> None:
        self._write(logging.WARNING, message)

    def error(self, message: str) -> None:
        self._write(logging.ERROR, message)

    def critical(self, message: str) -> None:
        self._write(logging.CRITICAL, message)

    msg = log = info
    warn = warning
    exception = error
    fatal = critical


def _current_stderr_logger(*_args: object) -> _CurrentStderr:
    return _CurrentStderr()
