"""The first pattern with every visit at home that can be (:mod:`scheduler.solver.homefirst`):
its options, and that its pattern is one of the whole model."""

from __future__ import annotations

from pathlib import Path

from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.solver.cpsat import Budget, SearchParams, SearchStatus, run
from scheduler.solver.homefirst import at_home, first_at_home
from scheduler.solver.pattern import PatternModel
from scheduler.solver.presolve import Presolved, presolve
from scheduler.travel import Travel
from tests.builders import appointment, household_dict

HOUSEHOLD = Path(__file__).resolve().parent.parent / "data" / "household.json"


def presolved(scenario: Scenario) -> tuple[Presolved, Travel]:
    travel = Travel(scenario)
    return presolve(scenario, travel, Budget.starting_now(30)), travel


def home_of(scenario: Scenario, appointment: int) -> int:
    return scenario.clients[scenario.appointments[appointment].client].home


def test_only_home_options_are_kept_of_an_appointment_that_offers_a_home_visit() -> None:
    scenario = load_scenario(HOUSEHOLD)
    options = presolved(scenario)[0].options
    kept = at_home(scenario, options)
    visited = {o.appointment for o in options if o.venue == home_of(scenario, o.appointment)}
    assert visited, "the example has home visits"
    assert {o.appointment for o in kept} == {o.appointment for o in options}
    for o in options:
        if o.appointment in visited:
            assert (o in kept) == (o.venue == home_of(scenario, o.appointment))
        else:
            assert o in kept


def test_the_first_pattern_is_a_pattern_of_the_whole_model_with_the_visits_at_home() -> None:
    scenario = load_scenario(household_dict())
    pre, travel = presolved(scenario)
    budget = Budget.starting_now(30)
    start = first_at_home(scenario, pre, travel, budget, params=SearchParams(20, workers=2, seed=1))
    assert start is not None
    visited = {o.appointment for o in pre.options if o.venue == home_of(scenario, o.appointment)}
    assert all(o.venue == home_of(scenario, o.appointment) for o, _ in start if o.appointment in visited)
    # The whole model with those options at those starts, and nothing else, has a solution.
    whole = PatternModel(scenario, pre, travel, budget, objective=False)
    picked = {o.index: slot for o, slot in start}
    for o in pre.options:
        whole.cp.add(whole.v.chosen[o.index] == (o.index in picked))
        if o.index in picked:
            whole.cp.add(whole.v.start_slot[(o.appointment, o.pattern_day)] == picked[o.index])
    outcome = run(whole.cp, SearchParams(20, workers=2, seed=1), budget)
    assert outcome.status is SearchStatus.OPTIMAL


def test_no_first_pattern_when_no_appointment_offers_a_home_visit() -> None:
    d = household_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    scenario = load_scenario(d)
    pre, travel = presolved(scenario)
    params = SearchParams(5, seed=1)
    assert first_at_home(scenario, pre, travel, Budget.starting_now(10), params=params) is None
