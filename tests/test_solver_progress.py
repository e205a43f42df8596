"""Progress reports, stopping early, and short time limits: a search can be watched and cut short,
and keeps the best pattern it has when it is.

Generated one-household towns give searches of known shape (one worker, seed 0):
seed 0 is proven optimal in about a second after several improving patterns; seed 1 finds
its first pattern after a few seconds and keeps improving for longer than the tests wait;
seed 2 needs several seconds before its first pattern.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from ortools.sat.python.cp_model import CpModel

from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.solver import Method, Progress
from scheduler.solver.cpsat import Budget, Outcome, SearchParams, run
from tests.solver_support import solve_checked

Listener = Callable[[float, float], None]
TOWN = Path(__file__).resolve().parent.parent / "data" / "town.json"


def test_progress_reports_each_improving_pattern() -> None:
    reports: list[Progress] = []
    solved = solve_checked(generate_town(1, seed=0), time_limit=10, on_progress=reports.append)
    assert solved.status == "optimal"
    found = [(p.objective, p.bound, p.solutions) for p in reports if p.objective is not None]
    assert len(found) >= 2
    objectives = [objective for objective, _, _ in found]
    assert objectives == sorted(set(objectives), reverse=True), "each report improves on the last"
    assert [n for _, _, n in found] == sorted({n for _, _, n in found})
    assert all(bound <= objective + 1e-6 for objective, bound, _ in found if bound is not None)
    assert [p.elapsed for p in reports] == sorted(p.elapsed for p in reports)
    assert objectives[-1] == pytest.approx(solved.objective, abs=1e-3)


def test_stop_ends_the_search_early_and_keeps_the_best_pattern() -> None:
    # Stop 0.3 s after the first pattern arrives, from another thread; the limit is far away.
    first_pattern = threading.Event()
    stop = threading.Event()

    def stop_soon_after_the_first_pattern() -> None:
        first_pattern.wait(timeout=60)
        stop.wait(0.3)
        stop.set()

    def on_progress(progress: Progress) -> None:
        if progress.objective is not None:
            first_pattern.set()

    stopper = threading.Thread(target=stop_soon_after_the_first_pattern)
    stopper.start()
    solved = solve_checked(generate_town(1, seed=1), time_limit=120, on_progress=on_progress, stop=stop)
    stopper.join()
    assert solved.status == "feasible"
    assert solved.result.runtime < 60


def test_stop_before_any_pattern_is_a_prompt_timeout() -> None:
    # An injected search asks for the stop as the search begins, before any pattern: the
    # answer is a timeout that says so, whatever the machine's speed.
    stop = threading.Event()

    def stopped_at_once(
        model: CpModel, params: SearchParams, budget: Budget, *, on_solution: Listener | None = None
    ) -> Outcome:
        stop.set()
        return run(model, params, budget, on_solution=on_solution)

    solved = solve_checked(generate_town(1, seed=2), time_limit=120, stop=stop, search=stopped_at_once)
    assert solved.status == "timeout"
    assert solved.explanation == "stopped before a pattern was found"
    assert solved.result.runtime < 10


def test_stop_during_the_decomposition_keeps_the_constructed_pattern() -> None:
    # Laid out by groups, the decomposition reports each household it places (a report with
    # neither objective nor bound); once all three are placed, stop: bounding and improvement
    # are cut short, and the pattern constructed is kept.
    stop = threading.Event()
    placed: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        if progress.objective is None and progress.bound is None:
            placed.append(progress)
            if len(placed) == 3:
                stop.set()

    solved = solve_checked(
        generate_town(3, seed=4), time_limit=120, on_progress=on_progress, stop=stop, method=Method.GROUPS
    )
    assert stop.is_set()
    assert solved.result.has_schedule
    assert solved.result.runtime < 60


def test_half_a_second_on_a_large_town_returns_an_answer() -> None:
    solved = solve_checked(load_scenario(TOWN), time_limit=0.5)
    assert solved.status in ("timeout", "feasible")
    assert solved.result.runtime < 10


def test_a_timeout_uses_the_whole_time_limit() -> None:
    # Seed 2 needs a few seconds for its first pattern: either one is found, or the search
    # went on for (nearly) the whole limit.
    solved = solve_checked(generate_town(1, seed=2), time_limit=6, workers=2)
    if solved.status == "timeout":
        assert solved.result.runtime >= 0.9 * 6


def test_a_stop_asked_before_the_search_starts_is_kept() -> None:
    # CP-SAT forgets a stop asked before it starts searching; the watcher must ask again.
    stop = threading.Event()
    stop.set()
    solved = solve_checked(generate_town(1, seed=2), time_limit=120, stop=stop)
    assert solved.status == "timeout"
    assert solved.result.runtime < 10


class SteppingClock:
    """A clock that moves on ``step`` seconds each time it is read, and can ask for a stop at a
    given reading: the solve's budget then runs out, or is stopped, at a known point of its
    work, whatever the machine's speed."""

    def __init__(self, step: float, stop_at: int | None = None) -> None:
        self.step = step
        self.stop_at = stop_at
        self.readings = 0
        self.stop = threading.Event()

    def __call__(self) -> float:
        self.readings += 1
        if self.readings == self.stop_at:
            self.stop.set()
        return self.readings * self.step


def test_the_time_limit_holds_while_the_model_is_built() -> None:
    # Each reading moves the clock on a second: the 30 s budget is spent after 30 readings,
    # long before a 20-household town is pre-solved and built; the solve stops building.
    clock = SteppingClock(1.0)
    solved = solve_checked(generate_town(20, seed=1), time_limit=30, clock=clock)
    assert solved.status == "timeout"
    assert "within 30 s" in solved.explanation
    assert clock.readings <= 40


def test_a_stop_is_honoured_while_the_model_is_built() -> None:
    clock = SteppingClock(0.0, stop_at=5)
    solved = solve_checked(generate_town(20, seed=1), time_limit=60, clock=clock, stop=clock.stop)
    assert solved.status == "timeout"
    assert solved.explanation == "stopped before a pattern was found"
    assert clock.readings <= 10
