"""Recorded heart-rate sessions (FIT, TCX, CSV) read into samples and replayed as straps.

Replays make a class reproducible: the edge agent, the stream worker and the trainer page
see recorded members exactly as they would see live straps, in real time or faster.

* FIT (Garmin/ANT): ``record`` messages carry ``heart_rate`` with a ``timestamp``; ``hrv``
  messages carry up to five beat-to-beat intervals in seconds (``time``, ``None``-padded),
  written between records. RRs are attached to the next record, since a record closes the
  stretch of beats before it (as a BLE notification carries the RRs since the previous one);
  RRs after the last record go to the last record, none are dropped.
* TCX (Garmin Training Center XML): ``Trackpoint`` elements with ``Time`` and
  ``HeartRateBpm/Value``; namespaces vary between exporters, so tags match by local name.
* CSV with a header row, found within the first lines (exports such as Polar Flow's put a
  summary block above it); column names and the epoch threshold come from
  ``configs/ingest.toml`` [replay], compared without units in brackets ("HR (bpm)" is "hr").
  Times are ISO 8601, Unix seconds, seconds from the start, an ``h:mm:ss`` clock from the
  start, or ``date``-style text such as ``Sun Jun 11 07:34:09 PDT 2017`` (python-fitparse
  exports).

Every unreadable file raises :class:`RecordingError` naming the file and what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import heapq
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import ClassVar

import fitdecode
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from configs.base import ConfigFile
from ingest.hrm_protocol import measurement_from_rr_ms
from ingest.source import RecordedSample, StrapReading, StrapState, StrapStatus

INGEST_TOML = Path(__file__).resolve().parent.parent / "configs" / "ingest.toml"

# US zone abbreviations as written by `date` in the python-fitparse CSV exports; others are
# ambiguous (IST, CST...) beyond these, so they are refused with advice rather than guessed.
_TZ_ABBREVIATIONS = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
                     "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
                     "HST": -10, "CET": 1, "CEST": 2, "BST": 1}


class ReplaySettings(ConfigFile):
    """CSV column names and time parsing: configs/ingest.toml [replay], SPOTTER_REPLAY_*."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_REPLAY_", extra="forbid", env_file=".env",
                                      pyproject_toml_table_header=("replay",))
    TOML_FILE: ClassVar[Path] = INGEST_TOML

    time_columns: list[str] = Field(default_factory=lambda: ["timestamp", "time"])
    hr_columns: list[str] = Field(default_factory=lambda: ["heart_rate", "hr"])
    rr_columns: list[str] = Field(default_factory=lambda: ["rr_ms"])
    epoch_threshold_s: float = 1.0e9



