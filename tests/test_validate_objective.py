"""The objective and KPIs on small hand-worked examples (default weights unless said otherwise).

Journeys (tests/builders.py), the same for every mode: home-clinic 20 min 1.50,
home-school 10 min 0.50, clinic-school 15 min 1.00.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.schedule import read_schedule, sessions_from_doc
from scheduler.validate import KPI_KEYS, Evaluation, evaluate_current, evaluate_sessions, validate
from scheduler.weights import TERMS
from tests.builders import add_appointment, add_journey, appointment, scenario_dict, schedule_dict, session


def evaluate(d: dict[str, Any], sessions: list[dict[str, Any]]) -> Evaluation:
    scenario = load_scenario(d)
    return evaluate_sessions(scenario, sessions_from_doc(scenario, read_schedule(schedule_dict(d, sessions))))


def test_one_session_at_the_clinic() -> None:
    e = evaluate(scenario_dict(), [session("therapy", "mon", "10:00")])
    # Jo: home -> clinic 20 min 1.50, clinic -> home 20 min 1.50; one trip, one day, one person.
    assert e.raw == {
        "trips": 1,
        "appointment_days": 1,
        "family_travel_minutes": 40,
        "family_travel_cost": 3.0,
        "distinct_people": 1,
        "outside_preferred_windows": 0,
        "avoided_days": 0,
        "waiting_minutes": 0,
        "disruption": 0,
        "practitioner_travel_minutes": 0,  # Ana has no base: no depot legs
        "dropped_optional": 0,
        "accompanying_minutes": 0,
        "total_lateness": 0,
        "max_lateness": 0,
    }
    # 30 x 1 + 10 x 1 + 1 x 40 + 2 x 3.00 + 20 x 1 = 106
    assert e.total == pytest.approx(106)
    assert e.components["family_travel_cost"] == pytest.approx(6.0)
    assert list(e.components) == list(TERMS)
    assert list(e.kpis["jo"]) == list(KPI_KEYS)
    assert e.kpis["jo"]["sessions"] == 1
    assert e.kpis["jo"]["session_minutes"] == 60
    assert e.practitioners == {
        "ana": {"sessions": 1, "session_minutes": 60, "travel_minutes": 0, "days": 1},
        "bo": {"sessions": 0, "session_minutes": 0, "travel_minutes": 0, "days": 0},
    }


def test_home_visit_needs_no_trip() -> None:
    e = evaluate(scenario_dict(), [session("therapy", "mon", "10:00", "home")])
    # No journey at all: 10 x 1 day + 20 x 1 person = 30.
    assert (e.raw["trips"], e.raw["family_travel_minutes"], e.total) == (0, 0, 30)


def test_session_inside_a_routine_needs_no_trip() -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {
            "name": "school",
            "days": ["mon"],
            "start": "09:00",
            "end": "15:00",
            "at": "school",
            "allows_sessions": True,
        }
    ]
    e = evaluate(d, [session("therapy", "mon", "10:00", "school")])
    # The school run is no leg of a session: no trip, no family travel; still a day with a session.
    assert (e.raw["trips"], e.raw["family_travel_minutes"], e.raw["appointment_days"]) == (0, 0, 1)


def _speech(d: dict[str, Any], **fields: Any) -> None:
    add_appointment(d, "speech", duration=30, practitioners=["bo"], **fields)


def test_waiting_and_travel_between_two_sessions() -> None:
    d = scenario_dict()
    _speech(d)
    e = evaluate(
        d,
        [
            session("therapy", "mon", "10:00"),
            session("speech", "mon", "12:00", "school", practitioners=("bo",)),
        ],
    )
    # Legs: home -> clinic 20 (1.50), clinic -> school 15 (1.00), school -> home 10 (0.50): 45 min, 3.00.
    # Waiting: 12:00 - 11:00 - 15 min travel = 45. One trip (one day), two people.
    assert e.kpis["jo"] == {
        "trips": 1,
        "appointment_days": 1,
        "family_travel_minutes": 45,
        "family_travel_cost": 3.0,
        "distinct_people": 2,
        "outside_preferred_windows": 0,
        "avoided_days": 0,
        "waiting_minutes": 45,
        "disruption": 0,
        "sessions": 2,
        "session_minutes": 90,
        "accompanying_minutes": 0,
        "total_lateness": 0,
    }
    # 30 + 10 + 45 + 2 x 3.00 + 20 x 2 + 0.5 x 45 = 153.5
    assert e.total == pytest.approx(153.5)


def test_no_waiting_between_two_stops_at_home() -> None:
    d = scenario_dict()
    _speech(d, venues=["home"])
    e = evaluate(
        d,
        [
            session("therapy", "mon", "10:00", "home"),
            session("speech", "mon", "12:00", "home", practitioners=("bo",)),
        ],
    )
    assert e.raw["waiting_minutes"] == 0


def test_waiting_next_to_a_fixed_routine() -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {"name": "school", "days": ["mon"], "start": "09:00", "end": "15:00", "at": "school"}
    ]
    e = evaluate(d, [session("therapy", "mon", "16:00")])
    # school ends 15:00, 15 min to the clinic, therapy at 16:00: 45 min waiting.
    # Family legs: school -> clinic 15 (1.00) and clinic -> home 20 (1.50); home -> school is no session leg.
    assert (e.raw["waiting_minutes"], e.raw["family_travel_minutes"], e.raw["family_travel_cost"]) == (
        45,
        35,
        2.5,
    )


def test_avoid_clustering_counts_sessions_beyond_the_first_each_day() -> None:
    d = scenario_dict()
    d["clients"][0]["preferences"] = {"same_day_clustering": "avoid"}
    _speech(d)
    add_appointment(d, "play", duration=30, practitioners=["bo"])
    sessions = [
        session("therapy", "mon", "10:00"),
        session("speech", "mon", "12:00", practitioners=("bo",)),
        session("play", "tue", "12:00", practitioners=("bo",)),
    ]
    # Mon: 2 sessions -> 1; Tue: 1 session -> 0.
    assert evaluate(d, sessions).raw["trips"] == 1
    d["clients"][0]["preferences"] = {"same_day_clustering": "neutral"}
    # Neutral counts like prefer: days with a trip, Mon and Tue.
    assert evaluate(d, sessions).raw["trips"] == 2


def test_preferred_windows_and_avoided_days() -> None:
    d = scenario_dict()
    d["clients"][0]["preferences"] = {
        "avoid_days": ["mon"],
        "preferred_windows": [["08:00", "09:00"], ["10:30", "12:00"]],
    }
    e = evaluate(d, [session("therapy", "mon", "10:00")])
    # 10:00-11:00 with 10:30-11:00 inside a window: 30 min outside; Monday is avoided.
    assert (e.raw["outside_preferred_windows"], e.raw["avoided_days"]) == (30, 1)
    # 0.2 x 30 + 20 x 1 on top of the 106 of one clinic session.
    assert e.total == pytest.approx(106 + 6 + 20)


def test_cost_is_summed_in_whole_pence() -> None:
    d = scenario_dict()
    d["travel"]["matrix"] = []
    add_journey(d, "jo-home", "clinic", 20, 0.126)
    e = evaluate(d, [session("therapy", "mon", "10:00")])
    # Each leg 0.126 rounds to 13p; two legs 26p (not 25.2p).
    assert e.raw["family_travel_cost"] == pytest.approx(0.26)
    assert e.components["family_travel_cost"] == pytest.approx(0.52)


def test_cost_from_distance_when_the_matrix_gives_none() -> None:
    d = scenario_dict()
    d["travel"]["matrix"] = []
    d["venues"][0].update(lat=51.5, lon=-0.12)
    d["venues"][1].update(lat=51.5, lon=-0.12 + 0.01)
    scenario = load_scenario(d)
    e = evaluate(d, [session("therapy", "mon", "10:00")])
    # About 0.694 km x 1.3 = 0.902 km by public at 15 km/h: 3.6 -> 4 min; 0.902 x 0.20 = 18p each way.
    assert (e.raw["family_travel_minutes"], e.raw["family_travel_cost"]) == (8, 0.36)
    assert scenario.travel.detour_factor == 1.3


def test_two_week_pattern_counts_both_weeks() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    e = evaluate(d, [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00", week=2)])
    # Two days with a trip, 80 min and 6.00 of travel, still one person.
    assert (e.raw["trips"], e.raw["appointment_days"], e.raw["family_travel_minutes"]) == (2, 2, 80)
    assert (e.raw["family_travel_cost"], e.raw["distinct_people"]) == (6.0, 1)
    # 30 x 2 + 10 x 2 + 80 + 2 x 6 + 20 = 192
    assert e.total == pytest.approx(192)


def test_disruption_with_a_week_less_booking() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    appointment(d, "therapy")["current"] = [{"day": "mon", "start": "10:00", "venue": "clinic"}]
    e = evaluate(d, [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00", week=2)])
    # The booking stands in both weeks: week 1 keeps it, week 2 (Tue) does not.
    assert e.raw["disruption"] == 1
    assert e.components["disruption"] == 15
    before = evaluate_current(load_scenario(d))
    assert before is not None
    # Today's bookings keep themselves; they make two trips (Mon of each week).
    assert (before.raw["disruption"], before.raw["trips"], before.kpis["jo"]["sessions"]) == (0, 2, 2)


def test_disruption_needs_the_same_venue_and_week() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    appointment(d, "therapy")["current"] = [{"week": 2, "day": "mon", "start": "10:00", "venue": "clinic"}]
    e = evaluate(
        d, [session("therapy", "mon", "10:00"), session("therapy", "mon", "10:00", "school", week=2)]
    )
    # Week 1 is not the booking's week; week 2 is at another venue: both disrupt.
    assert e.raw["disruption"] == 2


def test_practitioner_legs_from_and_to_base() -> None:
    d = scenario_dict()
    d["practitioners"][0]["base"] = "school"
    d["practitioners"][0]["busy"] = [{"day": "tue", "start": "09:00", "end": "10:00", "venue": "clinic"}]
    e = evaluate(d, [session("therapy", "mon", "10:00")])
    # Mon: school -> clinic 15 + clinic -> school 15; Tue (busy at the clinic, no session): 15 + 15.
    assert e.raw["practitioner_travel_minutes"] == 60
    assert e.components["practitioner_travel_minutes"] == 30
    assert e.practitioners["ana"]["travel_minutes"] == 60
    assert e.practitioners["ana"]["days"] == 1


def test_dropped_optional() -> None:
    d = scenario_dict()
    add_appointment(d, "extra", optional=True)
    e = evaluate(d, [session("therapy", "mon", "10:00")])
    assert (e.raw["dropped_optional"], e.components["dropped_optional"]) == (1, 500)
    assert e.total == pytest.approx(606)


def test_weights_from_the_scenario() -> None:
    d = scenario_dict()
    d["weights"] = {"trips": 0, "family_travel_minutes": 0.5}
    e = evaluate(d, [session("therapy", "mon", "10:00")])
    # 0 x 1 + 10 + 0.5 x 40 + 6 + 20 = 56
    assert e.total == pytest.approx(56)


def _current_scenario() -> Scenario:
    d = scenario_dict()
    appointment(d, "therapy").update(
        practitioners=[],
        role="therapist",
        needs_carer=True,
        current=[{"day": "mon", "start": "13:00", "venue": "home"}],
    )
    d["clients"][0]["routines"] = [{"name": "nap", "days": ["mon"], "start": "12:30", "end": "14:00"}]
    return load_scenario(d)


def test_todays_bookings() -> None:
    scenario = _current_scenario()
    report = validate(scenario)
    # The unnamed therapist is not held to the role; the nap clash is what a coordinator must see.
    assert [str(v) for v in report.current_violations] == [
        "therapy occurrence 1, Mon 13:00-14:00: overlaps Jo's nap 12:30-14:00"
    ]
    assert report.before is not None
    # One unnamed therapist met, one day, a home visit (no trip).
    assert (report.before.raw["distinct_people"], report.before.raw["trips"]) == (1, 0)
    assert report.ok
    assert report.evaluation is None


def test_no_bookings_no_before() -> None:
    scenario = load_scenario(scenario_dict())
    assert evaluate_current(scenario) is None
    report = validate(scenario)
    assert (report.before, report.current_violations) == (None, ())
    assert "Today's bookings: none given." in report.to_text()


def test_report_to_dict_is_json_ready() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["current"] = [{"day": "tue", "start": "10:00", "venue": "clinic"}]
    scenario = load_scenario(d)
    report = validate(scenario, read_schedule(schedule_dict(d, [session("therapy", "mon", "10:03")])))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is False
    assert data["violations"][0]["code"] == "slot"
    assert data["evaluation"]["components"].keys() == set(TERMS)
    assert data["before"]["kpis"]["jo"]["disruption"] == 0
