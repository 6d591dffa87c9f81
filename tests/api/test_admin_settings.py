"""Studio settings: validated documents in app_settings, read by domains through one
service, edited through the API and the admin page."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.admin import service
from api.admin.schemas import AiFeatures, SchedulerConstraints, SchedulerPolicy, SchedulerWeights
from db.platform import AppSetting
from db.session import make_engine, make_sessionmaker


def test_defaults_come_from_the_config_file() -> None:
    policy = SchedulerPolicy.default()
    assert policy.constraints.max_trainer_hours == 40.0  # issue 7's default
    assert policy.constraints.changeover_minutes == 15
    assert AiFeatures.default().planner is True


@pytest.mark.parametrize(("document", "needle"), [
    ({"weights": {"attendance": -1}}, "greater than or equal to 0"),
    ({"weights": {"nonsense": 1}}, "Extra inputs"),
    ({"constraints": {"max_trainer_hours": 0}}, "greater than 0"),
    ({"constraints": {"opens": "25:00"}}, "HH:MM"),
    ({"constraints": {"opens": "22:00", "closes": "06:00"}}, "open before it closes"),
    ({"constraints": {"max_classes_per_trainer_day": 0}}, "greater than or equal to 1"),
])
def test_bad_scheduler_policies_are_refused_with_the_reason(document, needle) -> None:
    with pytest.raises(ValidationError, match=needle):
        SchedulerPolicy.model_validate(document)


def test_weight_names_match_the_scheduler_library() -> None:
    config = pytest.importorskip("scheduler.config")
    assert set(SchedulerWeights.model_fields) == set(config.ObjectiveWeights.model_fields)
    ours, theirs = SchedulerWeights(), config.ObjectiveWeights()
    assert ours.model_dump() == theirs.model_dump()


@pytest.mark.parametrize(("rooms", "default", "room", "expected"), [
    ({}, True, "a", True), ({"a": False}, True, "a", False), ({"a": True}, False, "a", True),
    ({"a": True}, False, "b", False), ({"a": False}, True, None, True),
])
def test_vision_per_room_falls_back_to_the_default(rooms, default, room, expected) -> None:
    features = AiFeatures(vision_default=default, vision_rooms=rooms)
    assert features.vision_for(room) is expected


def test_admins_change_settings_through_the_api(api_world) -> None:
    client, admin = api_world.client, api_world.auth("admin")
    body = {"planner": False, "live_alerts": True, "vision_default": True,
            "vision_rooms": {"demo-room": False}}
    saved = client.put("/api/admin/settings/ai-features", json=body, headers=admin)
    assert saved.status_code == 200, saved.text
    assert client.get("/api/admin/settings", headers=admin).json()["ai_features"] == body
    device = client.get("/api/settings/features", headers=api_world.auth("device")).json()
    assert device == {"planner": False, "live_alerts": True, "vision": False}

    unknown = client.put("/api/admin/settings/ai-features",
                         json={**body, "vision_rooms": {"no-such-room": True}}, headers=admin)
    assert unknown.status_code == 422 and "no-such-room" in unknown.json()["detail"]
    bad = client.put("/api/admin/settings/scheduler-policy",
                     json={"weights": {"revenue": "lots"}}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "weights", "revenue"]


def test_domains_read_settings_through_the_service(api_world) -> None:
    policy = SchedulerPolicy(constraints=SchedulerConstraints(max_trainer_hours=30))

    async def roundtrip() -> tuple[SchedulerPolicy, SchedulerPolicy]:
        engine = make_engine(api_world.database_url)
        try:
            async with make_sessionmaker(engine)() as db:
                await service.save(db, policy)
                return await service.scheduler_policy(db), await service.reset(
                    db, SchedulerPolicy)
        finally:
            await engine.dispose()

    stored, after_reset = asyncio.run(roundtrip())
    assert stored.constraints.max_trainer_hours == 30
    assert after_reset == SchedulerPolicy.default()


def test_a_corrupt_stored_row_falls_back_to_defaults(api_world) -> None:
    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        db.merge(AppSetting(key="ai_features", value={"planner": "maybe", "extra": 1}))
    with Session(engine) as db:
        assert service.load_sync(db, AiFeatures) == AiFeatures.default()
    engine.dispose()


def test_the_settings_page_saves_forms_and_shows_errors(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["admin"]
    client.post("/login", data={"email": email, "password": password})
    page = client.get("/admin/settings")
    assert page.status_code == 200 and 'name="vision_room:demo-room"' in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    saved = client.post("/admin/settings/ai-features", follow_redirects=False, data={
        "csrf_token": csrf, "live_alerts": "on", "vision_room:demo-room": "off"})
    assert saved.status_code == 303
    features = client.get("/api/admin/settings/ai-features",
                          headers=api_world.auth("admin")).json()
    assert features == {"planner": False, "live_alerts": True, "vision_default": False,
                        "vision_rooms": {"demo-room": False}}
    refused = client.post("/admin/settings/scheduler-policy", data={
        "csrf_token": csrf, "weights.attendance": "-3", "constraints.opens": "23:00",
        "constraints.closes": "07:00"})
    assert refused.status_code == 422
    assert "weights.attendance" in refused.text and "greater than or equal to 0" in refused.text
    ok = client.post("/admin/settings/scheduler-policy", follow_redirects=False, data={
        "csrf_token": csrf, "weights.attendance": "2", "constraints.max_trainer_hours": "32",
        "constraints.max_classes_per_trainer_day": ""})
    assert ok.status_code == 303
    policy = client.get("/api/admin/settings/scheduler-policy",
                        headers=api_world.auth("admin")).json()
    assert policy["weights"]["attendance"] == 2.0
    assert policy["constraints"]["max_trainer_hours"] == 32.0
    assert policy["constraints"]["max_classes_per_trainer_day"] is None