class RecordingError(ValueError):
    """A recording that cannot be read; the message names the file and the fix."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        super().__init__(f"cannot read heart-rate recording {self.path}: {problem}")


def read_recording(path: Path | str,
                   settings: ReplaySettings | None = None) -> list[RecordedSample]:
    """Samples of a FIT, TCX or CSV file, in time order, ``t`` in seconds from the first."""
    path = Path(path)
    suffix = path.suffix.lower()
    readers = {".fit": _read_fit, ".tcx": _read_tcx, ".csv": _read_csv}
    if suffix not in readers:
        raise RecordingError(path, f"unknown file type {suffix or '(none)'}; "
                                   "use .fit, .tcx or .csv")
    if not path.is_file():
        raise RecordingError(path, "no such file")
    if path.stat().st_size == 0:
        raise RecordingError(path, "the file is empty; copy it from the device again")
    rows = readers[suffix](path, settings or ReplaySettings())
    if not rows:
        raise RecordingError(path, "it holds no heart-rate samples")
    rows.sort(key=lambda row: row[0])
    start = rows[0][0]
    return [RecordedSample(t=round(when - start, 6), hr_bpm=hr, rr_intervals_ms=rr,
                           wall_time=when if absolute else None)
            for when, hr, rr, absolute in rows]


Row = tuple[float, int, tuple[float, ...], bool]  # time, bpm, RR ms, time is absolute


def _read_fit(path: Path, _settings: ReplaySettings) -> list[Row]:
    rows: list[Row] = []
    pending_rr: list[float] = []
    try:
        with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE,
                                 error_handling=fitdecode.ErrorHandling.RAISE) as reader:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "hrv":
                    values = frame.get_value("time", fallback=None) or ()
                    values = values if isinstance(values, tuple | list) else (values,)
                    pending_rr += [float(v) * 1000.0 for v in values if v is not None]
                elif frame.name == "record":
                    hr = frame.get_value("heart_rate", fallback=None)
                    stamp = frame.get_value("timestamp", fallback=None)
                    if hr is None or not isinstance(stamp, datetime):
                        continue
                    rows.append((_epoch(stamp), int(hr), tuple(pending_rr), True))
                    pending_rr = []
    except fitdecode.FitError as exc:
        raise RecordingError(path, f"not a valid FIT file ({exc}); re-export it from the "
                                   "device or watch app") from exc
    if pending_rr and rows:
        when, hr, rr, absolute = rows[-1]
        rows[-1] = (when, hr, rr + tuple(pending_rr), absolute)
    return rows


def _read_tcx(path: Path, _settings: ReplaySettings) -> list[Row]:
    rows: list[Row] = []
    try:
        for _event, element in ET.iterparse(path, events=("end",)):
            if _local(element.tag) != "Trackpoint":
                continue
            time_text = hr_text = None
            for child in element.iter():
                name = _local(child.tag)
                if name == "Time":
                    time_text = child.text
                elif name == "Value" and hr_text is None:
                    hr_text = child.text  # first Value inside HeartRateBpm
            element.clear()
            if time_text is None or hr_text is None:
                continue  # trackpoints without heart rate (GPS only) are normal
            rows.append((_parse_time(time_text.strip(), path), _bpm(hr_text, path), (), True))
    except ET.ParseError as exc:
        raise RecordingError(path, f"broken XML ({exc}); re-export the TCX file") from exc
    return rows


def _read_csv(path: Path, settings: ReplaySettings) -> list[Row]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = csv.reader(handle)
            found = _find_header(lines, settings)
            if found is None:
                raise RecordingError(path, "the header needs a time column (one of "
                                     f"{settings.time_columns}) and a heart-rate column (one of "
                                     f"{settings.hr_columns}), within the first "
                                     f"{HEADER_SEARCH_LINES} lines")
            header_line, time_i, hr_i, rr_i = found
            rows: list[Row] = []
            for line, record in enumerate(lines, start=header_line + 1):
                hr_text = _cell(record, hr_i)
                if not hr_text:
                    continue  # a row without heart rate (sensor not yet paired)
                when, absolute = _csv_time(_cell(record, time_i), path, line,
                                           settings.epoch_threshold_s)
                rr = _rr_list(_cell(record, rr_i), path, line) if rr_i is not None else ()
                rows.append((when, _bpm(hr_text, path, line), rr, absolute))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RecordingError(path, f"not a readable UTF-8 CSV file ({exc})") from exc
    return rows


# Exports put a summary block above the samples (Polar Flow's training-session CSV: two
# lines of name, sport, date, totals, then "Sample rate,Time,HR (bpm),..."), so the sample
# header is searched for in the first lines instead of assumed to be the first.
HEADER_SEARCH_LINES = 10


def _find_header(lines: Iterable[list[str]], settings: ReplaySettings
                 ) -> tuple[int, int, int, int | None] | None:
    """(line number, time, heart-rate and RR column indexes) of the sample header."""
    for number, names in enumerate(lines, start=1):
        if number > HEADER_SEARCH_LINES:
            return None
        header = {_column_key(name): i for i, name in enumerate(names) if name.strip()}
        time_i = _pick(header, settings.time_columns)
        hr_i = _pick(header, settings.hr_columns)
        if time_i is not None and hr_i is not None:
            return number, time_i, hr_i, _pick(header, settings.rr_columns)
    return None


def _column_key(name: str) -> str:
    """``"HR (bpm)"`` -> ``"hr"``, ``"Heart Rate"`` -> ``"heart_rate"``: units in brackets
    and spelling differences between exporters do not decide whether a column is found."""
    bare = re.sub(r"[(\[].*?[)\]]", " ", name).strip().lower()
    return re.sub(r"[\s\-]+", "_", bare)


def _cell(record: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(record):
        return ""
    return record[index].strip()


def _pick(header: Mapping[str, int], wanted: Sequence[str]) -> int | None:
    for name in wanted:
        key = _column_key(name)
        if key in header:
            return header[key]
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _epoch(stamp: datetime) -> float:
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)  # FIT times are UTC
    return stamp.timestamp()


def _bpm(text: str, path: Path, line: int | None = None) -> int:
    try:
        value = float(text)
    except ValueError:
        where = f" on line {line}" if line else ""
        raise RecordingError(path, f"heart rate {text!r}{where} is not a number") from None
    if not 0 <= value <= 300:
        raise RecordingError(path, f"heart rate {value} is outside 0-300 bpm")
    return round(value)


def _rr_list(text: str, path: Path, line: int) -> tuple[float, ...]:
    parts = text.replace(";", " ").replace("|", " ").split()
    try:
        return tuple(float(p) for p in parts)
    except ValueError:
        raise RecordingError(path, f"RR intervals {text!r} on line {line} are not numbers "
                                   "(write milliseconds separated by spaces)") from None


_ELAPSED = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")


def _csv_time(text: str, path: Path, line: int, epoch_threshold: float) -> tuple[float, bool]:
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return number, number >= epoch_threshold
    elapsed = _ELAPSED.match(text)
    if elapsed:  # "00:01:05" or "1:05": a clock from the session's start (Polar Flow)
        hours, minutes, seconds = elapsed.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds), False
    return _parse_time(text, path, line), True


def _parse_time(text: str, path: Path, line: int | None = None) -> float:
    try:
        return _epoch(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    parts = text.split()
    if len(parts) == 6 and parts[4].upper() in _TZ_ABBREVIATIONS:  # Sun Jun 11 07:34:09 PDT 2017
        try:
            local = datetime.strptime(" ".join(parts[:4] + parts[5:]), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            pass
        else:
            zone = timezone(timedelta(hours=_TZ_ABBREVIATIONS[parts[4].upper()]))
            return local.replace(tzinfo=zone).timestamp()
    where = f" on line {line}" if line else ""
    raise RecordingError(path, f"time {text!r}{where} is not ISO 8601, Unix seconds, seconds "
                               "from the start or 'Sun Jun 11 07:34:09 PDT 2017'")


class ReplaySource:
    """Recorded sessions replayed as straps (one strap id per recording), merged in time.

    ``speed`` 1.0 is real time, 10.0 ten times faster; ``0`` replays as fast as the consumer
    reads. Readings are stamped when emitted, like live notifications, so downstream
    windows see a live class.
    """

    def __init__(self, recordings: Mapping[str, Sequence[RecordedSample]], speed: float = 1.0
                 ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0 (0 = as fast as possible)")
        self.speed = speed
        self._recordings = {strap: list(samples) for strap, samples in recordings.items()}
        self._status = {strap: StrapStatus(strap, StrapState.DISCOVERED, notes=["replay"])
                        for strap in self._recordings}
        self._closed = asyncio.Event()

    @classmethod
    def from_files(cls, paths: Iterable[Path | str], speed: float = 1.0) -> ReplaySource:
        recordings: dict[str, list[RecordedSample]] = {}
        for path in map(Path, paths):
            strap = f"replay:{path.stem}"
            if strap in recordings:
                strap = f"replay:{path.stem}:{len(recordings)}"
            recordings[strap] = read_recording(path)
        return cls(recordings, speed)

    async def readings(self) -> AsyncIterator[StrapReading]:
        merged = heapq.merge(*[[(s.t, strap, i, s) for i, s in enumerate(samples)]
                               for strap, samples in self._recordings.items()])
        started = time.monotonic()
        for strap in self._status:
            self._status[strap].state = StrapState.STREAMING
        for offset, strap, _index, sample in merged:
            if self.speed > 0:
                delay = started + offset / self.speed - time.monotonic()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._closed.wait(), delay)
            if self._closed.is_set():
                return
            measurement = measurement_from_rr_ms(sample.hr_bpm, sample.rr_intervals_ms)
            now_wall = time.time()
            self._status[strap].last_seen_wall = now_wall
            yield StrapReading(strap, measurement, time.monotonic(), now_wall, "replay")
            if sample is self._recordings[strap][-1]:
                self._status[strap].state = StrapState.DISCONNECTED
                self._status[strap].notes.append("recording finished")

    def statuses(self) -> dict[str, StrapStatus]:
        return {k: StrapStatus(v.strap_id, v.state, v.battery_pct, v.body_location,
                               v.last_seen_wall, list(v.notes)) for k, v in self._status.items()}

    async def close(self) -> None:
        self._closed.set()
