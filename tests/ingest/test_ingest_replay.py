"""Reading FIT/TCX/CSV recordings and replaying them as straps."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ingest.replay import RecordingError, ReplaySettings, ReplaySource, read_recording
from ingest.source import HeartRateSource, RecordedSample, StrapState

TCX = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Biking"><Id>2024-03-05T18:00:00Z</Id>
  <Lap StartTime="2024-03-05T18:00:00Z"><Track>
   <Trackpoint><Time>2024-03-05T18:00:00Z</Time><HeartRateBpm><Value>92</Value></HeartRateBpm></Trackpoint>
   <Trackpoint><Time>2024-03-05T18:00:01Z</Time></Trackpoint>
   <Trackpoint><Time>2024-03-05T18:00:03.500Z</Time><HeartRateBpm><Value>97</Value></HeartRateBpm></Trackpoint>
   <Trackpoint><Time>2024-03-05T19:00:05+01:00</Time><HeartRateBpm><Value>101</Value></HeartRateBpm></Trackpoint>
  </Track></Lap></Activity></Activities>
</TrainingCenterDatabase>
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# (file, samples, duration s, RR count, min bpm, max bpm) -- from the folder's README table.
SHARED = [
    ("sample-activity-indoor-trainer.fit", 2263, 2263.0, 0, 81, 176),
    ("developer-types-sample.fit", 3424, 3423.0, 0, 94, 146),
    ("garmin-fenix-5-run.fit", 21, 57.0, 113, 56, 112),
    ("garmin-fenix-5-run-records.csv", 21, 57.0, 0, 56, 112),
]


@pytest.mark.parametrize(("name", "count", "duration", "rr", "low", "high"), SHARED)
def test_reads_the_shared_recordings(shared_data: Path, name: str, count: int, duration: float,
                                     rr: int, low: int, high: int) -> None:
    samples = read_recording(shared_data / "hr-recordings" / name)
    assert len(samples) == count
    assert samples[0].t == 0.0 and samples[-1].t == duration
    assert [s.t for s in samples] == sorted(s.t for s in samples)
    assert sum(len(s.rr_intervals_ms) for s in samples) == rr
    assert (min(s.hr_bpm for s in samples), max(s.hr_bpm for s in samples)) == (low, high)
    assert all(s.wall_time is not None for s in samples)


def test_fit_rr_intervals_are_milliseconds_attached_in_order(shared_data: Path) -> None:
    samples = read_recording(shared_data / "hr-recordings" / "garmin-fenix-5-run.fit")
    rr = [value for s in samples for value in s.rr_intervals_ms]
    assert min(rr) == pytest.approx(456.0) and max(rr) == pytest.approx(1448.0)  # README range
    assert samples[0].rr_intervals_ms == ()  # the first hrv message follows the 2nd record
    assert samples[2].rr_intervals_ms == pytest.approx((1093.0,))


def test_csv_export_matches_its_fit_file(shared_data: Path) -> None:
    folder = shared_data / "hr-recordings"
    fit = read_recording(folder / "garmin-fenix-5-run.fit")
    csv = read_recording(folder / "garmin-fenix-5-run-records.csv")  # 'PDT' local times
    assert [(s.t, s.hr_bpm, s.wall_time) for s in csv] == \
        [(s.t, s.hr_bpm, s.wall_time) for s in fit]


def test_reads_tcx_by_local_names_and_skips_points_without_heart_rate(tmp_path: Path) -> None:
    samples = read_recording(write(tmp_path, "ride.tcx", TCX))
    assert [(s.t, s.hr_bpm) for s in samples] == [(0.0, 92), (3.5, 97), (5.0, 101)]
    assert samples[0].wall_time == 1709661600.0


@pytest.mark.parametrize(("text", "expected"), [
    ("seconds,bpm\n0,80\n1.5,82\n3,85\n", [(0.0, 80, None), (1.5, 82, None), (3.0, 85, None)]),
    ("Time,HR\n1700000000,70\n1700000002,72\n",
     [(0.0, 70, 1700000000.0), (2.0, 72, 1700000002.0)]),
    ("timestamp,heart_rate\n2024-01-01T10:00:01Z,90\n2024-01-01T10:00:00Z,88\n",
     [(0.0, 88, 1704103200.0), (1.0, 90, 1704103201.0)]),  # sorted by time
    ("t,hr,rr_ms\n0,60,1000 990\n1,61,\n2,,\n", [(0.0, 60, None), (1.0, 61, None)]),
])
def test_reads_csv_variants(tmp_path: Path, text: str, expected: list[tuple]) -> None:
    samples = read_recording(write(tmp_path, "hr.csv", text))
    assert [(s.t, s.hr_bpm, s.wall_time) for s in samples] == expected


# The layout of Polar Flow's training-session CSV export: a summary header and its values,
# then the samples' own header with units in brackets and an h:mm:ss clock from the start.
POLAR_FLOW = ("Name,Sport,Date,Start time,Duration,Total distance (km),"
              "Average heart rate (bpm),Calories,HR max,HR sit,\n") + """\
