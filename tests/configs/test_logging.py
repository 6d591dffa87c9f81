"""Log lines keep their own level, also behind the Faust worker's stderr proxy (mode's
FileLogProxy logs every write at WARNING: our info lines used to read ``[WARNING]``)."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
import structlog
from mode.utils.logging import FileLogProxy

from configs.logging import configure_logging


@pytest.fixture
def records() -> list[logging.LogRecord]:
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger("test.worker.stderr")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = Keep()
    logger.addHandler(handler)
    yield seen
    logger.removeHandler(handler)


@pytest.mark.parametrize(("method", "level"), [
    ("info", logging.INFO), ("warning", logging.WARNING), ("error", logging.ERROR),
])
def test_behind_the_workers_stderr_proxy_a_line_keeps_its_level(
        monkeypatch: pytest.MonkeyPatch, records: list[logging.LogRecord], method: str,
        level: int) -> None:
    proxy = FileLogProxy(logging.getLogger("test.worker.stderr"), severity="WARNING")
    monkeypatch.setattr(sys, "stderr", proxy)
    configure_logging()
    getattr(structlog.get_logger("x"), method)("worker joined its group", partitions=[0, 1])
    assert [r.levelno for r in records] == [level]
    line = json.loads(records[0].getMessage())
    assert line["event"] == "worker joined its group" and line["level"] == method


def test_on_a_plain_stream_lines_are_written_as_they_are(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging()
    structlog.get_logger("x").info("api healthy", port=8000)
    line = json.loads(stream.getvalue())
    assert line["event"] == "api healthy" and line["level"] == "info" and line["port"] == 8000


def test_lines_below_the_configured_level_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging(logging.WARNING)
    structlog.get_logger("x").info("quiet")
    assert stream.getvalue() == ""
    configure_logging()
