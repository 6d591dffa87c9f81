"""What the plan editor offers: the graph's swap options for one item, in the member's
limits, each exercise once with the word the page shows (easier, same, harder)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from planner.graph import Limits, swap_options
from planner.library import ExerciseLibrary
from planner.models import MemberProfile
from planner.vocab import FIXTURES, KIT

# The profile form's kit checkboxes: equipment, then the fixtures a member may or may not
# have (body weight always counts, so it is no choice).
KIT_CHOICES = tuple(k for k in KIT if k not in ("body only", *FIXTURES)) + FIXTURES


def swap_choices(item: dict[str, Any], library: ExerciseLibrary, profile: dict[str, Any]
                 ) -> list[tuple[str, str]]:
    """(exercise id, label) of the variants the member can do instead of ``item``."""
    if item["exercise_id"] not in library:
        return []
    try:
        member = MemberProfile.model_validate(profile)
    except ValidationError:
        return []
    limits = Limits.of(member)
    return [(alt.id, f"{alt.name} ({direction})")
            for alt, direction in swap_options(library.get(item["exercise_id"]), library,
                                               limits)]
