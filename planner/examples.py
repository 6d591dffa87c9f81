"""A documented example profile (``spotter plan example-profile``) and random profiles.

The random profiles feed the benchmark and the batch demo; they are not tuned to any data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from planner.models import Injury, LoggedSet, MemberProfile, Preferences
from planner.vocab import GOALS, LEVELS

EXAMPLE = MemberProfile(
    member_id="member-0042", age=34, sex="female", body_weight_kg=68.0,
    goals=["hypertrophy", "general_fitness"], fitness_level="intermediate", days_per_week=4,
    minutes_per_session=60, equipment=["barbell", "dumbbell", "cable", "machine", "bench",
                                       "pull-up bar"],
    injuries=[Injury(area="knee", note="patellar tendinopathy 2024, no deep knee flexion")],
    preferences=Preferences(liked=["Romanian_Deadlift"], disliked=["Barbell_Deadlift"]),
    training_history=[
        LoggedSet(exercise_id="Romanian_Deadlift", date=date(2025, 3, 3), load_kg=60, reps=8,
                  rpe=8),
        LoggedSet(exercise_id="Barbell_Bench_Press_-_Medium_Grip", date=date(2025, 3, 5),
                  load_kg=45, reps=6, rpe=8.5),
    ],
)

GYM = ["barbell", "dumbbell", "cable", "machine", "bench", "pull-up bar", "dip station",
       "box or step"]
KITS = (["body only"], ["pull-up bar"], ["dumbbell"], ["dumbbell", "bench"],
        ["dumbbell", "bands", "pull-up bar"], ["kettlebells", "bands"],
        ["barbell", "dumbbell", "bench"], GYM,
        [*GYM, "kettlebells", "bands", "other", "rings or suspension trainer"])
HISTORY_LIFTS = ("Barbell_Squat", "Barbell_Bench_Press_-_Medium_Grip", "Romanian_Deadlift",
                 "Dumbbell_Bench_Press", "Goblet_Squat", "Seated_Cable_Rows")


def random_profile(rng: random.Random, member_id: str) -> MemberProfile:
    """A plausible member: weighted towards the common gym case, with edge cases mixed in."""
    goals = rng.sample(list(GOALS), rng.randint(1, 3))
    history = []
    if rng.random() < 0.5:
        day = date(2025, 1, 6)
        for lift in rng.sample(HISTORY_LIFTS, 3):
            for _ in range(3):
                history.append(LoggedSet(exercise_id=lift, date=day, load_kg=rng.choice(
                    [20, 30, 40, 50, 60, 80]), reps=rng.randint(3, 15),
                    rpe=rng.choice([None, 7, 8, 9])))
                day += timedelta(days=rng.randint(1, 4))
    injuries = [Injury(area=a) for a in rng.sample(  # type: ignore[arg-type]
        ["knee", "shoulder", "lower_back", "wrist", "elbow", "hip", "ankle", "neck"],
        rng.choice([0, 0, 0, 1, 1, 2]))]
    return MemberProfile(
        member_id=member_id, age=rng.randint(16, 80), sex=rng.choice(["female", "male", "other"]),
        body_weight_kg=round(rng.uniform(45, 130), 1), goals=goals,  # type: ignore[arg-type]
        fitness_level=rng.choice(LEVELS), days_per_week=rng.randint(1, 7),  # type: ignore[arg-type]
        minutes_per_session=rng.choice([30, 45, 60, 60, 75, 90]),
        equipment=rng.choice(KITS), injuries=injuries, training_history=history)  # type: ignore[arg-type]
