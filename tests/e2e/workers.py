"""What the e2e tests that run their own workers share: topics on their private broker and
the environment a worker process gets (the shared stack's Redis and database)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configs.settings import Settings
from contract.topics import ensure_topics

REPO = Path(__file__).resolve().parents[2]


async def topics_ready(partitions: int, options: dict[str, Any]) -> None:
    """Create the Spotter topics, retrying while the fresh broker is still starting."""
    async with asyncio.timeout(30):
        while True:
            try:
                await ensure_topics(partitions, **options)
                return
            except Exception:  # noqa: BLE001 - the broker is still starting
                await asyncio.sleep(0.2)


def worker_env(settings: Settings, *, group: str, partitions: int, data_dir: Path,
               **extra: str) -> dict[str, str]:
    """Environment for ``spotter worker`` processes in a fresh consumer group ``group-…``."""
    return {**os.environ, "SPOTTER_KAFKA_URL": settings.kafka_url or "",
            "SPOTTER_REDIS_URL": settings.redis_url or "",
            "SPOTTER_DATABASE_URL": settings.resolved_database_url(),
            "SPOTTER_WORKER_ID": f"{group}-{uuid.uuid4().hex[:6]}",
            "SPOTTER_TOPIC_PARTITIONS": str(partitions), "SPOTTER_DATA_DIR": str(data_dir),
            **extra}


@dataclass
class CuttableProxy:
    """Forwards TCP from ``port`` to ``target``; ``cut`` drops every link and refuses new
    ones (what a pulled uplink looks like to the client), ``restore`` accepts again."""

    port: int
    target: int
    links: set[asyncio.StreamWriter] = field(default_factory=set)
    server: asyncio.Server | None = None

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()

    async def _link(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
                    ) -> None:
        try:
            broker_r, broker_w = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            client_w.transport.abort()
            return
        self.links |= {client_w, broker_w}
        await asyncio.gather(self._pipe(client_r, broker_w), self._pipe(broker_r, client_w))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self.links.discard(writer)


class Workers:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir, self.procs = env, log_dir, {}

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with (self.log_dir / f"{name}.log").open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=REPO,
                                    env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.procs[name] = proc
        return proc

    def instance(self, name: str) -> str:
        return f"{self.env['SPOTTER_WORKER_ID']}:{socket.gethostname()}:{self.procs[name].pid}"

    def diagnose(self) -> str:
        """Ask each live worker to print its state (streams.diagnostics), then return the
        tail of every worker's log, so a failure in CI explains itself."""
        for proc in self.procs.values():
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGUSR1)
        time.sleep(1.0)
        tails = []
        for name in self.procs:
            text = (self.log_dir / f"{name}.log").read_text(errors="replace")
            tails.append(f"===== worker {name} (last 12000 chars) =====\n{text[-12000:]}")
        return "\n".join(tails)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
