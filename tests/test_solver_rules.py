"""Each hard rule (spec rules 1-8): a tiny scenario where it binds and the solver keeps it,
and its infeasible twin, which the solver explains by naming the appointment and the fact.

Every scenario starts from :func:`tests.builders.scenario_dict`: Jo at ``jo-home``, Ana and
Bo (role "therapist", clinic and school, home visits), and ``therapy`` (60 min, weekly, with
Ana, at the clinic, the school or home). Journeys: home-clinic 20, home-school 10,
clinic-school 15 minutes, for every mode. Default weights: a home visit on its own costs
10 (one appointment day) + 20 (one person met) = 30, so without a rule in the way the
solver stays at home. "Binding" below means: the objective would place the session
elsewhere, and the rule is what keeps it where the test asserts.
"""

from __future__ import annotations

from typing import Any

from scheduler.clock import parse_time
from tests.builders import (
    add_appointment,
    add_client,
    add_journey,
    appointment,
    client,
    homes_without_a_journey_between_them,
    practitioner,
    scenario_dict,
    venue,
)
from tests.solver_support import Solved, solve_checked

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def minutes(time: str) -> int:
    return parse_time(time)


def prefer(d: dict[str, Any], client_id: str, *windows: tuple[str, str], **more: Any) -> None:
    """Give a client preferred windows (and other preferences)."""
    client(d, client_id)["preferences"] = {"preferred_windows": [list(w) for w in windows], **more}


def with_kim(d: dict[str, Any]) -> None:
    """A second client, Kim (carer Sam), at ``kim-home``: clinic 20, school 10, Jo's home 5."""
    add_client(d, "kim", "Kim", {"clinic": 20, "school": 10, "jo-home": 5})


def assert_infeasible(solved: Solved, *fragments: str) -> None:
    assert solved.status == "infeasible"
    for fragment in fragments:
        assert fragment in solved.explanation, f"{fragment!r} not in:\n{solved.explanation}"


def gap_between(first_end: str, second_start: str) -> int:
    return minutes(second_start) - minutes(first_end)


# ---------------------------------------------------------------------------- rule 1: frequency


def test_per_week_sessions_fall_on_different_days() -> None:
    # One day would cost less (one appointment day); rule 1 needs two different days.
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2}
    solved = solve_checked(d)
    assert solved.status == "optimal"
    assert len({s.day for s in solved.sessions("therapy")}) == 2


def test_per_week_with_too_few_working_days_is_infeasible() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2}
    practitioner(d, "ana")["available"] = {"mon": [["09:00", "17:00"]]}
    assert_infeasible(solve_checked(d), "therapy", "needs 2 day(s)", "Ana does not work on Tuesday")


def test_min_days_apart_spreads_the_sessions() -> None:
    # Mon-Thu window, 3 days apart: Monday and Thursday is the only pair.
    d = scenario_dict()
    appt = appointment(d, "therapy")
    appt["frequency"] = {"per_week": 2, "min_days_apart": 3}
    appt["window"] = {"days": ["mon", "tue", "wed", "thu"]}
    solved = solve_checked(d)
    assert [s.day for s in solved.sessions("therapy")] == ["mon", "thu"]


def test_min_days_apart_without_a_day_far_enough_is_infeasible() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2, "min_days_apart": 3}
    practitioner(d, "ana")["available"] = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed")}
    assert_infeasible(solve_checked(d), "therapy", "at least 3 days apart", "Ana does not work on Thursday")


def test_every_two_weeks_is_one_session_in_the_fortnight() -> None:
    # Ana is busy every Monday of week 1, so the one session is on Monday of week 2.
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    appt = appointment(d, "therapy")
    appt["frequency"] = {"every_weeks": 2}
    appt["window"] = {"days": ["mon"]}
    practitioner(d, "ana")["busy"] = [{"day": "mon", "week": 1, "start": "08:00", "end": "18:00"}]
    solved = solve_checked(d)
    (session,) = solved.sessions("therapy")
    assert (session.week, session.day, session.occurrence) == (2, "mon", 1)


def test_every_two_weeks_with_no_free_monday_is_infeasible() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    appt = appointment(d, "therapy")
    appt["frequency"] = {"every_weeks": 2}
    appt["window"] = {"days": ["mon"]}
    practitioner(d, "ana")["busy"] = [{"day": "mon", "start": "08:00", "end": "18:00", "label": "ward round"}]
    assert_infeasible(solve_checked(d), "therapy", "Ana is busy (ward round) 08:00-18:00")


def test_per_week_in_a_two_week_pattern_is_every_week() -> None:
    # One session would do for the objective; rule 1 wants one in each week, numbered in order.
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    solved = solve_checked(d)
    assert [(s.week, s.occurrence) for s in solved.sessions("therapy")] == [(1, 1), (2, 2)]


def test_a_pin_without_a_week_holds_in_every_week() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    appointment(d, "therapy")["pinned"] = [{"day": "thu", "start": "16:00", "venue": "school"}]
    solved = solve_checked(d)
    assert [(s.week, s.day, s.start, s.venue) for s in solved.sessions("therapy")] == [
        (1, "thu", "16:00", "school"),
        (2, "thu", "16:00", "school"),
    ]


