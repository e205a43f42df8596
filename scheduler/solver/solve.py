"""``solve()``: pre-solve, build, search, and read the pattern back; never raises on infeasible."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from scheduler.model import Scenario
from scheduler.schedule import PlacedSession, number_occurrences
from scheduler.solver.explain import explain_infeasible, precheck
from scheduler.solver.model import SCALE, DayCircuit, PatternModel
from scheduler.solver.presolve import presolve
from scheduler.solver.result import Itinerary, Leg, Progress, RoutinePlacement, SolveResult, Status
from scheduler.travel import MissingTravelError, Travel
from scheduler.weights import TERMS

ProgressCallback = Callable[[Progress], None]


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Passes each improving solution's objective and the bound to ``on_progress``."""

    def __init__(self, on_progress: ProgressCallback | None, started: float) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.started = started
        self.solutions = 0
        self.bound: float | None = None

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self._emit(self.objective_value / SCALE, self.best_objective_bound / SCALE)

    def on_bound(self, bound: float) -> None:
        """Called by the solver when the proven bound improves."""
        self.bound = bound / SCALE

    def _emit(self, objective: float | None, bound: float | None) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(time.monotonic() - self.started, objective, bound, self.solutions))


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
    """
    started = time.monotonic()
    settings = scenario.solver
    limit = time_limit if time_limit is not None else settings.time_limit_s
    travel = Travel(scenario)
    try:
        presolved = presolve(scenario, travel)
    except MissingTravelError as exc:
        return SolveResult("infeasible", None, None, time.monotonic() - started, explanation=str(exc))
    reason = precheck(scenario, presolved)
    if reason is not None:
        return SolveResult("infeasible", None, None, time.monotonic() - started, explanation=reason)
    built = PatternModel(scenario, presolved, travel).build()
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.1, limit - (time.monotonic() - started))
    params.num_workers = workers if workers is not None else settings.workers
    params.random_seed = seed if seed is not None else settings.seed
    reporter = _Reporter(on_progress, started)
    solver.best_bound_callback = reporter.on_bound
    finished = threading.Event()
    _watch_for_stop(solver, stop, finished)
    try:
        code = solver.solve(built.m, reporter)
    finally:
        finished.set()
    runtime = time.monotonic() - started
    status = _STATUS.get(code)
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the model: {solver.status_name(code)}")
    if status == "infeasible":
        explanation = explain_infeasible(scenario, presolved, travel, time_limit=max(1.0, limit / 4))
        return SolveResult("infeasible", None, None, runtime, explanation=explanation)
    if status == "timeout":
        message = (
            f"no pattern was found within {limit:g} s; the scenario may still have one: "
            "allow more time, or relax the tightest limits"
        )
        return SolveResult("timeout", None, None, runtime, explanation=message)
    return _read_result(built, solver, status, runtime)


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
                return

    threading.Thread(target=watch, name="solve-stop-watcher", daemon=True).start()


def _read_result(
    built: PatternModel, solver: cp_model.CpSolver, status: Status, runtime: float
) -> SolveResult:
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
        RoutinePlacement(
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
        bound=solver.best_objective_bound / SCALE,
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
        journey = built.travel.journey(a.place, b.place, c.mode)
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
