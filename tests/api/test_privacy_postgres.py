"""Export and erasure on PostgreSQL (timezone-aware times, JSON columns, foreign keys
checked at once), in a throwaway schema, with the real Redis."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator

import jsonschema_rs
import pytest
from redis.asyncio import Redis
from sqlalchemy import create_engine, text

from api.demo import seed_demo
from api.privacy.erasure import erase_member
from api.privacy.export import export_zip
from configs.settings import normalise_database_url
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from streams.sink import board_key
from tests.api.privacy_data import a_class, add_member, new_person, scan_tables

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def postgres_studio(postgres_url: str) -> Iterator[str]:
    schema = f"privacy_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(postgres_url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        seed_demo(url, members=2, force=True)  # demo data on PostgreSQL: forced on purpose
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


async def test_export_and_erasure_on_postgresql(postgres_studio: str, tmp_path,
                                               redis_server_url: str) -> None:
    url = normalise_database_url(postgres_studio)
    class_id = a_class(url)
    who = new_person("pg-")
    add_member(url, who, class_id=class_id)
    (tmp_path / "pairings.json").write_text(json.dumps({"version": 1, "sessions": {
        class_id: {"class_session_id": class_id, "pairings": [
            {"member_id": who.member_id, "strap_id": "AA:BB:CC:DD:EE:01",
             "display_name": who.name},
            {"member_id": "demo-member-01", "strap_id": "AA:BB:CC:DD:EE:02",
             "display_name": "Ava"}]}}}))
    redis = Redis.from_url(redis_server_url)
    await redis.hset(board_key(class_id), who.member_id, json.dumps({"hr": 120}))
    engine = make_engine(postgres_studio)
    try:
        async with make_sessionmaker(engine)() as db:
            body = await export_zip(db, who.member_id)
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            files = {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}
        document = json.loads(files["export.json"])
        jsonschema_rs.validate(json.loads(files["schema.json"]), document)
        assert document["kinds"]["class_feedback"]["records"][0]["rating"] == 5

        async with make_sessionmaker(engine)() as db:
            receipt = await erase_member(db, who.member_id, redis=redis, kafka_options=None,
                                         data_dir=tmp_path, principal=None)
        assert receipt.removed["edge_files"] == {"pairings_removed": 1}
        assert receipt.removed["database"]["workout_plans"] == {"deleted": 1}
    finally:
        await engine.dispose()
        await redis.delete(board_key(class_id))
        await redis.aclose()
    assert scan_tables(url, who.needles()) == []
    pairings = (tmp_path / "pairings.json").read_text()
    assert who.member_id not in pairings and "demo-member-01" in pairings
