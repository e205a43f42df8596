"""Tiny scenarios whose optimum is worked out by hand: the solver proves it, to the unit.

Default weights (docs/rules.md): trips 30, appointment_days 10, family_travel_minutes 1,
family_travel_cost 2 per currency unit, distinct_people 20, outside_preferred_windows 0.2,
avoided_days 20, waiting_minutes 0.5, disruption 15, practitioner_travel_minutes 0.5.
Journeys (every mode): jo-home-clinic 20 min 1.50, jo-home-school 10 min 0.50,
clinic-school 15 min 1.00. A 60-minute home visit with Ana alone costs 10 + 20 = 30.
"""

from __future__ import annotations

import pytest

from scheduler.clock import parse_time
from tests.builders import add_appointment, appointment, client, practitioner, scenario_dict
from tests.solver_support import Solved, solve_checked


def nonzero(solved: Solved) -> dict[str, float]:
    return {term: value for term, value in solved.components.items() if value}


def assert_optimum(solved: Solved, total: float, components: dict[str, float]) -> None:
    assert solved.status == "optimal"
    assert solved.objective == pytest.approx(total, abs=1e-6)
    assert nonzero(solved) == pytest.approx(components, abs=1e-6)


def test_a_lone_home_visit_costs_one_day_and_one_person() -> None:
    assert_optimum(solve_checked(scenario_dict()), 30, {"appointment_days": 10, "distinct_people": 20})


def test_two_clinic_sessions_share_one_trip() -> None:
    # Therapy (60) and speech (30) with Ana, clinic only. One day, back to back:
    #   trips 30 + days 10 + travel 20 + 20 = 40 + fares 2 x 1.50 = 3.00 -> 6 + Ana 20 = 106.
    # Two days would pay the trip, the day and the journey twice: 2 x (30 + 10 + 40 + 6) + 20 = 192.
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    add_appointment(d, "speech", duration=30, venues=["clinic"])
    solved = solve_checked(d)
    assert_optimum(
        solved,
        106,
        {
            "trips": 30,
            "appointment_days": 10,
            "family_travel_minutes": 40,
            "family_travel_cost": 6,
            "distinct_people": 20,
        },
    )
    therapy, speech = solved.only("therapy"), solved.only("speech")
    assert therapy.day == speech.day
    assert therapy.end == speech.start or speech.end == therapy.start


def test_the_nearer_venue_is_chosen() -> None:
    # No home visits: school (10 min, 0.50 each way) beats clinic (20 min, 1.50 each way).
    #   school: 30 + 10 + 20 + 2 x 1.00 + 20 = 82;  clinic: 30 + 10 + 40 + 2 x 3.00 + 20 = 106.
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic", "school"]
    solved = solve_checked(d)
    assert_optimum(
        solved,
        82,
        {
            "trips": 30,
            "appointment_days": 10,
            "family_travel_minutes": 20,
            "family_travel_cost": 2,
            "distinct_people": 20,
        },
    )
    assert solved.only("therapy").venue == "school"


def test_a_session_straddles_preferred_windows_as_well_as_it_can() -> None:
    # Jo prefers 09:00-09:30 and 16:00-16:45. A 60-minute session covers at most 45 preferred
    # minutes (starting 15:45 or 16:00), so 15 minutes are outside: 0.2 x 15 = 3; total 33.
    d = scenario_dict()
    client(d, "jo")["preferences"] = {"preferred_windows": [["09:00", "09:30"], ["16:00", "16:45"]]}
    solved = solve_checked(d)
    assert_optimum(
        solved, 33, {"appointment_days": 10, "distinct_people": 20, "outside_preferred_windows": 3}
    )
    session = solved.only("therapy")
    assert parse_time(session.start) <= parse_time("16:00")
    assert parse_time(session.end) >= parse_time("16:45")


def test_avoided_days_are_avoided_when_another_day_works() -> None:
    # Ana works Monday and Tuesday; Jo avoids Monday: Tuesday at the base cost of 30.
    d = scenario_dict()
    practitioner(d, "ana")["available"] = {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}
    client(d, "jo")["preferences"] = {"avoid_days": ["mon"]}
    solved = solve_checked(d)
    assert_optimum(solved, 30, {"appointment_days": 10, "distinct_people": 20})
    assert solved.only("therapy").day == "tue"


def test_a_current_booking_that_costs_nothing_extra_is_kept() -> None:
    # Booked at home on Wednesday 14:00: keeping it costs 30, any move 30 + 15.
    d = scenario_dict()
    appointment(d, "therapy")["current"] = [{"day": "wed", "start": "14:00", "venue": "home"}]
    solved = solve_checked(d)
    assert_optimum(solved, 30, {"appointment_days": 10, "distinct_people": 20})
    session = solved.only("therapy")
    assert (session.day, session.start, session.venue) == ("wed", "14:00", "jo-home")


