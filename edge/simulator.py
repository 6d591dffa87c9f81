"""Simulated heart-rate straps for demos and tests: a class of believable members.

The simulator is a :class:`ingest.source.HeartRateSource`, so the edge agent cannot tell
it from a room of real straps. Heart rate follows a first-order response towards a
target set by the class plan (warm-up, work/recovery intervals, cool-down), with a
member-specific resting and maximal heart rate, faster kinetics for fitter members,
cardiovascular drift over the class, beat-to-beat noise and RR intervals consistent
with the rate.

Kinetics: HR rises with a time constant of roughly 20-40 s at exercise onset and falls
more slowly after it (fitter people recover faster); see e.g. Pierpont & Voth (2004),
"Assessing autonomic function by analysis of heart rate recovery", and the HR on-kinetics
literature. The numbers here are deliberately plausible, not clinical.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from configs.base import CONFIG_DIR, ConfigFile
from ingest.source import HeartRateMeasurement, StrapReading, StrapState, StrapStatus


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    duration_s: float
    intensity: float  # target fraction of heart-rate reserve
    is_work: bool = False
    pct_hrmax: float | None = None  # a scripted class's target, as a fraction of HRmax


def default_class_plan(intervals: int = 8, work_s: float = 60, rest_s: float = 60) -> list[Phase]:
    """A 45-minute-ish interval class: warm-up, work/recovery blocks, cool-down."""
    plan = [Phase("warm-up", 240, 0.45)]
    for i in range(intervals):
        # alternate harder and moderate work bouts so the room spreads over zones 3-5
        plan.append(Phase(f"work {i + 1}", work_s, 0.80 if i % 2 else 0.90, is_work=True))
        plan.append(Phase(f"recovery {i + 1}", rest_s, 0.50))
    plan.append(Phase("cool-down", 240, 0.30))
    return plan


@dataclass(slots=True)
class SimMember:
    """One simulated person wearing one strap."""

    strap_id: str
    hr_rest: float
    hr_max: float
    fitness: float  # 0 (deconditioned) .. 1 (athlete): kinetics and effort
    effort: float  # how hard they push relative to the plan (0.85 .. 1.1)
    hr: float = 0.0
    # A scripted member (configs/demo.toml): (from_s, to_s, fraction of HRmax) they hold
    # whatever the plan says, (from_s, to_s) their strap sends nothing, and (from_s, to_s,
    # bpm) a strap artefact added to what the strap reports (not to their heart).
    holds: tuple[tuple[float, float, float], ...] = ()
    silences: tuple[tuple[float, float], ...] = ()
    jumps: tuple[tuple[float, float, float], ...] = ()

    def target(self, phase: Phase, elapsed_s: float) -> float:
        drift = min(elapsed_s / 3600.0, 1.0) * 6.0  # ~6 bpm cardiovascular drift per hour
        for start, end, pct in self.holds:
            if start <= elapsed_s < end:
                return pct * self.hr_max
        if phase.pct_hrmax is not None:
            return min(phase.pct_hrmax * self.effort, 1.0) * self.hr_max + drift
        fraction = min(phase.intensity * self.effort, 1.0)
        return self.hr_rest + fraction * (self.hr_max - self.hr_rest) + drift

    def silent(self, elapsed_s: float) -> bool:
        return any(start <= elapsed_s < end for start, end in self.silences)

    def artefact(self, elapsed_s: float) -> float:
        return sum(bpm for start, end, bpm in self.jumps if start <= elapsed_s < end)

    def step(self, phase: Phase, elapsed_s: float, dt: float, rng: random.Random) -> float:
        target = self.target(phase, elapsed_s)
        rising = target > self.hr
        tau = (35.0 - 15.0 * self.fitness) if rising else (60.0 - 25.0 * self.fitness)
        self.hr += (target - self.hr) * (1.0 - math.exp(-dt / tau))
        self.hr += rng.gauss(0.0, 1.2)  # beat-to-beat variability
        self.hr = max(self.hr_rest - 5, min(self.hr, self.hr_max + 3))
        return self.hr


def make_members(count: int, seed: int = 7) -> list[SimMember]:
    """A varied room: ages 20-65, fitness from deconditioned to athletic."""
    rng = random.Random(seed)
    members = []
    for i in range(count):
        age = rng.randint(20, 65)
        fitness = rng.random()
        hr_max = 208 - 0.7 * age + rng.gauss(0, 5)  # Tanaka with individual spread
        hr_rest = 72 - 18 * fitness + rng.gauss(0, 3)
        members.append(SimMember(
            strap_id=f"sim-{i + 1:02d}", hr_rest=hr_rest, hr_max=hr_max, fitness=fitness,
            effort=rng.uniform(0.85, 1.1), hr=hr_rest + rng.uniform(0, 10),
        ))
    return members


def rr_for(hr: float, rng: random.Random, beats: int = 1) -> tuple[int, ...]:
    """RR intervals in 1/1024 s units for ``beats`` beats at ``hr`` with ~3 % variability."""
    mean_ms = 60_000.0 / max(hr, 30.0)
    return tuple(round(mean_ms * rng.gauss(1.0, 0.03) * 1.024) for _ in range(beats))


# -- the scripted class (configs/demo.toml) -------------------------------------------

SCRIPT_ENV = "SPOTTER_SIMULATOR_SCRIPT"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hold(_Strict):
    from_s: float = Field(ge=0)
    to_s: float = Field(gt=0)
    pct_hrmax: float = Field(gt=0.3, le=1.0)


class Silence(_Strict):
    from_s: float = Field(ge=0)
    to_s: float = Field(gt=0)


class Jump(_Strict):
    from_s: float = Field(ge=0)
    to_s: float = Field(gt=0)
    bpm: float = Field(gt=0, le=120)


class ScriptPhase(_Strict):
    name: str
    duration_s: float = Field(gt=0)
    pct_hrmax: float = Field(gt=0.3, le=1.0)
    is_work: bool = False


class Profile(_Strict):
    hr_max: int = Field(default=186, ge=120, le=230)
    hr_rest: int = Field(default=62, ge=30, le=110)
    fitness: float = Field(default=0.5, ge=0, le=1)
    effort: float = Field(default=1.0, gt=0.5, le=1.3)


class ScriptedMember(Profile):
    strap: str
    start_pct: float | None = Field(default=None, gt=0.2, le=1.0)
    hold: tuple[Hold, ...] = ()
    silent: tuple[Silence, ...] = ()
    jump: tuple[Jump, ...] = ()


class ClassScript(ConfigFile):
    """A scripted class: its phases in %HRmax, a default profile, and members (by strap)
    with their own HRmax, resting heart rate and scripted episodes. The demo's file is
    configs/demo.toml; api.demo gives the demo members the same HRmax and resting HR."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_DEMO__")
    TOML_FILE: ClassVar[Path] = CONFIG_DIR / "demo.toml"

    profile: Profile = Profile()
    phase: tuple[ScriptPhase, ...] = Field(min_length=1)
    member: tuple[ScriptedMember, ...] = ()

    def profile_of(self, strap_id: str) -> Profile:
        return next((m for m in self.member if m.strap == strap_id), self.profile)

    def plan(self) -> list[Phase]:
        return [Phase(p.name, p.duration_s, p.pct_hrmax, p.is_work, pct_hrmax=p.pct_hrmax)
                for p in self.phase]

    def apply(self, member: SimMember) -> SimMember:
        """The simulated person on this strap, as the script describes them."""
        found = self.profile_of(member.strap_id)
        scripted = found if isinstance(found, ScriptedMember) else None
        start = scripted.start_pct if scripted and scripted.start_pct else None
        return SimMember(
            strap_id=member.strap_id, hr_max=found.hr_max, hr_rest=found.hr_rest,
            fitness=found.fitness, effort=found.effort,
            hr=start * found.hr_max if start else found.hr_rest + 5.0,
            holds=tuple((h.from_s, h.to_s, h.pct_hrmax) for h in scripted.hold)
            if scripted else (),
            silences=tuple((q.from_s, q.to_s) for q in scripted.silent) if scripted else (),
            jumps=tuple((j.from_s, j.to_s, j.bpm) for j in scripted.jump) if scripted else ())


