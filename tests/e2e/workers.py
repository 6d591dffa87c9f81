"""What the e2e tests that run their own workers share: topics on their private broker and
the environment a worker process gets (the shared stack's Redis and database)."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

from configs.settings import Settings
from contract.topics import ensure_topics


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