def test_an_optional_appointment_that_fits_is_kept() -> None:
    # Keeping it costs 20 (Bo) and no extra day (same day as therapy) - far less than 500.
    d = scenario_dict()
    add_appointment(d, "extra", practitioners=["bo"], optional=True)
    solved = solve_checked(d)
    assert solved.doc.dropped == []
    assert len(solved.sessions("extra")) == 1
    assert solved.components["dropped_optional"] == 0


def test_an_optional_appointment_that_cannot_have_all_its_sessions_is_dropped_whole() -> None:
    # Twice a week, but Bo works Mondays only: one session is possible, so none is held.
    d = scenario_dict()
    add_appointment(d, "extra", practitioners=["bo"], optional=True, frequency={"per_week": 2})
    practitioner(d, "bo")["available"] = {"mon": [["09:00", "17:00"]]}
    solved = solve_checked(d)
    assert solved.status == "optimal"
    assert solved.doc.dropped == ["extra"]
    assert solved.sessions("extra") == []
    assert len(solved.sessions("therapy")) == 1
    assert solved.components["dropped_optional"] == 500


# ---------------------------------------------------------------------- rule 2: windows and hours


def test_the_window_holds_against_a_preferred_time() -> None:
    # Window Wed 14:00-15:30 (starts 14:00..14:30); Jo prefers 15:00-17:00, so the latest
    # start, 14:30, leaves the fewest minutes outside (30).
    d = scenario_dict()
    appointment(d, "therapy")["window"] = {"days": ["wed"], "earliest": "14:00", "latest": "15:30"}
    prefer(d, "jo", ("15:00", "17:00"))
    solved = solve_checked(d)
    session = solved.only("therapy")
    assert (session.day, session.start, session.end) == ("wed", "14:30", "15:30")
    assert solved.components["outside_preferred_windows"] == 0.2 * 30


def test_a_window_the_practitioners_hours_do_not_cover_is_infeasible() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["window"] = {"days": ["wed"], "earliest": "14:00", "latest": "15:30"}
    practitioner(d, "ana")["available"] = {"wed": [["09:00", "14:45"]]}
    assert_infeasible(solve_checked(d), "therapy", "Ana works 09:00-14:45 on Wednesday")


def test_venue_hours_hold() -> None:
    # Clinic only, open Mon 13:00-15:00; Jo prefers 14:30-16:00, so 14:00-15:00 (30 min inside).
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    venue(d, "clinic")["open"] = {"mon": [["13:00", "15:00"]]}
    prefer(d, "jo", ("14:30", "16:00"))
    session = solve_checked(d).only("therapy")
    assert (session.day, session.start, session.venue) == ("mon", "14:00", "clinic")


def test_venue_hours_too_short_for_the_session_are_infeasible() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    venue(d, "clinic")["open"] = {"mon": [["13:00", "13:45"]]}
    assert_infeasible(solve_checked(d), "therapy", "Clinic is open 13:00-13:45 on Monday")


def test_practitioner_availability_holds_against_an_avoided_day() -> None:
    # Jo avoids Thursdays (20), but Thursday is the only day Ana works.
    d = scenario_dict()
    practitioner(d, "ana")["available"] = {"thu": [["09:00", "13:00"]]}
    prefer(d, "jo", avoid_days=["thu"])
    solved = solve_checked(d)
    session = solved.only("therapy")
    assert session.day == "thu"
    assert minutes("09:00") <= minutes(session.start)
    assert minutes(session.end) <= minutes("13:00")
    assert solved.components["avoided_days"] == 20


def test_a_window_on_days_the_practitioner_does_not_work_is_infeasible() -> None:
    d = scenario_dict()
    practitioner(d, "ana")["available"] = {"thu": [["09:00", "13:00"]]}
    appointment(d, "therapy")["window"] = {"days": ["mon", "tue", "wed"]}
    assert_infeasible(solve_checked(d), "therapy", "Ana does not work on Monday", "Ana works Thu 09:00-13:00")


def test_a_busy_entry_without_a_venue_is_avoided() -> None:
    # Ana works Mon 09:00-12:00 and is busy 09:00-11:00: 11:00 is the only start left.
    d = scenario_dict()
    ana = practitioner(d, "ana")
    ana["available"] = {"mon": [["09:00", "12:00"]]}
    ana["busy"] = [{"day": "mon", "start": "09:00", "end": "11:00", "label": "team meeting"}]
    assert solve_checked(d).only("therapy").start == "11:00"


def test_a_busy_entry_leaving_no_slot_is_infeasible() -> None:
    d = scenario_dict()
    ana = practitioner(d, "ana")
    ana["available"] = {"mon": [["09:00", "12:00"]]}
    ana["busy"] = [{"day": "mon", "start": "09:00", "end": "11:30", "label": "team meeting"}]
    assert_infeasible(solve_checked(d), "therapy", "Ana is busy (team meeting) 09:00-11:30")


