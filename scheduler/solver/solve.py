"""``solve()``: pre-solve, build, search, and read the pattern back; never raises on infeasible.

Every step runs against one :class:`~scheduler.solver.cpsat.Budget` (the time limit and the
stop signal): pre-solve and model building check it between steps, searches never run past
it, and an explanation gets what is left. A solve that runs out of time before any pattern
is found answers ``timeout``.
"""

from __future__ import annotations

import enum
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from scheduler.errors import UnsupportedScenarioError
from scheduler.model import Scenario
from scheduler.solver.cpsat import (
    Budget,
    Clock,
    Outcome,
    SearchParams,
    SearchStatus,
    SolveInterruptedError,
    run,
)
from scheduler.solver.decompose import ComponentTask, Decomposition, client_groups, components, run_component
from scheduler.solver.engines import DaskEngine, Engine, InProcess, LocalProcesses
from scheduler.solver.explain import explain_infeasible, precheck
from scheduler.solver.homefirst import HOME_FIRST_SHARE, first_at_home
from scheduler.solver.pattern import Pattern, PatternModel
from scheduler.solver.presolve import Presolved, presolve
from scheduler.solver.result import Progress, SolveResult, Status
from scheduler.solver.tasks import Context
from scheduler.travel import Travel

ProgressCallback = Callable[[Progress], None]
Search = Callable[..., Outcome]
"""How a model is searched: :func:`scheduler.solver.cpsat.run`, or a test's wrapper of it."""


class Method(enum.Enum):
    """How a scenario is laid out."""

    AUTO = "auto"
    """By groups when the scenario is large and has several, else whole."""
    WHOLE = "whole"
    """One model of the whole scenario."""
    GROUPS = "groups"
    """Group by group, then improved and bounded (:mod:`scheduler.solver.decompose`)."""


DECOMPOSE_OPTIONS = 150
"""With several groups and more options than this, groups are first laid out one by one."""
WARM_START_OPTIONS = 1500
"""Up to this many options, the whole model then improves on that pattern (a warm start)."""
LOCAL_CLUSTER = "local"
"""``cluster`` value that starts a local Dask cluster for the groups' sub-solves."""
TIE_BREAK_WORK = 5.0
"""CP-SAT deterministic time (independent of the machine's speed) for the tie-break."""
READ_FRACTION = 0.1
"""The decomposition's phases leave this fraction of a large solve's limit (at most
:data:`READ_SECONDS`) for reading the pattern back and the warm start."""
READ_SECONDS = 5.0
COMPLETE_SHARE = 0.5
"""At most this share of a warm start's time goes to completing its hint (every option decided,
it takes a fraction of a second)."""


def solve(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    clock: Clock = time.monotonic,
    method: Method = Method.AUTO,
    search: Search = run,
    cluster: str | None = None,
) -> SolveResult:
    """The best weekly pattern of ``scenario`` within the time limit.

    Settings not given come from the scenario's ``solver`` block. ``on_progress`` is called
    with each improving solution; setting ``stop`` ends the work early (building included)
    with the best pattern so far. Returns status ``optimal``, ``feasible`` (with its gap),
    ``timeout`` (no pattern found in time, or stopped first) or ``infeasible`` with an
    explanation; never raises for a scenario that has no pattern. ``cluster`` runs a large
    scenario's group sub-solves on Dask: :data:`LOCAL_CLUSTER` starts a local cluster of
    ``workers`` processes (0: one per core; 1: none, this process), a ``tcp://`` address uses
    that running cluster; None runs them in this process with ``workers`` threads each. ``clock`` is the clock
    the time limit is kept on, and ``search`` runs each search of the whole model (tests
    inject both).

    Small scenarios are solved as one model, and a proven optimum is made canonical by a
    deterministic tie-break among the patterns of equal objective, so the same scenario and
    seed give the same pattern whatever the number of workers. Large ones with several
    independent groups (households joined by shared carers) are laid out by
    :mod:`scheduler.solver.decompose` and bounded by relaxation.

    Raises :class:`~scheduler.errors.UnsupportedScenarioError` for a flexible routine at a
    place other than home (version 2), which the solver does not plan.
    """
    _refuse_household_rules(scenario)
    limit = time_limit if time_limit is not None else scenario.solver.time_limit_s
    session = _Session(
        scenario=scenario,
        budget=Budget.starting_now(limit, stop, clock),
        limit=limit,
        workers=workers if workers is not None else scenario.solver.workers,
        seed=seed if seed is not None else scenario.solver.seed,
        on_progress=on_progress,
        travel=Travel(scenario),
        search=search,
        cluster=cluster,
    )
    try:
        started = session.budget.clock()
        presolved = presolve(scenario, session.travel, session.budget)
        session.build_seconds += session.budget.clock() - started
        reason = precheck(scenario, presolved)
        if reason is not None:
            return session.result("infeasible", explanation=reason)
        large = len(presolved.options) > DECOMPOSE_OPTIONS and len(client_groups(scenario)) > 1
        if method is Method.GROUPS or (method is Method.AUTO and large):
            return _solve_large(session, presolved)
        return _solve_full(session, presolved)
    except SolveInterruptedError as interrupted:
        return session.timeout(stopped=interrupted.stopped)


