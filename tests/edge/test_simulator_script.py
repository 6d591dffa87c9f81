"""The scripted demo class (configs/demo.toml) played by the simulator: its people are
the script's, and within the first three minutes every live alert rule fires under the
demo's shortened rules (configs/demo_alerts.toml), checked with the worker's own rule code."""

from __future__ import annotations

import asyncio

import pytest

from configs.base import CONFIG_DIR
from edge.simulator import SCRIPT_ENV, ScriptError, SimulatedStraps, load_script, make_members
from streams.alert_rules import evaluate
from streams.insight_config import load_alert_rules
from streams.metrics import MemberSession
from streams.physiology import MemberProfile

SCRIPT = load_script()
DEMO_RULES = load_alert_rules(CONFIG_DIR / "demo_alerts.toml")
FIRST_MINUTES_S = 180


async def first_readings(straps: SimulatedStraps, seconds: int) -> list[tuple[float, str, int]]:
    """(seconds into the class, strap, reported bpm) for the first ``seconds``."""
    out = []
    start = None
    async for reading in straps.readings():
        start = reading.received_wall if start is None else start
        t = reading.received_wall - start
        if t >= seconds:
            break
        out.append((t, reading.strap_id, reading.measurement.hr_bpm))
    await straps.close()
    return out


@pytest.fixture(scope="module")
def played() -> list[tuple[float, str, int]]:
    straps = SimulatedStraps(make_members(8), speed=1e6, script=SCRIPT)
    return asyncio.run(first_readings(straps, FIRST_MINUTES_S + 30))


def test_the_script_gives_each_strap_its_person() -> None:
    straps = SimulatedStraps(make_members(9), script=SCRIPT)
    ben = next(m for m in straps.members if m.strap_id == "sim-02")
    assert (ben.hr_max, ben.hr_rest) == (184, 60) and ben.hr == pytest.approx(0.86 * 184)
    extra = next(m for m in straps.members if m.strap_id == "sim-09")  # beyond the list
    assert (extra.hr_max, extra.hr_rest) == (SCRIPT.profile.hr_max, SCRIPT.profile.hr_rest)
    assert [p.name for p in straps.plan][:2] == ["warm-up", "work 1"]


def test_the_environment_names_the_script(monkeypatch) -> None:
    monkeypatch.setenv(SCRIPT_ENV, str(CONFIG_DIR / "demo.toml"))
    assert SimulatedStraps(make_members(2)).members[1].hr_max == 184
    monkeypatch.setenv(SCRIPT_ENV, str(CONFIG_DIR / "no-such-script.toml"))
    with pytest.raises(ScriptError, match="no-such-script.toml"):
        SimulatedStraps(make_members(2))


def test_a_silent_strap_sends_nothing_in_its_window(played) -> None:
    (silence,) = SCRIPT.profile_of("sim-04").silent  # type: ignore[attr-defined]
    dev = [t for t, strap, _ in played if strap == "sim-04"]
    assert not [t for t in dev if silence.from_s <= t < silence.to_s]
    assert any(t >= silence.to_s for t in dev)  # and it comes back


def fired_rules(played: list[tuple[float, str, int]]) -> dict[str, float]:
    """First time each member rule fires, by the worker's rule code (one session each)."""
    sessions = {m.strap: MemberSession.new("demo", m.strap, MemberProfile(
        hr_max=m.hr_max, hr_rest=m.hr_rest)) for m in SCRIPT.member}
    seq: dict[str, int] = {}
    first: dict[str, float] = {}
    by_second: dict[int, list[tuple[str, int]]] = {}
    for t, strap, hr in played:
        by_second.setdefault(int(t), []).append((strap, hr))
    for second in range(FIRST_MINUTES_S + 1):
        for strap, hr in by_second.get(second, []):
            seq[strap] = seq.get(strap, -1) + 1
            sessions[strap].add("s", seq[strap], float(second), hr)
        for state in sessions.values():
            state.advance(float(second))
            for alert in evaluate(state, float(second), class_started_at=0.0,
                                  rules=DEMO_RULES):
                first.setdefault(f"{alert.rule}:{alert.member_id}", float(second))
    return first


def test_every_member_rule_fires_in_the_first_three_minutes(played) -> None:
    first = fired_rules(played)
    assert {"sustained_high:sim-02", "dropout:sim-04", "under_working:sim-03",
            "spike:sim-05"} <= set(first), first
    assert all(t <= FIRST_MINUTES_S for t in first.values())


def test_the_room_averages_above_the_class_threshold_long_enough(played) -> None:
    """The class-level rule's condition (mean %HRmax of the members heard, for
    min_duration_s) holds within the first three minutes."""
    rule = DEMO_RULES.class_intensity
    hr_max = {m.strap: m.hr_max for m in SCRIPT.member}
    since, fired_at = None, None
    for second in range(FIRST_MINUTES_S + 1):
        now = [100 * hr / hr_max[s] for t, s, hr in played if second - 1 < t <= second]
        mean = sum(now) / len(now)
        if len(now) >= rule.min_members and mean >= rule.min_pct_hrmax:
            since = second if since is None else since
            if second - since >= rule.min_duration_s:
                fired_at = second
                break
        else:
            since = None
    assert fired_at is not None and fired_at <= FIRST_MINUTES_S
