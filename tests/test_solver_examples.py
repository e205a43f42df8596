"""The solver on the example scenarios of ``data/``, on generated towns through the decomposition,
and re-planning: today's bookings kept where nothing forces a change, and the same answer twice.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model

from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.solver import Method
from scheduler.solver.cpsat import Budget, SearchParams, SearchStatus, run
from scheduler.solver.decompose import Decomposition
from scheduler.solver.engines import InProcess
from scheduler.solver.pattern import PatternModel
from scheduler.solver.presolve import presolve
from scheduler.solver.tasks import Context, GroupAnswer, GroupTask
from scheduler.travel import Travel
from tests.solver_support import Solved, bookings_of, solve_checked

DATA = Path(__file__).resolve().parent.parent / "data"
SMALL_EXAMPLES = sorted(p for p in DATA.glob("*.json") if p.stem != "town")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", SMALL_EXAMPLES, ids=lambda p: p.stem)
def test_every_small_example_has_a_pattern_that_validates(path: Path) -> None:
    solved = solve_checked(json.loads(path.read_text(encoding="utf-8")), time_limit=10)
    assert solved.result.has_schedule, solved.explanation


@pytest.mark.slow
def test_the_town_example_has_a_pattern_that_validates() -> None:
    # 148 appointments in 20 households: construction alone takes about 15 s on two idle
    # cores; the limit leaves room for a busy CI machine (the suite runs two tests at once).
    solved = solve_checked(load("town"), time_limit=45, workers=2)
    assert solved.result.has_schedule, solved.explanation


def test_the_household_pattern_is_proven_best_and_saves_trips_and_travel() -> None:
    solved = solve_checked(load("household"), time_limit=30)
    assert solved.status == "optimal"
    kpis = solved.doc.kpis.values()
    assert all(k.before is not None for k in kpis)
    trips_before = sum(k.before["trips"] for k in kpis if k.before is not None)
    travel_before = sum(k.before["family_travel_minutes"] for k in kpis if k.before is not None)
    assert sum(k.trips for k in kpis) < trips_before
    assert sum(k.family_travel_minutes for k in kpis) < travel_before


# --------------------------------------------------------------------------------- decomposition


def test_the_decomposition_lays_out_a_small_town_that_validates() -> None:
    solved = solve_checked(generate_town(3, seed=4), time_limit=10, method=Method.GROUPS)
    assert solved.result.has_schedule, solved.explanation
    assert solved.result.bound is not None
    assert solved.result.bound <= solved.objective + 1e-6


# ------------------------------------------------------------------------------------ re-planning


def with_current(scenario: dict[str, Any], solved: Solved) -> dict[str, Any]:
    """``scenario`` with the solved pattern as today's bookings (and no other bookings)."""
    d = copy.deepcopy(scenario)
    booked = bookings_of(solved)
    for appt in d["appointments"]:
        appt["current"] = booked.get(appt["id"], [])
    return d


def moved(before: Solved, after: Solved) -> set[str]:
    """Appointments whose sessions differ between two solves."""

    def placed(solved: Solved) -> dict[str, set[tuple[Any, ...]]]:
        out: dict[str, set[tuple[Any, ...]]] = {}
        for s in solved.sessions():
            key = (s.week, s.day, s.start, s.venue, tuple(s.practitioners), s.carer)
            out.setdefault(s.appointment, set()).add(key)
        return out

    a, b = placed(before), placed(after)
    return {appt for appt in a.keys() | b.keys() if a.get(appt) != b.get(appt)}


def test_replanning_moves_only_the_sessions_a_changed_diary_forces() -> None:
    # The household's best pattern becomes today's bookings; then the health visitor stops
    # working on the day of Poppy's visit. That visit has to move (disruption 15);
    # every other session can stay, so every other session does.
    household = load("household")
    first = solve_checked(household, time_limit=30)
    visit_day = first.only("poppy-hv").day

    changed = with_current(household, first)
    (beth,) = [p for p in changed["practitioners"] if p["id"] == "hv-beth"]
    beth["available"] = {day: hours for day, hours in beth["available"].items() if day != visit_day}
    again = solve_checked(changed, time_limit=30)

    assert again.status == "optimal"
    assert moved(first, again) == {"poppy-hv"}
    assert again.only("poppy-hv").day != visit_day
    assert again.components["disruption"] == 15


def test_replanning_with_nothing_changed_keeps_every_booking() -> None:
    household = load("household")
    first = solve_checked(household, time_limit=30)
    again = solve_checked(with_current(household, first), time_limit=30)
    assert moved(first, again) == set()
    assert again.components["disruption"] == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_the_same_seed_and_workers_give_the_same_pattern(workers: int) -> None:
    scenario = generate_town(1, seed=3)
    first = solve_checked(scenario, time_limit=10, workers=workers, seed=7)
    second = solve_checked(scenario, time_limit=10, workers=workers, seed=7)
    assert first.status == second.status == "optimal"
    assert first.placements() == second.placements()
    assert first.components == second.components


