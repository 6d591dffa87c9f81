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
    test runners and CLIs that swap stderr must not leave loggers writing to a closed file."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def _current_stderr_logger(*_args: object) -> _CurrentStderr:
    return _CurrentStderr()
