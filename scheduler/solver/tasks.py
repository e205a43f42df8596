"""A group's sub-solve as a self-contained task, so that it can run in this process or on
another machine (:mod:`scheduler.solver.engines`).

A :class:`GroupTask` names what to solve (a group's appointments around sessions already
placed, for its best placement, any placement, or a bound) and a :class:`GroupAnswer`
carries back the choice, the objective and the bound. Both refer to options by their index
in the scenario's pre-solved options, which :class:`Context` holds once per process.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass, field, replace

from scheduler.model import Scenario
from scheduler.schedule import PlacedSession
from scheduler.solver.cpsat import Budget, SearchParams, SearchStatus, SolveInterruptedError, run
from scheduler.solver.homefirst import HOME_FIRST_SHARE_OF_GROUP, first_at_home
from scheduler.solver.pattern import Choice as PlacedChoice
from scheduler.solver.pattern import PatternModel
from scheduler.solver.presolve import Presolved
from scheduler.travel import Travel

Choice = tuple[tuple[int, int], ...]
"""(option index, start slot) of each appointment day of a group."""
PROOF_LINEARIZATION = 2
"""CP-SAT's linearization level for a bound proven by one worker on a group of several
clients. Their days are tied together by the carers they share (escorts, company): with the
circuits in the linear relaxation, one worker proved town-20's multi-client households in
32 s against 58 s at the default level (its hardest, 14.7 s against 38.4 s), while groups of
one client took longer (town-5's hardest, 22.1 s against 5.0 s). With two workers, level 2
was no faster."""


class TaskKind(enum.Enum):
    """What a group's sub-solve looks for."""

    BEST = "best"
    """Its best placement around the others in the time given."""
    FIRST = "first"
    """Any placement around the others, found as fast as possible (no objective)."""
    BOUND = "bound"
    """A proven lower bound of its share of the objective, alone, with coupling relaxed (and
    the placement that reaches it, which may clash with other groups')."""


@dataclass(frozen=True)
class Context:
    """What every task of one solve shares: the scenario and its pre-solved options."""

    scenario: Scenario
    presolved: Presolved
    travel: Travel = field(compare=False)

    def __reduce__(self) -> tuple[object, ...]:
        # Travel is a per-process cache: another process builds its own.
        return (_context, (self.scenario, self.presolved))


def _context(scenario: Scenario, presolved: Presolved) -> Context:
    return Context(scenario, presolved, Travel(scenario))


@dataclass(frozen=True)
class GroupTask:
    """One group's sub-solve."""

    group: int
    appointments: frozenset[int]
    kind: TaskKind
    seconds: float
    seed: int
    workers: int
    fixed: tuple[PlacedSession, ...] = ()
    """Sessions already placed for other groups that share a practitioner-day, venue-day
    or carer with this group (the others cannot change its constraints)."""
    hint: Choice = ()
    ends_by: float | None = None
    """Wall-clock time (``time.time()``) by which the task ends, whatever its ``seconds`` and
    however long it waited for a worker: tasks queued behind others share one deadline."""


@dataclass(frozen=True)
class GroupAnswer:
    """The outcome of a :class:`GroupTask`: its status, choice and figures (weights' units)."""

    group: int
    status: SearchStatus
    choice: Choice = ()
    objective: float | None = None
    bound: float | None = None
    build_seconds: float = 0.0


def run_task(context: Context, task: GroupTask, stop: threading.Event | None = None) -> GroupAnswer:
    """Solve ``task`` within its seconds (of this process's clock), ended early by ``stop``
    (an engine in this process passes the solve's own; across processes, tasks are cancelled)."""
    seconds = task.seconds if task.ends_by is None else min(task.seconds, task.ends_by - time.time())
    if seconds <= 0:
        return GroupAnswer(task.group, SearchStatus.UNKNOWN)
    budget = Budget.starting_now(seconds, stop)
    scenario = context.scenario
    if task.kind is TaskKind.BOUND:
        # Practitioner travel is shared between groups: a group's share of it is not bounded.
        # The largest lateness is one figure of the whole pattern: groups' figures do not add up.
        weights = replace(scenario.weights, practitioner_travel_minutes=0.0, max_lateness=0.0)
        scenario = replace(scenario, weights=weights)
    params = SearchParams(
        seconds,
        workers=task.workers,
        seed=task.seed,
        # Placements are many, small and cut by the clock: CP-SAT's presolve costs more than it
        # saves there. Bounds need it.
        presolve=task.kind is TaskKind.BOUND,
        quick_presolve=task.kind is not TaskKind.BOUND,
        linearization=_linearization(scenario, task),
    )
    start = None
    if task.kind is not TaskKind.BOUND and not task.hint:
        # A placement from nothing starts from one with every visit at home that can be.
        start = first_at_home(
            scenario,
            context.presolved,
            context.travel,
            budget.until(budget.clock() + HOME_FIRST_SHARE_OF_GROUP * seconds),
            only=set(task.appointments),
            fixed=task.fixed,
            params=params,
        )
        if start is not None and task.kind is TaskKind.FIRST:
            return _started(task, start)
    try:
        model = PatternModel(
            scenario,
            context.presolved,
            context.travel,
            budget,
            only=set(task.appointments),
            fixed=task.fixed,
            objective=task.kind is not TaskKind.FIRST,
            for_bound=task.kind is TaskKind.BOUND,
        )
    except SolveInterruptedError:
        return _started(task, start) if start is not None else GroupAnswer(task.group, SearchStatus.UNKNOWN)
    if task.hint:
        options = {o.index: o for o in model.options}
        model.hint([(options[index], slot) for index, slot in task.hint if index in options])
    elif start is not None:
        model.hint(start)
    outcome = run(model.cp, params, budget)
    if start is not None and not outcome.status.has_solution:
        return _started(task, start, model.build_seconds)
    choice: Choice = ()
    objective = None
    if outcome.status.has_solution:
        choice = tuple((o.index, slot) for o, slot in model.choices(outcome))
        if task.kind is TaskKind.BEST:
            objective = model.objective_of(outcome.objective or 0.0)
    bound = model.objective_of(outcome.bound) if outcome.bound is not None else None
    return GroupAnswer(task.group, outcome.status, choice, objective, bound, model.build_seconds)


def _linearization(scenario: Scenario, task: GroupTask) -> int | None:
    """:data:`PROOF_LINEARIZATION` for a bound proven by one worker on a group of several
    clients; else CP-SAT's default."""
    if task.kind is not TaskKind.BOUND or task.workers != 1:
        return None
    clients = {scenario.appointments[a].client for a in task.appointments}
    return PROOF_LINEARIZATION if len(clients) > 1 else None


def _started(task: GroupTask, start: list[PlacedChoice], build_seconds: float = 0.0) -> GroupAnswer:
    """The placement with the visits at home ``task`` started from, when its search found no
    better one in time: a placement all the same (of no known objective)."""
    choice = tuple((o.index, slot) for o, slot in start)
    return GroupAnswer(task.group, SearchStatus.FEASIBLE, choice, build_seconds=build_seconds)
