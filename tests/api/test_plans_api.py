"""Plans over the API: generate, review, edit (rule-checked), approve, archive, adapt,
session modifications; the planner toggle; notifications; who may see which plan."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from api.plans.demo import seed_planner_demo
from db.accounts import User
from db.models import Member, Trainer
from planner.config import default_config
from planner.io import default_library
from planner.models import MemberProfile, Plan
from planner.validation import check_plan

AVA = "demo-member-01"


@dataclass
class PlanWorld:
    api: Any
    headers: dict[str, dict[str, str]]

    def post(self, who: str, url: str, json: object | None = None) -> Any:
        return self.api.client.post(url, json=json, headers=self.headers[who])

    def get(self, who: str, url: str) -> Any:
        return self.api.client.get(url, headers=self.headers[who])

    def patch(self, who: str, url: str, json: object) -> Any:
        return self.api.client.patch(url, json=json, headers=self.headers[who])


def add_person(database_url: str, role: str, ident: str) -> dict[str, str]:
    """A second trainer or member with a token (to prove one sees nothing of another's).

    The user row gets an unusable password hash: it only ever calls with its token."""
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.add((Trainer if role == "trainer" else Member)(id=ident,
                                                           display_name=f"Other {ident}"))
        user = User(email=f"{ident}@test.spotter", display_name=ident, password_hash="!",
                    role=role, trainer_id=ident if role == "trainer" else None,
                    member_id=ident if role == "member" else None)
        db.add(user)
        db.flush()
        user_id = user.id
    engine.dispose()
    return token_headers(database_url, user_id)


def token_headers(database_url: str, user_id: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + create_token(database_url, "test", kind="user",
                                                      user_id=user_id)}


def demo_headers(api_world: Any) -> dict[str, dict[str, str]]:
    """Bearer headers of the demo accounts, made directly (no Argon2 login per test)."""
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        ids = {u.role: u.id for u in db.scalars(select(User).where(User.email.in_(
            [e for e, _ in api_world.demo.accounts.values()])))}
    engine.dispose()
    headers = {role: token_headers(api_world.database_url, ids[role])
               for role in ("admin", "trainer", "member")}
    return headers | {"device": api_world.auth("device")}


@pytest.fixture
def world(api_world) -> Iterator[PlanWorld]:
    seed_planner_demo(api_world.database_url)
    headers = demo_headers(api_world)
    headers["other_trainer"] = add_person(api_world.database_url, "trainer", "other-trainer")
    yield PlanWorld(api_world, headers)


def generate(world: PlanWorld, who: str = "trainer", **body: object) -> dict[str, Any]:
    response = world.post(who, "/api/plans", {"member_id": AVA, "weeks": 6, **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def ava_profile(world: PlanWorld) -> MemberProfile:
    body = world.get("trainer", f"/api/members/{AVA}/profile").json()
    return MemberProfile.model_validate(body["profile"])


def test_trainer_generates_reviews_and_approves_and_the_member_is_told(world) -> None:
    plan = generate(world)
    assert plan["status"] == "draft" and plan["trainer_id"] == "demo-trainer"
    body = Plan.model_validate(plan["plan"])
    assert not check_plan(body, MemberProfile.model_validate(plan["profile"]),
                          default_library(), default_config())
    assert all(i.reason for w in body.weeks for s in w.sessions for i in s.exercises)
    # a draft is the coach's: the member neither reads nor lists it
    assert world.get("member", f"/api/plans/{plan['id']}").status_code == 404
    assert world.get("member", "/api/plans").json() == []
    approved = world.post("trainer", f"/api/plans/{plan['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    mine = world.get("member", "/api/plans").json()
    assert [p["id"] for p in mine] == [plan["id"]]
    told = world.get("member", "/api/notifications").json()
    assert [n["event"] for n in told] == ["plan.approved"] and told[0]["url"] == "/member"
    again = world.post("trainer", f"/api/plans/{plan['id']}/approve")
    assert again.status_code == 409


def test_a_plan_an_admin_makes_goes_to_the_assigned_trainer_for_review(world) -> None:
    plan = generate(world, "admin")
    assert plan["trainer_id"] == "demo-trainer"  # the trainer of Ava's class
    inbox = world.get("trainer", "/api/notifications").json()
    assert inbox[0]["event"] == "plan.ready_for_review"
    assert inbox[0]["url"] == f"/trainer/plans/{plan['id']}"


def test_unservable_profile_is_refused_with_reasons(world) -> None:
    profile = ava_profile(world).model_copy(update={"days_per_week": 1,
                                                    "minutes_per_session": 30,
                                                    "goals": ["hypertrophy"]})
    response = world.post("trainer", "/api/plans", {"member_id": AVA, "profile":
                                                    profile.model_dump(mode="json")})
    assert response.status_code == 422
    assert response.json()["reasons"] and "more minutes a week" in response.text
    mismatched = profile.model_copy(update={"member_id": "someone-else"})
    wrong = world.post("trainer", "/api/plans", {"member_id": AVA, "profile":
                                                 mismatched.model_dump(mode="json")})
    assert wrong.status_code == 422 and "member_id" in wrong.json()["detail"]


def test_the_admins_planner_switch_is_respected(world) -> None:
    settings = world.get("admin", "/api/admin/settings/ai-features").json()
    off = world.api.client.put("/api/admin/settings/ai-features",
                               json={**settings, "planner": False},
                               headers=world.headers["admin"])
    assert off.status_code == 200, off.text
    refused = world.post("trainer", "/api/plans", {"member_id": AVA})
    assert refused.status_code == 409 and "switched off" in refused.json()["detail"]


def test_edits_are_saved_only_when_the_plan_still_passes_the_rules(world) -> None:
    plan = generate(world)
    first = plan["plan"]["weeks"][0]["sessions"][0]
    item = first["exercises"][0]
    url = f"/api/plans/{plan['id']}"
    bad = world.patch("trainer", url, {"changes": [
        {"week": 1, "day": first["day"], "index": 0, "reps": 40}]})
    assert bad.status_code == 422 and any("reps 40" in r for r in bad.json()["reasons"])
    assert world.get("trainer", url).json()["plan"] == plan["plan"]  # nothing saved
    rest = item["rest_seconds"] - 10
    good = world.patch("trainer", url, {"changes": [
        {"week": 1, "day": first["day"], "index": 0, "rest_seconds": rest,
         "reason": "shorter rest: she asked for it"}]})
    assert good.status_code == 200, good.text
    saved = good.json()["plan"]["weeks"][0]["sessions"][0]["exercises"][0]
    assert saved["rest_seconds"] == rest and saved["reason"] == "shorter rest: she asked for it"
    nowhere = world.patch("trainer", url, {"changes": [
        {"week": 1, "day": first["day"], "index": 30, "sets": 3}]})
    assert nowhere.status_code == 422
    assert "no exercise 31 (index 30)" in nowhere.json()["reasons"][0]
    unknown = world.patch("trainer", url, {"changes": [
        {"week": 1, "day": first["day"], "index": 0, "exercise_id": "Moon_Squat"}]})
    assert unknown.status_code == 422
    archived = world.post("trainer", f"{url}/archive")
    assert archived.json()["status"] == "archived"
    assert world.patch("trainer", url, {"changes": [
        {"week": 1, "day": first["day"], "index": 0, "rest_seconds": rest}]}).status_code == 409


def test_each_role_sees_only_the_plans_it_may(world) -> None:
    plan = generate(world)
    url = f"/api/plans/{plan['id']}"
    assert world.get("other_trainer", url).status_code == 404
    assert world.get("other_trainer", "/api/plans").json() == []
    refused = world.post("other_trainer", "/api/plans", {"member_id": AVA})
    assert refused.status_code == 403
    assert world.post("other_trainer", f"{url}/approve").status_code == 404
    assert world.post("member", "/api/plans", {"member_id": AVA}).status_code == 403
    assert world.post("member", f"{url}/approve").status_code == 403
    assert world.get("device", url).status_code == 403
    assert world.get("admin", url).status_code == 200
    world.post("trainer", f"{url}/approve")
    other_member = add_person(world.api.database_url, "member", "other-member")
    assert world.api.client.get(url, headers=other_member).status_code == 404
    assert world.api.client.get("/api/plans", headers=other_member).json() == []


def _active_plan(world: PlanWorld) -> dict[str, Any]:
    plan = generate(world)
    return dict(world.post("trainer", f"/api/plans/{plan['id']}/approve").json())


def _beat_targets(world: PlanWorld, plan: dict[str, Any]) -> dict[str, Any]:
    """Log every loaded item of week 1's first session with 3 more reps than asked."""
    session = plan["plan"]["weeks"][0]["sessions"][0]
    loaded = [i for i in session["exercises"] if i["reps"] and "load_kg" in i["intensity"]]
    assert loaded, "Ava's profile has history: her first session has loads in kg"
    for item in loaded:
        sets = [{"load_kg": item["intensity"]["load_kg"], "reps": item["reps"] + 3, "rpe": 7}
                for _ in range(item["sets"])]
        logged = world.post("member", "/api/members/me/logs", {
            "week": 1, "day": session["day"], "exercise_id": item["exercise_id"],
            "sets": sets})
        assert logged.status_code == 201, logged.text
    return loaded[0]


def test_logged_sets_beating_the_targets_progress_the_load_on_request(world) -> None:
    plan = _active_plan(world)
    item = _beat_targets(world, plan)
    adapted = world.post("member", f"/api/plans/{plan['id']}/adapt")
    assert adapted.status_code == 200, adapted.text
    actions = {a["exercise_id"]: a["action"] for a in adapted.json()["adjustments"]}
    assert actions[item["exercise_id"]] == "progress_load"
    after = world.get("member", f"/api/plans/{plan['id']}").json()
    later = [i for w in after["plan"]["weeks"][1:] for s in w["sessions"]
             for i in s["exercises"] if i["exercise_id"] == item["exercise_id"]
             and "load_kg" in i["intensity"]]
    before = {(w["week"], s["day"]): i["intensity"]["load_kg"]
              for w in plan["plan"]["weeks"] for s in w["sessions"] for i in s["exercises"]
              if i["exercise_id"] == item["exercise_id"] and "load_kg" in i["intensity"]}
    assert later and max(i["intensity"]["load_kg"] for i in later) > max(before.values())
    assert after["adaptations"][-1]["source"] == "on request"
    again = world.post("member", f"/api/plans/{plan['id']}/adapt").json()
    assert again["applied_logs"] == 0  # each log is applied once
    logs = world.get("member", "/api/members/me/logs").json()
    assert logs and all(log["applied"] for log in logs)


def test_approving_the_next_block_carries_the_logged_sets_over(world) -> None:
    first = _active_plan(world)
    item = _beat_targets(world, first)
    second = generate(world)
    approved = world.post("trainer", f"/api/plans/{second['id']}/approve").json()
    assert approved["adaptations"][-1]["source"] == "carried over at approval"
    assert world.get("admin", f"/api/plans/{first['id']}").json()["status"] == "archived"
    history = {s["exercise_id"] for s in approved["profile"]["training_history"]}
    assert item["exercise_id"] in history
    stored = ava_profile(world)
    assert any(s.reps == item["reps"] + 3 for s in stored.training_history)


def test_session_modifications_from_live_feedback(world) -> None:
    plan = _active_plan(world)
    session = plan["plan"]["weeks"][0]["sessions"][0]
    first = session["exercises"][0]["exercise_id"]
    url = f"/api/plans/{plan['id']}/sessions/1/{session['day']}/modifications"
    calm = world.post("trainer", url, {})
    assert calm.status_code == 200 and calm.json()["modifications"] == []
    assert "no readiness check-in" in calm.json()["member_status"]["notes"][0]
    hot = world.post("trainer", url, {"live_feedback": {"hr_alerts": 3,
                                                        "poor_form": [first]}}).json()
    kinds = {m["kind"] for m in hot["modifications"]}
    assert "reduce_intensity" in kinds and kinds & {"regress", "reduce_intensity"}
    assert any(m["exercise_id"] == first for m in hot["modifications"])
    tired = world.post("member", url, {"check_in": {"sleep": 1, "energy": 1, "stress": 5,
                                                    "soreness": 5, "pain": 1}}).json()
    assert tired["member_status"]["status"] == "recover"
    assert sum(i["sets"] for i in tired["session"]["exercises"]) < \
        sum(i["sets"] for i in session["exercises"])
    missing = world.post("trainer", f"/api/plans/{plan['id']}/sessions/9/{session['day']}"
                                    "/modifications", {})
    assert missing.status_code == 422


def test_a_trainer_assigned_one_plan_sees_that_plan_only(world) -> None:
    """Assigned to one of Ava's plans (not her class): that plan, not her others."""
    mine = generate(world, "admin", trainer_id="other-trainer")
    theirs = generate(world)
    listed = [p["id"] for p in world.get("other_trainer", "/api/plans").json()]
    assert listed == [mine["id"]]
    assert world.get("other_trainer", f"/api/plans/{mine['id']}").status_code == 200
    assert world.get("other_trainer", f"/api/plans/{theirs['id']}").status_code == 404
    inbox = world.get("other_trainer", "/api/notifications").json()
    assert [n["payload"]["plan_id"] for n in inbox] == [mine["id"]]
