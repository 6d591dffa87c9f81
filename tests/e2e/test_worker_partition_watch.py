"""A heart-rate partition that Faust leaves paused is found by the worker's partition
watch and resumed, so its members' tiles move again instead of freezing silently."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TypeVar

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from redis.asyncio import Redis

from configs.settings import Settings
from contract.kafka import client_options
from contract.records import HeartRateSample, RosterEntry
from contract.signing import API, sign_as
from contract.topics import TOPIC_HR_SAMPLES, TOPIC_ROSTER
from streams.sink import snapshot
from streams.worker_config import WORKER_TOML, load_worker_config
from tests.e2e.paused_worker import PAUSED_PARTITION
from tests.e2e.workers import topics_ready, worker_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

R = TypeVar("R")


def signed(record: R) -> R:
    """Records are signed by their writer (contract.signing); these tests write as the API."""
    return sign_as(Settings().secret_key, API, record)
REPO = Path(__file__).resolve().parents[2]
PARTITIONS = 4


def members_on_paused_partition(count: int = 2) -> list[str]:
    partitioner, everyone = DefaultPartitioner(), list(range(PARTITIONS))
    chosen = [m for m in (f"pw-{i:03d}" for i in range(400))
              if partitioner(m.encode(), everyone, everyone) == PAUSED_PARTITION]
    return chosen[:count]


def quick_watch_config(path: Path) -> Path:
    """The shipped worker config with a watch that checks every second and calls a
    partition stalled after 4 s (the shipped 20 s would make this test slow)."""
    text = WORKER_TOML.read_text()
    text = text.replace("\ncheck_every_s = 5.0\n", "\ncheck_every_s = 1.0\n")
    text = text.replace("\nstall_after_s = 20.0\n", "\nstall_after_s = 4.0\n")
    path.write_text(text)
    watch = load_worker_config(path).watch
    assert (watch.check_every_s, watch.stall_after_s, watch.resume_paused) == (1.0, 4.0, True)
    return path


async def test_a_partition_left_paused_is_resumed_and_its_tiles_move(
        live_stack, broker_url: str, tmp_path: Path) -> None:
    settings = live_stack.settings.model_copy(update={"kafka_url": broker_url})
    options = client_options(settings)
    await topics_ready(PARTITIONS, options)
    env = worker_env(settings, group="watch", partitions=PARTITIONS, data_dir=tmp_path,
                     SPOTTER_WORKER_CONFIG=str(quick_watch_config(tmp_path / "worker.toml")))
    log_file = tmp_path / "worker.log"
    with log_file.open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "tests.e2e.paused_worker", "worker"],
                                  cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    redis = Redis.from_url(settings.redis_url)
    producer = AIOKafkaProducer(linger_ms=5, **options)
    class_id = f"watch-{uuid.uuid4().hex[:8]}"
    members = members_on_paused_partition()
    try:
        async with asyncio.timeout(60):
            while b"fault injected" not in log_file.read_bytes():
                assert worker.poll() is None, log_file.read_text(errors="replace")[-4000:]
                await asyncio.sleep(0.25)
        await producer.start()
        for member in members:  # the roster first: a worker drops samples of non-members
            entry = RosterEntry(class_session_id=class_id, member_id=member, display_name=member)
            await producer.send_and_wait(TOPIC_ROSTER, key=member.encode(),
                                         value=signed(entry).to_bytes())
        start, last = time.time() - 30, 0.0
        async with asyncio.timeout(60):
            for second in range(60):
                for member in members:
                    sample = HeartRateSample(
                        class_session_id=class_id, member_id=member, strap_id=f"{member}-s",
                        seq=second, event_time=start + second, hr_bpm=120,
                        sensor_contact=True, source="chest")
                    await producer.send(TOPIC_HR_SAMPLES, key=member.encode(),
                                        value=signed(sample).to_bytes())
                last = start + second
                await producer.flush()
                tiles = await snapshot(redis, class_id)
                if second > 5 and all(tiles.get(m, {}).get("last_seen") == last - 1
                                      for m in members):
                    break
                await asyncio.sleep(1.0)
        log = log_file.read_text(errors="replace")
        assert '"partition stalled: records waiting, none read"' in log
        assert f'"partition": {PAUSED_PARTITION}' in log
        assert '"stalled partition resumed"' in log
    except (TimeoutError, AssertionError) as exc:
        raise AssertionError(f"{exc!r}\n{log_file.read_text(errors='replace')[-8000:]}") from exc
    finally:
        await producer.stop()
        await redis.aclose()
        worker.kill()
        worker.wait(10)
