"""The one way the engine runs CP-SAT: :func:`run` takes a model, :class:`SearchParams` and a
:class:`Budget`, and returns an :class:`Outcome` with a :class:`SearchStatus`.

Solve, decomposition and explanation all search through here, so parameters are set in one
place, a stop is honoured the same way everywhere, and a model CP-SAT rejects
(``MODEL_INVALID``) is reported the same way everywhere: as :class:`SolverBugError`, since
the engine must never build one.

A :class:`Budget` is the deadline and the stop signal of one solve. Model building checks it
between steps (:meth:`Budget.check`), so that a large scenario is not built past its time
limit and a cancel is honoured while the model is still being built.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.errors import CarePatternError

Clock = Callable[[], float]
"""Seconds on a monotonic clock (``time.monotonic`` unless a test injects another)."""

STOP_POLL_S = 0.1
"""How often a running search looks at the stop signal."""


class SearchStatus(enum.Enum):
    """How a search ended."""

    OPTIMAL = "optimal"
    """A solution proven best (or, with assumptions, proven consistent)."""
    FEASIBLE = "feasible"
    """A solution, not proven best."""
    INFEASIBLE = "infeasible"
    """Proven to have no solution."""
    UNKNOWN = "unknown"
    """Neither: the time ran out or the search was stopped first."""

    @property
    def has_solution(self) -> bool:
        """True for OPTIMAL and FEASIBLE."""
        return self in (SearchStatus.OPTIMAL, SearchStatus.FEASIBLE)


class SolverBugError(CarePatternError):
    """CP-SAT rejected a model the engine built (``MODEL_INVALID``): a bug in the engine, never
    a fault of the scenario. ``detail`` is CP-SAT's own reason."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"internal error: the solver rejected the model the engine built ({detail}); "
            "this is a bug in carepattern, please report it with the scenario"
        )

    def __reduce__(self) -> tuple[type[SolverBugError], tuple[str]]:
        return type(self), (self.detail,)


class SolveInterruptedError(CarePatternError):
    """Raised by :meth:`Budget.check` when the deadline has passed or a stop was asked for."""

    def __init__(self, stopped: bool) -> None:
        self.stopped = stopped
        super().__init__("stopped" if stopped else "out of time")

    def __reduce__(self) -> tuple[type[SolveInterruptedError], tuple[bool]]:
        return type(self), (self.stopped,)


@dataclass(frozen=True)
class Budget:
    """The deadline and stop signal of one solve, on an injectable clock."""

    deadline: float
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Clock = time.monotonic

    @classmethod
    def starting_now(
        cls, seconds: float, stop: threading.Event | None = None, clock: Clock = time.monotonic
    ) -> Budget:
        """A budget of ``seconds`` from now."""
        return cls(clock() + seconds, stop or threading.Event(), clock)

    def left(self) -> float:
        """Seconds until the deadline (negative once it has passed)."""
        return self.deadline - self.clock()

    @property
    def stopped(self) -> bool:
        """True once a stop was asked for."""
        return self.stop.is_set()

    def check(self) -> None:
        """Raise :class:`SolveInterruptedError` when a stop was asked for or the deadline has passed."""
        if self.stop.is_set():
            raise SolveInterruptedError(True)
        if self.left() <= 0:
            raise SolveInterruptedError(False)

    def until(self, deadline: float) -> Budget:
        """The same budget, ending at ``deadline`` if that is sooner."""
        return Budget(min(self.deadline, deadline), self.stop, self.clock)


@dataclass(frozen=True)
class SearchParams:
    """What a search may use. ``seconds`` is capped by the budget's deadline."""

    seconds: float
    workers: int = 1
    seed: int = 0
    presolve: bool = True
    """False skips CP-SAT's presolve, except for a model with a cumulative constraint (see
    :func:`run`)."""
    deterministic_seconds: float | None = None
    """A limit in CP-SAT's deterministic time, which does not depend on the machine's speed."""
    quick_presolve: bool = False
    """One pass of CP-SAT's presolve instead of its default, for searches after good patterns
    in little time (a group's placement, the warm start): a town's whole model is presolved
    in about half the time, which its search then has, and the patterns found are better."""
    linearization: int | None = None
    """CP-SAT's ``linearization_level`` (None: its default). Level 2 puts the circuits and the
    other global constraints into the linear relaxation (see
    :data:`scheduler.solver.tasks.PROOF_LINEARIZATION`)."""


