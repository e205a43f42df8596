"""``solve()``: pre-solve, build, search, and read the pattern back; never raises on infeasible."""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ortools.sat.python import cp_model

from scheduler.model import Scenario
from scheduler.schedule import PlacedRoutine, PlacedSession, number_occurrences
from scheduler.solver.decompose import Decomposition, client_groups
from scheduler.solver.explain import explain_infeasible, precheck
from scheduler.solver.model import SCALE, DayCircuit, PatternModel
from scheduler.solver.presolve import Presolved, presolve
from scheduler.solver.result import Itinerary, Leg, Progress, SolveResult, Status
from scheduler.travel import Travel
from scheduler.weights import TERMS

ProgressCallback = Callable[[Progress], None]


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Passes each improving solution's objective and the bound to ``on_progress``; one
    reporter serves every round of a search, so a resumed round's first solution (the
    previous best, from the hint) is not reported again."""

    def __init__(self, on_progress: ProgressCallback | None, started: float) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.started = started
        self.solutions = 0
        self.best = math.inf

    def on_solution_callback(self) -> None:
        objective = self.objective_value / SCALE
        if objective >= self.best:
            return
        self.best = objective
        self.solutions += 1
        if self.on_progress is not None:
            progress = Progress(
                time.monotonic() - self.started, objective, self.best_objective_bound / SCALE, self.solutions
            )
            self.on_progress(progress)


DECOMPOSE_OPTIONS = 150
"""With several groups and more options than this, groups are first laid out one by one."""
BOUND_SHARE = 0.33
"""Share of the time limit for bounding the groups when that gives each group at least
:data:`BOUND_SECONDS_PER_GROUP` (20 households in 60 s: bound 4548 against 4435 with a fifth
of the time, the pattern no worse)."""
BOUND_SECONDS_PER_GROUP = 0.5
"""Below this much bounding time per group, construction may take all the time instead
(100 households in 120 s: trips 0.53 to 0.55 of today's then, against 0.60 to 0.61 when it
leaves a tenth or a third of the time to the bound)."""
WARM_START_OPTIONS = 1500
"""Up to this many options, the whole model then improves on that pattern (a warm start)."""


def solve(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> SolveResult:
    """The best weekly pattern of ``scenario`` within the time limit.

    Settings not given come from the scenario's ``solver`` block. ``on_progress`` is called
    with each improving solution; setting ``stop`` ends the search early with the best
    pattern so far. Returns status ``optimal``, ``feasible`` (with its gap), ``timeout`` (no
    pattern found in time) or ``infeasible`` with an explanation; never raises for a
    scenario that has no pattern.

    Small scenarios are solved as one model. Large ones with several independent groups
    (households joined by shared carers) are laid out by :mod:`scheduler.solver.decompose`
    and bounded by relaxation.
    """
    started = time.monotonic()
    run = _Run(
        scenario=scenario,
        started=started,
        deadline=started + (time_limit if time_limit is not None else scenario.solver.time_limit_s),
        workers=workers if workers is not None else scenario.solver.workers,
        seed=seed if seed is not None else scenario.solver.seed,
        on_progress=on_progress,
        stop=stop or threading.Event(),
        travel=Travel(scenario),
    )
    presolved = presolve(scenario, run.travel)
    reason = precheck(scenario, presolved)
    if reason is not None:
        return run.result("infeasible", explanation=reason)
    if len(presolved.options) > DECOMPOSE_OPTIONS and len(client_groups(scenario)) > 1:
        return _solve_large(run, presolved)
    return _solve_full(run, presolved)


@dataclass
class _Run:
    """One call of :func:`solve`: its settings, clock and cancellation."""

    scenario: Scenario
    started: float
    deadline: float
    workers: int
    seed: int
    on_progress: ProgressCallback | None
    stop: threading.Event
    travel: Travel

    def left(self) -> float:
        """Seconds until the deadline."""
        return self.deadline - time.monotonic()

    def result(self, status: Status, *, explanation: str | None = None) -> SolveResult:
        """A result without a pattern."""
        return SolveResult(status, None, None, time.monotonic() - self.started, explanation=explanation)

    def timeout(self) -> SolveResult:
        """No pattern in time: say so, and what to try."""
        limit = self.deadline - self.started
        return self.result(
            "timeout",
            explanation=f"no pattern was found within {limit:g} s; the scenario may still have one: "
            "allow more time, or relax the tightest limits",
        )

    def emit(self, objective: float | None, bound: float | None, solutions: int) -> None:
        """Report progress, if anyone listens."""
        if self.on_progress is not None:
            self.on_progress(Progress(time.monotonic() - self.started, objective, bound, solutions))


def _solve_full(run: _Run, presolved: Presolved) -> SolveResult:
    """One model for the whole scenario; an infeasible one is explained."""
    built = PatternModel(run.scenario, presolved, run.travel).build()
    searched = _search(built, run, run.left(), workers=run.workers, report=True)
    status = _STATUS.get(searched.code)
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the model: {searched.solver.status_name(searched.code)}")
    if status == "infeasible":
        limit = run.deadline - run.started
        return run.result(
            "infeasible",
            explanation=explain_infeasible(
                run.scenario, presolved, run.travel, time_limit=max(1.0, limit / 4)
            ),
        )
    if status == "timeout":
        return run.timeout()
    return _read_result(built, searched, status, time.monotonic() - run.started)


def _solve_large(run: _Run, presolved: Presolved) -> SolveResult:
    """Bound and lay out group by group; then, when the whole model is not too big, let it
    improve on that pattern (warm start) and tighten the bound for the rest of the time."""
    limit = run.deadline - run.started
    warm = len(presolved.options) <= WARM_START_OPTIONS
    reserve = min(5.0, 0.1 * limit)
    dec = Decomposition(
        run.scenario,
        presolved,
        run.travel,
        deadline=run.deadline - reserve,
        seed=run.seed,
        workers=run.workers,
        stop=run.stop.is_set,
        report=lambda _: run.emit(None, None, 0),
    )
    # Bounding pays when it can give each group half a second or more (most are then proven):
    # construction leaves it a third of the time. Otherwise placing each group well is worth
    # more, and the bound has half of what construction leaves.
    bound_time = BOUND_SHARE * limit
    useful = bound_time >= BOUND_SECONDS_PER_GROUP * len(dec.groups)
    if not dec.construct(until=dec.deadline - (bound_time if useful else 0.0)):
        failed = dec.failed_group()
        if failed is not None:
            return run.result(
                "infeasible",
                explanation=explain_infeasible(
                    run.scenario, presolved, run.travel, time_limit=max(1.0, run.left()), only=failed
                ),
            )
        return run.timeout()
    left = dec.deadline - time.monotonic()
    bound = dec.lower_bound(budget=min(bound_time, left) if useful else 0.5 * left)
    run.emit(None, bound, 0)
    # Construction may take all the time; improvement leaves half to the warm start.
    dec.improve(until=min(dec.deadline, run.started + 0.5 * limit) if warm else dec.deadline)
    built = PatternModel(run.scenario, dec.chosen(), run.travel).build()
    searched = _search(built, run, max(1.0, run.left()), workers=run.workers, report=False)
    if _STATUS.get(searched.code) not in ("optimal", "feasible"):
        return run.timeout()
    best = _read_result(built, searched, "feasible", time.monotonic() - run.started)
    run.emit(best.objective, bound, 1)
    if warm and run.left() > 1.0 and not run.stop.is_set():
        improved = _warm_start(run, presolved, dec)
        if improved is not None:
            if improved.bound is not None:
                bound = improved.bound if bound is None else max(bound, improved.bound)
            if (
                improved.objective is not None
                and best.objective is not None
                and improved.objective < best.objective
            ):
                best = improved
    proven = bound is not None and best.objective is not None and best.objective <= bound + 1e-6
    return replace(
        best, bound=bound, status="optimal" if proven else "feasible", runtime=time.monotonic() - run.started
    )


def _warm_start(run: _Run, presolved: Presolved, dec: Decomposition) -> SolveResult | None:
    """The whole model, hinted with the decomposition's pattern, for the time that is left."""
    built = PatternModel(run.scenario, presolved, run.travel).build()
    built.hint([(o, o.slots[0][0]) for o in dec.chosen().options])
    searched = _search(built, run, run.left(), workers=run.workers, report=True)
    status = _STATUS.get(searched.code)
    if status not in ("optimal", "feasible"):
        return None
    return _read_result(built, searched, status, time.monotonic() - run.started)


