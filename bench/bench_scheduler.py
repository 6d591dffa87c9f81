"""Scheduler benchmark: generated studio weeks (small / medium / large), the optimiser vs
two baselines measured in the same run.

Baselines: the *manager's draft* (``scheduler.manager``: a fixed grid of popular times
filled class type by class type, first qualified free trainer, first fitting room, no
demand model -- what is done by hand today) and the *demand greedy* (``scheduler.greedy``:
same predictions as the optimiser, best free option first -- a strong heuristic).

Per size: candidate options, time to a first feasible timetable (the greedy warm start, and
CP-SAT alone without a hint), then ``solve`` at several time limits on N workers: objective,
bound and gap (final, and of stage 2 before the quality stage trades up to
``stage_tolerance``), and the ratios of objective and predicted attendance to both
baselines; *bound from* is the result's ``bound_source``. ``--compare-bound`` adds one
run per size with the other bound source ("lp" vs "cpsat") at the longest limit. Also the
demand model against the naive baselines. The header records the load average at the
start and end: the machine is shared, so timings and gaps vary with it.

    .venv/bin/python bench/bench_scheduler.py                 # 10/30/60 s, 2 workers
    .venv/bin/python bench/bench_scheduler.py --quick         # 5/15 s, small + medium
    .venv/bin/python bench/bench_scheduler.py --out bench/results/scheduler.md
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import structlog
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ortools.sat.python import cp_model  # noqa: E402

from scheduler.config import load_settings  # noqa: E402
from scheduler.demand import PriorDemand  # noqa: E402
from scheduler.evaluation import demand_report  # noqa: E402
from scheduler.greedy import greedy_schedule  # noqa: E402
from scheduler.instances import SIZES, generate_instance  # noqa: E402
from scheduler.manager import manager_schedule  # noqa: E402
from scheduler.model import build_model  # noqa: E402
from scheduler.options import build_options  # noqa: E402
from scheduler.solve import solve  # noqa: E402
from scheduler.studio import Studio  # noqa: E402

err = Console(stderr=True)
# solver logs go to stderr: stdout is the markdown report
structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(sys.stderr),
                    cache_logger_on_first_use=False)


def cpu_name() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpsat_first_feasible(size: str, seed: int, limit: float, workers: int) -> tuple[str, float]:
    """CP-SAT alone, no hint: wall time to its first feasible timetable (incl. building)."""
    started = time.perf_counter()
    inst = generate_instance(size, seed)
    studio = Studio.build(inst)
    ctx = build_model(studio, build_options(studio, PriorDemand()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    solver.parameters.stop_after_first_solution = True
    # the same presolve settings as ``scheduler.stage.run_stage`` (measured there)
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    status = solver.status_name(solver.solve(ctx.model))
    # no objective: OPTIMAL here only means "found a feasible timetable"
    found = "feasible" if status in ("OPTIMAL", "FEASIBLE") else f"none ({status})"
    return found, time.perf_counter() - started


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def bench_size(size: str, seed: int, limits: list[float], workers: int, first_limit: float,
               compare_bound: bool) -> list[str]:
    inst = generate_instance(size, seed)
    started = time.perf_counter()
    studio = Studio.build(inst)
    options = build_options(studio, PriorDemand())
    build_s = time.perf_counter() - started
    t = time.perf_counter()
    greedy = greedy_schedule(studio, options)
    greedy_s = time.perf_counter() - t
    manager = manager_schedule(studio, options)
    settings = load_settings()
    scale = settings.solver.scale

    def value(idx: list[int]) -> float:
        return sum(options.options[i].value for i in idx) / scale

    def attendance(idx: list[int]) -> float:
        return sum(options.options[i].attendance for i in idx)

    g_value, g_att = value(greedy), attendance(greedy)
    m_value, m_att = value(manager), attendance(manager)
    rooms, trainers, _, _ = SIZES[size]
    err.log(f"{size}: {len(options)} options, greedy {len(greedy)} classes in {greedy_s:.2f} s")
    status, first_s = cpsat_first_feasible(size, seed, first_limit, workers)
    rows = [
        f"| {size} | {rooms} | {trainers} | {len(options)} | {len(manager)} | - | - | "
        f"manager's draft | - | {m_value:.1f} | - | - | - | {m_value / g_value:.3f} | "
        f"{m_att / g_att:.3f} | 1.000 | - |",
        f"| {size} | | | | {len(greedy)} | {build_s + greedy_s:.2f} s | {status} "
        f"{first_s:.1f} s | demand greedy | - | {g_value:.1f} | - | - | - | 1.000 | 1.000 | "
        f"{g_att / m_att:.3f} | - |"]
    runs = [(limit, settings.solver.bound) for limit in limits]
    if compare_bound:
        other = "cpsat" if settings.solver.bound == "lp" else "lp"
        runs.append((max(limits), other))
    for limit, bound_source in runs:
        err.log(f"{size}: solve --time-limit {limit:g} on {workers} workers, bound "
                f"{bound_source}")
        solver = settings.solver.model_copy(update={"bound": bound_source})
        res = solve(inst, time_limit_s=limit, workers=workers, seed=seed,
                    settings=settings.model_copy(update={"solver": solver}))
        att = sum(c.predicted_attendance for c in res.classes)
        stage2 = next((st for st in res.stages if st.name == "attendance_revenue"), None)
        s2_gap = (None if stage2 is None or stage2.gap is None else stage2.gap)
        bound = "-" if res.best_bound is None else f"{res.best_bound:.1f}"
        ratio = "-" if res.objective is None else f"{res.objective / g_value:.3f}"
        # the method that gave the reported bound, as the result names it (the LP, LP
        # duals by column generation, the session caps, or CP-SAT's own bound)
        source = res.bound_source or "-"
        rows.append(
            f"| {size} | | | | {len(res.classes)} | | | {limit:g} s ({res.wall_s:.0f} s wall), "
            f"{res.status} | {source} | {res.objective} | {bound} | "
            f"{_pct(res.gap)} | {_pct(s2_gap)} | {ratio} | {att / g_att:.3f} | "
            f"{att / m_att:.3f} | {len(res.violations)} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5/15 s, small and medium only")
    parser.add_argument("--sizes", default=None, help="comma list of small,medium,large")
    parser.add_argument("--limits", default=None, help="comma list of time limits (s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare-bound", action="store_true",
                        help="one more run per size with the other bound source")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = parser.parse_args()
    sizes = (args.sizes or ("small,medium" if args.quick else "small,medium,large")).split(",")
    limits = [float(x) for x in (args.limits or ("5,15" if args.quick else "10,30,60"))
              .split(",")]
    first_limit = 15.0 if args.quick else 60.0
    load_start = os.getloadavg()[0]
    lines = [
        "| size | rooms | trainers | options | classes | build + greedy | CP-SAT alone: first "
        "feasible | run | bound from | objective | best bound | gap | stage-2 gap | "
        "objective / greedy | attendance / greedy | attendance / manager | violations |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        lines += bench_size(size, args.seed, limits, args.workers, first_limit,
                            args.compare_bound)
    lines += ["", "Demand model, held-out synthetic weeks (12 train + 4 test, small studio):", "",
              "| seed | model MAE | class-type mean MAE | same slot recent MAE | "
              "80 % interval coverage |", "|---|---|---|---|---|"]
    for seed in range(3):
        rep = demand_report(None, weeks=16, test_weeks=4, size="small", seed=seed)["synthetic"]
        mae = {s["method"]: s["mae"] for s in rep["scores"]}
        lines.append(f"| {seed} | {mae['model']:.3f} | {mae['class_type_mean']:.3f} | "
                     f"{mae['same_slot_recent']:.3f} | {rep['interval_coverage_80']:.3f} |")
    data = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "class-attendance"
    if data.is_dir():
        rep = demand_report(data, weeks=16, test_weeks=4, size="small", seed=0)
        show = rep["show_up"]
        lines += ["", f"Show-up model on GoalZone ({show['bookings']} bookings, 5-fold CV): "
                  f"log loss {show['cv_log_loss']:.3f} vs base rate "
                  f"{show['base_rate_log_loss']:.3f}, AUC {show['cv_auc']:.3f}. Slot prior "
                  "recomputed from the campus-gym file differs from configs/scheduler.toml by "
                  f"at most {rep['slot_prior_max_abs_diff_vs_config']}."]
    header = [f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`",
              f"Machine: {cpu_name()}, {args.workers} CP-SAT workers, seed {args.seed}, "
              f"{os.cpu_count()} CPUs, load average {load_start:.1f} at the start and "
              f"{os.getloadavg()[0]:.1f} at the end", ""]
    text = "\n".join(header + lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