def carer_diary(sam: dict[str, list[list[str]]]) -> dict[str, Any]:
    """Therapy needs Sam, who is free on ``sam``'s days only; Jo avoids Wednesdays."""
    d = scenario_dict()
    appointment(d, "therapy")["needs_carer"] = True
    d["carers"][0]["available"] = sam
    prefer(d, "jo", avoid_days=["wed"])
    return d


def test_a_session_needing_a_carer_is_on_a_day_the_carer_is_free() -> None:
    # Jo avoids Wednesday (20), but Sam is free on Wednesday only.
    solved = solve_checked(carer_diary({"wed": [["09:00", "17:00"]]}))
    session = solved.only("therapy")
    assert (session.day, session.carer) == ("wed", "sam")
    assert solved.components["avoided_days"] == 20


def test_a_session_needing_a_carer_who_is_never_free_in_its_window_is_infeasible() -> None:
    d = carer_diary({"sat": [["09:00", "17:00"]]})
    appointment(d, "therapy")["window"] = {"days": WEEKDAYS}
    assert_infeasible(solve_checked(d), "therapy", "Sam is not free on Monday")


def busy_at_the_clinic(available_until: str) -> dict[str, Any]:
    """Ana works Mon 09:00-``available_until``, busy at the clinic 09:00-10:00; therapy at school."""
    d = scenario_dict()
    ana = practitioner(d, "ana")
    ana["available"] = {"mon": [["09:00", available_until]]}
    ana["busy"] = [{"day": "mon", "start": "09:00", "end": "10:00", "venue": "clinic", "label": "clinic"}]
    appointment(d, "therapy")["venues"] = ["school"]
    prefer(d, "jo", ("09:00", "10:30"))
    return d


def test_a_busy_entry_at_a_venue_leaves_time_to_travel() -> None:
    # Without the journey, 10:00 would keep 30 minutes in Jo's preferred window; Ana needs
    # 15 minutes from the clinic to the school, so 10:15 is the earliest start.
    solved = solve_checked(busy_at_the_clinic("12:00"))
    assert solved.only("therapy").start == "10:15"
    assert solved.components["practitioner_travel_minutes"] == 0.5 * 15


def test_a_busy_entry_at_a_venue_with_no_time_to_travel_is_infeasible() -> None:
    # 10:15 + 60 = 11:15 is past Ana's 11:10; without travel 10:00-11:00 would fit.
    solved = solve_checked(busy_at_the_clinic("11:10"))
    assert_infeasible(solved, "therapy", "Ana can be in one place at a time")


def test_a_pinned_session_stays_where_it_is_pinned() -> None:
    # At home Jo would save a trip (30), 40 travel minutes (40) and 3.00 of fares (2 x 3.00);
    # the pin holds the session at the clinic.
    d = scenario_dict()
    appointment(d, "therapy")["pinned"] = [{"day": "wed", "start": "10:00", "venue": "clinic"}]
    session = solve_checked(d).only("therapy")
    assert (session.week, session.day, session.start, session.venue) == (1, "wed", "10:00", "clinic")


def test_a_pin_outside_the_practitioners_hours_is_infeasible() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["pinned"] = [{"day": "wed", "start": "10:00", "venue": "clinic"}]
    practitioner(d, "ana")["available"] = {"mon": [["09:00", "17:00"]]}
    assert_infeasible(
        solve_checked(d), "therapy", "pinned to Wednesday 10:00 at Clinic", "Ana does not work on Wednesday"
    )


# ---------------------------------------------------------- rule 3: one place at a time, travel


def two_towns(latest: str) -> dict[str, Any]:
    """Jo sees Ana in North and Bo in South, both Monday 13:00-``latest``; North-South is 60 min."""
    d = scenario_dict()
    for town in ("north", "south"):
        d["venues"].append({"id": town, "name": town.title(), "kind": "clinic"})
        add_journey(d, "jo-home", town, 20, 1.0)
        for p in d["practitioners"]:
            p["venues"].append(town)
    add_journey(d, "north", "south", 60, 3.0)
    window = {"days": ["mon"], "earliest": "13:00", "latest": latest}
    appt = appointment(d, "therapy")
    appt["venues"], appt["window"] = ["north"], window
    add_appointment(d, "physio", practitioners=["bo"], venues=["south"], window=window)
    return d


def test_a_client_has_time_to_travel_between_two_towns() -> None:
    # Both sessions must be on Monday afternoon; waiting is costed, so the second starts
    # exactly the 60-minute journey after the first ends.
    solved = solve_checked(two_towns("16:30"))
    first, second = sorted(solved.sessions(), key=lambda s: s.start)
    assert {first.venue, second.venue} == {"north", "south"}
    assert gap_between(first.end, second.start) == 60
    assert solved.components["waiting_minutes"] == 0


