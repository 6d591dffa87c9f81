"""Members' choices (issue 20, item 1) over the API: history rows with version, time and
who recorded them; members change only their own; refusals say why; defaults for a
member never asked; the wall-name page and the choices are one truth."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from configs.consent import consent_config
from db.display import MemberDisplayPreference
from db.privacy import MemberConsent
from tests.api.conftest import ApiWorld

MINE = "/api/members/me/consents"


def forget_choices(world: ApiWorld, member_id: str = "demo-member-01") -> None:
    """The member as if never asked (the demo seed records its members' choices)."""
    engine = create_engine(world.database_url)
    with Session(engine) as db, db.begin():
        db.execute(delete(MemberConsent).where(MemberConsent.member_id == member_id))
        db.execute(delete(MemberDisplayPreference).where(
            MemberDisplayPreference.member_id == member_id))
    engine.dispose()


def rows(world: ApiWorld, member_id: str = "demo-member-01") -> list[MemberConsent]:
    engine = create_engine(world.database_url)
    with Session(engine) as db:
        found = list(db.scalars(select(MemberConsent).where(
            MemberConsent.member_id == member_id).order_by(MemberConsent.recorded_at)))
        db.expunge_all()
    engine.dispose()
    return found


def test_a_member_never_asked_gets_the_documented_defaults(api_world: ApiWorld) -> None:
    forget_choices(api_world)
    got = api_world.client.get(MINE, headers=api_world.auth("member"))
    assert got.status_code == 200, got.text
    body = got.json()
    config = consent_config()
    assert (body["hr_tracking"], body["camera_form"], body["suggestions"]) == (
        config.hr_tracking.default, config.camera_form.default, config.suggestions.default)
    assert body["camera_form"] is False  # cameras wait for the member's own yes
    assert body["wall_screen"] == "first_name"
    assert set(body["defaults_used"]) == {"hr_tracking", "camera_form", "wall_screen",
                                          "suggestions"}
    assert body["wording"]["camera_form"]["version"] == config.camera_form.version
    assert body["history"] == []


def test_each_change_is_a_row_with_version_time_and_who(api_world: ApiWorld) -> None:
    forget_choices(api_world)
    headers = api_world.auth("member")
    before = datetime.now(UTC)
    changed = api_world.client.put(MINE, headers=headers,
                                   json={"hr_tracking": False, "camera_form": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["hr_tracking"] is False and changed.json()["camera_form"] is True
    again = api_world.client.put(MINE, headers=headers, json={"hr_tracking": True})
    assert again.json()["hr_tracking"] is True
    same = api_world.client.put(MINE, headers=headers, json={"hr_tracking": True})
    assert same.status_code == 200  # no change: no row
    stored = rows(api_world)
    assert sorted((r.choice, r.granted) for r in stored) == [
        ("camera_form", True), ("hr_tracking", False), ("hr_tracking", True)]
    assert all(r.version == consent_config().wording_of(r.choice).version for r in stored)
    assert all(r.recorded_by for r in stored)  # the member's user id
    assert all(r.recorded_at.replace(tzinfo=UTC) >= before.replace(microsecond=0)
               for r in stored)
    history = again.json()["history"]
    assert history[0]["choice"] == "hr_tracking" and history[0]["granted"] is True


def test_the_wall_choice_is_the_wall_name_pages_truth(api_world: ApiWorld) -> None:
    forget_choices(api_world)
    headers = api_world.auth("member")
    got = api_world.client.put(MINE, headers=headers,
                               json={"wall_screen": "nickname", "nickname": "Ace"})
    assert got.status_code == 200, got.text
    assert (got.json()["wall_screen"], got.json()["nickname"]) == ("nickname", "Ace")
    wall = api_world.client.get("/api/members/me/wall-name", headers=headers)
    assert wall.status_code == 200 and wall.json()["nickname"] == "Ace"
    anonymous = api_world.client.put(MINE, headers=headers, json={"wall_screen": "anonymous"})
    assert anonymous.json()["wall_screen"] == "anonymous"
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        pref = db.get(MemberDisplayPreference, "demo-member-01")
        assert pref is not None and pref.on_wall is False
    engine.dispose()
    walls = [r for r in rows(api_world) if r.choice == "wall_screen"]
    assert [r.granted for r in walls] == [True, False]


def test_refusals_say_why(api_world: ApiWorld) -> None:
    headers = api_world.auth("member")
    for body, words in [({"camera": True}, "camera"),
                        ({"hr_tracking": "yes"}, "hr_tracking"),
                        ({"wall_screen": "full_name"}, "wall_screen"),
                        ({}, "at least one"),
                        ({"wall_screen": "nickname", "nickname": "<b>x</b>"}, "nickname")]:
        got = api_world.client.put(MINE, headers=headers, json=body)
        assert got.status_code == 422, (body, got.text)
        assert words in got.text, (body, got.text)
    forget_choices(api_world)
    got = api_world.client.put(MINE, headers=headers, json={"wall_screen": "nickname"})
    assert got.status_code == 422 and "needs a nickname" in got.text


def test_members_change_only_their_own(api_world: ApiWorld) -> None:
    member = api_world.auth("member")
    other = api_world.client.get("/api/members/demo-member-02/consents", headers=member)
    assert other.status_code == 403
    assert api_world.client.put("/api/members/demo-member-02/consents", headers=member,
                                json={"hr_tracking": False}).status_code == 405
    for role in ("trainer", "admin"):
        refused = api_world.client.put(MINE, headers=api_world.auth(role),
                                       json={"hr_tracking": False})
        assert refused.status_code == 403, refused.text
    assert api_world.client.get(MINE).status_code == 401
    assert api_world.client.get("/api/members/demo-member-01/consents",
                                headers=api_world.auth("device")).status_code == 403


def test_staff_read_a_members_choices_and_the_read_is_logged(api_world: ApiWorld) -> None:
    api_world.client.put(MINE, headers=api_world.auth("member"), json={"suggestions": False})
    for role in ("trainer", "admin"):
        got = api_world.client.get("/api/members/demo-member-01/consents",
                                   headers=api_world.auth(role))
        assert got.status_code == 200, got.text
        assert got.json()["suggestions"] is False
    own = api_world.client.get("/api/members/me/consents", headers=api_world.auth("member"))
    assert own.json()["member_id"] == "demo-member-01"


def test_the_roster_and_its_signed_records_carry_each_members_choices(
        api_world: ApiWorld) -> None:
    api_world.client.put(MINE, headers=api_world.auth("member"),
                         json={"hr_tracking": False, "camera_form": False})
    device = api_world.auth("device")
    roster = api_world.client.get(f"/api/classes/{api_world.demo.class_session_id}/roster",
                                  headers=device)
    assert roster.status_code == 200, roster.text
    by_member = {r["member_id"]: r for r in roster.json()}
    ava = by_member["demo-member-01"]
    assert (ava["hr_tracking"], ava["camera_form"], ava["strap_id"]) == (False, False, None)
    assert by_member["demo-member-02"]["hr_tracking"] is True  # the demo seed's yes
    assert by_member["demo-member-02"]["strap_id"]
    creds = api_world.client.get(
        f"/api/classes/{api_world.demo.class_session_id}/edge-credentials", headers=device)
    assert creds.status_code == 200, creds.text
    # the signed records travel on the topics: under the booking, without the name
    signed = {e["member_id"]: e for e in creds.json()["roster"]}
    assert set(signed) == {r["wire_id"] for r in roster.json()}
    assert all(e["display_name"] is None for e in signed.values())
    assert (signed[ava["wire_id"]]["hr_tracking"], signed[ava["wire_id"]]["camera_form"]) \
        == (False, False)


async def test_suggestions_off_leaves_plan_and_timetable_signals_alone(
        api_world: ApiWorld) -> None:
    from zoneinfo import ZoneInfo

    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from api.feedback.service import ratings_for_slots
    from api.plans import performance
    from db.timetable import ClassFeedback

    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        for member, rating in (("demo-member-01", 1), ("demo-member-02", 5)):
            db.add(ClassFeedback(class_session_id=api_world.demo.class_session_id,
                                 member_id=member, rating=rating))
    engine.dispose()
    aio = create_async_engine(api_world.database_url.replace("sqlite:", "sqlite+aiosqlite:"))
    try:
        async with async_sessionmaker(aio)() as db:
            before = await ratings_for_slots(db, 4, ZoneInfo("UTC"))
            assert sorted(r.rating for r in before) == [1, 5]
        api_world.client.put(MINE, headers=api_world.auth("member"),
                             json={"suggestions": False})
        async with async_sessionmaker(aio)() as db:
            after = await ratings_for_slots(db, 4, ZoneInfo("UTC"))
            assert [r.rating for r in after] == [5]  # Ava's rating no longer counts
            plan = object()  # never read: the summary is not even gathered
            assert await performance.adjust(db, "demo-member-01", plan, None, None,  # type: ignore[arg-type]
                                            from_week=1) == (plan, None)
    finally:
        await aio.dispose()


async def test_the_wall_screen_names_a_member_as_they_chose(api_world: ApiWorld) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from api.display import service as wall
    from api.display.names import wall_labels

    members = ["demo-member-01", "demo-member-02"]
    names = {"demo-member-01": "Ava", "demo-member-02": "Ben"}
    aio = create_async_engine(api_world.database_url.replace("sqlite:", "sqlite+aiosqlite:"))
    try:
        for body, shown in [({"wall_screen": "nickname", "nickname": "Rocket"}, "Rocket"),
                            ({"wall_screen": "anonymous"}, "Member 1"),
                            ({"wall_screen": "first_name"}, "Ava")]:
            api_world.client.put(MINE, headers=api_world.auth("member"), json=body)
            async with async_sessionmaker(aio)() as db:
                labels = wall_labels(members, names, await wall.preferences(db, members))
            assert labels["demo-member-01"] == shown, body
            assert labels["demo-member-02"] == "Ben"  # never asked: the default, first name
    finally:
        await aio.dispose()


def test_a_newer_wording_asks_the_member_to_confirm(api_world: ApiWorld,
                                                    monkeypatch) -> None:
    headers = api_world.auth("member")
    forget_choices(api_world)
    api_world.client.put(MINE, headers=headers, json={"camera_form": True})
    monkeypatch.setenv("SPOTTER_CONSENT__CAMERA_FORM__VERSION", "2")
    consent_config.cache_clear()
    try:
        now = api_world.client.get(MINE, headers=headers).json()
        assert now["camera_form"] is True  # the answer stands meanwhile
        assert now["to_confirm"] == ["camera_form"]
        confirmed = api_world.client.put(MINE, headers=headers,
                                         json={"camera_form": True}).json()
        assert confirmed["to_confirm"] == []
        assert [(r.choice, r.version) for r in rows(api_world)] == [
            ("camera_form", 1), ("camera_form", 2)]
    finally:
        monkeypatch.delenv("SPOTTER_CONSENT__CAMERA_FORM__VERSION")
        consent_config.cache_clear()
