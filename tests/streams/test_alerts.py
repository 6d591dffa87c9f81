"""Alert rules firing and not firing, cooldowns, stable ids, restore without repeats."""

from __future__ import annotations

import json

import pytest

from streams.alert_rules import evaluate
from streams.alerts import alert_id
from streams.insight_config import default_alert_rules
from streams.metrics import MemberSession
from streams.physiology import MemberProfile

RULES = default_alert_rules()
HR_MAX_200 = MemberProfile(age=35, hr_max=200, hr_rest=50)  # 184 bpm = 92 %


def session() -> MemberSession:
    return MemberSession.new("class-1", "m1", HR_MAX_200)


def play(state: MemberSession, start: float, hrs: list[int], step: float = 1.0,
         first_seq: int = 0) -> float:
    """Samples at 1 Hz; returns the time of the last one."""
    t = start
    for i, hr in enumerate(hrs):
        t = start + i * step
        state.add("s", first_seq + i, t, hr)
    return t


def rules_fired(state: MemberSession, now: float, **kwargs) -> list[str]:
    state.advance(now)
    return [a.rule for a in evaluate(state, now, **kwargs)]


@pytest.mark.parametrize(("hrs", "expected"), [
    ([186] * 70, ["sustained_high"]),          # 93 % for 70 s
    ([186] * 61, ["sustained_high"]),          # 60 s from first to last sample
    ([186] * 55 + [150] * 20, []),             # too short
    ([182] * 90, []),                          # 91 %: below the 92 % line
    ([186] * 40 + [150] + [186] * 40, []),     # interrupted run restarts the clock
])
def test_sustained_high_intensity(hrs: list[int], expected: list[str]) -> None:
    state = session()
    last = play(state, 1000.0, [150] * 5 + hrs)
    assert rules_fired(state, last + 5, class_live=False) == expected


def test_sustained_high_evidence_and_stable_id() -> None:
    state = session()
    play(state, 1000.0, [186] * 70)
    state.advance(1100.0)
    (alert,) = evaluate(state, 1100.0, class_live=False)
    assert (alert.evidence_start, alert.evidence_end) == (1000.0, 1060.0)
    assert alert.severity == RULES.sustained_high.severity and alert.member_id == "m1"
    assert alert.alert_id == alert_id("class-1", "m1", "sustained_high", 1000.0)
    assert alert.value == pytest.approx(0.93)


def test_long_episode_is_one_alert_extended_once_per_cooldown() -> None:
    state = session()
    play(state, 1000.0, [190] * 400)
    state.advance(1500.0)
    alerts = evaluate(state, 1500.0, class_live=False)
    assert [a.evidence_end for a in alerts] == [1060.0, 1360.0]  # cooldown 300 s
    assert len({a.alert_id for a in alerts}) == 1


@pytest.mark.parametrize(("hrs", "contact_lost", "expected"), [
    ([100] * 8 + [145], False, ["spike"]),          # +45 bpm within 5 s
    ([100] * 8 + [140], False, []),                 # +40 is not more than 40
    ([100 + 5 * i for i in range(12)], False, []),  # +25 in 5 s: a hard but real rise
    ([100] * 8 + [145], True, []),                  # strap reports no contact: no data
])
def test_abnormal_spike(hrs: list[int], contact_lost: bool, expected: list[str]) -> None:
    state = session()
    for i, hr in enumerate(hrs):
        last = i == len(hrs) - 1
        state.add("s", i, 1000.0 + i, hr, sensor_contact=False if last and contact_lost else None)
    state.add("s", len(hrs), 1000.0 + len(hrs), 120)
    assert rules_fired(state, 1100.0, class_live=False) == expected


def test_spike_cooldown_keeps_the_tablet_quiet() -> None:
    state = session()
    hrs = ([100] * 8 + [145] + [100] * 30) * 2  # two spikes 39 s apart
    last = play(state, 1000.0, hrs)
    assert rules_fired(state, last + 5, class_live=False) == ["spike"]


def test_fast_replay_between_timer_ticks_still_alerts() -> None:
    state = session()
    play(state, 1000.0, [100] * 8 + [150] + [100] * 300)  # spike long gone before the tick
    assert rules_fired(state, 1400.0, class_live=False) == ["spike"]


def test_dropout_while_class_is_live() -> None:
    state = session()
    play(state, 1000.0, [120] * 10)  # last sample at 1009
    assert rules_fired(state, 1023.0) == []
    assert rules_fired(state, 1024.0) == ["dropout"]
    assert rules_fired(state, 1030.0) == []           # same silence: once
    assert rules_fired(state, 1060.0, class_live=False) == []


def test_dropout_cooldown_and_next_episode() -> None:
    state = session()
    play(state, 1000.0, [120] * 10)
    assert rules_fired(state, 1024.0) == ["dropout"]
    play(state, 1030.0, [120] * 3, first_seq=10)   # back briefly, then silent again
    assert rules_fired(state, 1050.0) == []         # within the 120 s cooldown
    assert rules_fired(state, 1150.0) == ["dropout"]


def test_no_dropout_without_any_sample() -> None:
    assert rules_fired(session(), 5000.0) == []


@pytest.mark.parametrize(("kwargs", "expected"), [
    # no plan: work starts after the 600 s warm-up; 300 s below zone 2 after that
    ({"class_started_at": 1000.0}, ["under_working"]),
    ({"work_intervals": [(1100.0, 1500.0)]}, ["under_working"]),
    ({"work_intervals": [(1100.0, 1300.0)]}, []),   # only 200 s of work, and it is over
])
def test_under_working(kwargs: dict, expected: list[str]) -> None:
    state = session()
    last = play(state, 1000.0, [110] * 950)  # 55 %: zone 1 the whole class
    assert rules_fired(state, last + 3, class_live=False, **kwargs) == expected


def test_working_member_is_not_flagged() -> None:
    state = session()
    last = play(state, 1000.0, [130] * 950)  # 65 %: zone 2
    assert rules_fired(state, last + 3, class_live=False, class_started_at=1000.0) == []


def test_restored_state_does_not_repeat_alerts() -> None:
    state = session()
    play(state, 1000.0, [186] * 70)
    assert rules_fired(state, 1080.0) == ["sustained_high"]
    restored = MemberSession.from_dict(json.loads(json.dumps(state.to_dict())))
    play(restored, 1070.0, [186] * 30, first_seq=70)  # still high, within cooldown
    assert rules_fired(restored, 1101.0) == []


def test_disabled_rule_never_fires() -> None:
    rules = RULES.model_copy(update={"spike": RULES.spike.model_copy(update={"enabled": False})})
    state = MemberSession.new("class-1", "m1", HR_MAX_200, rules=rules)
    play(state, 1000.0, [100] * 8 + [150] + [100] * 5)
    state.advance(1100.0)
    assert evaluate(state, 1100.0, class_live=False, rules=rules) == []


def test_alert_data_makes_a_wire_record() -> None:
    from contract.records import Alert

    t0 = 1_700_000_000.0  # the wire takes real Unix times only
    state = session()
    play(state, t0, [100] * 8 + [150] + [100] * 5)
    state.advance(t0 + 100)
    (alert,) = evaluate(state, t0 + 100, class_live=False)
    record = Alert(**alert.to_dict())
    assert record.rule == "spike" and record.evidence_start == t0 + 7


def test_tick_accounts_and_evaluates() -> None:
    from streams.alert_rules import tick

    state = session()
    play(state, 1000.0, [100] * 8 + [150])  # the spike sits inside the grace period
    closed, alerts = tick(state, 1010.5, class_live=False)
    assert [a.rule for a in alerts] == ["spike"] and closed