def _refuse_household_rules(scenario: Scenario) -> None:
    """Raise for a flexible routine whose minutes must be spent at a place other than home,
    which the solver does not plan (the validator and the report check it)."""
    for i, client in enumerate(scenario.clients):
        for k, r in enumerate(client.routines):
            if not r.is_fixed and r.place not in (None, client.home):
                raise UnsupportedScenarioError(
                    f"clients[{i}].routines[{k}].at",
                    f"the solver plans flexible routines at home or anywhere, not at "
                    f"{scenario.venues[r.at].name}; `scheduler validate` and `scheduler report` check it",
                )


@dataclass
class _Session:
    """One call of :func:`solve`: its settings, budget and progress reports."""

    scenario: Scenario
    budget: Budget
    limit: float
    workers: int
    seed: int
    on_progress: ProgressCallback | None
    travel: Travel
    search: Search
    cluster: str | None
    build_seconds: float = 0.0
    """Seconds spent pre-solving and building models so far."""

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return self.limit - self.budget.left()

    def result(self, status: Status, *, explanation: str | None = None) -> SolveResult:
        """A result without a pattern."""
        return SolveResult(
            status, None, None, self.elapsed(), explanation=explanation, build_seconds=self.build_seconds
        )

    def model(self, presolved: Presolved, budget: Budget) -> PatternModel:
        """The whole model of ``presolved``'s options, its building time counted."""
        model = PatternModel(self.scenario, presolved, self.travel, budget)
        self.build_seconds += model.build_seconds
        return model

    def timeout(self, *, stopped: bool = False) -> SolveResult:
        """No pattern in time (or stopped first): say so, and what to try."""
        if stopped:
            return self.result("timeout", explanation="stopped before a pattern was found")
        return self.result(
            "timeout",
            explanation=f"no pattern was found within {self.limit:g} s; the scenario may still have one: "
            "allow more time, or relax the tightest limits",
        )

    def emit(self, objective: float | None, bound: float | None, solutions: int) -> None:
        """Report progress, if anyone listens."""
        if self.on_progress is not None:
            self.on_progress(Progress(self.elapsed(), objective, bound, solutions))

    def params(self, seconds: float) -> SearchParams:
        """The main search: CP-SAT's portfolio of ``workers`` workers."""
        return SearchParams(seconds, workers=self.workers, seed=self.seed)

    def explain(self, presolved: Presolved, only: set[int] | None = None) -> SolveResult:
        """``infeasible``, with the explanation found in the time left."""
        explanation = explain_infeasible(self.scenario, presolved, self.travel, self.budget, only=only)
        return self.result("infeasible", explanation=explanation)


class _Reporter:
    """Reports each improving solution once, across every round of a search."""

    def __init__(self, session: _Session, model: PatternModel, *, report: bool) -> None:
        self.session = session
        self.model = model
        self.report = report
        self.best = math.inf
        self.solutions = 0

    def __call__(self, objective: float, bound: float) -> None:
        value = self.model.objective_of(objective)
        if value >= self.best:
            return
        self.best = value
        self.solutions += 1
        if self.report:
            self.session.emit(value, self.model.objective_of(bound), self.solutions)


