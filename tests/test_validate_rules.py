"""Rules 1-8: a schedule keeping each rule passes; its twin breaking it is reported, worded exactly."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.validate import validate
from tests.builders import (
    add_appointment,
    add_client,
    appointment,
    scenario_dict,
    schedule_dict,
    session,
)

Sessions = list[dict[str, Any]]


def found(d: dict[str, Any], sessions: Sessions, **fields: Any) -> list[str]:
    """Every violation of the schedule, as ``"<rule> <code> <where>: <message>"``."""
    report = validate(load_scenario(d), read_schedule(schedule_dict(d, sessions, **fields)))
    return [f"{v.rule} {v.code} {v}" for v in report.violations]


MON_10 = "therapy occurrence 1, Mon 10:00-11:00"


def test_the_base_schedule_keeps_every_rule() -> None:
    assert found(scenario_dict(), [session("therapy", "mon", "10:00")]) == []


# Rule 1: frequency


def test_per_week_count() -> None:
    d = scenario_dict()
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00")]) == [
        "1 frequency therapy: Jo's Therapy needs 1 session a week, has 2"
    ]
    assert found(d, []) == ["1 frequency therapy: Jo's Therapy needs 1 session a week, has 0"]


def test_per_week_sessions_on_different_days() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2}
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00")]) == []
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "mon", "14:00")]) == [
        "1 frequency therapy: has 2 sessions on Mon; they must be on different days"
    ]


def test_min_days_apart() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2, "min_days_apart": 2}
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "wed", "10:00")]) == []
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00")]) == [
        "1 frequency therapy: sessions on Mon and Tue are 1 day apart; they must be at least 2 days apart"
    ]


def test_per_week_in_every_week_of_a_two_week_pattern() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    both = [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00", week=2)]
    assert found(d, both) == []
    assert found(d, both[:1]) == ["1 frequency therapy wk2: Jo's Therapy needs 1 session a week, has 0"]


def test_every_weeks() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    appointment(d, "therapy")["frequency"] = {"every_weeks": 2}
    assert found(d, [session("therapy", "mon", "10:00", week=2)]) == []
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "mon", "10:00", week=2)]) == [
        "1 frequency therapy: Jo's Therapy needs 1 session in the 2-week pattern, has 2"
    ]


def test_optional_all_or_none() -> None:
    d = scenario_dict()
    appointment(d, "therapy").update(optional=True, frequency={"per_week": 2})
    assert found(d, []) == []
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "wed", "10:00")]) == []
    assert found(d, [session("therapy", "mon", "10:00")]) == [
        "1 frequency therapy: Jo's Therapy is optional: it has 1 of its 2 sessions; "
        "an optional appointment gets all its sessions or none"
    ]


# Rule 2: windows, hours, availability, busy, pins


def test_window_days() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["window"] = {"days": ["mon", "wed"]}
    assert found(d, [session("therapy", "wed", "10:00")]) == []
    assert found(d, [session("therapy", "tue", "10:00")]) == [
        "2 window therapy occurrence 1, Tue 10:00-11:00: Tue is not one of its window's days (Mon and Wed)"
    ]


def test_window_hours() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["window"] = {"earliest": "09:00", "latest": "12:00"}
    assert found(d, [session("therapy", "mon", "11:00")]) == []
    assert found(d, [session("therapy", "mon", "11:30")]) == [
        "2 window therapy occurrence 1, Mon 11:30-12:30: lies outside its window 09:00-12:00"
    ]


def test_venue_hours() -> None:
    d = scenario_dict()
    d["venues"][1]["open"] = {"mon": [["09:00", "12:00"]]}
    assert found(d, [session("therapy", "mon", "11:00")]) == []
    assert found(d, [session("therapy", "mon", "11:30")]) == [
        "2 venue-hours therapy occurrence 1, Mon 11:30-12:30: Clinic is not open then (Mon 09:00-12:00)"
    ]
    assert found(d, [session("therapy", "tue", "10:00")]) == [
        "2 venue-hours therapy occurrence 1, Tue 10:00-11:00: Clinic is not open on Tue"
    ]


def test_a_home_is_always_open() -> None:
    d = scenario_dict()
    assert found(d, [session("therapy", "sun", "08:00", "home")]) == []


def test_one_of_the_appointments_venues() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    assert found(d, [session("therapy", "mon", "10:00", "school")]) == [
        "2 venue therapy occurrence 1, Mon 10:00-11:00: School is not one of its venues (Clinic)"
    ]


def test_practitioner_availability() -> None:
    d = scenario_dict()
    d["practitioners"][0]["available"] = {"mon": [["09:00", "11:00"]]}
    assert found(d, [session("therapy", "mon", "10:00")]) == []
    assert found(d, [session("therapy", "mon", "10:30")]) == [
        "2 availability therapy occurrence 1, Mon 10:30-11:30: Ana is not available then (Mon 09:00-11:00)"
    ]


def test_busy_entry() -> None:
    d = scenario_dict()
    d["practitioners"][0]["busy"] = [
        {"day": "mon", "start": "09:30", "end": "10:15", "label": "team meeting"}
    ]
    assert found(d, [session("therapy", "mon", "10:15")]) == []
    assert found(d, [session("therapy", "mon", "10:00")]) == [
        f"2 busy {MON_10}: overlaps Ana's team meeting 09:30-10:15"
    ]


def test_busy_entry_of_another_week() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    d["practitioners"][0]["busy"] = [{"day": "mon", "week": 2, "start": "09:00", "end": "12:00"}]
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00", week=2)]) == []
    assert found(d, [session("therapy", "mon", "10:00"), session("therapy", "mon", "10:00", week=2)]) == [
        "2 busy therapy occurrence 2, Mon wk2 10:00-11:00: overlaps Ana's busy 09:00-12:00"
    ]


def test_carer_availability() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["needs_carer"] = True
    d["carers"][0]["available"] = {"tue": [["08:00", "18:00"]]}
    assert found(d, [session("therapy", "tue", "10:00", carer="sam")]) == []
    assert found(d, [session("therapy", "mon", "10:00", carer="sam")]) == [
        f"2 availability {MON_10}: Sam is not available on Mon"
    ]


def test_slot() -> None:
    d = scenario_dict()
    assert found(d, [session("therapy", "mon", "10:03")]) == [
        "2 slot therapy occurrence 1, Mon 10:03-11:03: starts at 10:03, not on a 5-minute slot"
    ]


def test_pin() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["pinned"] = [
        {"day": "mon", "start": "10:00", "venue": "clinic", "practitioners": ["ana"]}
    ]
    assert found(d, [session("therapy", "mon", "10:00")]) == []
    assert found(d, [session("therapy", "mon", "11:00")]) == [
        "2 pin therapy pinned Mon 10:00: no session keeps this pin at Clinic with Ana"
    ]


# Rule 3: one place at a time, travel, day bounds


def _speech(d: dict[str, Any], **fields: Any) -> None:
    add_appointment(d, "speech", duration=30, practitioners=["bo"], **fields)


def test_client_at_one_place_at_a_time() -> None:
    d = scenario_dict()
    d["venues"][1]["rooms"] = 2
    _speech(d)
    bo = ("bo",)
    assert (
        found(d, [session("therapy", "mon", "10:00"), session("speech", "mon", "11:00", practitioners=bo)])
        == []
    )
    assert found(
        d, [session("therapy", "mon", "10:00"), session("speech", "mon", "10:30", practitioners=bo)]
    ) == [
        "3 overlap speech occurrence 1, Mon 10:30-11:00: Jo has two sessions at once: "
        "this one at Clinic and therapy 10:00-11:00 at Clinic"
    ]


def test_travel_between_stops() -> None:
    d = scenario_dict()
    _speech(d)
    bo = ("bo",)
    therapy = session("therapy", "mon", "10:00")
    assert found(d, [therapy, session("speech", "mon", "11:15", "school", practitioners=bo)]) == []
    assert found(d, [therapy, session("speech", "mon", "11:10", "school", practitioners=bo)]) == [
        "3 travel speech occurrence 1, Mon 11:10-11:40: Jo needs 15 min by public from Clinic to School "
        "but has 10 min (therapy ends 11:00, speech starts 11:10)"
    ]


def test_day_starts_at_home() -> None:
    d = scenario_dict()
    assert found(d, [session("therapy", "mon", "08:20")]) == []
    assert found(d, [session("therapy", "mon", "08:15")]) == [
        "3 day-bounds therapy occurrence 1, Mon 08:15-09:15: Jo would have to leave Jo's home at 07:55 "
        "(20 min by public) to reach Clinic by 08:15; the day starts at 08:00"
    ]


def test_day_ends_at_home() -> None:
    d = scenario_dict()
    assert found(d, [session("therapy", "mon", "16:40")]) == []
    assert found(d, [session("therapy", "mon", "16:50")]) == [
        "3 day-bounds therapy occurrence 1, Mon 16:50-17:50: Jo would be back at Jo's home at 18:10 "
        "(20 min by public from Clinic); the day ends at 18:00"
    ]


def test_session_inside_the_day() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["window"] = {"earliest": "07:00"}
    assert found(d, [session("therapy", "mon", "08:00", "home")]) == []
    assert found(d, [session("therapy", "mon", "07:30", "home")]) == [
        "3 day-bounds therapy occurrence 1, Mon 07:30-08:30: lies outside the day 08:00-18:00"
    ]


def test_practitioner_day_starts_at_base() -> None:
    d = scenario_dict()
    d["practitioners"][0]["base"] = "clinic"
    assert found(d, [session("therapy", "mon", "08:20", "home")]) == []
    assert found(d, [session("therapy", "mon", "08:10", "home")]) == [
        "3 day-bounds therapy occurrence 1, Mon 08:10-09:10: Ana would have to leave Clinic at 07:50 "
        "(20 min by car) to reach Jo's home by 08:10; the day starts at 08:00"
    ]


def test_practitioner_busy_entry_at_a_venue_is_a_stop() -> None:
    d = scenario_dict()
    d["practitioners"][0]["busy"] = [
        {"day": "mon", "start": "09:00", "end": "10:00", "venue": "school", "label": "school visit"}
    ]
    assert found(d, [session("therapy", "mon", "10:15")]) == []
    assert found(d, [session("therapy", "mon", "10:05")]) == [
        "3 travel therapy occurrence 1, Mon 10:05-11:05: Ana needs 15 min by car from School to Clinic "
        "but has 5 min (school visit ends 10:00, therapy starts 10:05)"
    ]


def test_unknown_travel_is_reported_not_raised() -> None:
    d = scenario_dict()
    d["venues"].append({"id": "hall", "name": "Hall", "kind": "community"})
    appointment(d, "therapy")["venues"].append("hall")
    d["practitioners"][0]["venues"].append("hall")
    advice = "give both venues lat/lon or add a travel.matrix entry"
    assert found(d, [session("therapy", "mon", "10:00", "hall")]) == [
        f"3 travel {MON_10}: no travel time is known from Jo's home to Hall by public: {advice}",
        f"3 travel {MON_10}: no travel time is known from Hall to Jo's home by public: {advice}",
    ]


# Rule 4: routines


def test_fixed_routine() -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [{"name": "nap", "days": ["mon"], "start": "12:30", "end": "14:00"}]
    assert found(d, [session("therapy", "mon", "14:00", "home")]) == []
    assert found(d, [session("therapy", "mon", "13:00", "home")]) == [
        "4 routine therapy occurrence 1, Mon 13:00-14:00: overlaps Jo's nap 12:30-14:00"
    ]


def _school(d: dict[str, Any]) -> None:
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


def test_session_inside_a_routine_that_allows_it() -> None:
    d = scenario_dict()
    _school(d)
    assert found(d, [session("therapy", "mon", "10:00", "school")]) == []
    assert found(d, [session("therapy", "mon", "10:00")]) == [
        f"4 routine {MON_10}: overlaps Jo's school 09:00-15:00; "
        "only sessions at School may take place during it"
    ]
    assert found(d, [session("therapy", "mon", "14:30", "school")]) == [
        "4 routine therapy occurrence 1, Mon 14:30-15:30: overlaps Jo's school 09:00-15:00; "
        "a session during it must lie entirely within it"
    ]


def test_travel_to_and_from_a_fixed_routine() -> None:
    d = scenario_dict()
    _school(d)
    assert found(d, [session("therapy", "mon", "15:15")]) == []
    assert found(d, [session("therapy", "mon", "15:10")]) == [
        "3 travel therapy occurrence 1, Mon 15:10-16:10: Jo needs 15 min by public from School to Clinic "
        "but has 10 min (school ends 15:00, therapy starts 15:10)"
    ]


def test_two_sessions_inside_a_routine_cannot_overlap() -> None:
    # Sessions inside a routine are no stops, yet Jo still cannot be in two at once.
    d = scenario_dict()
    _school(d)
    d["venues"][2]["rooms"] = 2
    _speech(d)
    therapy = session("therapy", "mon", "10:00", "school")
    assert found(d, [therapy, session("speech", "mon", "11:00", "school", practitioners=("bo",))]) == []
    assert found(d, [therapy, session("speech", "mon", "10:30", "school", practitioners=("bo",))]) == [
        "3 overlap speech occurrence 1, Mon 10:30-11:00: Jo has two sessions at once: "
        "this one at School and therapy 10:00-11:00 at School"
    ]


def _rest(d: dict[str, Any], start: str, end: str, duration: int) -> None:
    d["clients"][0]["routines"] = [
        {"name": "rest", "days": ["mon"], "start": start, "end": end, "duration": duration}
    ]


def test_flexible_routine_needs_its_minutes_in_one_piece() -> None:
    d = scenario_dict()
    _rest(d, "10:00", "12:00", 60)
    assert found(d, [session("therapy", "mon", "11:00", "home")]) == []
    assert found(d, [session("therapy", "mon", "10:30", "home")]) == [
        "4 flexible-routine jo rest, Mon: Jo has no 60 free minutes in one piece for rest "
        "between 10:00 and 12:00: sessions and travel fill it"
    ]


def test_flexible_routine_fits_inside_a_fixed_routine() -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {"name": "lunch", "days": ["mon"], "start": "12:00", "end": "12:30"},
        {"name": "rest", "days": ["mon"], "start": "11:00", "end": "13:00", "duration": 60},
    ]
    assert found(d, [session("therapy", "mon", "11:00", "home")]) == []


def test_travel_blocks_a_flexible_routine() -> None:
    # Rest needs 45 min in 11:00-12:00, between therapy (until 11:00) and speech at home (from 12:00).
    # After therapy at home the hour is free; after therapy at the clinic the 20-min journey home
    # lies somewhere in that hour and leaves 40 min.
    d = scenario_dict()
    _rest(d, "11:00", "12:00", 45)
    _speech(d, venues=["home"])
    speech = session("speech", "mon", "12:00", "home", practitioners=("bo",))
    assert found(d, [session("therapy", "mon", "10:00", "home"), speech]) == []
    assert found(d, [session("therapy", "mon", "10:00"), speech]) == [
        "4 flexible-routine jo rest, Mon: Jo has no 45 free minutes in one piece for rest "
        "between 11:00 and 12:00: sessions and travel fill it"
    ]


def test_a_journey_may_come_after_a_flexible_routine() -> None:
    # docs/rules.md: travel may lie anywhere in its gap, so after a session at the clinic ending
    # 16:00 the rest may take 16:00-17:50 and the journey home follow it.
    d = scenario_dict()
    _rest(d, "16:00", "18:00", 110)
    assert found(d, [session("therapy", "mon", "15:00")]) == []


def test_flexible_routine_squeezed_by_fixed_routines_alone_is_the_datas_fault() -> None:
    # School until 15:00, swimming at the clinic from 15:30: the 15-min journey leaves 15 of the
    # 20 minutes rest needs. Without a session that day no schedule can change it.
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {"name": "school", "days": ["mon"], "start": "09:00", "end": "15:00", "at": "school"},
        {"name": "swimming", "days": ["mon"], "start": "15:30", "end": "16:30", "at": "clinic"},
        {"name": "rest", "days": ["mon"], "start": "15:00", "end": "15:30", "duration": 20},
    ]
    assert found(d, [session("therapy", "tue", "10:00")]) == []
    assert found(d, [session("therapy", "mon", "17:00", "home")]) == [
        "4 flexible-routine jo rest, Mon: Jo has no 20 free minutes in one piece for rest "
        "between 15:00 and 15:30: sessions and travel fill it"
    ]


def _reported(
    start: str, end: str, day: str = "mon", window: tuple[str, str] = ("11:00", "12:00")
) -> list[str]:
    # Therapy at the clinic 10:00-11:00, speech at home 12:00-12:30: the 20-min journey home
    # lies somewhere in 11:00-12:00; the rest needs 30 min in its window.
    d = scenario_dict()
    _rest(d, *window, 30)
    _speech(d, venues=["home"])
    sessions = [
        session("therapy", "mon", "10:00"),
        session("speech", "mon", "12:00", "home", practitioners=("bo",)),
    ]
    placement = {"client": "jo", "name": "rest", "week": 1, "day": day, "start": start, "end": end}
    return found(d, sessions, routines=[placement])


def test_reported_flexible_routine_placement() -> None:
    assert _reported("11:20", "11:50") == []
    assert _reported("11:00", "11:30") == []
    assert _reported("11:15", "11:45") == [
        "4 flexible-routine jo rest, Mon 11:15-11:45: leaves no room for Jo's 20-min journey "
        "from Clinic to Jo's home between 11:00 and 12:00"
    ]


def test_reported_flexible_routine_placement_on_a_session() -> None:
    assert _reported("10:30", "11:00", window=("10:00", "12:00")) == [
        f"4 flexible-routine jo rest, Mon 10:30-11:00: overlaps {MON_10}"
    ]


def test_reported_flexible_routine_placement_shape() -> None:
    assert _reported("10:50", "11:30") == [
        "4 flexible-routine jo rest, Mon 10:50-11:30: lasts 40 min; rest needs 30 min",
        "4 flexible-routine jo rest, Mon 10:50-11:30: lies outside its window 11:00-12:00",
        f"4 flexible-routine jo rest, Mon 10:50-11:30: overlaps {MON_10}",
    ]
    assert _reported("11:20", "11:50", day="tue") == [
        "4 flexible-routine jo rest, Tue 11:20-11:50: Jo's rest does not apply on Tue"
    ]


# Rule 5: carers


def test_needs_a_carer() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["needs_carer"] = True
    assert found(d, [session("therapy", "mon", "10:00", carer="sam")]) == []
    assert found(d, [session("therapy", "mon", "10:00")]) == [
        f"5 carer {MON_10}: needs a carer to escort Jo and has none"
    ]


def test_carer_of_the_client() -> None:
    d = scenario_dict()
    d["carers"].append({"id": "kim", "name": "Kim"})
    assert found(d, [session("therapy", "mon", "10:00", carer="kim")]) == [
        f"5 carer {MON_10}: Kim is not one of Jo's carers (Sam)"
    ]


def test_carer_cannot_take_two_children_to_two_places_at_once() -> None:
    d = scenario_dict()
    add_client(d, "max", "Max", {"clinic": 20, "school": 10, "jo-home": 5})
    add_appointment(d, "max-therapy", client="max", needs_carer=True, practitioners=["bo"])
    appointment(d, "therapy")["needs_carer"] = True
    therapy = session("therapy", "mon", "10:00", carer="sam")
    ok = session("max-therapy", "mon", "11:30", "school", practitioners=("bo",), carer="sam")
    clash = session("max-therapy", "mon", "10:30", "school", practitioners=("bo",), carer="sam")
    assert found(d, [therapy, ok]) == []
    assert found(d, [therapy, clash]) == [
        "5 overlap max-therapy occurrence 1, Mon 10:30-11:30: Sam has two sessions at once: "
        "this one at School and therapy 10:00-11:00 at Clinic"
    ]


# Rule 6: who


def test_joint_session() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["practitioners"] = ["ana", "bo"]
    assert found(d, [session("therapy", "mon", "10:00", practitioners=("ana", "bo"))]) == []
    assert found(d, [session("therapy", "mon", "10:00")]) == [
        f"6 who {MON_10}: must be attended by Ana and Bo; Bo missing"
    ]


def test_only_the_listed_practitioners() -> None:
    d = scenario_dict()
    assert found(d, [session("therapy", "mon", "10:00", practitioners=("ana", "bo"))]) == [
        f"6 who {MON_10}: must be attended by Ana; Bo not listed"
    ]


def _role_pool(d: dict[str, Any]) -> None:
    appointment(d, "therapy").update(practitioners=[], role="therapist", frequency={"per_week": 2})


def test_role_pool_keeps_the_same_practitioner() -> None:
    d = scenario_dict()
    _role_pool(d)
    mon = session("therapy", "mon", "10:00", practitioners=("bo",))
    assert found(d, [mon, session("therapy", "wed", "10:00", practitioners=("bo",))]) == []
    assert found(d, [mon, session("therapy", "wed", "10:00")]) == [
        "6 continuity therapy: is taken by Ana and Bo; one therapist keeps all its sessions"
    ]


def test_role_pool_needs_one_practitioner_of_the_role() -> None:
    d = scenario_dict()
    _role_pool(d)
    d["practitioners"].append({"id": "cy", "name": "Cy", "role": "nurse", "venues": ["clinic"]})
    wed = session("therapy", "wed", "10:00", practitioners=("cy",))
    assert found(d, [session("therapy", "mon", "10:00", practitioners=("cy",)), wed])[:1] == [
        f"6 who {MON_10}: needs one therapist; Cy's role is nurse"
    ]
    assert found(
        d, [session("therapy", "mon", "10:00", practitioners=()), session("therapy", "wed", "10:00")]
    ) == [f"6 who {MON_10}: needs one therapist; it has nobody"]


def test_home_visits() -> None:
    d = scenario_dict()
    assert found(d, [session("therapy", "mon", "10:00", "home")]) == []
    d["practitioners"][0]["home_visits"] = False
    assert found(d, [session("therapy", "mon", "10:00", "home")]) == [
        f"6 home-visit {MON_10}: Ana does not make home visits"
    ]


def test_practitioner_venues() -> None:
    d = scenario_dict()
    d["practitioners"][0]["venues"] = ["clinic"]
    assert found(d, [session("therapy", "mon", "10:00", "clinic")]) == []
    assert found(d, [session("therapy", "mon", "10:00", "school")]) == [
        f"6 practitioner-venue {MON_10}: Ana does not work at School"
    ]


# Rule 7: rooms


def test_rooms() -> None:
    d = scenario_dict()
    add_client(d, "max", "Max", {"clinic": 20, "school": 10, "jo-home": 5})
    add_appointment(d, "max-therapy", client="max", practitioners=["bo"])
    sessions = [
        session("therapy", "mon", "10:00"),
        session("max-therapy", "mon", "10:30", practitioners=("bo",)),
    ]
    assert found(d, sessions) == [
        "7 rooms clinic, Mon 10:30-11:00: Clinic holds 2 sessions at once (therapy and max-therapy); "
        "it has room for 1"
    ]
    d["venues"][1]["rooms"] = 2
    assert found(d, sessions) == []


# Rule 8: limits


def _two_sessions(limits: dict[str, int], speech_day: str = "mon", speech_start: str = "13:00") -> list[str]:
    # Jo: therapy with Ana Mon 10:00-11:00 and speech with Bo (30 min) at the clinic.
    d = scenario_dict()
    d["clients"][0]["limits"] = limits
    _speech(d)
    return found(
        d,
        [
            session("therapy", "mon", "10:00"),
            session("speech", speech_day, speech_start, practitioners=("bo",)),
        ],
    )


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({"max_sessions_per_day": 2}, []),
        ({"max_sessions_per_day": 1}, ["8 limit jo, Mon: Jo has 2 sessions on Mon; the limit is 1 a day"]),
        ({"max_session_minutes_per_day": 90}, []),
        (
            {"max_session_minutes_per_day": 80},
            ["8 limit jo, Mon: Jo has 90 min of sessions on Mon; the limit is 80 min a day"],
        ),
        ({"max_people_per_week": 2}, []),
        ({"max_people_per_week": 1}, ["8 limit jo: Jo meets 2 people (Ana and Bo); the limit is 1 a week"]),
        ({"min_gap_minutes": 120}, []),
    ],
)
def test_client_limits(limits: dict[str, int], expected: list[str]) -> None:
    assert _two_sessions(limits) == expected


def test_min_gap() -> None:
    assert _two_sessions({"min_gap_minutes": 30}, speech_start="11:30") == []
    assert _two_sessions({"min_gap_minutes": 30}, speech_start="11:15") == [
        "8 limit speech occurrence 1, Mon 11:15-11:45: starts 15 min after therapy ends at 11:00; "
        "Jo needs at least 30 min between sessions"
    ]


def test_max_days_per_week() -> None:
    assert _two_sessions({"max_days_per_week": 1}) == []
    assert _two_sessions({"max_days_per_week": 1}, speech_day="tue") == [
        "8 limit jo: Jo has sessions on 2 days (Mon and Tue); the limit is 1 a week"
    ]


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({"max_sessions_per_day": 2, "max_session_minutes_per_day": 90}, []),
        ({"max_sessions_per_day": 1}, ["8 limit ana, Mon: Ana has 2 sessions on Mon; the limit is 1 a day"]),
        (
            {"max_session_minutes_per_day": 60},
            ["8 limit ana, Mon: Ana has 90 min of sessions on Mon; the limit is 60 min a day"],
        ),
    ],
)
def test_practitioner_limits(limits: dict[str, int], expected: list[str]) -> None:
    d = scenario_dict()
    d["practitioners"][0]["limits"] = limits
    add_appointment(d, "speech", duration=30)
    assert found(d, [session("therapy", "mon", "10:00"), session("speech", "mon", "13:00")]) == expected


def test_two_week_limits_apply_to_each_week() -> None:
    d = scenario_dict()
    d["horizon"]["weeks"] = 2
    d["clients"][0]["limits"] = {"max_days_per_week": 1}
    appointment(d, "therapy")["frequency"] = {"per_week": 2}
    sessions = [session("therapy", day, "10:00", week=week) for week in (1, 2) for day in ("mon", "wed")]
    assert found(d, sessions) == [
        "8 limit jo wk1: Jo has sessions on 2 days (Mon and Wed); the limit is 1 a week",
        "8 limit jo wk2: Jo has sessions on 2 days (Mon and Wed); the limit is 1 a week",
    ]


# Today's bookings (docs/rules.md): judged as a schedule, except the frequency of appointments without any


def test_todays_bookings_frequency() -> None:
    d = scenario_dict()
    _speech(d)
    appointment(d, "therapy").update(
        frequency={"per_week": 2}, current=[{"day": "mon", "start": "10:00", "venue": "clinic"}]
    )
    report = validate(load_scenario(d))
    # speech has no booking: not judged; therapy has one of its two.
    assert [f"{v.rule} {v.code} {v}" for v in report.current_violations] == [
        "1 frequency therapy: Jo's Therapy needs 2 sessions a week, has 1"
    ]