@dataclass
class _Searched:
    """The solver holding the best pattern of a search, its status, and the best bound any
    round of the search proved (raw objective units)."""

    solver: cp_model.CpSolver
    code: Any
    bound: float


RESUME_SECONDS = 1.0
"""An interleaved search that ends unproven with more than this many seconds left resumes."""


def _search(built: PatternModel, run: _Run, seconds: float, *, workers: int, report: bool) -> _Searched:
    """Search ``built`` for ``seconds``; the best pattern, its status and the best bound.

    Interleaved search can end unproven well before its limit: it runs workers in batches
    of fixed deterministic time, and a batch may take far longer on the wall clock (seen on
    a generated household: done after 5.6 s of 10, with a worse pattern than a full 10 s
    gives). It then resumes from its best pattern for the time left, keeping the bound.
    """
    until = time.monotonic() + seconds
    reporter = _Reporter(run.on_progress if report else None, run.started)
    solver, code = _search_once(built, run, seconds, workers=workers, reporter=reporter)
    searched = _Searched(solver, code, solver.best_objective_bound)
    while (
        searched.code == cp_model.FEASIBLE
        and until - time.monotonic() > RESUME_SECONDS
        and not run.stop.is_set()
    ):
        _hint_solution(built.m, searched.solver)
        solver, code = _search_once(built, run, until - time.monotonic(), workers=workers, reporter=reporter)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        bound = max(searched.bound, solver.best_objective_bound)
        proven = code == cp_model.OPTIMAL or solver.objective_value <= bound
        searched = _Searched(solver, cp_model.OPTIMAL if proven else cp_model.FEASIBLE, bound)
    return searched


