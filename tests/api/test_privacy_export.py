"""Members' data export and erasure over the API, the CLI and the pages (issue 20,
items 2 and 3), on SQLite with the real Redis."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from redis import Redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.accounts.bootstrap import create_token
from api.privacy.member_data import exported
from db.privacy import DataAccess, ErasureReceipt
from streams.sink import board_key, series_key
from tests.api.privacy_data import Person, a_class, add_member, new_person, scan_tables

EXPECTED_KINDS = {"profile", "plans", "logged_sets", "check_ins", "workout_feedback",
                  "class_feedback", "class_summaries", "real_time_insights", "alerts",
                  "consents", "planner_profile", "session_changes", "class_bookings",
                  "notifications", "account", "access_log", "display_preferences",
                  "login_sessions", "api_tokens"}


@pytest.fixture
def seated(api_world) -> tuple[Person, str]:
    """A member with every kind of data, and the (ended) class they took."""
    who, class_id = new_person(), a_class(api_world.database_url)
    add_member(api_world.database_url, who, class_id=class_id)
    return who, class_id


@pytest.fixture
def person(seated: tuple[Person, str]) -> Person:
    return seated[0]


def _bearer(database_url: str, user_id: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + create_token(database_url, "t", kind="user",
                                                      user_id=user_id)}


def _open(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name.split("/", 1)[1]: archive.read(name).decode() for name in
                archive.namelist()}


def test_the_export_holds_every_kind_and_validates_against_its_schema(api_world,
                                                                      person) -> None:
    answer = api_world.client.get("/api/members/me/export",
                                  headers=_bearer(api_world.database_url, person.user_id))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    files = _open(answer.content)
    assert {"README.txt", "schema.json", "export.json"} <= set(files)
    document, schema = json.loads(files["export.json"]), json.loads(files["schema.json"])
    jsonschema_rs.validate(schema, document)
    assert set(document["kinds"]) == EXPECTED_KINDS == {k.name for k in exported()}
    for kind in exported():
        part = json.loads(files[f"{kind.name}.json"])
        assert part == document["kinds"][kind.name]
        assert part["records"], f"{kind.name} is empty"
        jsonschema_rs.validate(schema["properties"]["kinds"]["properties"][kind.name], part)
        if kind.tabular:
            assert files[f"{kind.name}.csv"].count("\n") == 1 + len(part["records"])
        assert f"{kind.name}.json" in files["README.txt"]
    assert document["kinds"]["profile"]["records"][0]["email"] == person.email
    assert document["kinds"]["logged_sets"]["records"][0]["load_kg"] == 60.0
    assert "password_hash" not in files["account.json"]
    assert "token_hash" not in files["api_tokens.json"]
    # a tampered document fails the schema: it is not a schema that accepts anything
    document["kinds"]["logged_sets"]["records"][0]["reps"] = "eight"
    with pytest.raises(jsonschema_rs.ValidationError):
        jsonschema_rs.validate(schema, document)


def test_members_export_only_their_own(api_world, person) -> None:
    other = new_person()
    add_member(api_world.database_url, other)
    mine = _bearer(api_world.database_url, person.user_id)
    client = api_world.client
    assert client.get(f"/api/members/{person.member_id}/export",
                      headers=mine).status_code == 200
    assert client.get(f"/api/members/{other.member_id}/export",
                      headers=mine).status_code == 403
    assert client.get(f"/api/members/{person.member_id}/export",
                      headers=api_world.auth("trainer")).status_code == 403
    assert client.get(f"/api/members/{other.member_id}/export",
                      headers=api_world.auth("admin")).status_code == 200
    assert client.get("/api/members/nobody-here/export",
                      headers=api_world.auth("admin")).status_code == 404
    assert client.get(f"/api/members/{other.member_id}/export").status_code == 401
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        logged = db.scalar(select(func.count()).select_from(DataAccess).where(
            DataAccess.action == "export", DataAccess.member_id == other.member_id))
    engine.dispose()
    assert logged == 1  # the admin's export; the refused one left nothing


def test_erasure_removes_the_member_and_keeps_class_numbers(api_world, seated,
                                                            redis_server_url: str) -> None:
    url = api_world.database_url
    person, class_id = seated
    redis = Redis.from_url(redis_server_url)
    redis.hset(board_key(class_id), person.member_id, json.dumps({"name": person.name}))
    redis.hset(board_key(class_id), "someone-else", json.dumps({"name": "Other"}))
    redis.hset(series_key(class_id), f"{person.member_id}|100", "0.5,10")
    redis.set(f"spotter:test:{person.email}", "1")
    admin = api_world.auth("admin")
    refused = api_world.client.post(f"/api/members/{person.member_id}/erase",
                                    json={"confirm": "wrong"}, headers=admin)
    assert refused.status_code == 422
    answer = api_world.client.post(f"/api/members/{person.member_id}/erase",
                                   json={"confirm": person.member_id}, headers=admin)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    anonymous = receipt["anonymous_id"]
    assert anonymous.startswith("erased-")
    assert receipt["removed"]["database"]["members"] == {"deleted": 1}
    assert receipt["removed"]["database"]["class_feedback"] == {"anonymised": 1}
    assert receipt["removed"]["redis"]["hash_fields_deleted"] >= 2
    assert receipt["removed"]["kafka"] == "not deployed"
    assert not any(n in json.dumps(receipt) for n in person.needles())

    assert scan_tables(url, person.needles()) == []
    database = Path(url.removeprefix("sqlite:///"))  # and not in the file's free pages
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert [n for n in person.needles() if n.encode() in raw] == []
    leftover = [k for k in redis.scan_iter() if any(
        n.encode() in k or n.encode() in (redis.dump(k) or b"") for n in person.needles())]
    assert leftover == []
    assert redis.hexists(board_key(class_id), "someone-else")
    redis.delete(board_key(class_id), series_key(class_id))
    redis.close()

    engine = create_engine(url)
    with Session(engine) as db:
        assert db.get(ErasureReceipt, receipt["id"]) is not None
        actions = [(a.action, a.member_id) for a in db.scalars(select(DataAccess).where(
            DataAccess.member_id == anonymous))]
        from db.live import PostClassSummary
        from db.timetable import ClassFeedback

        rating = db.scalar(select(ClassFeedback.rating).where(
            ClassFeedback.member_id == anonymous))
        summary = db.get(PostClassSummary, class_id)
        assert summary is not None
        row = next(m for m in summary.payload["members"] if m["member_id"] == anonymous)
    engine.dispose()
    assert ("erase", anonymous) in actions and ("view", anonymous) in actions
    assert rating == 5  # the class keeps its rating, under the anonymous id
    assert row["effort"] == 12.5 and row["name"] == "Erased member"
    again = api_world.client.post(f"/api/members/{person.member_id}/erase",
                                  json={"confirm": person.member_id}, headers=admin)
    assert again.status_code == 404


def test_only_admins_erase(api_world, person) -> None:
    for who in ("trainer", "member"):
        answer = api_world.client.post(f"/api/members/{person.member_id}/erase",
                                       json={"confirm": person.member_id},
                                       headers=api_world.auth(who))
        assert answer.status_code == 403


def test_the_cli_exports_and_erases(api_world, person, tmp_path, monkeypatch,
                                    redis_server_url: str) -> None:
    from api.cli import app
    from configs.settings import get_settings

    monkeypatch.setenv("SPOTTER_DATABASE_URL", api_world.database_url)
    monkeypatch.setenv("SPOTTER_REDIS_URL", redis_server_url)
    monkeypatch.setenv("SPOTTER_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = tmp_path / "mine.zip"
        done = runner.invoke(app, ["members", "export", person.member_id, "--out", str(out)])
        assert done.exit_code == 0, done.output
        assert json.loads(_open(out.read_bytes())["export.json"])["member_id"] == \
            person.member_id
        unconfirmed = runner.invoke(app, ["members", "erase", person.member_id])
        assert unconfirmed.exit_code == 2
        erased = runner.invoke(app, ["members", "erase", person.member_id, "--yes",
                                     "--no-kafka"])
        assert erased.exit_code == 0, erased.output
        receipt: dict[str, Any] = json.loads(erased.stdout)
        assert receipt["anonymous_id"].startswith("erased-")
        assert scan_tables(api_world.database_url, person.needles()) == []
        missing = runner.invoke(app, ["members", "erase", person.member_id, "--yes",
                                      "--no-kafka"])
        assert missing.exit_code == 2
    finally:
        get_settings.cache_clear()


def _login(api_world, email: str, password: str) -> None:
    answer = api_world.client.post("/login", data={"email": email, "password": password},
                                   follow_redirects=False)
    assert answer.status_code == 303


def test_the_member_page_fragment_downloads_their_own_data(api_world) -> None:
    _login(api_world, *api_world.demo.accounts["member"])
    client = api_world.client
    fragment = client.get("/member/data/export")
    assert fragment.status_code == 200
    assert 'href="/member/data/export.zip"' in fragment.text
    body = client.get("/member/data/export.zip")
    assert body.status_code == 200
    assert "attachment" in body.headers["content-disposition"]
    document = json.loads(_open(body.content)["export.json"])
    assert document["member_id"] == "demo-member-01"


def test_admins_erase_from_the_members_page_with_csrf_and_confirmation(api_world,
                                                                       person) -> None:
    import re

    _login(api_world, *api_world.demo.accounts["admin"])
    client = api_world.client
    page = client.get("/admin/members")
    assert page.status_code == 200 and person.member_id in page.text
    assert 'href="/admin/members"' in page.text  # the admin section's tab
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    url = f"/admin/members/{person.member_id}/erase"
    assert client.post(url, data={"confirm": person.member_id}).status_code == 403
    wrong = client.post(url, data={"csrf_token": csrf.group(1), "confirm": "nope"})
    assert wrong.status_code == 422 and person.member_id in wrong.text
    export = client.get(f"/admin/members/{person.member_id}/export.zip")
    assert export.status_code == 200
    done = client.post(url, data={"csrf_token": csrf.group(1), "confirm": person.member_id})
    assert done.status_code == 200, done.text[:500]
    assert 'data-testid="erasure-receipt"' in done.text
    assert person.member_id not in done.text and person.name not in done.text
    assert 'data-testid="receipts"' in done.text and "No erasures yet" not in done.text
    assert scan_tables(api_world.database_url, person.needles()) == []


def test_a_member_in_a_live_class_is_erased_after_it_ends(api_world, seated) -> None:
    from db.models import ClassSession

    person, class_id = seated
    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        session = db.get(ClassSession, class_id)
        assert session is not None
        session.status = "live"
    refused = api_world.client.post(f"/api/members/{person.member_id}/erase",
                                    json={"confirm": person.member_id},
                                    headers=api_world.auth("admin"))
    assert refused.status_code == 409 and "live" in refused.json()["detail"]
    assert scan_tables(api_world.database_url, [person.member_id])  # nothing erased
    with Session(engine) as db, db.begin():
        session = db.get(ClassSession, class_id)
        assert session is not None
        session.status = "ended"
    engine.dispose()
    done = api_world.client.post(f"/api/members/{person.member_id}/erase",
                                 json={"confirm": person.member_id},
                                 headers=api_world.auth("admin"))
    assert done.status_code == 200, done.text


def test_an_edge_box_of_its_own_forgets_the_member(tmp_path) -> None:
    from api.cli import app
    from edge.buffer import DiskBuffer, Entry
    from edge.config import EdgeSettings

    (tmp_path / "pairings.json").write_text(json.dumps({"version": 1, "sessions": {
        "c1": {"class_session_id": "c1", "pairings": [
            {"member_id": "m-gone", "strap_id": "S1", "display_name": "Quill Gone",
             "wire_id": "bk-0001"},
            {"member_id": "m-stays", "strap_id": "S2", "display_name": "Ava"}]}}}))
    credentials = tmp_path / "edge" / "credentials"
    credentials.mkdir(parents=True)
    (credentials / "c1.json").write_text('{"roster": [{"display_name": "Quill Gone"}]}')
    (credentials / "c2.json").write_text('{"roster": [{"display_name": "Ava"}]}')
    buffer = DiskBuffer(path=EdgeSettings().buffer_path(tmp_path), max_bytes=10**6).open()
    buffer.append([Entry(i, "spotter.hr.samples", member.encode(),
                         json.dumps({"member_id": member, "hr": 120}).encode(), 0.0)
                   for i, member in enumerate(["m-gone", "m-stays", "m-gone", "bk-0001"],
                                              start=1)])  # the last one in wire form
    buffer.close()
    done = CliRunner().invoke(app, ["members", "erase-edge-files", "m-gone", "--data-dir",
                                    str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["removed"] == {"pairings_removed": 1,
                                                  "credentials_files_deleted": 1,
                                                  "buffered_records_dropped": 3}
    left_buffer = DiskBuffer(path=EdgeSettings().buffer_path(tmp_path), max_bytes=10**6)
    left_buffer.open()
    assert [e.key for e in left_buffer.head(10)] == [b"m-stays"]  # still to deliver
    left_buffer.close()
    assert b"m-gone" not in EdgeSettings().buffer_path(tmp_path).read_bytes()
    assert b"bk-0001" not in EdgeSettings().buffer_path(tmp_path).read_bytes()
    left = (tmp_path / "pairings.json").read_text()
    assert "m-gone" not in left and "Quill" not in left and "m-stays" in left
    assert sorted(p.name for p in credentials.iterdir()) == ["c2.json"]
