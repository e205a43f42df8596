"""The stretches a person is away from home (:meth:`Circuits.away`) keep within the time bounds
they carry, which rule 10 relies on to leave out what a stretch cannot fall within: solved
models, every stretch of every day checked against its bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.solver.cpsat import Budget, SearchParams, run
from scheduler.solver.pattern import PatternModel
from scheduler.solver.presolve import presolve
from scheduler.travel import Travel
from tests.builders import appointment, client, household_dict
from tests.test_joint_sequences_lateness import double_visit

HOUSEHOLD = Path(__file__).resolve().parent.parent / "data" / "household.json"


def joined_pair_at_the_clinic() -> dict[str, Any]:
    """The version-2 household with two visits to Jo at the clinic, the second 5-10 min after
    the first starts: one stop that ends with the second (a joined pair), which Jo goes to
    alone."""
    d = double_visit(household_dict())
    client(d, "jo")["supervision"] = "none"
    for visit in ("nurse1", "nurse2"):
        appointment(d, visit)["venues"] = ["clinic"]
        appointment(d, visit)["needs_carer"] = False
    # The first at 10:00 sharp: the stop ends after its latest start plus its own duration.
    appointment(d, "nurse1")["window"] = {"earliest": "10:00", "latest": "10:20"}
    return d


@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(lambda: load_scenario(HOUSEHOLD), id="household"),
        pytest.param(lambda: load_scenario(generate_town(2, seed=4)), id="town-2"),
        pytest.param(lambda: load_scenario(joined_pair_at_the_clinic()), id="joined-pair"),
    ],
)
def test_every_stretch_away_keeps_within_its_time_bounds(scenario: Any) -> None:
    s = scenario()
    travel = Travel(s)
    budget = Budget.starting_now(60)
    model = PatternModel(s, presolve(s, travel, budget), travel, budget)
    stretches = [piece for c in model.circuits.all for piece in model.circuits.away(c)]
    outcome = run(model.cp, SearchParams(20, workers=2, seed=1), budget)
    assert outcome.status.has_solution
    present = [piece for piece in stretches if outcome.truth(piece.present)]
    assert present
    for piece in present:
        start, end = outcome.value(piece.start), outcome.value(piece.end)
        assert piece.starts[0] <= start <= piece.starts[1], (start, piece.starts)
        assert piece.ends[0] <= end <= piece.ends[1], (end, piece.ends)
