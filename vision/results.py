"""What analysis produces: reps with timing, range of motion and faults, plank holds,
and the clip-level summary behind ``spotter vision analyze --json``."""

from __future__ import annotations

from dataclasses import dataclass, field

from vision.plank import Hold
from vision.view import View


@dataclass(frozen=True, slots=True)
class RepResult:
    """One counted rep: timing (seconds on the clip's or camera's clock), range of
    motion of the exercise's main joint, and the form faults it showed."""

    index: int
    start_s: float
    turn_s: float
    end_s: float
    rom_deg: float | None
    faults: tuple[str, ...] = ()
    side: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def tempo_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def down_s(self) -> float:
        return self.turn_s - self.start_s

    @property
    def up_s(self) -> float:
        return self.end_s - self.turn_s


@dataclass(slots=True)
class AnalysisResult:
    exercise: str
    view: View
    reps: list[RepResult]
    holds: list[Hold]
    frames: int
    pose_detected_frames: int
    swap_repairs: int = 0

    @property
    def hold_s(self) -> float:
        return sum(h.duration_s for h in self.holds)

    def to_dict(self, fps_processed: float | None = None,
                details: bool = False) -> dict[str, object]:
        """The ``spotter vision analyze --json`` document (its keys are an interface)."""
        reps: list[dict[str, object]] = []
        for r in self.reps:
            item: dict[str, object] = {"start_s": round(r.start_s, 2), "end_s": round(r.end_s, 2),
                                       "rom_deg": r.rom_deg, "faults": list(r.faults)}
            if details:
                item |= {"turn_s": round(r.turn_s, 2), "tempo_s": round(r.tempo_s, 2),
                         "side": r.side, "metrics": r.metrics}
            reps.append(item)
        out: dict[str, object] = {
            "exercise": self.exercise, "reps": len(self.reps), "reps_detail": reps,
            "frames": self.frames, "pose_detected_frames": self.pose_detected_frames,
            "fps_processed": None if fps_processed is None else round(fps_processed, 1),
            "view": self.view.value,
        }
        if self.exercise == "plank" or self.holds:
            out["hold_s"] = round(self.hold_s, 2)
            out["holds"] = [{"start_s": round(h.start_s, 2), "end_s": round(h.end_s, 2),
                             "faults": list(h.faults)} for h in self.holds]
        return out

    def fault_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        items: list[RepResult | Hold] = [*self.reps, *self.holds]
        for item in items:
            for fault in item.faults:
                counts[fault] = counts.get(fault, 0) + 1
        return counts