def test_the_groups_bound_stays_below_the_proven_optimum_whatever_its_budget() -> None:
    # Two households, proven optimal as one model in a few seconds. A budget spent before
    # every group is bounded leaves the rest out (each term is at least 0), so every budget
    # gives a valid bound; a full one a useful bound.
    scenario = load_scenario(generate_town(2, seed=4))
    optimum = solve_checked(scenario, time_limit=60)
    assert optimum.status == "optimal"
    travel = Travel(scenario)
    presolved = presolve(scenario, travel, Budget.starting_now(60))
    bounds = []
    for seconds in (0.0, 0.2, 20.0):
        engine = InProcess(Context(scenario, presolved, travel), threads=2)
        dec = Decomposition(
            scenario, presolved, travel, Budget.starting_now(60), engine, seed=0, report=lambda: None
        )
        bound = dec.lower_bound(seconds)
        assert bound is not None
        bounds.append(bound)
    assert bounds[0] == 0
    assert all(0 <= bound <= optimum.objective + 1e-6 for bound in bounds), (bounds, optimum.objective)
    assert bounds[-1] >= 0.8 * optimum.objective, (bounds, optimum.objective)


def test_a_pattern_completed_from_its_options_is_a_hint_of_every_variable() -> None:
    # What the warm start of a large solve does: the pattern's options and starts, fixed in a
    # copy of the whole model, are completed into a solution the whole model starts from.
    scenario = load_scenario(generate_town(2, seed=4))
    travel = Travel(scenario)
    presolved = presolve(scenario, travel, Budget.starting_now(60))
    optimum = PatternModel(scenario, presolved, travel, Budget.starting_now(60))
    best = run(optimum.cp, SearchParams(60, workers=2, seed=0), Budget.starting_now(60))
    assert best.status.name == "OPTIMAL"
    model = PatternModel(scenario, presolved, travel, Budget.starting_now(60))
    completed = run(model.fixed_to(optimum.choices(best)), SearchParams(60, seed=0), Budget.starting_now(60))
    assert completed.objective == best.objective
    model.hint_all(completed)
    assert len(model.cp.proto.solution_hint.vars) == len(model.cp.proto.variables)
    # Every variable at its hinted value is a pattern of the whole model, the optimum's.
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    assert solver.solve(model.cp) == cp_model.OPTIMAL
    assert solver.objective_value == best.objective


def test_bounding_keeps_each_groups_placement_alone_for_construction_to_start_from() -> None:
    scenario = load_scenario(generate_town(2, seed=4))
    travel = Travel(scenario)
    presolved = presolve(scenario, travel, Budget.starting_now(60))
    engine = InProcess(Context(scenario, presolved, travel), threads=2)
    budget = Budget.starting_now(60)
    dec = Decomposition(scenario, presolved, travel, budget, engine, seed=0, report=lambda: None)
    assert dec.lower_bound(20.0) is not None
    options = {o.index: o for o in presolved.options}
    assert set(dec.alone) == set(range(len(dec.groups)))
    for gi, choice in dec.alone.items():
        assert {options[index].appointment for index, _ in choice} == dec.groups[gi]
    assert dec.construct(until=dec.budget.deadline)
    assert set(dec.placed) == set(range(len(dec.groups)))


class _NoRoomAroundOthers:
    """An engine on which group ``blocked`` finds no placement in its time, and nothing is
    proven, while another group has a session on a day it could use; every other task runs
    on ``inner``."""

    def __init__(self, inner: InProcess, blocked: int) -> None:
        self.inner = inner
        self.blocked = blocked
        self.slots = inner.slots
        self.threads_per_task = inner.threads_per_task
        self.tasks: list[tuple[GroupTask, bool]] = []
        """Each task run, and whether it found no room."""

    def map(self, function: Any, items: Sequence[GroupTask], stop: threading.Event) -> list[Any]:
        answers = []
        for task in items:
            no_room = task.group == self.blocked and bool(task.fixed)
            self.tasks.append((task, no_room))
            answers.append(
                GroupAnswer(task.group, SearchStatus.UNKNOWN)
                if no_room
                else self.inner.map(function, [task], stop)[0]
            )
        return answers

    def close(self) -> None:
        self.inner.close()


def test_a_group_with_no_room_around_the_others_displaces_those_in_its_way() -> None:
    scenario = load_scenario(generate_town(3, seed=1))
    travel = Travel(scenario)
    presolved = presolve(scenario, travel, Budget.starting_now(60))
    last = 2
    engine = _NoRoomAroundOthers(InProcess(Context(scenario, presolved, travel), threads=2), last)
    dec = Decomposition(
        scenario, presolved, travel, Budget.starting_now(60), engine, seed=0, report=lambda: None
    )
    assert dec.neighbours[last] == {0, 1}
    assert dec.construct(until=dec.budget.clock() + 6)
    assert set(dec.placed) == {0, 1, 2}
    # It found no placement in its share, nor in a longer search; it displaced the groups in
    # its way, was placed, and they were placed again after it.
    mine = [(task.seconds, no_room) for task, no_room in engine.tasks if task.group == last]
    assert [no_room for _, no_room in mine] == [True, True, False]
    assert mine[1][0] > mine[0][0]
    placed_at = max(n for n, (task, _) in enumerate(engine.tasks) if task.group == last)
    assert {task.group for task, _ in engine.tasks[placed_at + 1 :]} == {0, 1}