def test_two_towns_in_one_short_afternoon_are_infeasible() -> None:
    # 13:00-14:00, 60 min on the road, 15:00-16:00: past the 15:30 latest end.
    solved = solve_checked(two_towns("15:30"))
    assert_infeasible(solved, "therapy", "physio", "Jo can be in one place at a time")


def one_practitioner_two_towns(latest: str) -> dict[str, Any]:
    """Ana sees Jo in North and Kim in South, both Monday 13:00-``latest``; both prefer 13:00-14:00."""
    d = two_towns(latest)
    with_kim(d)
    add_journey(d, "kim-home", "north", 20, 1.0)
    add_journey(d, "kim-home", "south", 20, 1.0)
    appointment(d, "physio").update(client="kim", practitioners=["ana"])
    prefer(d, "jo", ("13:00", "14:00"))
    prefer(d, "kim", ("13:00", "14:00"))
    return d


def test_a_practitioner_has_time_to_travel_between_two_clients() -> None:
    # Both clients want 13:00; Ana can be at the second town no earlier than 15:00.
    solved = solve_checked(one_practitioner_two_towns("16:30"))
    first, second = sorted(solved.sessions(), key=lambda s: s.start)
    assert first.start == "13:00"
    assert gap_between(first.end, second.start) >= 60
    assert solved.components["practitioner_travel_minutes"] == 0.5 * 60


def test_a_practitioner_in_two_towns_in_one_short_afternoon_is_infeasible() -> None:
    solved = solve_checked(one_practitioner_two_towns("15:30"))
    assert_infeasible(solved, "therapy", "physio", "Ana can be in one place at a time")


def test_the_day_starts_with_the_journey_from_home() -> None:
    # The clinic is 20 minutes away: leaving at 08:00 Jo arrives at 08:20, the earliest start
    # (Jo prefers 08:00-09:00, so the solver starts as early as it can).
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    prefer(d, "jo", ("08:00", "09:00"))
    assert solve_checked(d).only("therapy").start == "08:20"


def test_the_day_ends_with_the_journey_home() -> None:
    # Back by 18:00 after 20 minutes on the road: the session ends by 17:40.
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    prefer(d, "jo", ("17:00", "18:00"))
    assert solve_checked(d).only("therapy").end == "17:40"


def test_a_window_closing_before_the_first_journey_ends_is_infeasible() -> None:
    # Starts 08:00-08:10 only, but Jo cannot be at the clinic before 08:20.
    d = scenario_dict()
    appt = appointment(d, "therapy")
    appt["venues"], appt["window"] = ["clinic"], {"days": ["mon"], "latest": "09:10"}
    assert_infeasible(solve_checked(d), "therapy", "Jo can be in one place at a time, travelling by public")


def test_an_unknown_journey_is_never_made_and_never_raises() -> None:
    solved = solve_checked(homes_without_a_journey_between_them())
    if solved.status == "infeasible":
        assert "jo-home" in solved.explanation
        assert "kim-home" in solved.explanation
    else:
        assert solved.only("therapy").day != solved.only("kim-therapy").day


def test_two_visits_on_one_day_without_a_known_journey_is_infeasible() -> None:
    # Both visits can only be on Monday, and nobody knows how long Ana takes between the homes.
    d = homes_without_a_journey_between_them()
    for appt_id in ("therapy", "kim-therapy"):
        appointment(d, appt_id)["window"] = {"days": ["mon"], "earliest": "09:00", "latest": "17:00"}
    assert_infeasible(solve_checked(d), "no travel time is known from Jo's home to Kim's home by car", "Ana")


def from_the_base(latest: str) -> dict[str, Any]:
    """Ana starts and ends her day at the clinic; therapy is a home visit, Monday 08:00-``latest``."""
    d = scenario_dict()
    practitioner(d, "ana")["base"] = "clinic"
    appointment(d, "therapy").update(
        venues=["home"], window={"days": ["mon"], "earliest": "08:00", "latest": latest}
    )
    prefer(d, "jo", ("08:00", "09:00"))
    return d


def test_a_practitioners_day_starts_at_their_base() -> None:
    # Jo is at home and prefers 08:00, but Ana leaves the clinic at 08:00 and drives 20 minutes.
    solved = solve_checked(from_the_base("12:00"))
    assert solved.only("therapy").start == "08:20"
    assert solved.components["practitioner_travel_minutes"] == 0.5 * 40


def test_a_home_visit_before_the_practitioner_can_arrive_is_infeasible() -> None:
    # Starts 08:00-08:10 only; Ana cannot be at Jo's home before 08:20.
    solved = solve_checked(from_the_base("09:10"))
    assert_infeasible(solved, "therapy", "Ana can be in one place at a time")


# ------------------------------------------------------------------------------ rule 4: routines


def nap(d: dict[str, Any], latest: str) -> None:
    """Jo naps at home 12:30-14:00 every day; therapy (home visit) Monday 12:00-``latest``."""
    client(d, "jo")["routines"] = [{"name": "nap", "days": WEEKDAYS, "start": "12:30", "end": "14:00"}]
    appointment(d, "therapy").update(
        venues=["home"], window={"days": ["mon"], "earliest": "12:00", "latest": latest}
    )


