"""A member's physiology and the published formulas that turn heart rate into load.

Everything a summary number depends on besides the samples themselves is resolved here
once per member (HRmax, resting HR, sex, weight, age) and baked into a per-bpm
:class:`RateTable`. Heart rate arrives as whole bpm (the BLE Heart Rate Measurement
carries an integer), so the live path looks rates up instead of evaluating ``exp`` per
sample, and the batch path uses the very same table: one code path, one answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from streams.insight_config import InsightConfig, default_insight_config
from streams.zones import TANAKA_INTERCEPT, TANAKA_SLOPE, ZoneModel, intensity, zone_for

Sex = Literal["female", "male", "other"]
Source = Literal["profile", "tanaka", "default", "learned"]

# The table covers every value the wire contract allows (HeartRateSample.hr_bpm <= 300).
MAX_BPM = 300
KJ_PER_KCAL = 4.184  # thermochemical calorie
MAX_RECOVERIES = 20  # recoveries kept per session (one per work bout)

# Keytel LR et al. (2005) "Prediction of energy expenditure from heart rate monitoring
# during submaximal exercise", J Sports Sci 23(3):289-297, model without VO2max, kJ/min:
# (intercept, heart rate, weight kg, age years).
KEYTEL_MALE = (-55.0969, 0.6309, 0.1988, 0.2017)
KEYTEL_FEMALE = (-20.4022, 0.4472, -0.1263, 0.0740)


@dataclass(frozen=True, slots=True)
class MemberProfile:
    """What the roster tells us about a member; any field may be unknown."""

    age: int | None = None
    sex: Sex | None = None
    weight_kg: float | None = None
    hr_max: int | None = None
    hr_rest: int | None = None


@dataclass(frozen=True, slots=True)
class Physiology:
    """The numbers actually used for one member, and where each came from."""

    hr_max: int
    hr_max_source: Source
    hr_rest: int
    hr_rest_source: Source
    sex: Sex | None
    age: int | None
    weight_kg: float | None


def resolve_physiology(profile: MemberProfile, config: InsightConfig | None = None,
                       learned_hr_rest: int | None = None) -> Physiology:
    """HRmax: profile, else Tanaka from age, else Tanaka at the default age.

    Resting HR: profile, else a value learned from earlier sessions, else the default.
    Values are fixed for a whole session so that live tiles and the post-class summary
    agree; a newly learned resting HR is reported for the *next* session.
    """
    cfg = config or default_insight_config()
    if profile.hr_max:
        hr_max, max_source = int(profile.hr_max), "profile"
    else:
        age = profile.age if profile.age is not None else cfg.physiology.default_age
        hr_max = tanaka_hr_max(age)
        max_source = "tanaka" if profile.age is not None else "default"
    if profile.hr_rest:
        hr_rest, rest_source = int(profile.hr_rest), "profile"
    elif learned_hr_rest:
        hr_rest, rest_source = int(learned_hr_rest), "learned"
    else:
        hr_rest, rest_source = cfg.physiology.default_hr_rest, "default"
    # A resting HR at or above HRmax would make the reserve meaningless (bad profile data).
    hr_rest = min(hr_rest, hr_max - 20)
    return Physiology(hr_max=hr_max, hr_max_source=max_source,  # type: ignore[arg-type]
                      hr_rest=hr_rest, hr_rest_source=rest_source,  # type: ignore[arg-type]
                      sex=profile.sex, age=profile.age, weight_kg=profile.weight_kg)


def tanaka_hr_max(age: float) -> int:
    """Tanaka, Monahan & Seals (2001), J Am Coll Cardiol 37:153-156: 208 - 0.7 * age."""
    return round(TANAKA_INTERCEPT - TANAKA_SLOPE * age)


def hrr_fraction(hr: float, hr_max: int, hr_rest: int) -> float:
    """Fraction of heart-rate reserve (Karvonen), floored at 0 (below rest is no load)."""
    return max(0.0, (hr - hr_rest) / max(hr_max - hr_rest, 1))


def banister_weight(x: float, sex: Sex | None, config: InsightConfig | None = None) -> float:
    """Banister TRIMP per minute at HR-reserve fraction ``x``: ``x * a * exp(b * x)``.

    Morton, Fitz-Clarke & Banister (1990), J Appl Physiol 69:1171: a=0.64, b=1.92 for
    men and a=0.86, b=1.67 for women (lactate-curve weighting). Unknown or other sex: the
    mean of the two weightings.
    """
    t = (config or default_insight_config()).trimp
    male = x * t.male_a * math.exp(t.male_b * x)
    female = x * t.female_a * math.exp(t.female_b * x)
    if sex == "male":
        return male
    if sex == "female":
        return female
    return (male + female) / 2


def keytel_kcal_per_min(hr: float, sex: Sex | None, weight_kg: float | None,
                        age: float | None) -> float | None:
    """Keytel et al. (2005) energy expenditure in kcal/min, or None without weight/age.

    Negative predictions (very low HR) are clamped to 0. Unknown or other sex: the mean
    of the male and female equations.
    """
    if weight_kg is None or age is None:
        return None

    def equation(c: tuple[float, float, float, float]) -> float:
        return c[0] + c[1] * hr + c[2] * weight_kg + c[3] * age

    if sex == "male":
        kj = equation(KEYTEL_MALE)
    elif sex == "female":
        kj = equation(KEYTEL_FEMALE)
    else:
        kj = (equation(KEYTEL_MALE) + equation(KEYTEL_FEMALE)) / 2
    return max(0.0, kj) / KJ_PER_KCAL


@dataclass(frozen=True, slots=True)
class RateTable:
    """Per-bpm lookups for one member: index with the integer heart rate.

    ``zone[hr]`` 0..5; the ``*_per_s`` lists are what one second at that HR adds.
    ``kcal_per_s`` is None when calories cannot be estimated (no weight or age).
    """

    physiology: Physiology
    zone: tuple[int, ...]
    fraction_hrmax: tuple[float, ...]
    effort_per_s: tuple[float, ...]
    trimp_per_s: tuple[float, ...]
    kcal_per_s: tuple[float, ...] | None
    engaged: tuple[bool, ...]
    resting_candidate: tuple[bool, ...]


def rate_table(physiology: Physiology, config: InsightConfig | None = None) -> RateTable:
    """Build (or reuse) the lookup table of one member's physiology."""
    return _rate_table(physiology, config or default_insight_config())