def _solve_full(session: _Session, presolved: Presolved) -> SolveResult:
    """One model for the whole scenario; an infeasible one is explained."""
    budget = session.budget
    start = first_at_home(
        session.scenario,
        presolved,
        session.travel,
        budget.until(budget.clock() + HOME_FIRST_SHARE * budget.left()),
        params=session.params(budget.left()),
    )
    model = session.model(presolved, budget)
    if start is not None:
        model.hint(start)
    searched = _search(session, model, _Reporter(session, model, report=True), budget)
    if searched.status is SearchStatus.INFEASIBLE:
        return session.explain(presolved)
    if not searched.status.has_solution:
        return session.timeout(stopped=session.budget.stopped)
    final = searched
    if searched.status is SearchStatus.OPTIMAL:
        final = _tie_break(session, model, searched)
    return _result(session, model.read(final), model.objective_of(searched.bound or 0.0), searched.status)


def _search(session: _Session, model: PatternModel, reporter: _Reporter, budget: Budget) -> Outcome:
    """Search ``model`` until the budget ends or the optimum is proven."""
    return session.search(model.cp, session.params(budget.left()), budget, on_solution=reporter)


def _tie_break(session: _Session, model: PatternModel, optimum: Outcome) -> Outcome:
    """Among patterns of the optimum's objective, the one a single deterministic search
    finds first for the secondary order (earliest starts, first options): the same answer
    whatever the workers and the timing of the search that found the optimum. The optimum
    itself when the tie-break finds nothing in its time."""
    assert optimum.objective is not None
    model.tie_break(optimum.objective)
    params = SearchParams(session.budget.left(), seed=session.seed, deterministic_seconds=TIE_BREAK_WORK)
    canonical = session.search(model.cp, params, session.budget)
    return canonical if canonical.status.has_solution else optimum


def _result(session: _Session, pattern: Pattern, bound: float | None, status: SearchStatus) -> SolveResult:
    return SolveResult(
        status="optimal" if status is SearchStatus.OPTIMAL else "feasible",
        objective=pattern.objective,
        bound=bound,
        runtime=session.elapsed(),
        components=pattern.components,
        sessions=pattern.sessions,
        routines=pattern.routines,
        itineraries=pattern.itineraries,
        companions=pattern.companions,
        dropped=pattern.dropped,
        build_seconds=session.build_seconds,
    )


def _solve_large(session: _Session, presolved: Presolved) -> SolveResult:
    """Lay out and bound group by group (on a cluster, if asked); then, when the whole model
    is not too big, let it improve on that pattern (warm start) and tighten the bound for
    the rest of the time."""
    budget = session.budget
    warm = len(presolved.options) <= WARM_START_OPTIONS
    phases = budget.until(budget.deadline - min(READ_SECONDS, READ_FRACTION * session.limit))
    context = Context(session.scenario, presolved, session.travel)
    engine = _engine(session, context)
    prover = _prover(session, context, engine)
    try:
        laid_out = _lay_out(session, presolved, phases, engine, prover, warm=warm)
    finally:
        if prover is not engine:
            prover.close()
        engine.close()
    if isinstance(laid_out, SolveResult):
        return laid_out
    best, bound = laid_out
    session.emit(best.objective, bound, 1)
    if warm and budget.left() > 1.0 and not budget.stopped:
        improved = _warm_start(session, presolved, best)
        if improved is not None:
            pattern, improved_bound = improved
            bound = improved_bound if bound is None else max(bound, improved_bound)
            if pattern.objective < best.objective:
                best = pattern
    proven = bound is not None and best.objective <= bound + 1e-6
    return _result(session, best, bound, SearchStatus.OPTIMAL if proven else SearchStatus.FEASIBLE)


def _engine(session: _Session, context: Context) -> Engine:
    """Where the groups' sub-solves run (see :func:`solve`'s ``cluster``)."""
    if session.cluster == LOCAL_CLUSTER:
        processes = _processes(session)
        if processes == 1:
            return InProcess(context, threads=1)
        return DaskEngine(context, workers=processes)
    if session.cluster is None:
        return InProcess(context, threads=session.workers)
    return DaskEngine(context, workers=session.workers, address=session.cluster)


def _processes(session: _Session) -> int:
    """Worker processes for ``session``'s workers setting (0: one per core)."""
    return session.workers or os.cpu_count() or 1


