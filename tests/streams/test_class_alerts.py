"""The class-level intensity alert: the whole room hard for long enough, once per cooldown."""

from __future__ import annotations

from streams.class_alerts import check
from streams.insight_config import ClassIntensityRule

RULE = ClassIntensityRule(min_pct_hrmax=85.0, min_duration_s=60.0, cooldown_s=300.0,
                          min_members=3, fresh_s=10.0)


def room(now: float, *pcts: float, seen_ago: float = 1.0) -> list[dict]:
    return [{"member_id": f"m{i}", "pct_hr_max": p, "last_seen": now - seen_ago}
            for i, p in enumerate(pcts)]


def test_it_fires_after_the_duration_then_waits_out_the_cooldown() -> None:
    tracker: dict = {}
    fired = [t for t in range(0, 400, 5)
             if check(tracker, "c1", room(t, 90, 86, 84), float(t), RULE)]
    assert fired == [60, 360]  # avg 86.7 from t=0: first at 60 s, again after 300 s


def test_a_dip_below_the_threshold_restarts_the_episode() -> None:
    tracker: dict = {}
    assert check(tracker, "c1", room(0, 90, 90, 90), 0.0, RULE) is None
    assert check(tracker, "c1", room(40, 70, 70, 70), 40.0, RULE) is None
    assert check(tracker, "c1", room(50, 90, 90, 90), 50.0, RULE) is None
    assert check(tracker, "c1", room(100, 90, 90, 90), 100.0, RULE) is None  # 50 s only
    alert = check(tracker, "c1", room(110, 90, 90, 90), 110.0, RULE)
    assert alert is not None and alert.member_id is None and alert.value == 90.0
    assert alert.evidence_start == 50.0 and "90 % HRmax" in alert.message


def test_too_few_members_heard_is_not_the_class() -> None:
    tracker: dict = {}
    assert not any(check(tracker, "c1", room(t, 95, 95), float(t), RULE)
                   for t in range(0, 200, 5))
    stale = room(0, 95, 95, 95, seen_ago=30.0)  # straps silent for 30 s
    assert not any(check(tracker, "c1", stale, float(t), RULE) for t in range(0, 200, 5))


def test_a_disabled_rule_never_fires() -> None:
    off = RULE.model_copy(update={"enabled": False})
    assert not any(check({}, "c1", room(t, 99, 99, 99), float(t), off) for t in range(0, 200, 5))
