"""The exercise library over the API: search, alternatives, admin add/edit/import with
links derived again, and plans made from the curated library."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from db.accounts import User

RECORD = {"id": "Test_Box_Squat_Easy", "name": "Test Box Squat Easy", "level": "beginner",
          "category": "strength", "equipment": "body only", "mechanic": "compound",
          "force": "push", "primaryMuscles": ["quadriceps"], "secondaryMuscles": ["glutes"],
          "instructions": ["sit back to a box"], "images": []}


@pytest.fixture
def h(api_world) -> dict[str, dict[str, str]]:
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        ids = {u.role: u.id for u in db.scalars(select(User).where(User.email.in_(
            [e for e, _ in api_world.demo.accounts.values()])))}
    engine.dispose()
    return {role: {"Authorization": "Bearer " + create_token(
        api_world.database_url, "test", kind="user", user_id=uid)} for role, uid in ids.items()}


def test_anyone_logged_in_searches_and_finds_alternatives(api_world, h) -> None:
    client = api_world.client
    found = client.get("/api/exercises", params={"q": "goblet", "pattern": "squat"},
                       headers=h["member"]).json()
    assert found["total"] >= 1 and all(i["exercise"]["pattern"] == "squat"
                                       for i in found["items"])
    one = client.get("/api/exercises/Barbell_Squat", headers=h["trainer"]).json()
    assert one["exercise"]["regressions"] and one["source"] == "library"
    easier = client.get("/api/exercises/Barbell_Squat/alternative",
                        params={"direction": "easier", "equipment": ["dumbbell"],
                                "avoid": ["lower_back"]}, headers=h["member"]).json()
    alt = easier["alternative"]
    assert alt["pattern"] == "squat" and alt["equipment"] in ("dumbbell", "body only")
    assert "lower_back" not in alt["contraindications"]
    none = client.get("/api/exercises/Barbell_Squat/alternative",
                      params={"direction": "harder", "equipment": ["foam roll"],
                              "level": "beginner", "avoid": ["knee"]},
                      headers=h["member"]).json()
    assert none["alternative"] is None and "nothing harder" in none["reason"]
    assert client.get("/api/exercises/Nope", headers=h["member"]).status_code == 404
    assert client.get("/api/exercises/Barbell_Squat/alternative",
                      params={"direction": "sideways"}, headers=h["member"]).status_code == 422


def test_admin_adds_an_exercise_and_the_links_follow(api_world, h) -> None:
    client = api_world.client
    body = {"id": "Test_Wall_Squat", "name": "Test Wall Squat Hold", "primary_muscles":
            ["quadriceps"], "secondary_muscles": ["glutes"], "equipment": "body only",
            "level": "beginner", "mechanic": "compound", "force": "push"}
    refused = client.post("/api/exercises", json=body, headers=h["trainer"])
    assert refused.status_code == 403
    added = client.post("/api/exercises", json=body, headers=h["admin"])
    assert added.status_code == 201, added.text
    ex = added.json()["exercise"]
    assert added.json()["source"] == "admin" and ex["pattern"] == "squat"  # derived
    assert ex["progressions"]  # linked to harder squats
    harder = client.get(f"/api/exercises/{ex['progressions'][0]}", headers=h["member"]).json()
    assert "Test_Wall_Squat" in harder["exercise"]["regressions"]
    dup = client.post("/api/exercises", json=body, headers=h["admin"])
    assert dup.status_code == 409
    edited = client.patch("/api/exercises/Test_Wall_Squat", headers=h["admin"],
                          json={"contraindications": ["knee"], "name": "Test Wall Sit"})
    assert edited.status_code == 200
    assert edited.json()["exercise"]["contraindications"] == ["knee"]
    assert edited.json()["exercise"]["name"] == "Test Wall Sit"
    again = client.get("/api/exercises/Test_Wall_Squat", headers=h["member"]).json()
    assert again["exercise"]["name"] == "Test Wall Sit"
    bad = client.patch("/api/exercises/Test_Wall_Squat", headers=h["admin"],
                       json={"equipment": "rocket"})
    assert bad.status_code == 422


def test_null_empties_only_what_an_exercise_may_lack(api_world, h) -> None:
    client = api_world.client
    url = "/api/exercises/Barbell_Squat"
    for field in ("name", "primary_muscles", "equipment", "pattern", "staple"):
        refused = client.patch(url, headers=h["admin"], json={field: None})
        assert refused.status_code == 422, field
        assert f"{field} may not be null" in refused.text
    assert client.get(url, headers=h["member"]).json()["exercise"]["name"] != "None"
    cleared = client.patch(url, headers=h["admin"], json={"force": None})
    assert cleared.status_code == 200 and cleared.json()["exercise"]["force"] is None


def test_import_keeps_good_records_and_reports_bad_ones(api_world, h) -> None:
    client = api_world.client
    records = [RECORD, {**RECORD, "id": "Broken", "level": "godlike"}]
    response = client.post("/api/exercises/import", json=records, headers=h["admin"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 1 and report["rejected"][0]["id"] == "Broken"
    assert report["written"] > 800  # first write copies the packaged library in
    got = client.get(f"/api/exercises/{RECORD['id']}", headers=h["member"]).json()
    assert got["exercise"]["pattern"] == "squat" and got["exercise"]["progressions"]
    assert client.post("/api/exercises/import", json={"not": "a list"},
                       headers=h["admin"]).status_code == 422
    nothing = client.post("/api/exercises/import", json=[{"id": "x"}], headers=h["admin"])
    assert nothing.status_code == 422 and "no valid exercise" in nothing.json()["detail"]
    assert client.post("/api/exercises/import", json=records,
                       headers=h["member"]).status_code == 403


def test_plans_are_made_from_the_curated_library(api_world, h) -> None:
    from api.plans.demo import seed_planner_demo

    seed_planner_demo(api_world.database_url)
    client = api_world.client

    def planned() -> set[str]:
        made = client.post("/api/plans", json={"member_id": "demo-member-01", "weeks": 1},
                           headers=h["trainer"])
        assert made.status_code == 201, made.text
        return {i["exercise_id"] for s in made.json()["plan"]["weeks"][0]["sessions"]
                for i in s["exercises"]}

    before = planned()
    assert "Barbell_Squat" in before
    edit = client.patch("/api/exercises/Barbell_Squat", json={"contraindications": ["knee",
                        "lower_back", "hip", "ankle", "wrist", "shoulder", "elbow", "neck"],
                        "level": "advanced"}, headers=h["admin"])
    assert edit.status_code == 200
    assert "Barbell_Squat" not in planned()  # Ava is intermediate: no longer hers


def test_rows_stored_before_positions_and_fixtures_are_upgraded() -> None:
    """A table an admin curated before issue 18 holds exercises without positions or
    fixtures; read back, they carry them and a body-only member gets no pull-up."""
    from api.exercises.library import upgraded
    from planner.io import default_library, read_overrides

    packaged = default_library()
    old = packaged.get("V-Bar_Pullup").model_dump(mode="json")
    for key in ("positions", "needs"):
        old.pop(key)
    old["contraindications"] = []
    own = {"id": "Old_Admin_Squat", "name": "Old Admin Squat", "level": "beginner",
           "category": "strength", "equipment": "body only", "mechanic": "compound",
           "force": "push", "primary_muscles": ["quadriceps"], "secondary_muscles": [],
           "pattern": "squat", "contraindications": [], "regressions": [],
           "progressions": [], "timed": False, "staple": False, "specialty": False,
           "difficulty": 0.8}
    entries = upgraded({"V-Bar_Pullup": (old, "admin"), "Old_Admin_Squat": (own, "admin")},
                       packaged, read_overrides())
    pull = entries["V-Bar_Pullup"].exercise
    assert pull.needs == (("pull-up bar",),) and "shoulder" in pull.contraindications
    assert not pull.fits_kit(frozenset({"body only"})) and entries["V-Bar_Pullup"].source == "admin"
    squat = entries["Old_Admin_Squat"].exercise
    assert "deep_knee_flexion" in squat.positions and "knee" in squat.contraindications
