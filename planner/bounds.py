"""Relaxations of the weekly selection model: what no week of it can exceed.

They prove hopeless profiles before any search (a weekly minimum above what the best
exercises could give, too few sessions that could train a muscle, minimums that need more
minutes of sets than the sessions hold) and tell the generator when a longer search is
futile. Each is an upper bound by construction, so it never refuses a profile the solver
could serve; ``tests/planner/test_planner_cache.py`` checks them against feasible weeks.
"""

from __future__ import annotations

from planner.selection import SelectionProblem


def session_volume_bounds(problem: SelectionProblem, muscle: str) -> list[float]:
    """Most half-sets ``muscle`` could get in each session (a relaxation, per session).

    A slot gives at most (places x most sets x most half-sets per set) of the muscle, and
    at most its best half-sets-per-second rate times the time spent in it; the session
    shares its time budget between slots (a fractional knapsack, best rate first).
    Transitions and the exercise cap are ignored, which only loosens the bound, so no
    session of the model can do better."""
    bounds = []
    for s, slots in enumerate(problem.choices):
        options: list[tuple[float, float]] = []
        for k, cands in enumerate(slots):
            useful = [c for c in cands if c.half_sets.get(muscle)]
            if useful:
                rate = max(c.half_sets[muscle] / c.seconds_per_set for c in useful)
                places = problem.sessions[s].slots[k].count
                most = places * max(c.row.sets[1] for c in useful) \
                    * max(c.half_sets[muscle] for c in useful)
                options.append((rate, float(most)))
        total = 0.0
        budget = float(problem.budget_seconds)
        for rate, cap in sorted(options, reverse=True):
            spent = min(budget, cap / rate)
            total += spent * rate
            budget -= spent
            if budget <= 0:
                break
        bounds.append(total)
    return bounds


def volume_upper_bound(problem: SelectionProblem, muscle: str) -> float:
    """Most weekly sets ``muscle`` could get in any week of this model (a relaxation).

    A minimum above this bound is out of reach however long the solver searches."""
    return sum(session_volume_bounds(problem, muscle)) / 2


def weekly_work_bound(problem: SelectionProblem, exempt: set[str] | frozenset[str]
                      ) -> tuple[float, float]:
    """(least seconds of work a week the minimums need, seconds the sessions hold).

    Every set adds at most its candidate's summed target half-sets, so covering all
    minimums takes at least (needed half-sets) / (best half-sets per second) of work; rest
    is counted, transitions are not. When the first exceeds the second no week of this
    model meets every minimum, however long the solver searches."""
    counted = {m for m in problem.targets if m not in exempt}
    needed = sum(round(2 * problem.targets[m].min) for m in counted)
    rate = max((sum(w for m, w in c.half_sets.items() if m in counted) / c.seconds_per_set
                for slots in problem.choices for cands in slots for c in cands), default=0.0)
    held = float(problem.budget_seconds * len(problem.choices))
    return (needed / rate if rate else float("inf")) if needed else 0.0, held


def unreachable_targets(problem: SelectionProblem, exempt: set[str] | frozenset[str]
                        ) -> tuple[dict[str, float], list[str]]:
    """Targets no week of this model can meet, proven by the relaxation before any search.

    Returns (muscle -> most weekly sets that fit, for minimums out of reach) and the
    muscles that cannot reach ``hit_half_sets`` on ``min_sessions`` days. ``exempt``
    muscles (limited by an injury) are pursued but never refused, so they are skipped."""
    short: dict[str, float] = {}
    rare: list[str] = []
    for muscle in sorted(problem.targets):
        if muscle in exempt:
            continue
        per_session = session_volume_bounds(problem, muscle)
        if sum(per_session) / 2 < problem.targets[muscle].min:
            short[muscle] = sum(per_session) / 2
        if problem.frequency_applies and sum(
                b >= problem.hit_half_sets for b in per_session) < problem.min_sessions:
            rare.append(muscle)
    return short, rare
