"""Travel: measured journeys first (both ways unless both are given), else great-circle x detour."""

from __future__ import annotations

import math
from typing import Any

import pytest

from scheduler.errors import CarePatternError
from scheduler.loader import load_scenario
from scheduler.travel import MissingTravelError, Travel, great_circle_km
from tests.builders import scenario_dict


def _with_coordinates() -> dict[str, Any]:
    d = scenario_dict()
    d["travel"]["matrix"] = []
    # One degree of latitude is 111.2 km on the mean Earth sphere; 0.01 degree is 1.112 km.
    for v, lat in zip(d["venues"], (51.50, 51.51, 51.52), strict=True):
        v["lat"], v["lon"] = lat, -0.12
    return d


def test_a_measured_journey_stands_for_the_way_back_too() -> None:
    d = scenario_dict()
    d["travel"]["matrix"] = [
        {"from": "jo-home", "to": "clinic", "mode": "public", "minutes": 35, "cost": 3.10}
    ]
    for v, lat in zip(d["venues"], (51.50, 51.51, 51.52), strict=True):
        v["lat"], v["lon"] = lat, -0.12
    s = load_scenario(d)
    travel = Travel(s)
    home, clinic = s.venue_index["jo-home"], s.venue_index["clinic"]
    assert travel.journey(home, clinic, "public").minutes == 35
    assert travel.journey(clinic, home, "public").minutes == 35
    assert travel.journey(clinic, home, "public").pence == 310


def test_both_directions_given_are_kept_apart() -> None:
    d = scenario_dict()
    d["travel"]["matrix"] = [
        {"from": "jo-home", "to": "clinic", "mode": "car", "minutes": 10},
        {"from": "clinic", "to": "jo-home", "mode": "car", "minutes": 25},
    ]
    for v, lat in zip(d["venues"], (51.50, 51.51, 51.52), strict=True):
        v["lat"], v["lon"] = lat, -0.12
    s = load_scenario(d)
    travel = Travel(s)
    home, clinic = s.venue_index["jo-home"], s.venue_index["clinic"]
    assert travel.minutes(home, clinic, "car") == 10
    assert travel.minutes(clinic, home, "car") == 25
    # No cost given: distance x cost per km. 1.112 km x 1.3 detour x 0.45/km = 0.6505 -> 65 pence.
    assert travel.pence(home, clinic, "car") == 65


def test_great_circle_times_detour_at_the_mode_speed_rounded_up() -> None:
    s = load_scenario(_with_coordinates())
    travel = Travel(s)
    home, school = s.venue_index["jo-home"], s.venue_index["school"]
    km = great_circle_km(s.venues[home], s.venues[school])
    assert km == pytest.approx(2.2239, abs=1e-3)  # 0.02 degree of latitude
    # 2.2239 km x 1.3 = 2.891 km; by public transport at 15 km/h: 11.56 min -> 12 min.
    assert travel.minutes(home, school, "public") == math.ceil(2.2239 * 1.3 / 15 * 60) == 12
    # walking at 4.5 km/h: 38.55 -> 39 min, and free.
    assert travel.minutes(home, school, "walk") == 39
    assert travel.pence(home, school, "walk") == 0
    # 2.891 km x 0.20/km = 0.578 -> 58 pence.
    assert travel.pence(home, school, "public") == 58


def test_speed_cost_and_detour_follow_the_scenario() -> None:
    d = _with_coordinates()
    d["travel"].update(speed_kmh={"car": 60}, cost_per_km={"car": 1.0}, detour_factor=1.0)
    s = load_scenario(d)
    travel = Travel(s)
    journey = travel.journey(s.venue_index["jo-home"], s.venue_index["school"], "car")
    assert journey.minutes == 3  # 2.2239 km at 60 km/h = 2.22 min -> 3
    assert journey.pence == 222


def test_travel_within_one_place_is_nothing() -> None:
    s = load_scenario(_with_coordinates())
    assert Travel(s).journey(1, 1, "taxi").minutes == 0


def test_no_coordinates_and_no_measure_says_what_to_add() -> None:
    d = scenario_dict()
    d["travel"]["matrix"] = []
    s = load_scenario(d)
    with pytest.raises(
        CarePatternError, match=r"give both venues lat/lon or add a travel\.matrix entry"
    ) as raised:
        Travel(s).minutes(0, 1, "public")
    assert raised.type is MissingTravelError
