"""Workout planner speed and the optimizer's worth, against baselines measured in the same run.

Run: ``.venv/bin/python bench/bench_planner.py`` (a few minutes on the 2-core VM). Prints a
table and writes it to ``bench/results/planner.md``.

What it measures, on the same seeded random profiles (``planner.examples.random_profile``,
not tuned to any data):

* ms per 12-week plan, the full pipeline (split, shortlists, greedy start, CP-SAT, periodized
  weeks, rule check), per CPU second of this process and per wall second;
* baseline 1: the same pipeline with the greedy week only (the selection without the
  optimizer): its speed, how many profiles it serves, and its objective against CP-SAT's;
* baseline 2: the rule check (``check_plan``) alone on the finished plans;
* batch: plans per minute through ``planner.batch`` on a process pool (all cores), and the
  projected time for 10,000 plans. Targets (issue 6): < 200 ms per plan, 10,000 plans < 10 min.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import structlog  # noqa: E402

from planner import generator  # noqa: E402
from planner.batch import plan_outcome_job  # noqa: E402
from planner.config import default_config  # noqa: E402
from planner.errors import PlanInfeasible  # noqa: E402
from planner.examples import random_profile  # noqa: E402
from planner.io import default_library  # noqa: E402
from planner.validation import check_plan  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "planner.md"
TARGET_MS, TARGET_BATCH_S = 200.0, 600.0


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        return next(line.split(":", 1)[1].strip() for line in out.splitlines()
                    if line.startswith("Model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_pipeline(profiles: list, optimizer: bool) -> dict[str, object]:  # type: ignore[type-arg]
    """Generate every plan once; CPU and wall ms per plan, outcomes and objectives."""
    library, config = default_library(), default_config()
    captured: dict[str, float | None] = {}
    original = generator._select

    def spy(problem, effort):  # type: ignore[no-untyped-def]
        sel = original(problem, effort)
        captured["objective"] = sel.objective
        return sel

    generator._select = spy  # type: ignore[assignment]
    cpu, wall, objectives, plans = [], [], {}, {}
    try:
        for profile in profiles:
            captured["objective"] = None
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                plan = generator.generate_plan(profile, 12, library=library, config=config,
                                               optimizer=optimizer)
                plans[profile.member_id] = plan
            except PlanInfeasible:
                pass
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            objectives[profile.member_id] = captured["objective"]
    finally:
        generator._select = original  # type: ignore[assignment]
    return {"cpu": cpu, "wall": wall, "plans": plans, "objectives": objectives}


def run_greedy_objectives(profiles: list) -> dict[str, float | None]:  # type: ignore[type-arg]
    """Objective of the greedy week on the same model (for a like-for-like quality figure)."""
    library, config = default_library(), default_config()
    out: dict[str, float | None] = {}
    original = generator._select

    def greedy_only(problem, effort):  # type: ignore[no-untyped-def]
        sel = generator.greedy_selection(problem)
        out[current[0]] = sel.objective
        return sel

    current = [""]
    generator._select = greedy_only  # type: ignore[assignment]
    try:
        for profile in profiles:
            current[0] = profile.member_id
            with contextlib.suppress(PlanInfeasible):
                generator.generate_plan(profile, 1, library=library, config=config)
    finally:
        generator._select = original  # type: ignore[assignment]
    return out


def run_batch(n: int, workers: int, seed: int) -> tuple[float, dict[str, int]]:
    rng = random.Random(seed)
    jobs = [(f"p{i}", random_profile(rng, f"b{i}").model_dump_json(), 12) for i in range(n)]
    counts: dict[str, int] = {}
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        for outcome in pool.map(plan_outcome_job, jobs, chunksize=8):
            counts[str(outcome["status"])] = counts.get(str(outcome["status"]), 0) + 1
    return time.perf_counter() - start, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=150, help="profiles for per-plan timing")
    parser.add_argument("--batch", type=int, default=1000, help="plans in the batch run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    default_library(), default_config()

    rng = random.Random(args.seed)
    profiles = [random_profile(rng, f"m{i}") for i in range(args.profiles)]
    generator.generate_plan(profiles[0].model_copy(update={"goals": ["general_fitness"]}), 1)
    full = run_pipeline(profiles, optimizer=True)
    greedy = run_pipeline(profiles, optimizer=False)
    greedy_obj = run_greedy_objectives(profiles)
    plans = full["plans"]
    library, config = default_library(), default_config()
    by_id = {p.member_id: p for p in profiles}
    check_ms = []
    for member_id, plan in plans.items():  # type: ignore[attr-defined]
        c0 = time.process_time()
        check_plan(plan, by_id[member_id], library, config)
        check_ms.append((time.process_time() - c0) * 1000)
    both = [m for m, v in full["objectives"].items()  # type: ignore[attr-defined]
            if v is not None and greedy_obj.get(m) is not None]
    better = sum(full["objectives"][m] > greedy_obj[m] for m in both)  # type: ignore[index]
    gain = statistics.mean(full["objectives"][m] - greedy_obj[m] for m in both)  # type: ignore[index]
    batch_s, counts = run_batch(args.batch, args.workers, args.seed + 1)
    per_min = args.batch / batch_s * 60
    projected = 10_000 / per_min * 60
    cpu_projected = 10_000 * statistics.mean(full["cpu"]) / 1000 / args.workers  # type: ignore[arg-type]

    n = args.profiles
    served_full, served_greedy = len(plans), len(greedy["plans"])  # type: ignore[arg-type]
    fc, gc = full["cpu"], greedy["cpu"]
    served_cpu = [ms for p, ms in zip(profiles, fc, strict=True)  # type: ignore[call-overload]
                  if p.member_id in plans]
    refused_cpu = [ms for p, ms in zip(profiles, fc, strict=True)  # type: ignore[call-overload]
                   if p.member_id not in plans]
    rows = [
        ("full pipeline (greedy + CP-SAT + rule check)", statistics.mean(fc),
         statistics.median(fc), _pct(fc, 0.9), statistics.mean(full["wall"])),
        ("baseline: greedy week only", statistics.mean(gc), statistics.median(gc),
         _pct(gc, 0.9), statistics.mean(greedy["wall"])),
        ("baseline: rule check alone", statistics.mean(check_ms), statistics.median(check_ms),
         _pct(check_ms, 0.9), float("nan")),
    ]
    lines = [
        "# Planner benchmark",
        "",
        f"Command: `.venv/bin/python bench/bench_planner.py --profiles {n} --batch "
        f"{args.batch} --workers {args.workers} --seed {args.seed}`",
        f"Machine: {os.cpu_count()}-core VM, {_cpu_model()}, Python {platform.python_version()}"
        "; **shared with other engineers' jobs during the run** (wall times are noisy; CPU "
        "ms are per CPU second of this process).",
        "",
        f"Per 12-week plan, {n} seeded random profiles (target < {TARGET_MS:.0f} ms):",
        "",
        "| pipeline | mean CPU ms | median | p90 | mean wall ms |",
        "|---|---:|---:|---:|---:|",
        *[f"| {name} | {a:.1f} | {b:.1f} | {c:.1f} | {d:.1f} |" for name, a, b, c, d in rows],
        "",
        f"Full pipeline vs greedy-only: {statistics.mean(fc) / statistics.mean(gc):.2f}x the "
        f"CPU time; serves {served_full}/{n} profiles vs {served_greedy}/{n}; on the "
        f"{len(both)} profiles where both produce a week, CP-SAT's week scores higher on "
        f"{better} and ties on the rest (mean objective gain {gain:.1f}, "
        "objective = planner.selection.evaluate). "
        f"The rule check is {statistics.mean(check_ms) / statistics.mean(fc):.0%} of a plan.",
        "",
        f"Batch ({args.batch} plans, {args.workers} processes): {batch_s:.1f} s wall, "
        f"**{per_min:.0f} plans/min**, projected 10,000 plans in {projected / 60:.1f} min "
        f"(target < {TARGET_BATCH_S / 60:.0f} min). Outcomes: {counts}. If the "
        f"{args.workers} cores were ours alone, the per-plan CPU time above would give "
        f"{cpu_projected / 60:.1f} min for 10,000 plans.",
        "",
        f"Served profiles: mean {statistics.mean(served_cpu):.1f} CPU ms; profiles reported "
        f"infeasible (with reasons, no plan): mean {statistics.mean(refused_cpu or [0.0]):.1f} "
        "CPU ms.",
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
