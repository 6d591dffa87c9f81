"""Workout planner speed, against the previous pipeline measured in the same run.

Run: ``.venv/bin/python bench/bench_planner.py`` (about 10 minutes on the 2-core VM). Prints
a table and writes it to ``bench/results/planner.md``.

The baseline is the planner as it was at ``--baseline-ref`` (default: the commit before the
batch work), extracted with ``git archive`` into a temporary folder and run in its own
process on the very same profiles; the current tree runs the same way. Each process plans
alone (nothing else of ours runs beside it), so the two see the same machine.

What it measures, on seeded random profiles (``planner.examples.random_profile``, not tuned
to any data):

* CPU ms per 12-week plan (full pipeline: split, shortlists, bounds, greedy start, CP-SAT,
  periodized weeks, rule check), baseline vs current, and whether both give each profile
  the same outcome and the same plan (the speed-ups must not change any plan);
* the current tree's greedy-only week (the optimizer's worth) and the rule check alone;
* batch: plans per minute on a process pool (all cores) through the path ``spotter plan
  batch`` uses, and the projected time for 10,000 plans; on the random profiles and on
  "studio-shaped" ones (one studio's kit, common goals; see :func:`studio_profile`), where
  members share week signatures and the per-worker week cache pays.
  Targets (issue 6): < 200 ms per plan, 10,000 plans < 10 min.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "planner.md"
BASELINE_REF = "fd98c7f"  # the planner before issue 18 (positions, fixtures, graph, cardio)
TARGET_MS, TARGET_BATCH_S = 200.0, 600.0
KIT = ["barbell", "dumbbell", "cable", "machine", "kettlebells", "bands"]
# What the studio's floor also holds; a baseline older than fixtures never sees these words.
FIXTURES = ["pull-up bar", "dip station", "bench", "box or step", "rings or suspension trainer"]


def without_fixtures(profile_json: str) -> str:
    """The same member for a planner that has no fixtures (it assumed every bar and bench)."""
    data = json.loads(profile_json)
    data["equipment"] = [k for k in data.get("equipment", []) if k not in FIXTURES] or \
        ["body only"]
    for key in ("hr_max", "hr_rest", "class_days"):
        data.pop(key, None)
    return json.dumps(data)


def studio_profile(rng: random.Random, member_id: str) -> dict[str, object]:
    """A member of one studio: its kit, the goals people usually bring, few injuries; some
    have logged sets on two or three common lifts (which makes their week their own)."""
    from planner.examples import HISTORY_LIFTS

    goals = rng.choice([["general_fitness"], ["hypertrophy"], ["strength"],
                        ["fat_loss", "general_fitness"], ["hypertrophy", "strength"],
                        ["endurance", "general_fitness"]])
    history = []
    if rng.random() < 0.3:
        for n, lift in enumerate(rng.sample(HISTORY_LIFTS, rng.choice([2, 3]))):
            history.append({"exercise_id": lift, "date": f"2025-02-{n + 3:02d}",
                            "load_kg": rng.choice([20, 30, 40, 50, 60]), "reps": 8, "rpe": 8})
    injuries = [{"area": rng.choice(["knee", "shoulder", "lower_back"])}] \
        if rng.random() < 0.15 else []
    return {"member_id": member_id, "age": rng.randint(18, 70),
            "sex": rng.choice(["female", "male"]), "body_weight_kg": rng.randint(50, 110),
            "goals": goals, "fitness_level": rng.choices(
                ["beginner", "intermediate", "advanced"], weights=[5, 4, 1])[0],
            "days_per_week": rng.choices([2, 3, 4, 5], weights=[3, 4, 3, 1])[0],
            "minutes_per_session": rng.choice([45, 60, 60, 75]),
            "equipment": KIT + FIXTURES[:4],
            "injuries": injuries, "training_history": history}


# ---------------------------------------------------------------- worker side (one tree)

def _quiet() -> None:
    import logging

    import structlog
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def per_plan(profiles: list[str], with_baselines: bool) -> dict[str, object]:
    """Plan each profile once in this process: CPU/wall ms, outcome, plan digest."""
    from planner import generator
    from planner.config import default_config
    from planner.errors import PlanInfeasible
    from planner.io import default_library
    from planner.models import MemberProfile

    library, config = default_library(), default_config()
    parsed = [MemberProfile.model_validate_json(p) for p in profiles]
    generator.generate_plan(parsed[0].model_copy(update={"goals": ["general_fitness"]}), 1)
    out: dict[str, object] = {}
    seen: list[float | None] = []
    original = generator._select

    def spy(problem, effort):  # type: ignore[no-untyped-def]
        week = original(problem, effort)
        seen[-1] = week.objective
        return week

    greedy_week = generator.greedy_selection

    def greedy_spy(problem):  # type: ignore[no-untyped-def]
        week = greedy_week(problem)
        seen[-1] = week.objective
        return week

    generator._select = spy  # type: ignore[assignment]
    for mode in ("full", "greedy") if with_baselines else ("full",):
        if mode == "greedy":  # the greedy-only pipeline calls it directly
            generator.greedy_selection = greedy_spy  # type: ignore[assignment]
        cpu, wall, outcome, digest, plans = [], [], [], [], []
        seen.clear()
        for profile in parsed:
            seen.append(None)
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                plan = generator.generate_plan(profile, 12, library=library, config=config,
                                               optimizer=mode == "full")
                text = json.dumps(plan.to_json_dict(), sort_keys=True)
                outcome.append("ok")
                digest.append(hashlib.sha256(text.encode()).hexdigest()[:16])
                plans.append((profile, plan))
            except PlanInfeasible:
                outcome.append("infeasible")
                digest.append("")
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        out[mode] = {"cpu": cpu, "wall": wall, "outcome": outcome, "digest": digest,
                     "objective": list(seen)}
        if with_baselines and mode == "full":
            from planner.validation import check_plan
            check = []
            for profile, plan in plans:
                c0 = time.process_time()
                check_plan(plan, profile, library, config)
                check.append((time.process_time() - c0) * 1000)
            out["check"] = check
    return out


def batch(profiles: list[str], workers: int, grouped: bool) -> dict[str, object]:
    """The batch path of this tree: the current one groups by signature and lets workers
    write their JSON line; the baseline maps outcome dicts and dumps them in the parent."""
    import resource
    from concurrent.futures import ProcessPoolExecutor

    counts: dict[str, int] = {}
    start, cpu0 = time.perf_counter(), time.process_time()
    with open(os.devnull, "w", encoding="utf-8") as sink, ProcessPoolExecutor(workers) as pool:
        if grouped:
            from planner.batch import batch_job, grouping_key
            jobs = sorted(((f"p{i}", p, 12, False) for i, p in enumerate(profiles)),
                          key=lambda j: grouping_key(j[1]))
            for result in pool.map(batch_job, jobs, chunksize=8):
                counts[result.status] = counts.get(result.status, 0) + 1
                sink.write(result.line + "\n")
        else:
            from planner.batch import plan_outcome_job
            for outcome in pool.map(plan_outcome_job,
                                    [(f"p{i}", p, 12) for i, p in enumerate(profiles)],
                                    chunksize=8):
                counts[str(outcome["status"])] = counts.get(str(outcome["status"]), 0) + 1
                sink.write(json.dumps(outcome) + "\n")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool, after it shut down
    return {"seconds": time.perf_counter() - start, "counts": counts,
            "cpu_seconds": children.ru_utime + children.ru_stime + time.process_time() - cpu0}


def worker_main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(args.tree).resolve()))
    _quiet()
    import planner
    if Path(planner.__file__).resolve().parents[1] != Path(args.tree).resolve():
        raise SystemExit(f"planner imported from {planner.__file__}, not {args.tree}")
    profiles = json.loads(Path(args.input).read_text(encoding="utf-8"))
    if args.task == "per-plan":
        result = per_plan(profiles, args.with_baselines)
    else:
        result = batch(profiles, args.workers, args.grouped)
    print(json.dumps(result))


# ---------------------------------------------------------------- orchestrator

def _run(tree: Path, task: str, profiles: list[str], **flags: object) -> dict[str, object]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(profiles, handle)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--tree", str(tree),
           "--task", task, "--input", handle.name]
    for key, value in flags.items():
        if value is True:
            cmd.append(f"--{key.replace('_', '-')}")
        elif value not in (False, None):
            cmd += [f"--{key.replace('_', '-')}", str(value)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tree)
    finally:
        os.unlink(handle.name)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _baseline_tree(ref: str, into: Path) -> Path | None:
    try:
        archive = subprocess.run(["git", "archive", ref, "planner", "configs"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        return into
    except (OSError, subprocess.CalledProcessError):
        return None


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


def _row(name: str, cpu: list[float], wall: list[float] | None) -> str:
    w = f"{statistics.mean(wall):.1f}" if wall else "-"
    return (f"| {name} | {statistics.mean(cpu):.1f} | {statistics.median(cpu):.1f} | "
            f"{_pct(cpu, 0.9):.1f} | {max(cpu):.1f} | {w} |")


def _batch_line(label: str, n: int, res: dict[str, object], workers: int) -> str:
    seconds, cpu = float(res["seconds"]), float(res["cpu_seconds"])  # type: ignore[arg-type]
    per_min = n / seconds * 60
    return (f"| {label} | {seconds:.1f} | {per_min:.0f} | {10_000 / per_min:.1f} | {cpu:.1f} | "
            f"{cpu / workers * 10_000 / n / 60:.1f} | {res['counts']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--profiles", type=int, default=150, help="profiles for per-plan timing")
    parser.add_argument("--batch", type=int, default=600, help="plans in each batch run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--with-baselines", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grouped", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return
    sys.path.insert(0, str(ROOT))
    from planner.examples import random_profile

    rng = random.Random(args.seed)
    profiles = [random_profile(rng, f"m{i}").model_dump_json() for i in range(args.profiles)]
    brng = random.Random(args.seed + 1)
    batch_random = [random_profile(brng, f"b{i}").model_dump_json() for i in range(args.batch)]
    srng = random.Random(args.seed + 2)
    batch_studio = [json.dumps(studio_profile(srng, f"s{i}")) for i in range(args.batch)]
    scratch = Path(tempfile.mkdtemp(prefix="bench-planner-"))
    try:
        base_tree = _baseline_tree(args.baseline_ref, scratch)
        print("per plan: current tree ...", file=sys.stderr)
        cur = _run(ROOT, "per-plan", profiles, with_baselines=True)
        base = _run(base_tree, "per-plan", [without_fixtures(p) for p in profiles]) \
            if base_tree else None
        runs = {}
        for label, data in (("random", batch_random), ("studio", batch_studio)):
            print(f"batch {label}: current tree ...", file=sys.stderr)
            runs[("current", label)] = _run(ROOT, "batch", data, workers=args.workers,
                                            grouped=True)
            if base_tree:
                print(f"batch {label}: baseline ...", file=sys.stderr)
                runs[("baseline", label)] = _run(base_tree, "batch",
                                                 [without_fixtures(p) for p in data],
                                                 workers=args.workers)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_report(args, cur, base, runs, batch_studio)


def write_report(args: argparse.Namespace, cur: dict, base: dict | None,  # type: ignore[type-arg]
                 runs: dict, studio: list[str]) -> None:  # type: ignore[type-arg]
    sys.path.insert(0, str(ROOT))
    from planner.cache import signature
    from planner.config import default_config
    from planner.models import MemberProfile
    from planner.prescription import estimate_one_rep_maxes

    full, greedy = cur["full"], cur["greedy"]
    n = args.profiles
    rows = [_row("current pipeline", full["cpu"], full["wall"])]
    if base:
        rows.insert(0, _row(f"baseline: pipeline at {args.baseline_ref}", base["full"]["cpu"],
                            base["full"]["wall"]))
    rows += [_row("current, greedy week only (no CP-SAT)", greedy["cpu"], greedy["wall"]),
             _row("rule check alone (served plans)", cur["check"], None)]
    served = sum(o == "ok" for o in full["outcome"])
    lines = ["# Planner benchmark", "",
             f"Command: `.venv/bin/python bench/bench_planner.py --profiles {n} --batch "
             f"{args.batch} --workers {args.workers} --seed {args.seed} --baseline-ref "
             f"{args.baseline_ref}`",
             f"Machine: {os.cpu_count()}-core VM, {_cpu_model()}, Python "
             f"{platform.python_version()}; **shared with other engineers' jobs during the "
             "run** (wall times are noisy; CPU ms count this process only).", "",
             f"## Per 12-week plan ({n} seeded random profiles, target < {TARGET_MS:.0f} ms)",
             "", "| pipeline | mean CPU ms | median | p90 | max | mean wall ms |",
             "|---|---:|---:|---:|---:|---:|", *rows, ""]
    if base:
        b_full = base["full"]
        same_outcome = sum(a == b for a, b in zip(b_full["outcome"], full["outcome"],
                                                  strict=True))
        served_both = [i for i in range(n) if b_full["digest"][i] and full["digest"][i]]
        same_plan = sum(b_full["digest"][i] == full["digest"][i] for i in served_both)
        score = [(b_full["objective"][i], full["objective"][i]) for i in served_both
                 if b_full["digest"][i] != full["digest"][i]]
        speed = statistics.mean(b_full["cpu"]) / statistics.mean(full["cpu"])
        refused = [i for i in range(n) if full["outcome"][i] != "ok"]
        saved = statistics.mean(b_full["cpu"][i] - full["cpu"][i] for i in refused) \
            if refused else 0.0
        del score, saved
        served_base = sum(o == "ok" for o in b_full["outcome"])
        lines += [f"Current vs baseline: **{speed:.2f}x** the speed per plan (mean CPU; "
                  "below 1 = the current planner is slower). The baseline plans the same "
                  "members without their fixtures (it knew none and assumed every bar and "
                  "bench). Plans differ by design: exercises now need their fixtures and "
                  "keep clear of the positions an injury rules out, and endurance/fat-loss "
                  "goals get cardio sessions in heart-rate zones. "
                  f"{same_outcome}/{n} profiles get the same outcome (served or refused); "
                  f"the baseline served {served_base}/{n}, the current planner "
                  f"{sum(o == 'ok' for o in full['outcome'])}/{n} "
                  f"({same_plan}/{len(served_both)} plans served by both are identical)."]
        if served_both:
            b_ms = statistics.mean(b_full["cpu"][i] for i in served_both)
            c_ms = statistics.mean(full["cpu"][i] for i in served_both)
            lines += ["", f"**Like for like** (the {len(served_both)} profiles both serve): "
                      f"baseline {b_ms:.1f} ms, current {c_ms:.1f} ms mean CPU per plan, "
                      f"**{b_ms / c_ms:.2f}x** (refusals are cheap, so the all-profile means "
                      "above mostly reflect how many profiles each planner refuses)."]
    pairs = [(a, b) for a, b in zip(greedy["objective"], full["objective"], strict=True)
             if a is not None and b is not None]
    lines += [f"Served {served}/{n}; the rest are refused with reasons. Greedy-only serves "
              f"{sum(o == 'ok' for o in greedy['outcome'])}/{n}; where both make a week, "
              f"CP-SAT's scores higher on {sum(b > a for a, b in pairs)}/{len(pairs)} and "
              f"lower on {sum(b < a for a, b in pairs)}.", "",
              f"## Batch (`spotter plan batch` path, {args.workers} processes, "
              f"{args.batch} plans per run)", "",
              "| run | wall s | plans/min | projected min for 10,000 (wall) | CPU s | "
              f"projected min for 10,000 on {args.workers} free cores | outcomes |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for (tree, label), res in sorted(runs.items()):
        lines.append(_batch_line(f"{tree}, {label} profiles", args.batch, res, args.workers))
    sigs = set()
    for text in studio:
        p = MemberProfile.model_validate_json(text)
        rules = default_config()
        sigs.add(signature(p, estimate_one_rep_maxes(p.training_history, rules.one_rep_max,
                                                     rules.chart)))
    cpu_proj = 10_000 * statistics.mean(full["cpu"]) / 1000 / args.workers / 60
    lines += ["", f"Studio-shaped profiles share week signatures: {len(sigs)} distinct weeks "
              f"among {len(studio)} members; random profiles almost never do (the cache then "
              "saves nothing and costs a dictionary lookup). From the per-plan CPU time, "
              f"10,000 random plans need {cpu_proj:.1f} min on {args.workers} cores that are "
              "ours alone; the wall figures above include the other jobs on the machine."]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