Jane Doe,RUNNING,30-11-2026,07:12:03,00:00:04,0.01,114,5,190,55,
Sample rate,Time,HR (bpm),Speed (km/h),Cadence,
1,00:00:00,110,,,
1,00:00:01,112,,,
1,00:00:02,,,,
1,00:00:03,118,,,
1,01:00:03,120,,,
"""


def test_reads_a_polar_flow_export_below_its_summary_block(tmp_path: Path) -> None:
    samples = read_recording(write(tmp_path, "polar.csv", POLAR_FLOW))
    assert [(s.t, s.hr_bpm, s.wall_time) for s in samples] == [
        (0.0, 110, None), (1.0, 112, None), (3.0, 118, None), (3603.0, 120, None)]


@pytest.mark.parametrize("header", ["Seconds,Heart Rate (bpm),RR (ms)",
                                    "t,HR [bpm],rr-intervals-ms", "elapsed_s,Heart-Rate,RR"])
def test_column_names_match_without_units_case_or_separators(tmp_path: Path,
                                                             header: str) -> None:
    samples = read_recording(write(tmp_path, "hr.csv", f"{header}\n0,60,1000 990\n1,61,\n"))
    assert [(s.t, s.hr_bpm, s.rr_intervals_ms) for s in samples] == [
        (0.0, 60, (1000.0, 990.0)), (1.0, 61, ())]


def test_a_header_further_down_than_the_search_is_refused(tmp_path: Path) -> None:
    text = "note\n" * 12 + "t,hr\n0,60\n"
    with pytest.raises(RecordingError, match="within the first"):
        read_recording(write(tmp_path, "late.csv", text))


def test_csv_rr_column_in_milliseconds(tmp_path: Path) -> None:
    samples = read_recording(write(tmp_path, "hr.csv", "t,hr,rr_ms\n0,60,1000 990.5\n1,61,\n"))
    assert samples[0].rr_intervals_ms == (1000.0, 990.5) and samples[1].rr_intervals_ms == ()


def test_replay_settings_load_the_toml_column_names() -> None:
    assert "seconds" in ReplaySettings().time_columns  # only configs/ingest.toml lists it


def test_csv_columns_come_from_settings(tmp_path: Path) -> None:
    path = write(tmp_path, "hr.csv", "zeit,puls\n0,70\n")
    with pytest.raises(RecordingError, match="time column"):
        read_recording(path)
    custom = ReplaySettings(time_columns=["zeit"], hr_columns=["puls"])
    assert read_recording(path, custom)[0].hr_bpm == 70


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.fit", b"\x0e\x10\x00\x00garbage-not-a-fit-file", "not a valid FIT file"),
    ("empty.fit", b"", "file is empty"),
    ("broken.tcx", "<TrainingCenterDatabase><Activities>", "broken XML"),
    ("empty.tcx", "<TrainingCenterDatabase/>", "no heart-rate samples"),
    ("nohead.csv", "1,2,3\n", "header needs"),
    ("bad_hr.csv", "t,hr\n0,fast\n", "not a number"),
    ("bad_time.csv", "time,hr\nyesterday,60\n", "is not ISO 8601"),
    ("absurd.csv", "t,hr\n0,900\n", "outside 0-300"),
    ("latin1.csv", "t,hr\n0,60\n\xe9".encode("latin-1"), "UTF-8"),
    ("notes.txt", "hello", "unknown file type"),
])
def test_corrupt_files_raise_one_clear_error(tmp_path: Path, name: str, content: str | bytes,
                                             message: str) -> None:
    with pytest.raises(RecordingError, match=message) as caught:
        read_recording(write(tmp_path, name, content))
    assert name in str(caught.value)


def test_truncated_fit_file_is_refused(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "hr-recordings" / "garmin-fenix-5-run.fit").read_bytes()
    with pytest.raises(RecordingError, match="FIT"):
        read_recording(write(tmp_path, "cut.fit", data[: len(data) // 2]))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        read_recording(tmp_path / "absent.fit")


def recording(*points: tuple[float, int]) -> list[RecordedSample]:
    return [RecordedSample(t, hr, (1000.0,)) for t, hr in points]


async def test_replay_merges_straps_in_time_order_at_speed() -> None:
    source = ReplaySource({"a": recording((0, 60), (1, 61), (2, 62)),
                           "b": recording((0.5, 90), (1.5, 91))}, speed=20.0)
    assert isinstance(source, HeartRateSource)
    started = time.monotonic()
    got = [r async for r in source.readings()]
    elapsed = time.monotonic() - started
    assert [(r.strap_id, r.measurement.hr_bpm) for r in got] == \
        [("a", 60), ("b", 90), ("a", 61), ("b", 91), ("a", 62)]
    assert 2.0 / 20.0 <= elapsed < 1.0  # 2 s of recording at 20x
    offsets = [0.0, 0.5, 1.0, 1.5, 2.0]
    assert all(r.received_monotonic >= started + t / 20.0 - 0.005  # never early
               for r, t in zip(got, offsets, strict=True))
    assert got[0].measurement.rr_intervals_ms == (1000.0,)
    assert got[0].measurement.rr_intervals_raw == (1024,)
    assert {r.source for r in got} == {"replay"}
    assert all(s.state is StrapState.DISCONNECTED for s in source.statuses().values())


async def test_replay_close_stops_a_slow_replay() -> None:
    source = ReplaySource({"a": recording((0, 60), (60, 61))}, speed=1.0)
    readings = source.readings()
    assert (await anext(readings)).measurement.hr_bpm == 60
    asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(source.close()))
    started = time.monotonic()
    assert [r async for r in readings] == []
    assert time.monotonic() - started < 1.0


async def test_replay_from_shared_files_as_fast_as_possible(shared_data: Path) -> None:
    folder = shared_data / "hr-recordings"
    source = ReplaySource.from_files([folder / "garmin-fenix-5-run.fit",
                                      folder / "garmin-fenix-5-run-records.csv"], speed=0)
    got = [r async for r in source.readings()]
    assert len(got) == 42
    assert {r.strap_id for r in got} == {"replay:garmin-fenix-5-run",
                                         "replay:garmin-fenix-5-run-records"}
    assert sum(len(r.measurement.rr_intervals_ms) for r in got) == 113


def test_negative_speed_is_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        ReplaySource({}, speed=-1)
