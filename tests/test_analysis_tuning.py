"""Weight sweeps: the grid, each setting's figures, the Pareto marks, and writing a setting back."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from scheduler.analysis import pareto_mask, setting_of, sweep, weight_grid, with_weights
from scheduler.analysis.tuning import WEIGHT_PREFIX
from scheduler.errors import ScenarioError
from scheduler.loader import load_scenario
from scheduler.weights import TERMS, Weights
from tests.builders import appointment, scenario_dict


def three_ways() -> dict[str, Any]:
    """Jo's weekly therapy with Ana, who is based at the school, booked today at the clinic Mon 10:00.

    Worked by hand with the default weights, each with 20 for meeting Ana and 10 for a day of
    sessions: at home (no trip, one disruption, Ana travels 10 + 10 min) costs 30 + 15 + 0.5 x 20
    = 55; at the school 30 + 30 + 15 + 20 min + 2 x 1.00 = 97; keeping the clinic 30 + 30 + 40 min
    + 2 x 3.00 + 0.5 x 30 = 121. A large disruption weight keeps the clinic; a large practitioner
    travel weight moves it to the school.
    """
    d = scenario_dict()
    d["practitioners"][0]["base"] = "school"
    appointment(d, "therapy")["current"] = [{"day": "mon", "start": "10:00", "venue": "clinic"}]
    return d


def test_weight_grid_is_every_combination_in_order() -> None:
    assert weight_grid({"trips": [1, 2], "disruption": [5, 6]}) == [
        {"trips": 1, "disruption": 5},
        {"trips": 1, "disruption": 6},
        {"trips": 2, "disruption": 5},
        {"trips": 2, "disruption": 6},
    ]


@pytest.fixture(scope="module")
def swept() -> pd.DataFrame:
    grid = {"disruption": [15.0, 1000.0], "practitioner_travel_minutes": [0.5, 1000.0]}
    return sweep(three_ways(), grid, time_limit=10, processes=2)


def test_sweep_returns_one_row_per_setting_of_the_grid(swept: pd.DataFrame) -> None:
    assert len(swept) == 4
    assert list(swept["w_disruption"]) == [15, 15, 1000, 1000]
    assert list(swept["w_practitioner_travel_minutes"]) == [0.5, 1000, 0.5, 1000]
    assert (swept["w_trips"] == Weights().trips).all()
    assert set(swept["status"]) == {"optimal"}
    assert {f"{WEIGHT_PREFIX}{term}" for term in TERMS} | set(TERMS) <= set(swept.columns)


def test_sweep_figures_are_the_hand_worked_patterns(swept: pd.DataFrame) -> None:
    figures = swept[["trips", "disruption", "practitioner_travel_minutes"]].to_numpy().tolist()
    home, school, clinic = [0, 1, 20], [1, 1, 0], [1, 0, 30]
    assert figures == [home, school, clinic, school]
    assert swept["objective"][0] == pytest.approx(55)
    assert list(swept["sessions"]) == [1, 1, 1, 1]


def test_sweep_marks_the_pareto_front(swept: pd.DataFrame) -> None:
    assert list(swept["pareto"]) == [True, True, True, True]
    assert list(pareto_mask(swept, ["trips", "disruption"])) == [True, False, True, False]


def test_pareto_on_two_figures_in_one_process() -> None:
    frame = sweep(
        three_ways(),
        [{}, {"practitioner_travel_minutes": 1000}],
        time_limit=10,
        processes=1,
        pareto_on=("trips", "disruption"),
    )
    assert list(frame["pareto"]) == [True, False]


def test_pareto_mask_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "a": [1, 2, 1, 3, 1, math.nan],
            "b": [3, 2, 3, 3, 4, 0],
        }
    )
    # rows 0 and 2 are equal (both on the front); row 3 is beaten by row 1, row 4 by row 0;
    # row 5 has a missing figure: never on the front, and it beats nobody.
    assert list(pareto_mask(frame, ["a", "b"])) == [True, True, True, False, False, False]


def test_settings_are_checked_before_solving() -> None:
    with pytest.raises(ValueError, match='"trip"; did you mean "trips"'):
        sweep(three_ways(), [{"trip": 1}], time_limit=1, processes=1)
    with pytest.raises(ScenarioError):
        sweep(three_ways(), [{"trips": -1}], time_limit=1, processes=1)


def test_a_chosen_setting_goes_back_into_the_scenario(swept: pd.DataFrame) -> None:
    chosen = swept[swept["pareto"]].sort_values("disruption").iloc[0]
    document = with_weights(three_ways(), setting_of(chosen))
    assert load_scenario(document).weights.as_dict() == setting_of(chosen)
    assert document["weights"]["disruption"] == 1000
    assert "weights" not in three_ways()
