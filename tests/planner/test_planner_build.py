"""build_plan prescribes each (item, phase) once per plan: the memo must give every week
exactly the dose and reason that prescribing that week afresh gives."""

from __future__ import annotations

from planner.build import _item, _why_exercise, build_plan
from planner.config import PlannerConfig
from planner.generator import _week_choice
from planner.library import ExerciseLibrary
from planner.models import MemberProfile
from planner.periodization import deload_every, deload_sets, phase, progression_model
from planner.prescription import estimate_one_rep_maxes, prescribe
from planner.vocab import LEVEL_RANK


def test_memoised_doses_equal_fresh_prescriptions(gym_profile: MemberProfile,
                                                  library: ExerciseLibrary,
                                                  config: PlannerConfig) -> None:
    profile = gym_profile.model_copy(update={
        "preferences": gym_profile.preferences.model_copy(update={"progression_model": "dup"})})
    one_rms = estimate_one_rep_maxes(profile.training_history, config.one_rep_max, config.chart)
    choice = _week_choice(profile, library, config, one_rms, 0.05, True)
    weeks = 12
    plan = build_plan(profile, choice.layout, choice.selection, weeks, one_rms, config, library,
                      [])
    model, every = progression_model(profile, config), deload_every(profile, config)
    checked = 0
    for week in plan.weeks:
        seen: dict[str, int] = {}
        for spec, session in zip(choice.layout.sessions, week.sessions, strict=True):
            occurrence = seen.get(spec.focus, 0)
            seen[spec.focus] = occurrence + 1
            ph = phase(model, week.week, weeks, every, occurrence)
            picks = [p for p in choice.selection.picks if p.session == spec.index]
            for pick, item in zip(picks, session.exercises, strict=True):
                cand = pick.candidate
                dose = prescribe(cand.exercise, cand.row, heaviness=ph.heaviness, rir=ph.rir,
                                 level_rank=LEVEL_RANK[profile.fitness_level],
                                 deload=ph.deload, one_rm=one_rms.get(cand.exercise.id),
                                 percent_mode=profile.preferences.intensity_mode
                                 == "percent_1rm", config=config)
                sets = deload_sets(pick.sets, config.periodization.deload_set_fraction) \
                    if ph.deload else pick.sets
                label = ph.label if cand.role in ("main", "accessory") else \
                    ("deload" if ph.deload else "steady")
                why = _why_exercise(cand, spec.slots[pick.slot].name, profile, one_rms)
                assert item == _item(pick, why, dose, sets, label, profile)
                checked += 1
    assert checked > 12 * len(choice.layout.sessions)
