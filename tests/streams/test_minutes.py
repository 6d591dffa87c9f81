"""Real-time insights per minute add up to the post-class totals exactly."""

from __future__ import annotations

from streams.insight_config import default_alert_rules, default_insight_config
from streams.member_state import MemberState, sample_in
from streams.minutes import MINUTE_S, MinuteLog

T0 = 1_765_000_000.0  # 40 s into a minute: the class starts mid-minute


def ride(seconds: int, start: float = T0 + 17.0) -> list:
    """A 1 Hz strap: warm-up, two hard blocks, easy between (hand-written shape)."""
    hrs = [95 + (i % 50) * 2 if (i // 60) % 2 else 150 + (i % 7) for i in range(seconds)]
    return [sample_in("s1", i, start + i, hr, [], True, "chest") for i, hr in enumerate(hrs)]


def run_class(samples: list, batch: int = 13) -> MemberState:
    state = MemberState("c", "m", 0, name="Mo")
    config, rules = default_insight_config(), default_alert_rules()
    for i in range(0, len(samples), batch):
        chunk = samples[i:i + batch]
        closed = state.take(chunk, None, 0.0, max_waiting=1, config=config, rules=rules)
        state.add_windows(closed, 10.0)
    assert state.session is not None
    state.add_windows(state.session.finalize(), 10.0)
    state.close_minutes()
    return state


def test_the_minutes_add_up_to_the_totals_of_the_class() -> None:
    state = run_class(ride(7 * 60 + 25))
    assert state.session is not None
    totals = state.session.totals()
    minutes = [r for r in state.rows if r["kind"] == "minute"]
    start, end = T0 + 17.0, T0 + 17.0 + 7 * 60 + 24  # first and last sample
    assert len(minutes) == int(end // 60 - start // 60) + 1  # every minute touched, once
    zone_sums = [sum(r["data"]["zone_s"][z] for r in minutes) for z in range(6)]
    assert [round(z, 1) for z in zone_sums[1:]] == totals.zones_s
    assert round(zone_sums[0], 1) == totals.below_zone1_s
    assert round(sum(r["data"]["effort_points"] for r in minutes), 2) == totals.effort_points
    assert round(sum(r["data"]["trimp"] for r in minutes), 2) == totals.trimp
    assert [r["at"] for r in minutes] == sorted({r["at"] for r in minutes})
    assert all(r["at"] % MINUTE_S == 0 for r in minutes)


def test_a_minute_says_its_mean_and_peak_intensity() -> None:
    state = run_class(ride(3 * 60, start=T0 - T0 % 60))  # three whole minutes
    first = state.rows[0]["data"]
    assert first["seconds"] == 60
    assert first["pct_hr_max_max"] >= first["pct_hr_max_mean"] > 0


def test_reps_and_faulty_reps_land_in_their_minute() -> None:
    log = MinuteLog()
    start = T0 - T0 % 60
    for i, faulty in enumerate([False, True, True, False]):
        log.rep(start + 5 + i * 10, faulty)
    log.rep(start + 65, True)
    rows = log.close(None)
    assert [(r["at"], r["data"]["reps"], r["data"]["faulty_reps"]) for r in rows] == [
        (start, 4, 2), (start + 60, 1, 1)]


def test_the_log_survives_the_state_table() -> None:
    state = run_class(ride(90))
    log = MinuteLog.from_list(state.minutes.to_list())
    assert log == state.minutes