class ScriptError(ValueError):
    """The class script is missing or invalid; the message names the file and field."""


def load_script(path: Path | str | None = None) -> ClassScript:
    return ClassScript.load(path, error=ScriptError)


def script_from_env() -> ClassScript | None:
    """The script named by SPOTTER_SIMULATOR_SCRIPT, if any (spotter up --demo sets it)."""
    path = os.environ.get(SCRIPT_ENV)
    return load_script(path) if path else None


class SimulatedStraps:
    """Straps for a room of :class:`SimMember`, one notification per strap per period.

    ``speed`` > 1 runs the class faster than real time (event times advance accordingly),
    which tests use to cover a whole class in seconds. ``script`` (or the file named by
    ``SPOTTER_SIMULATOR_SCRIPT``) makes it the scripted demo class (:class:`ClassScript`).
    """

    def __init__(self, members: list[SimMember], plan: list[Phase] | None = None,
                 period_s: float = 1.0, speed: float = 1.0, seed: int = 11,
                 duration_s: float | None = None, loop: bool = True,
                 script: ClassScript | None = None) -> None:
        script = script if script is not None else script_from_env()
        if script is not None:  # the scripted demo class: its plan and its people
            members = [script.apply(m) for m in members]
            plan = plan or script.plan()
        self.members = members
        self.plan = plan or default_class_plan()
        self.period_s = period_s
        self.speed = speed
        self.duration_s = duration_s
        self.loop = loop
        self._rng = random.Random(seed)
        self._closed = asyncio.Event()
        self._status = {m.strap_id: StrapStatus(m.strap_id, StrapState.CONNECTED)
                        for m in members}

    def phase_at(self, elapsed_s: float) -> Phase:
        total = sum(p.duration_s for p in self.plan)
        t = elapsed_s % total if self.loop else min(elapsed_s, total - 1e-6)
        for phase in self.plan:
            if t < phase.duration_s:
                return phase
            t -= phase.duration_s
        return self.plan[-1]

    async def readings(self) -> AsyncIterator[StrapReading]:
        start_wall = time.time()
        start_mono = time.monotonic()
        tick = 0
        while not self._closed.is_set():
            elapsed = tick * self.period_s
            if self.duration_s is not None and elapsed >= self.duration_s:
                return
            phase = self.phase_at(elapsed)
            for member in self.members:
                hr = member.step(phase, elapsed, self.period_s, self._rng)
                if member.silent(elapsed):
                    continue  # strap off: nothing reaches the box
                hr += member.artefact(elapsed)
                raw = rr_for(hr, self._rng, beats=max(1, round(hr / 60 * self.period_s)))
                measurement = HeartRateMeasurement(
                    hr_bpm=round(hr), sensor_contact=True,
                    rr_intervals_raw=raw, rr_intervals_ms=tuple(r * 1000 / 1024 for r in raw),
                )
                wall = start_wall + elapsed
                self._status[member.strap_id].state = StrapState.STREAMING
                self._status[member.strap_id].last_seen_wall = wall
                yield StrapReading(member.strap_id, measurement,
                                   received_monotonic=start_mono + elapsed / self.speed,
                                   received_wall=wall, source="sim")
            tick += 1
            delay = start_mono + tick * self.period_s / self.speed - time.monotonic()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closed.wait(), timeout=delay)

    def statuses(self) -> dict[str, StrapStatus]:
        return dict(self._status)

    async def close(self) -> None:
        self._closed.set()