def _hint_solution(m: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Replace the model's hints by the solver's best solution."""
    m.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
    for i in range(len(m.proto.variables)):
        var = m.get_int_var_from_proto_index(i)
        m.add_hint(var, solver.value(var))


def _search_once(
    built: PatternModel, run: _Run, seconds: float, *, workers: int, reporter: _Reporter
) -> tuple[cp_model.CpSolver, Any]:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.1, seconds)
    params.num_workers = workers
    params.random_seed = run.seed
    # Workers take turns in deterministic batches: the same seed and workers give the same
    # pattern whenever the search ends by itself (not cut by the wall-clock limit).
    params.interleave_search = True
    # Presolve probing costs seconds on these models and delays the first pattern far more
    # than it tightens them (measured on the household example and generated towns).
    params.cp_model_probing_level = 0
    finished = threading.Event()
    _watch_for_stop(solver, run.stop, finished)
    try:
        code = solver.solve(built.m, reporter)
    finally:
        finished.set()
    return solver, code


_STATUS: dict[Any, Status] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "timeout",
}


def _watch_for_stop(
    solver: cp_model.CpSolver, stop: threading.Event | None, finished: threading.Event
) -> None:
    """Stop the search as soon as ``stop`` is set; the watcher ends with the search."""
    if stop is None:
        return

    def watch() -> None:
        while not finished.is_set():
            if stop.wait(0.1):
                solver.stop_search()
                # Again until the search is over: a stop asked before CP-SAT has started
                # searching is not kept by it (seen when building the model took a while).
                finished.wait(0.1)

    threading.Thread(target=watch, name="solve-stop-watcher", daemon=True).start()


def _read_result(built: PatternModel, searched: _Searched, status: Status, runtime: float) -> SolveResult:
    solver = searched.solver
    s = built.s
    slot = s.horizon.slot
    sessions = []
    for o in built.p.options:
        if solver.boolean_value(built.x[o.index]):
            start = solver.value(built.k[(o.appointment, o.pattern_day)]) * slot
            sessions.append(
                PlacedSession(
                    week=o.week,
                    day=o.day,
                    start=start,
                    end=start + s.appointments[o.appointment].duration,
                    appointment=o.appointment,
                    occurrence=0,
                    venue=o.venue,
                    practitioners=o.practitioners,
                    carer=o.carer,
                )
            )
    components = {}
    for term in TERMS:
        raw = solver.value(built.terms.expr(term))
        unit = 0.01 if term == "family_travel_cost" else 1.0
        components[term] = s.weights.of(term) * raw * unit
    routines = tuple(
        PlacedRoutine(
            client, name, g // 7, g % 7, solver.value(var), solver.value(var) + _duration(s, client, name)
        )
        for (client, name, g), var in sorted(built.routine_vars.items())
    )
    itineraries = tuple(it for c in built.circuits if (it := _itinerary(c, built, solver)) is not None)
    dropped = tuple(
        a.index for a in s.appointments if a.optional and not solver.boolean_value(built.active[a.index])
    )
    return SolveResult(
        status=status,
        objective=sum(components.values()),
        bound=searched.bound / SCALE,
        runtime=runtime,
        components=components,
        sessions=number_occurrences(sessions),
        routines=routines,
        itineraries=itineraries,
        dropped=dropped,
    )


def _duration(s: Scenario, client: int, name: str) -> int:
    (routine,) = [r for r in s.clients[client].routines if r.name == name]
    assert routine.duration is not None
    return routine.duration


def _itinerary(c: DayCircuit, built: PatternModel, solver: cp_model.CpSolver) -> Itinerary | None:
    """The legs of one person's day, in order, read from the circuit's arcs."""
    successor = {i: j for (i, j), arc in c.arcs.items() if solver.boolean_value(arc)}
    order = []
    node = successor.get(0)
    while node not in (None, 0):
        order.append(node)
        node = successor.get(node)
    if not order:
        return None
    legs = []
    path = [0, *order, 0]
    for prev, nxt in itertools.pairwise(path):
        a, b = c.nodes[prev], c.nodes[nxt]
        if a.place is None or b.place is None or a.place == b.place:
            continue
        journey = built.travel.find(a.place, b.place, c.mode)
        if journey is None:
            continue  # between two fixed stops the data gives no journey for (the data's fault)
        if prev in c.travel_intervals:
            depart = solver.value(c.travel_intervals[prev][0])
        elif prev == 0:
            depart = solver.value(b.start) - journey.minutes
        else:
            depart = solver.value(a.end)
        legs.append(Leg(a.place, b.place, depart, depart + journey.minutes, journey.minutes, journey.pence))
    if not legs:
        return None
    return Itinerary(c.kind, c.person, c.pattern_day // 7, c.pattern_day % 7, c.mode, tuple(legs))  # type: ignore[arg-type]