@lru_cache(maxsize=4096)
def _rate_table(phys: Physiology, cfg: InsightConfig) -> RateTable:
    model = cfg.zones.model()
    bpms = range(MAX_BPM + 1)
    zones = tuple(_zone(hr, phys, model) for hr in bpms)
    points = cfg.effort.points_per_minute
    kcal: tuple[float, ...] | None = None
    if keytel_kcal_per_min(100, phys.sex, phys.weight_kg, phys.age) is not None:
        floor = cfg.calories.min_fraction_hrmax
        kcal = tuple(
            (keytel_kcal_per_min(hr, phys.sex, phys.weight_kg, phys.age) or 0.0) / 60.0
            if hr / phys.hr_max >= floor else 0.0
            for hr in bpms)
    return RateTable(
        physiology=phys,
        zone=zones,
        fraction_hrmax=tuple(hr / phys.hr_max for hr in bpms),
        effort_per_s=tuple(points[z] / 60.0 for z in zones),
        trimp_per_s=tuple(
            banister_weight(hrr_fraction(hr, phys.hr_max, phys.hr_rest), phys.sex, cfg) / 60.0
            for hr in bpms),
        kcal_per_s=kcal,
        engaged=tuple(hr / phys.hr_max >= cfg.coverage.engaged_fraction_hrmax for hr in bpms),
        resting_candidate=tuple(
            0 < hr < cfg.physiology.resting_max_fraction * phys.hr_max for hr in bpms),
    )


def _zone(hr: int, phys: Physiology, model: ZoneModel) -> int:
    return zone_for(intensity(hr, phys.hr_max, phys.hr_rest, model.basis), model)