def test_a_current_booking_is_moved_when_moving_saves_more_than_the_disruption() -> None:
    # Booked at the clinic: keeping it costs 30 + 10 + 40 + 6 + 20 = 106; a home visit any
    # time costs 30 + 15 (disruption) = 45.
    d = scenario_dict()
    appointment(d, "therapy")["current"] = [{"day": "wed", "start": "14:00", "venue": "clinic"}]
    solved = solve_checked(d)
    assert_optimum(solved, 45, {"appointment_days": 10, "distinct_people": 20, "disruption": 15})
    assert solved.only("therapy").venue == "jo-home"


def test_avoid_clustering_spreads_sessions_over_days() -> None:
    # Two home visits (Ana, Bo). With same_day_clustering "avoid", trips counts sessions beyond
    # the first each day: one day costs 30 + 10 + 2 x 20 = 80, two days 0 + 20 + 40 = 60.
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["home"]
    add_appointment(d, "second", practitioners=["bo"], venues=["home"])
    client(d, "jo")["preferences"] = {"same_day_clustering": "avoid"}
    solved = solve_checked(d)
    assert_optimum(solved, 60, {"appointment_days": 20, "distinct_people": 40})
    assert solved.only("therapy").day != solved.only("second").day


def test_prefer_clustering_gathers_sessions_on_one_day() -> None:
    # The same two home visits without "avoid": one day costs 10 + 40 = 50 (no trip at home).
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["home"]
    add_appointment(d, "second", practitioners=["bo"], venues=["home"])
    solved = solve_checked(d)
    assert_optimum(solved, 50, {"appointment_days": 10, "distinct_people": 40})


def test_waiting_between_sessions_at_the_clinic_is_costed() -> None:
    # Therapy fixed at Monday 09:00 (window 09:00-10:00), second (Bo) at 11:00 (11:00-12:00),
    # both at the clinic: one trip 30, one day 10, 40 minutes and 3.00 of fares (40 + 6),
    # two people 40, and 60 minutes' wait 0.5 x 60 = 30: 156.
    d = scenario_dict()
    appointment(d, "therapy").update(
        venues=["clinic"], window={"days": ["mon"], "earliest": "09:00", "latest": "10:00"}
    )
    add_appointment(
        d,
        "second",
        practitioners=["bo"],
        venues=["clinic"],
        window={"days": ["mon"], "earliest": "11:00", "latest": "12:00"},
    )
    assert_optimum(
        solve_checked(d),
        156,
        {
            "trips": 30,
            "appointment_days": 10,
            "family_travel_minutes": 40,
            "family_travel_cost": 6,
            "distinct_people": 40,
            "waiting_minutes": 30,
        },
    )


def test_a_practitioner_from_a_base_pays_for_the_home_visit_journey() -> None:
    # Ana's base is the clinic. Home visit: Ana drives 20 + 20 = 40 minutes, 0.5 x 40 = 20,
    # total 10 + 20 + 20 = 50. At the clinic Jo would pay 30 + 40 + 6 more: 106.
    d = scenario_dict()
    practitioner(d, "ana")["base"] = "clinic"
    solved = solve_checked(d)
    assert_optimum(
        solved, 50, {"appointment_days": 10, "distinct_people": 20, "practitioner_travel_minutes": 20}
    )
    assert solved.only("therapy").venue == "jo-home"


@pytest.mark.parametrize(
    ("weight", "total", "components", "dropped"),
    [
        # Keeping "extra" (Bo, at home on therapy's day) adds only Bo: 20 < 25, kept; 30 + 20.
        (25, 50, {"appointment_days": 10, "distinct_people": 40}, []),
        # 20 > 15: dropped; 30 + 15.
        (15, 45, {"appointment_days": 10, "distinct_people": 20, "dropped_optional": 15}, ["extra"]),
    ],
    ids=["kept", "dropped"],
)
def test_an_optional_appointment_is_kept_only_when_it_costs_less_than_its_weight(
    weight: float, total: float, components: dict[str, float], dropped: list[str]
) -> None:
    d = scenario_dict()
    add_appointment(d, "extra", practitioners=["bo"], venues=["home"], optional=True)
    d["weights"] = {"dropped_optional": weight}
    solved = solve_checked(d)
    assert_optimum(solved, total, components)
    assert solved.doc.dropped == dropped


def test_a_daily_session_limit_makes_two_trips() -> None:
    # Therapy (60, Ana) and second (60, Bo), clinic only, at most one session a day: two days,
    # each a trip with its journeys: 2 x (30 + 10 + 40 + 6) + Ana and Bo 40 = 212.
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    add_appointment(d, "second", practitioners=["bo"], venues=["clinic"])
    client(d, "jo")["limits"] = {"max_sessions_per_day": 1}
    assert_optimum(
        solve_checked(d),
        212,
        {
            "trips": 60,
            "appointment_days": 20,
            "family_travel_minutes": 80,
            "family_travel_cost": 12,
            "distinct_people": 40,
        },
    )
