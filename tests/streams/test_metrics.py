"""The per-member incremental state: coverage rules, metrics, invariants, live = batch."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.source import RecordedSample
from streams.insight_config import default_insight_config
from streams.metrics import MemberSession, summarize_recording
from streams.physiology import MemberProfile

CFG = default_insight_config()
CAP = CFG.model_copy(update={"coverage": CFG.coverage.model_copy(update={"gap_policy": "cap"})})
# HRmax 200, rest 50: 100 bpm = 50 % (zone 1), 150 bpm = 75 % (zone 3), 185 = 92.5 % (zone 5)
ATHLETE = MemberProfile(age=35, sex="male", weight_kg=75.0, hr_max=200, hr_rest=50)


def recording(*points: tuple[float, int]) -> list[RecordedSample]:
    return [RecordedSample(t=t, hr_bpm=hr) for t, hr in points]


def session(profile: MemberProfile = ATHLETE, **kwargs) -> MemberSession:
    return MemberSession.new("class-1", "m1", profile, **kwargs)


@pytest.mark.parametrize(("config", "duration", "no_data", "avg_hr", "zones"), [
    # t=0 100 | 1 110 | 2 150 | gap of 8 s | 10 130 | 11 140 (last: 1 s)
    # no_data: the 8 s interval counts nothing -> 1 s each at 100, 110, 130, 140
    (CFG, 4.0, 8.0, 120.0, [2.0, 1.0, 1.0, 0.0, 0.0]),
    # cap: 5 of the 8 s count at 150 bpm -> (100 + 110 + 5*150 + 130 + 140) / 9
    (CAP, 9.0, 3.0, 136.7, [2.0, 1.0, 6.0, 0.0, 0.0]),
])
def test_each_sample_counts_to_the_next_and_long_gaps_are_no_data(
        config, duration, no_data, avg_hr, zones) -> None:
    totals = summarize_recording(recording((0, 100), (1, 110), (2, 150), (10, 130), (11, 140)),
                                 ATHLETE, config=config)
    assert (totals.duration_s, totals.no_data_s, totals.elapsed_s) == (duration, no_data, 11.0)
    assert totals.avg_hr == avg_hr and totals.max_hr == 150
    assert totals.zones_s == zones


def test_effort_points_trimp_and_calories_over_ten_minutes() -> None:
    # 600 samples at 150 bpm, 1 Hz, + 1 s for the last one = 601 s in zone 3
    totals = summarize_recording([RecordedSample(t=float(i), hr_bpm=150) for i in range(601)],
                                 ATHLETE)
    assert totals.duration_s == 601.0 and totals.zones_s[2] == 601.0
    assert totals.effort_points == pytest.approx(3 * 601 / 60, abs=0.01)   # Myzone: 3/min
    assert totals.trimp == pytest.approx(1.534566 * 601 / 60, abs=0.01)    # Banister, male
    assert totals.kcal == pytest.approx(14.700669 * 601 / 60, abs=0.1)     # Keytel, male
    assert totals.engaged_s == 601.0
    assert totals.rmssd_ms is None  # no RR at all


def test_rmssd_only_from_chest_straps() -> None:
    def run(source: str) -> float | None:
        state = session()
        for i in range(40):
            state.add("s", i, 100.0 + i, 75, rr_intervals_ms=(800.0 + 10 * (i % 2),),
                      source=source)
        state.finalize()
        return state.totals().rmssd_ms

    assert run("chest") == pytest.approx(10.0)
    assert run("replay") == pytest.approx(10.0)
    assert run("optical") is None
    assert run("sim") is None


def test_recovery_after_a_work_bout() -> None:
    # 90 s at 170 (85 %: work, last sample t=89), then 158 (79 %) falling 1 bpm/s:
    # at t=149, 60 s after the bout ended, HR is 158 - 59 = 99 -> a 71 bpm drop
    points = [(float(t), 170) for t in range(90)]
    points += [(90.0 + t, 158 - t) for t in range(80)]
    totals = summarize_recording(recording(*points), ATHLETE)
    assert totals.recovery_bpm_60s == 71.0
    assert totals.recoveries[0]["end_t"] == 89.0


@pytest.mark.parametrize("points", [
    [(float(t), 170) for t in range(30)] + [(30.0 + t, 140) for t in range(80)],  # bout < 60 s
    [(float(t), 170) for t in range(90)] + [(90.0 + t, 140) for t in range(30)],  # ends early
    [(float(t), 170) for t in range(90)] + [(90.0 + t, 140) for t in range(30)]
    + [(120.0 + t, 170) for t in range(60)],  # back to work within the minute
])
def test_no_recovery_without_a_qualifying_bout_and_minute(points) -> None:
    assert summarize_recording(recording(*points), ATHLETE).recovery_bpm_60s is None


def test_late_sample_is_counted_and_not_merged() -> None:
    state = session()
    for i in range(10):
        state.add("s", i, 100.0 + i, 150)
    before = state.to_dict()
    state.add("s", 99, 102.5, 190)  # 6.5 s behind the watermark, grace is 2 s
    assert state.counters["late"] == 1
    after = state.to_dict()
    after["counters"]["late"] -= 1
    after["seqs"], before["seqs"] = None, None
    assert after == before


def test_no_contact_and_zero_bpm_are_no_data() -> None:
    state = session()
    state.add("s", 0, 100.0, 150)
    state.add("s", 1, 101.0, 0)
    state.add("s", 2, 102.0, 180, sensor_contact=False)
    state.add("s", 3, 103.0, 150)
    state.finalize()
    totals = state.totals()
    assert totals.no_contact_samples == 2 and totals.max_hr == 150 and totals.samples == 2


def test_finalize_is_idempotent_and_later_samples_are_late() -> None:
    state = session()
    state.add("s", 0, 100.0, 150)
    state.finalize()
    state.finalize()
    state.add("s", 1, 101.0, 150)
    assert state.totals().duration_s == 1.0 and state.totals().late_samples == 1


def test_advance_accounts_a_quiet_strap_and_closes_its_window() -> None:
    state = session()
    state.add("s", 0, 100.2, 150)
    state.add("s", 1, 101.2, 150)
    assert state.counters["samples"] == 0  # both still inside the grace period
    closed = state.advance(110.0)
    assert state.counters["samples"] == 2 and state.counters["covered_s"] == 1.0
    assert [(w.start, w.samples) for w in closed] == [(100.0, 1), (101.0, 1)]
    # a sample in an already closed window still counts for metrics, not for windows again
    assert state.add("s", 2, 101.6, 150) == []
    assert state.counters["late"] == 0


def samples_strategy():
    step = st.tuples(st.floats(0.05, 7.0), st.integers(40, 210),
                     st.lists(st.floats(250, 2100), max_size=3))
    return st.lists(step, min_size=1, max_size=80)


def in_order(steps) -> list[tuple[int, float, int, tuple[float, ...]]]:
    out, t = [], 1_700_000_000.0
    for seq, (dt, hr, rr) in enumerate(steps):
        t += dt
        out.append((seq, t, hr, tuple(rr)))
    return out


def feed(state: MemberSession, arrivals) -> MemberSession:
    for seq, t, hr, rr in arrivals:
        state.add("strap", seq, t, hr, rr_intervals_ms=rr, source="chest")
    state.finalize()
    return state


@settings(max_examples=60, deadline=None)
@given(samples_strategy())
def test_zone_seconds_sum_to_covered_time(steps) -> None:
    totals = feed(session(), in_order(steps)).totals()
    assert sum(totals.zones_s) + totals.below_zone1_s == pytest.approx(totals.duration_s,
                                                                      abs=0.3)
    assert totals.duration_s + totals.no_data_s >= totals.elapsed_s - 0.3
    assert totals.engaged_s <= totals.duration_s + 0.1


@settings(max_examples=60, deadline=None)
@given(samples_strategy(), st.randoms(use_true_random=False))
def test_duplicates_and_reordering_within_grace_do_not_change_totals(steps, rng) -> None:
    ordered = in_order(steps)
    reference = feed(session(), ordered).to_dict()
    grace = CFG.coverage.grace_s
    arrivals = sorted(ordered + rng.sample(ordered, len(ordered) // 3),
                      key=lambda s: s[1] + rng.uniform(0, grace * 0.95))
    shuffled = feed(session(), arrivals)
    assert shuffled.counters["late"] == 0
    got = shuffled.to_dict()
    for state in (got, reference):  # bookkeeping that legitimately differs
        state["counters"]["duplicates"] = state["counters"]["out_of_order"] = 0
        state["seqs"] = state["live"] = None
    assert got == reference


@settings(max_examples=40, deadline=None)
@given(samples_strategy(), st.integers(0, 80))
def test_state_restored_from_json_mid_class_gives_the_same_result(steps, cut) -> None:
    arrivals = in_order(steps)
    straight = feed(session(), arrivals).to_dict()
    first = session()
    for seq, t, hr, rr in arrivals[:cut]:
        first.add("strap", seq, t, hr, rr_intervals_ms=rr, source="chest")
    restored = MemberSession.from_dict(json.loads(json.dumps(first.to_dict())))
    assert feed(restored, arrivals[cut:]).to_dict() == straight


@settings(max_examples=40, deadline=None)
@given(samples_strategy(), st.integers(1, 50))
def test_add_many_equals_add(steps, batch) -> None:
    arrivals = in_order(steps)
    one_by_one = feed(session(), arrivals)
    batched = session()
    rows = [("strap", seq, t, hr, rr, None, "chest") for seq, t, hr, rr in arrivals]
    windows = []
    for start in range(0, len(rows), batch):
        windows += batched.add_many(rows[start:start + batch])
    windows += batched.finalize()
    assert batched.to_dict() == one_by_one.to_dict()


def test_windows_from_the_session_match_event_time_buckets() -> None:
    state = session()
    closed = []
    rng = random.Random(3)
    for seq in range(20):
        closed += state.add("s", seq, 100.0 + seq * 0.5 + rng.uniform(0, 0.1), 120 + seq)
    closed += state.finalize()
    assert [w.start for w in closed] == [100.0 + i for i in range(10)]
    assert sum(w.samples for w in closed) == 20
    assert closed[0].hr_avg == 120.5 and closed[-1].hr_peak == 139


def test_state_is_plain_json() -> None:
    state = session()
    for i in range(5):
        state.add("s", i, 100.0 + i, 150, rr_intervals_ms=(800.0,), source="chest")
    text = json.dumps(state.to_dict())
    assert "Infinity" not in text and "NaN" not in text


def test_unknown_state_version_is_refused_with_advice() -> None:
    data = session().to_dict()
    data["v"] = 99
    with pytest.raises(ValueError, match="start a new session"):
        MemberSession.from_dict(data)


# Independent reference values from shared/data/hr-recordings/README.md (computed there with
# fitdecode, each sample weighted to the next, capped at 5 s, last sample 1 s, male k=1.92).
@pytest.mark.parametrize(("name", "hr_max", "hr_rest", "zones", "banister"), [
    ("sample-activity-indoor-trainer.fit", 185, 50, [29, 101, 462, 446, 652, 574], 78.1),
    ("developer-types-sample.fit", 185, 50, [0, 53, 1293, 2078, 0, 0], 70.2),
    ("garmin-fenix-5-run.fit", 183, 47, [25, 14, 13, 0, 0, 0], 0.4),
])
def test_real_recordings_match_the_reference_table(shared_data, name, hr_max, hr_rest, zones,
                                                   banister) -> None:
    from ingest.replay import read_recording

    samples = read_recording(shared_data / "hr-recordings" / name)
    totals = summarize_recording(samples, MemberProfile(sex="male", hr_max=hr_max,
                                                        hr_rest=hr_rest), config=CAP)
    assert [totals.below_zone1_s, *totals.zones_s] == pytest.approx(zones, abs=1.0)
    assert totals.trimp == pytest.approx(banister, abs=0.06)


@settings(max_examples=40, deadline=None)
@given(samples_strategy(), st.lists(st.tuples(st.integers(0, 79), st.floats(2.01, 30.0),
                                              st.integers(40, 210)), max_size=5))
def test_late_samples_are_counted_not_merged(steps, late) -> None:
    ordered = in_order(steps)
    reference = feed(session(), ordered).to_dict()
    state = session()
    late_count = 0
    for position, (seq, t, hr, rr) in enumerate(ordered):
        state.add("strap", seq, t, hr, rr_intervals_ms=rr, source="chest")
        for at, behind, late_hr in late:
            if at == position:  # a buffered upload from well before the grace period
                state.add("late-strap", 10_000 + late_count, t - behind, late_hr)
                late_count += 1
    state.finalize()
    got = state.to_dict()
    assert got["counters"]["late"] == late_count
    got["counters"]["late"], got["seqs"], reference["seqs"] = 0, None, None
    assert got == reference
