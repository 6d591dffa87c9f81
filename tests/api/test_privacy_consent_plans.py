"""Suggestions off (issue 20): the member's class data no longer adapts their plan, and
the performance pages say the planner does nothing about what they show. The same data
with suggestions on brings the deload forward (tests/api/test_member_performance.py)."""

from __future__ import annotations

from tests.api.test_member_performance import overreaching_classes
from tests.api.test_plans_api import AVA, PlanWorld, generate
from tests.api.test_plans_api import world as world  # noqa: F401  (the fixture)


def test_suggestions_off_keeps_the_plan_from_class_data(world: PlanWorld) -> None:
    overreaching_classes(world)
    said = world.api.client.put("/api/members/me/consents", headers=world.headers["member"],
                                json={"suggestions": False})
    assert said.status_code == 200, said.text
    plan = generate(world)
    assert plan["adaptations"] == []  # on: "deload brought forward to week 4"
    assert world.post("trainer", f"/api/plans/{plan['id']}/approve").status_code == 200
    adapted = world.post("member", f"/api/plans/{plan['id']}/adapt").json()
    assert adapted["performance"] == []
    mine = world.get("member", "/member/performance")
    assert 'data-testid="perf-suggestions-off"' in mine.text
    assert 'data-testid="perf-signals"' not in mine.text
    theirs = world.get("trainer", f"/trainer/members/{AVA}/performance")
    assert "this member switched suggestions" in theirs.text