def test_a_session_keeps_clear_of_a_fixed_routine() -> None:
    # Jo prefers 12:00-13:00, but 12:00-13:00 would overlap the nap: after it, at 14:00.
    d = scenario_dict()
    nap(d, "15:00")
    prefer(d, "jo", ("12:00", "13:00"))
    assert solve_checked(d).only("therapy").start == "14:00"


def test_a_window_covered_by_a_fixed_routine_is_infeasible() -> None:
    d = scenario_dict()
    nap(d, "14:30")
    assert_infeasible(solve_checked(d), "therapy", "Jo's nap is 12:30-14:00")


def school(allows_sessions: bool) -> dict[str, Any]:
    """Jo is at school Mon-Fri 09:00-15:00; therapy Monday 09:00-15:00 at school, clinic or home."""
    d = scenario_dict()
    client(d, "jo")["routines"] = [
        {
            "name": "school",
            "days": WEEKDAYS,
            "start": "09:00",
            "end": "15:00",
            "at": "school",
            "allows_sessions": allows_sessions,
        }
    ]
    appointment(d, "therapy")["window"] = {"days": ["mon"], "earliest": "09:00", "latest": "15:00"}
    return d


def test_a_routine_that_allows_sessions_takes_one_at_its_own_place() -> None:
    # Inside school time the only place is the school itself; it is no trip for Jo.
    solved = solve_checked(school(allows_sessions=True))
    session = solved.only("therapy")
    assert (session.day, session.venue) == ("mon", "school")
    assert solved.components["trips"] == 0
    assert solved.components["family_travel_minutes"] == 0


def test_a_routine_that_allows_no_sessions_blocks_its_span() -> None:
    assert_infeasible(solve_checked(school(allows_sessions=False)), "therapy", "Jo's school is 09:00-15:00")


def rest(d: dict[str, Any]) -> None:
    """Jo needs 60 free minutes in one piece within 12:00-14:00 on Mondays."""
    client(d, "jo")["routines"] = [
        {"name": "rest", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 60}
    ]


def test_a_flexible_routine_keeps_its_free_minutes() -> None:
    # Home visit, Monday 11:00-15:00; Jo prefers 12:20-13:20. 12:20 would leave two 40-minute
    # pieces of the rest window; 12:00 (40 min preferred) leaves 13:00-14:00 whole and beats
    # 13:00 (20 min preferred).
    d = scenario_dict()
    rest(d)
    appointment(d, "therapy").update(
        venues=["home"], window={"days": ["mon"], "earliest": "11:00", "latest": "15:00"}
    )
    prefer(d, "jo", ("12:20", "13:20"))
    solved = solve_checked(d)
    assert solved.only("therapy").start == "12:00"
    (placed,) = solved.doc.routines
    assert (placed.name, placed.start, placed.end) == ("rest", "13:00", "14:00")


def rest_then_quiet_time(earliest: str, latest: str) -> dict[str, Any]:
    """Jo's rest, then quiet time at home 14:00-15:00 (fixed); therapy at the clinic, Monday
    ``earliest``-``latest``; Jo prefers 12:00-13:00."""
    d = scenario_dict()
    rest(d)
    client(d, "jo")["routines"].append(
        {"name": "quiet time", "days": ["mon"], "start": "14:00", "end": "15:00"}
    )
    appointment(d, "therapy").update(
        venues=["clinic"], window={"days": ["mon"], "earliest": earliest, "latest": latest}
    )
    prefer(d, "jo", ("12:00", "13:00"))
    return d


def test_travel_counts_against_a_flexible_routine() -> None:
    # The clinic is 20 minutes away and Jo must be home for 14:00. A session at 12:00-13:00
    # leaves 13:00-14:00 less the 20-minute journey home: 40 free minutes, too few. Before
    # the session the journey there cuts the rest too, so the session must end by 12:40
    # (home 13:00, rest 13:00-14:00): 11:40, 40 minutes in Jo's preferred window.
    solved = solve_checked(rest_then_quiet_time("11:00", "14:00"))
    assert solved.only("therapy").start == "11:40"
    (placed,) = solved.doc.routines
    assert minutes(placed.start) >= minutes("12:40")
    assert minutes(placed.end) <= minutes("14:00")


def test_a_flexible_routine_with_no_room_left_is_infeasible() -> None:
    # Starts 11:45..13:00 only, but the rest needs the session over by 12:40.
    solved = solve_checked(rest_then_quiet_time("11:45", "14:00"))
    assert_infeasible(solved, "therapy", "Jo's rest needs 60 free minutes within 12:00-14:00")


# -------------------------------------------------------------------------------- rule 5: carers


