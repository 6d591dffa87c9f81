"""Admin exercise library pages through a real admin session (search, add, edit, import)."""

from __future__ import annotations

import json
import re
from typing import Any


def admin_session(api_world: Any) -> str:
    email, password = api_world.demo.accounts["admin"]
    login = api_world.client.post("/login", data={"email": email, "password": password},
                                  follow_redirects=False)
    api_world.client.cookies.set("spotter_session", login.cookies["spotter_session"])
    page = api_world.client.get("/admin/exercises").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_admin_searches_adds_edits_and_imports(api_world) -> None:
    csrf = admin_session(api_world)
    client = api_world.client
    found = client.get("/admin/exercises", params={"q": "squat", "pattern": "squat"})
    assert found.status_code == 200 and "Barbell Squat" in found.text
    added = client.post("/admin/exercises", follow_redirects=False, data={
        "csrf_token": csrf, "name": "Page Test Step Down", "equipment": "body only",
        "level": "beginner", "category": "strength", "mechanic": "compound",
        "primary_muscles": ["quadriceps"], "secondary_muscles": ["glutes"]})
    assert added.status_code == 303, added.text
    url = added.headers["location"].split("?")[0]
    page = client.get(url)
    assert page.status_code == 200 and "Page Test Step Down" in page.text
    edited = client.post(url, follow_redirects=False, data={
        "csrf_token": csrf, "set_positions": "on", "name": "Page Test Step Down",
        "equipment": "body only", "level": "beginner", "category": "strength",
        "mechanic": "compound", "pattern": "lunge", "primary_muscles": ["quadriceps"],
        "positions": ["deep_knee_flexion"]})
    assert edited.status_code == 303
    after = client.get(url).text
    assert re.search(r'value="deep_knee_flexion" checked', after)
    assert re.search(r'id="derived">Not for members with an injured knee ', after)  # the rules
    refused = client.post(url, data={"csrf_token": csrf, "set_positions": "on",
                                     "name": "x", "equipment": "rocket", "level": "beginner",
                                     "category": "strength", "pattern": "lunge",
                                     "primary_muscles": ["quadriceps"]})
    assert refused.status_code == 422 and "equipment" in refused.text
    records = [{"id": "Page_Import", "name": "Page Import Row", "level": "beginner",
                "category": "strength", "primaryMuscles": ["chest"], "equipment": "dumbbell"},
               {"id": "Bad", "name": "Bad", "level": "godlike", "category": "strength",
                "primaryMuscles": ["chest"]}]
    imported = client.post("/admin/exercises/import", data={"csrf_token": csrf},
                           files={"file": ("ex.json", json.dumps(records), "application/json")})
    assert imported.status_code == 200 and 'id="import-report"' in imported.text
    assert "record #1 (Bad)" in imported.text
    junk = client.post("/admin/exercises/import", data={"csrf_token": csrf},
                       files={"file": ("ex.json", "{not json", "application/json")})
    assert junk.status_code == 422 and "not valid JSON" in junk.text
