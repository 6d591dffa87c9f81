"""Weekly class timetables: demand model, CP-SAT timetable model, scoring, repair and
adjustment suggestions. Pure library (no I/O except ``datasets``); the CLI and the API
call these entry points with the pydantic models of ``scheduler.schemas``:

- ``validation.parse_instance(data) -> Instance`` / ``parse_schedule(data) -> Schedule``
  (raise ``errors.SchedulerInputError`` listing every problem)
- ``solve.solve(instance, demand=, published=, time_limit_s=) -> SolveResult``
- ``validation.validate_schedule(instance, schedule) -> list[Violation]``
- ``repair.repair(instance, published, change) -> RepairResult``
- ``adjust.suggest_adjustments(instance, classes, history) -> list[Suggestion]``
- ``diff.diff_schedules(published, draft) -> ScheduleDiff``
- ``scoring.score_breakdown(Studio.build(instance), classes) -> dict[str, ObjectiveTerm]``
- ``demand.demand_for(instance, history) -> DemandPredictor``;
  ``demand_eval.evaluate_demand(history) -> DemandEvalReport``
- ``instances.example_instance()`` / ``generate_instance(size, seed)``
- baselines: ``manager.manager_schedule`` (hand-made draft, no demand model) and
  ``greedy.greedy_schedule`` (demand-aware greedy), both over ``options.build_options``
- ``relaxation.lp_relaxation`` (LP bound of large weeks) and ``lp_guided_start``
- ``bounds.build_rows`` / ``dual_bound`` / ``column_generation`` (valid bounds from LP
  duals for weeks too large for the full LP)
"""