def _prover(session: _Session, context: Context, engine: Engine) -> Engine:
    """Where the groups' bounds are proven: on the cluster when there is one; otherwise, with
    several workers, in as many worker processes of one CP-SAT worker each (a single worker
    proves a household's bound faster per core than a portfolio does, see
    :data:`~scheduler.solver.tasks.PROOF_LINEARIZATION`); else here."""
    processes = _processes(session)
    if session.cluster is not None or processes == 1:
        return engine
    return LocalProcesses(context, processes=processes)


def _lay_out(
    session: _Session, presolved: Presolved, phases: Budget, engine: Engine, prover: Engine, *, warm: bool
) -> tuple[Pattern, float | None] | SolveResult:
    """The decomposition's phases within ``phases``, on ``engine`` (bounds on ``prover``): the
    pattern laid out and its bound, or the result when there is none (infeasible, timeout).
    Sets of groups that share nothing (a county's towns) are laid out each on its own by one
    worker of a cluster at a time; otherwise the groups' sub-solves are spread over it."""
    budget = session.budget
    dec = Decomposition(
        session.scenario,
        presolved,
        session.travel,
        phases,
        engine,
        seed=session.seed,
        report=lambda: session.emit(None, None, 0),
        bound_engine=prover,
    )
    sets = components(session.scenario, presolved) if engine.slots > 1 else []
    if len(sets) > 1:
        laid_out, bound = _lay_out_components(session, sets, phases, engine, dec)
    else:
        bounds: list[float | None] = []
        laid_out = dec.run_phases(session.limit, warm=warm, on_bound=bounds.append)
        bound = bounds[0] if bounds else None
        if not laid_out:
            failed = dec.failed_group()
            session.build_seconds += dec.build_seconds
            if failed is not None:
                return session.explain(presolved, only=failed)
    if not laid_out:
        return session.timeout(stopped=budget.stopped)
    session.emit(None, bound, 0)
    best = dec.pattern(budget.deadline)
    session.build_seconds += dec.build_seconds
    if best is None:
        return session.timeout(stopped=budget.stopped)
    return best, bound


def _lay_out_components(
    session: _Session, sets: list[list[set[int]]], phases: Budget, engine: Engine, dec: Decomposition
) -> tuple[bool, float | None]:
    """Each set of groups laid out on its own on one worker, with a share of the workers' time
    in proportion to its groups; ``dec`` adopts the placements. Whether every set was laid
    out in time, and the sum of the sets' bounds (None when one has none)."""
    total = sum(len(groups) for groups in sets)
    time = phases.left() * engine.slots
    tasks = [
        ComponentTask(
            n,
            tuple(frozenset(g) for g in groups),
            min(phases.left(), time * len(groups) / total),
            session.seed,
        )
        for n, groups in enumerate(sets)
    ]
    answers = engine.map(run_component, tasks, session.budget.stop)
    if any(a is None or a.placed is None for a in answers):
        return False, None
    placed = [p for a in answers if a is not None and a.placed is not None for p in a.placed]
    dec.adopt(placed)
    dec.build_seconds += sum(a.build_seconds for a in answers if a is not None)
    bounds = [a.bound for a in answers if a is not None]
    return True, None if any(b is None for b in bounds) else sum(b for b in bounds if b is not None)


def _warm_start(session: _Session, presolved: Presolved, start: Pattern) -> tuple[Pattern, float] | None:
    """The whole model, hinted with ``start``, searched for the time left: its best pattern
    and its proven bound, or None when it finds none (or cannot be built) in time."""
    try:
        model = session.model(presolved, session.budget)
    except SolveInterruptedError:
        return None
    # A hint of the options alone leaves the search to find everything else (routes,
    # companions), which on a town took longer than the time left: complete it first.
    completed = session.search(
        model.fixed_to(start.choices), session.params(COMPLETE_SHARE * session.budget.left()), session.budget
    )
    if completed.status.has_solution:
        model.hint_all(completed)
    else:
        model.hint(start.choices)
    reporter = _Reporter(session, model, report=True)
    reporter.best = start.objective  # reported already: only better patterns are news
    params = replace(session.params(session.budget.left()), quick_presolve=True)
    outcome = session.search(model.cp, params, session.budget, on_solution=reporter)
    if not outcome.status.has_solution:
        return None
    assert outcome.bound is not None
    return model.read(outcome), model.objective_of(outcome.bound)
