"""Raw samples on topics (issue 20, item 4) against the real Tansu broker: member-data
topics are created with the admin's ``retention.ms``; ``spotter db prune`` reads it back
and tries to change it. This Tansu build does not implement AlterConfigs, which the prune
reports as ``unsupported`` (the retention set at creation stays) instead of failing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from configs.retention import DAY_MS
from configs.settings import get_settings
from contract.topic_retention import apply_retention, current_retention
from contract.topics import ALL_TOPICS, MEMBER_DATA_TOPICS, ensure_topics
from db.migrate import upgrade

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


async def _ready(options: dict[str, str]) -> list[str]:
    for _ in range(100):
        try:
            return await ensure_topics(2, retention_ms=3 * DAY_MS, **options)
        except Exception:  # the broker is still starting
            await asyncio.sleep(0.1)
    raise TimeoutError("broker did not answer")


def test_member_topics_carry_the_retention_and_prune_reports_the_broker(
        broker_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"bootstrap_servers": broker_url.removeprefix("kafka://")}
    created = asyncio.run(_ready(options))
    assert set(created) == set(ALL_TOPICS)
    retention = asyncio.run(current_retention(**options))
    assert retention == dict.fromkeys(MEMBER_DATA_TOPICS, 3 * DAY_MS)

    same = asyncio.run(apply_retention(3 * DAY_MS, **options))
    assert sorted(same["unchanged"]) == sorted(MEMBER_DATA_TOPICS) and not same["errors"]
    changed = asyncio.run(apply_retention(5 * DAY_MS, **options))
    assert changed["unsupported"] or sorted(changed["applied"]) == sorted(MEMBER_DATA_TOPICS)

    url = f"sqlite:///{tmp_path / 'prune.db'}"
    upgrade(url)
    monkeypatch.setenv("SPOTTER_DATABASE_URL", url)
    monkeypatch.setenv("SPOTTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SPOTTER_KAFKA_URL", broker_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "prune"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    topics = json.loads(result.stdout)["topics"]
    assert topics["retention_ms"] == 7 * DAY_MS and not topics["errors"]
    assert topics["unsupported"] or sorted(topics["applied"]) == sorted(MEMBER_DATA_TOPICS)