def shared_carer(latest: str) -> dict[str, Any]:
    """Sam takes Jo to the clinic and Kim to the school, Monday 14:00-``latest``; both prefer 14:00-15:00."""
    d = scenario_dict()
    with_kim(d)
    appointment(d, "therapy").update(
        venues=["clinic"], needs_carer=True, window={"days": ["mon"], "earliest": "14:00", "latest": latest}
    )
    add_appointment(d, "kim-therapy", client="kim", practitioners=["bo"], venues=["school"])
    appointment(d, "kim-therapy")["window"] = dict(appointment(d, "therapy")["window"])
    prefer(d, "jo", ("14:00", "15:00"))
    prefer(d, "kim", ("14:00", "15:00"))
    return d


def test_a_carer_shared_by_two_children_takes_them_one_after_the_other() -> None:
    # Both want 14:00; Sam needs 15 minutes between the clinic and the school.
    solved = solve_checked(shared_carer("16:15"))
    first, second = sorted(solved.sessions(), key=lambda s: s.start)
    assert first.carer == second.carer == "sam"
    assert first.start == "14:00"
    assert gap_between(first.end, second.start) >= 15


def test_a_carer_cannot_take_two_children_to_two_places_at_once() -> None:
    solved = solve_checked(shared_carer("15:00"))
    assert_infeasible(solved, "therapy", "kim-therapy", "Sam can escort one client at a time")


# ----------------------------------------------------------------------------------- rule 6: who


def joint(bo_days: list[str]) -> dict[str, Any]:
    d = scenario_dict()
    appointment(d, "therapy")["practitioners"] = ["ana", "bo"]
    practitioner(d, "ana")["available"] = {day: [["09:00", "17:00"]] for day in ("mon", "tue")}
    practitioner(d, "bo")["available"] = {day: [["09:00", "17:00"]] for day in bo_days}
    prefer(d, "jo", avoid_days=["tue"])
    return d


def test_a_joint_session_is_on_a_day_both_practitioners_work() -> None:
    # Jo avoids Tuesdays, but Tuesday is the only day Ana and Bo both work.
    solved = solve_checked(joint(["tue", "wed"]))
    session = solved.only("therapy")
    assert (session.day, session.practitioners) == ("tue", ["ana", "bo"])
    assert solved.components["distinct_people"] == 2 * 20


def test_a_joint_session_with_no_common_day_is_infeasible() -> None:
    solved = solve_checked(joint(["wed"]))
    assert_infeasible(solved, "therapy", "Bo does not work on Monday", "Ana does not work on Wednesday")


def role_pool(bo_days: list[str]) -> dict[str, Any]:
    """Twice a week with a therapist; Ana works Mon-Tue; Jo avoids Tuesday and Thursday; people are free."""
    d = scenario_dict()
    appt = appointment(d, "therapy")
    appt["practitioners"], appt["role"] = [], "therapist"
    appt["frequency"] = {"per_week": 2}
    practitioner(d, "ana")["available"] = {day: [["09:00", "17:00"]] for day in ("mon", "tue")}
    practitioner(d, "bo")["available"] = {day: [["09:00", "17:00"]] for day in bo_days}
    prefer(d, "jo", avoid_days=["tue", "thu"])
    d["weights"] = {"distinct_people": 0}
    return d


def test_a_role_appointment_keeps_one_practitioner_throughout() -> None:
    # Ana on Monday and Bo on Wednesday would avoid both avoided days (0); continuity of care
    # allows only Ana Mon+Tue or Bo Wed+Thu, one avoided day either way (20).
    solved = solve_checked(role_pool(["wed", "thu"]))
    sessions = solved.sessions("therapy")
    assert len(sessions) == 2
    assert len({tuple(s.practitioners) for s in sessions}) == 1
    assert solved.components["avoided_days"] == 20


def test_a_role_appointment_no_one_practitioner_can_take_is_infeasible() -> None:
    # Ana works Monday only and Bo Wednesday only: two days, but no one therapist for both.
    d = role_pool(["wed"])
    practitioner(d, "ana")["available"] = {"mon": [["09:00", "17:00"]]}
    solved = solve_checked(d)
    assert_infeasible(solved, "therapy", "therapist")


def test_a_practitioner_without_home_visits_sees_the_client_elsewhere() -> None:
    # Home would be cheapest; Ana does no home visits, so the clinic or the school.
    d = scenario_dict()
    practitioner(d, "ana")["home_visits"] = False
    assert solve_checked(d).only("therapy").venue in ("clinic", "school")


def test_a_home_visit_only_appointment_without_home_visits_is_infeasible() -> None:
    d = scenario_dict()
    practitioner(d, "ana")["home_visits"] = False
    appointment(d, "therapy")["venues"] = ["home"]
    assert_infeasible(solve_checked(d), "therapy", "Ana does not do home visits")


def test_a_practitioner_works_only_at_their_venues() -> None:
    # The school is closer (10 min) than the clinic (20), but Ana works at the clinic only.
    d = scenario_dict()
    practitioner(d, "ana")["venues"] = ["clinic"]
    appointment(d, "therapy")["venues"] = ["clinic", "school"]
    assert solve_checked(d).only("therapy").venue == "clinic"