class SolutionListener(cp_model.CpSolverSolutionCallback):
    """Calls ``on_solution(objective, bound)`` (raw objective units) for each solution found."""

    def __init__(self, on_solution: Callable[[float, float], None]) -> None:
        super().__init__()
        self._on_solution = on_solution

    def on_solution_callback(self) -> None:
        self._on_solution(self.objective_value, self.best_objective_bound)


_STATUS: dict[Any, SearchStatus] = {
    cp_model.OPTIMAL: SearchStatus.OPTIMAL,
    cp_model.FEASIBLE: SearchStatus.FEASIBLE,
    cp_model.INFEASIBLE: SearchStatus.INFEASIBLE,
    cp_model.UNKNOWN: SearchStatus.UNKNOWN,
}


@dataclass
class Outcome:
    """The end of one search: status, objective and bound (raw units), and the values of the
    solution found, if any."""

    status: SearchStatus
    objective: float | None
    bound: float | None
    _solver: cp_model.CpSolver | None = None

    def value(self, expr: cp_model.LinearExprT) -> int:
        """The value of ``expr`` in the solution found."""
        assert self._solver is not None
        assert self.status.has_solution
        return int(self._solver.value(expr))

    def truth(self, literal: cp_model.LiteralT) -> bool:
        """The value of ``literal`` in the solution found."""
        assert self._solver is not None
        assert self.status.has_solution
        return bool(self._solver.boolean_value(literal))

    def solution(self) -> list[int]:
        """The value of every variable of the model searched, in the model's order."""
        assert self._solver is not None
        assert self.status.has_solution
        return list(self._solver.response_proto.solution)

    def core(self) -> list[int]:
        """Indices of the assumption literals of a conflict (after an INFEASIBLE search with assumptions)."""
        assert self._solver is not None
        return list(self._solver.sufficient_assumptions_for_infeasibility())


def run(
    model: cp_model.CpModel,
    params: SearchParams,
    budget: Budget,
    *,
    on_solution: Callable[[float, float], None] | None = None,
) -> Outcome:
    """Search ``model`` within ``params`` and ``budget``; never past the budget's deadline, and
    ended within :data:`STOP_POLL_S` of a stop. Raises :class:`SolverBugError` on MODEL_INVALID."""
    seconds = min(params.seconds, budget.left())
    if budget.stopped or seconds <= 0:
        return Outcome(SearchStatus.UNKNOWN, None, None)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = seconds
    p.num_workers = params.workers
    p.random_seed = params.seed
    # Never CP-SAT's interleaved search: in 9.15 it corrupts memory and aborts the process on
    # household models (google/or-tools#5048, fixed after 9.15), and the parallel portfolio
    # finds and proves their patterns sooner.
    # Without its presolve, CP-SAT 9.15 crashed (SIGSEGV) on a group model of a 300-household
    # town holding a cumulative (a venue with several rooms) over a session a pin fixes; with
    # presolve the same model solves. Presolve is kept for any model with a cumulative.
    p.cp_model_presolve = params.presolve or any(c.has_cumulative() for c in model.proto.constraints)
    if params.quick_presolve:
        p.max_presolve_iterations = 1
    if params.linearization is not None:
        p.linearization_level = params.linearization
    if params.deterministic_seconds is not None:
        p.max_deterministic_time = params.deterministic_seconds
    # Presolve probing costs seconds on these models and delays the first pattern far more
    # than it tightens them (measured on the household example and generated towns).
    p.cp_model_probing_level = 0
    finished = threading.Event()
    _watch_for_stop(solver, budget.stop, finished)
    try:
        code = solver.solve(model, SolutionListener(on_solution) if on_solution is not None else None)
    finally:
        finished.set()
    if code == cp_model.MODEL_INVALID:
        raise SolverBugError(model.validate() or solver.solution_info())
    status = _STATUS[code]
    has = status.has_solution
    return Outcome(
        status,
        solver.objective_value if has else None,
        solver.best_objective_bound if status is not SearchStatus.INFEASIBLE else None,
        solver,
    )


def _watch_for_stop(solver: cp_model.CpSolver, stop: threading.Event, finished: threading.Event) -> None:
    """Stop the search as soon as ``stop`` is set; the watcher ends with the search."""

    def watch() -> None:
        while not finished.is_set():
            if stop.wait(STOP_POLL_S):
                solver.stop_search()
                # Again until the search is over: a stop asked before CP-SAT has started
                # searching is not kept by it.
                finished.wait(STOP_POLL_S)

    threading.Thread(target=watch, name="solve-stop-watcher", daemon=True).start()