def learned_resting_hr(histogram: dict[int, int], percentile: float,
                       min_samples: int) -> int | None:
    """A low percentile of resting-candidate heart rates, or None with too few samples.

    The percentile (not the minimum) keeps a single dropped beat or a strap artefact from
    setting the member's resting HR.
    """
    total = sum(histogram.values())
    if total < min_samples:
        return None
    rank = max(1, math.ceil(total * percentile / 100.0))
    running = 0
    for bpm in sorted(histogram):
        running += histogram[bpm]
        if running >= rank:
            return bpm
    return None  # unreachable: rank <= total


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(slots=True)
class HrvAccumulator:
    """RMSSD over RR intervals, fed beat by beat, after artefact filtering.

    A beat outside [rr_min_ms, rr_max_ms] is rejected and breaks the run; a beat differing
    more than ``max_deviation`` from the median of its centred neighbourhood
    (``median_window`` beats, itself included) is rejected. Successive differences are
    only taken between two accepted beats that were adjacent in the strap's beat stream,
    so a removed ectopic beat never creates a fake long-short pair. Judging a beat needs
    the beats after it, so the last ``median_window // 2`` beats wait in ``recent``.
    """

    recent: list[float]
    unjudged: int = 0
    prev_ok: float | None = None
    sum_sq: float = 0.0
    pairs: int = 0
    beats: int = 0
    rejected: int = 0
    rolling: list[float] | None = None

    @classmethod
    def empty(cls) -> HrvAccumulator:
        return cls(recent=[], rolling=[])

    def add_beats(self, rr_ms: tuple[float, ...] | list[float], config: InsightConfig) -> None:
        cfg = config.hrv
        half = cfg.median_window // 2
        for beat in rr_ms:
            self.beats += 1
            if not cfg.rr_min_ms <= beat <= cfg.rr_max_ms:
                self.rejected += 1
                self.break_run(config)
                continue
            self.recent.append(float(beat))
            self.unjudged += 1
            while self.unjudged > half:
                self._judge(len(self.recent) - self.unjudged, half, config)
                self.unjudged -= 1
            keep = self.unjudged + half
            if len(self.recent) > keep:
                del self.recent[: len(self.recent) - keep]

    def break_run(self, config: InsightConfig) -> None:
        """The beat stream is interrupted (artefact, gap, end): judge what waits, reset."""
        half = config.hrv.median_window // 2
        while self.unjudged:
            self._judge(len(self.recent) - self.unjudged, half, config)
            self.unjudged -= 1
        self.recent.clear()
        self.prev_ok = None

    def _judge(self, index: int, half: int, config: InsightConfig) -> None:
        beat = self.recent[index]
        local = _median(self.recent[max(0, index - half): index + half + 1])
        if abs(beat - local) > config.hrv.max_deviation * local:
            self.rejected += 1
            self.prev_ok = None
            return
        if self.prev_ok is not None:
            square = (beat - self.prev_ok) ** 2
            self.sum_sq += square
            self.pairs += 1
            rolling = self.rolling if self.rolling is not None else []
            rolling.append(square)
            if len(rolling) > config.hrv.rolling_pairs:
                del rolling[0]
            self.rolling = rolling
        self.prev_ok = beat

    def rmssd(self, min_pairs: int) -> float | None:
        """Root mean square of successive differences (ms); None with too few pairs."""
        return math.sqrt(self.sum_sq / self.pairs) if self.pairs >= min_pairs else None

    def rolling_rmssd(self, min_pairs: int) -> float | None:
        rolling = self.rolling or []
        return math.sqrt(sum(rolling) / len(rolling)) if len(rolling) >= min_pairs else None

    def to_dict(self) -> dict[str, object]:
        return {"recent": list(self.recent), "unjudged": self.unjudged, "prev_ok": self.prev_ok,
                "sum_sq": self.sum_sq, "pairs": self.pairs, "beats": self.beats,
                "rejected": self.rejected, "rolling": list(self.rolling or [])}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> HrvAccumulator:
        return cls(**data)  # type: ignore[arg-type]


@dataclass(slots=True)
class RecoveryTracker:
    """Heart-rate drop ``after_s`` after a work bout ends (bouts found in the data)."""

    bout_start: float | None = None
    bout_end: list[float] | None = None  # [t, hr] of the bout's last sample
    candidate: list[float] | None = None  # [end t, end hr, hr of latest sample since]
    results: list[dict[str, float]] = field(default_factory=list)

    def observe(self, t: float, hr: int, fraction: float, gap: bool,
                config: InsightConfig) -> None:
        cfg = config.recovery
        if gap:
            self.bout_start, self.candidate = None, None
        working = fraction >= cfg.work_fraction_hrmax
        candidate = self.candidate
        if candidate is not None:
            target = candidate[0] + cfg.after_s
            if working:
                self.candidate = None  # back to work before the minute was up
            elif t >= target:
                after = hr if t == target else candidate[2]
                self.results.append({"end_t": candidate[0], "hr_end": candidate[1],
                                     "hr_after": after, "drop_bpm": candidate[1] - after})
                del self.results[:-MAX_RECOVERIES]
                self.candidate = None
            else:
                candidate[2] = hr
        if working:
            if self.bout_start is None:
                self.bout_start = t
            self.bout_end = [t, hr]
        elif self.bout_start is not None:
            end = self.bout_end or [t, hr]
            if end[0] - self.bout_start >= cfg.min_work_s:
                self.candidate = [end[0], end[1], hr]
            self.bout_start = None