def test_an_appointment_at_a_venue_its_practitioner_does_not_work_at_is_infeasible() -> None:
    d = scenario_dict()
    practitioner(d, "ana")["venues"] = ["clinic"]
    appointment(d, "therapy")["venues"] = ["school"]
    assert_infeasible(solve_checked(d), "therapy", "Ana does not work at School")


# --------------------------------------------------------------------------------- rule 7: rooms


def two_at_the_clinic(rooms: int, latest: str) -> dict[str, Any]:
    """Jo (Ana) and Kim (Bo) at the clinic, Monday 10:00-``latest``; both prefer 10:00-11:00."""
    d = scenario_dict()
    with_kim(d)
    venue(d, "clinic")["rooms"] = rooms
    window = {"days": ["mon"], "earliest": "10:00", "latest": latest}
    appointment(d, "therapy").update(venues=["clinic"], window=window)
    add_appointment(d, "kim-therapy", client="kim", practitioners=["bo"], venues=["clinic"], window=window)
    prefer(d, "jo", ("10:00", "11:00"))
    prefer(d, "kim", ("10:00", "11:00"))
    return d


def test_one_room_takes_one_session_at_a_time() -> None:
    solved = solve_checked(two_at_the_clinic(rooms=1, latest="12:00"))
    assert sorted(s.start for s in solved.sessions()) == ["10:00", "11:00"]


def test_two_rooms_take_two_sessions_at_once() -> None:
    solved = solve_checked(two_at_the_clinic(rooms=2, latest="12:00"))
    assert [s.start for s in solved.sessions()] == ["10:00", "10:00"]


def test_one_room_for_two_sessions_in_one_hour_is_infeasible() -> None:
    solved = solve_checked(two_at_the_clinic(rooms=1, latest="11:00"))
    assert_infeasible(solved, "therapy", "kim-therapy", "Clinic holds 1 session(s) at once")


def siblings_at_home(latest: str) -> dict[str, Any]:
    """Jo (Ana) and Lee (Bo), who share Jo's home: home visits Monday 10:00-``latest``, both
    preferring 10:00-11:00."""
    d = scenario_dict()
    d["clients"].append({"id": "lee", "name": "Lee", "home": "jo-home", "carers": ["sam"]})
    window = {"days": ["mon"], "earliest": "10:00", "latest": latest}
    appointment(d, "therapy").update(venues=["home"], window=window)
    add_appointment(d, "lee-therapy", client="lee", practitioners=["bo"], venues=["home"], window=window)
    prefer(d, "jo", ("10:00", "11:00"))
    prefer(d, "lee", ("10:00", "11:00"))
    return d


def test_a_home_takes_one_session_at_a_time() -> None:
    solved = solve_checked(siblings_at_home("12:00"))
    assert sorted(s.start for s in solved.sessions()) == ["10:00", "11:00"]


def test_two_home_visits_in_one_hour_at_one_home_are_infeasible() -> None:
    solved = solve_checked(siblings_at_home("11:00"))
    assert_infeasible(solved, "therapy", "lee-therapy", "Jo's home holds 1 session(s) at once")


# -------------------------------------------------------------------------------- rule 8: limits


def two_home_visits(limits: dict[str, int], days: list[str]) -> dict[str, Any]:
    """Therapy (Ana) and ``second`` (Bo), 60-min home visits on ``days``, with Jo's ``limits``."""
    d = scenario_dict()
    appointment(d, "therapy").update(venues=["home"], window={"days": days})
    add_appointment(d, "second", practitioners=["bo"], venues=["home"], window={"days": days})
    client(d, "jo")["limits"] = limits
    return d


def test_max_sessions_per_day_spreads_the_sessions() -> None:
    # One day would save an appointment day (10); the limit needs two.
    solved = solve_checked(two_home_visits({"max_sessions_per_day": 1}, WEEKDAYS))
    assert solved.only("therapy").day != solved.only("second").day
    assert solved.components["appointment_days"] == 2 * 10


def test_max_sessions_per_day_with_one_day_is_infeasible() -> None:
    solved = solve_checked(two_home_visits({"max_sessions_per_day": 1}, ["mon"]))
    assert_infeasible(solved, "therapy", "second", "Jo's limit max_sessions_per_day = 1")


def test_max_session_minutes_per_day_spreads_the_sessions() -> None:
    solved = solve_checked(two_home_visits({"max_session_minutes_per_day": 90}, WEEKDAYS))
    assert solved.only("therapy").day != solved.only("second").day


def test_max_session_minutes_per_day_with_one_day_is_infeasible() -> None:
    solved = solve_checked(two_home_visits({"max_session_minutes_per_day": 90}, ["mon"]))
    assert_infeasible(solved, "therapy", "second", "Jo's limit max_session_minutes_per_day = 90")


def test_max_days_per_week_gathers_the_sessions() -> None:
    # Therapy Mon/Tue, second Tue/Wed, Jo avoids Tuesday: Mon + Wed costs 2 days (20), both on
    # Tuesday 1 day + 2 avoided (10 + 40 = 50). One day a week leaves only Tuesday.
    d = scenario_dict()
    appointment(d, "therapy").update(venues=["home"], window={"days": ["mon", "tue"]})
    add_appointment(d, "second", practitioners=["bo"], venues=["home"], window={"days": ["tue", "wed"]})
    client(d, "jo")["limits"] = {"max_days_per_week": 1}
    prefer(d, "jo", avoid_days=["tue"])
    solved = solve_checked(d)
    assert [s.day for s in solved.sessions()] == ["tue", "tue"]
    assert solved.components["avoided_days"] == 2 * 20


def test_max_days_per_week_with_sessions_on_two_fixed_days_is_infeasible() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["window"] = {"days": ["mon"]}
    add_appointment(d, "second", practitioners=["bo"], window={"days": ["wed"]})
    client(d, "jo")["limits"] = {"max_days_per_week": 1}
    assert_infeasible(solve_checked(d), "therapy", "second", "Jo's limit max_days_per_week = 1")


def people_limit(role: bool) -> dict[str, Any]:
    """Jo prefers 09:00-10:00 (Ana's Monday hours); Bo works Wed 14:00-16:00; one person a week."""
    d = scenario_dict()
    practitioner(d, "ana")["available"] = {"mon": [["09:00", "10:00"]]}
    practitioner(d, "bo")["available"] = {"wed": [["14:00", "16:00"]]}
    if role:
        appointment(d, "therapy").update(practitioners=[], role="therapist")
    add_appointment(d, "second", practitioners=["bo"], role=None)
    client(d, "jo")["limits"] = {"max_people_per_week": 1}
    prefer(d, "jo", ("09:00", "10:00"))
    d["weights"] = {"distinct_people": 0, "appointment_days": 0}
    return d


def test_max_people_per_week_chooses_the_practitioner_already_met() -> None:
    # Ana on Monday 09:00 would be in Jo's preferred hour (only Bo's 60 minutes outside: 12);
    # with one person a week, Bo takes the therapy too (120 minutes outside: 24).
    solved = solve_checked(people_limit(role=True))
    assert solved.only("therapy").practitioners == ["bo"]
    assert solved.components["outside_preferred_windows"] == 0.2 * 120


def test_max_people_per_week_with_two_named_practitioners_is_infeasible() -> None:
    solved = solve_checked(people_limit(role=False))
    assert_infeasible(solved, "therapy", "second", "Jo's limit max_people_per_week = 1")


def test_min_gap_minutes_separates_sessions() -> None:
    # Monday 10:00-12:15 holds 60 + 15 + 60 minutes exactly.
    d = two_home_visits({"min_gap_minutes": 15}, ["mon"])
    for appt in d["appointments"]:
        appt["window"].update(earliest="10:00", latest="12:15")
    solved = solve_checked(d)
    assert sorted(s.start for s in solved.sessions()) == ["10:00", "11:15"]


def test_min_gap_minutes_without_room_is_infeasible() -> None:
    d = two_home_visits({"min_gap_minutes": 15}, ["mon"])
    for appt in d["appointments"]:
        appt["window"].update(earliest="10:00", latest="12:10")
    assert_infeasible(solve_checked(d), "therapy", "second", "Jo's limit min_gap_minutes = 15")


def practitioner_limited(limits: dict[str, int], days: list[str]) -> dict[str, Any]:
    """Ana sees Jo and Kim at the clinic on ``days``; both avoid Tuesday."""
    d = scenario_dict()
    with_kim(d)
    appointment(d, "therapy").update(venues=["clinic"], window={"days": days})
    add_appointment(d, "kim-therapy", client="kim", venues=["clinic"], window={"days": days})
    practitioner(d, "ana")["limits"] = limits
    prefer(d, "jo", avoid_days=["tue"])
    prefer(d, "kim", avoid_days=["tue"])
    return d


def test_practitioner_max_sessions_per_day_spreads_their_sessions() -> None:
    # Both would be on Monday; Ana takes one a day, so one goes to the avoided Tuesday.
    solved = solve_checked(practitioner_limited({"max_sessions_per_day": 1}, ["mon", "tue"]))
    assert sorted(s.day for s in solved.sessions()) == ["mon", "tue"]
    assert solved.components["avoided_days"] == 20


def test_practitioner_max_sessions_per_day_with_one_day_is_infeasible() -> None:
    solved = solve_checked(practitioner_limited({"max_sessions_per_day": 1}, ["mon"]))
    assert_infeasible(solved, "therapy", "kim-therapy", "Ana's limit max_sessions_per_day = 1")


def test_practitioner_max_session_minutes_per_day_spreads_their_sessions() -> None:
    solved = solve_checked(practitioner_limited({"max_session_minutes_per_day": 90}, ["mon", "tue"]))
    assert sorted(s.day for s in solved.sessions()) == ["mon", "tue"]


def test_practitioner_max_session_minutes_per_day_with_one_day_is_infeasible() -> None:
    solved = solve_checked(practitioner_limited({"max_session_minutes_per_day": 90}, ["mon"]))
    assert_infeasible(solved, "therapy", "kim-therapy", "Ana's limit max_session_minutes_per_day = 90")
