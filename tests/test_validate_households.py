"""Rules 9-11 (version 2: who is with whom): each schedule keeping a rule passes; its twin
breaking it is reported, worded exactly. Today's bookings are judged by the same rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scheduler.analysis import to_markdown, whole_picture
from scheduler.errors import ScheduleError
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.validate import Report, validate
from tests.builders import (
    add_appointment,
    appointment,
    client,
    companion,
    household_dict,
    itinerary,
    schedule_dict,
    session,
)

Sessions = list[dict[str, Any]]


def report(d: dict[str, Any], sessions: Sessions, **fields: Any) -> Report:
    return validate(load_scenario(d), read_schedule(schedule_dict(d, sessions, **fields)))


def found(d: dict[str, Any], sessions: Sessions, **fields: Any) -> list[str]:
    """Every violation of the schedule, as ``"<rule> <code> <where>: <message>"``."""
    return [f"{v.rule} {v.code} {v}" for v in report(d, sessions, **fields).violations]


THERAPY = [session("therapy", "mon", "10:00", carer="sam")]
MIA_ALONG = companion("mia", "sam", "therapy", "mon", "10:00", "11:00")


def without_mia(d: dict[str, Any]) -> dict[str, Any]:
    d["clients"] = [c for c in d["clients"] if c["id"] != "mia"]
    return d


# Rule 9: escort


def test_a_client_who_never_travels_alone_travels_with_the_carer() -> None:
    assert found(without_mia(household_dict()), THERAPY) == []


def test_a_client_who_never_travels_alone_without_a_carer_is_reported_both_ways() -> None:
    d = without_mia(household_dict())
    appointment(d, "therapy")["needs_carer"] = False
    assert found(d, [session("therapy", "mon", "10:00")]) == [
        "9 escort jo, Mon 09:40-10:00: Jo would travel alone from home to Clinic (to therapy), but Jo "
        "never travels alone and none of Jo's carers (Sam) makes that journey then",
        "9 escort jo, Mon 11:00-11:20: Jo would travel alone from Clinic to home (after therapy), but Jo "
        "never travels alone and none of Jo's carers (Sam) makes that journey then",
    ]


def test_version_1_clients_may_travel_alone() -> None:
    d = without_mia(household_dict())
    del client(d, "jo")["supervision"]
    appointment(d, "therapy")["needs_carer"] = False
    assert found(d, [session("therapy", "mon", "10:00")]) == []


def _after_school(d: dict[str, Any]) -> dict[str, Any]:
    client(d, "jo")["routines"] = [
        {"name": "school", "days": ["mon"], "start": "09:00", "end": "15:00", "at": "school"}
    ]
    return d


def test_straight_from_school_to_the_clinic_the_child_travels_alone() -> None:
    d = _after_school(without_mia(household_dict()))
    assert found(d, [session("therapy", "mon", "15:30", carer="sam")]) == [
        "9 escort jo, Mon 15:15-15:30: Jo would travel alone from school at School to Clinic (to therapy), "
        "but Jo never travels alone and none of Jo's carers (Sam) makes that journey then"
    ]


# Rule 11: going home between stops


def test_home_from_school_then_out_with_the_carer() -> None:
    d = _after_school(without_mia(household_dict()))
    home_first = itinerary(
        "jo", "mon", ("school", "jo-home", "15:00", "15:10"), ("jo-home", "clinic", "15:40", "16:00")
    )
    r = report(d, [session("therapy", "mon", "16:00", carer="sam")], itineraries=[home_first])
    assert [str(v) for v in r.violations] == []
    assert r.evaluation is not None
    # Travel to and from the session: home -> clinic 20 and back 20, with Sam (school -> home
    # leads to no session: the family's own run). The time at home is no waiting.
    assert r.evaluation.kpis["jo"]["waiting_minutes"] == 0
    assert r.evaluation.kpis["jo"]["family_travel_minutes"] == 40


def test_going_home_between_stops_must_fit() -> None:
    d = _after_school(without_mia(household_dict()))
    too_short = itinerary(
        "jo", "mon", ("school", "jo-home", "15:00", "15:10"), ("jo-home", "clinic", "15:10", "15:30")
    )
    assert found(d, [session("therapy", "mon", "15:25", carer="sam")], itineraries=[too_short]) == [
        "11 home-between therapy occurrence 1, Mon 15:25-16:25: Jo goes home between school (ends 15:00) "
        "and therapy (starts 15:25), but the journeys home (10 min) and back (20 min) take longer than "
        "the 25 min between them"
    ]


def test_a_carer_home_between_two_sessions_ends_the_outing() -> None:
    d = household_dict()
    add_appointment(d, "speech", duration=30, needs_carer=True)
    sessions = [*THERAPY, session("speech", "mon", "15:00", carer="sam")]
    waits = found(d, sessions)
    assert waits == [
        "10 alone mia, Mon 09:40-15:50: Mia is alone at home Mon 09:40-15:50: Sam is taking Jo to Clinic, "
        "and Mia has no other carer"
    ]
    home = [
        itinerary(
            person, "mon", ("clinic", "jo-home", "11:00", "11:20"), ("jo-home", "clinic", "14:40", "15:00")
        )
        for person in ("sam", "jo")
    ]
    assert found(d, sessions, itineraries=home) == [
        "10 alone mia, Mon 09:40-11:20: Mia is alone at home Mon 09:40-11:20: Sam is taking Jo to Clinic, "
        "and Mia has no other carer",
        "10 alone mia, Mon 14:40-15:50: Mia is alone at home Mon 14:40-15:50: Sam is taking Jo to Clinic, "
        "and Mia has no other carer",
    ]


# Rule 10: never left alone by the plan


def test_the_baby_left_at_home_while_her_carer_takes_her_brother_out() -> None:
    assert found(household_dict(), THERAPY) == [
        "10 alone mia, Mon 09:40-11:20: Mia is alone at home Mon 09:40-11:20: Sam is taking Jo to Clinic, "
        "and Mia has no other carer"
    ]


def handed_over(second_carer: str, sam_home: tuple[str, str]) -> list[str]:
    """Jo (never left alone; carers Sam and Pat, both at home) at the clinic with Sam
    10:00-11:00 and with ``second_carer`` 12:30-13:30, waiting there between; Sam drives home
    at ``sam_home`` (departure, arrival)."""
    d = without_mia(household_dict())
    d["carers"].append({"id": "pat", "name": "Pat", "home": "jo-home"})
    client(d, "jo")["supervision"] = "always"
    client(d, "jo")["carers"] = ["sam", "pat"]
    add_appointment(d, "speech", needs_carer=True)
    sessions = [*THERAPY, session("speech", "mon", "12:30", carer=second_carer)]
    out, back = ("jo-home", "clinic", "09:40", "10:00"), ("clinic", "jo-home", "13:30", "13:50")
    its = [itinerary("sam", "mon", out, ("clinic", "jo-home", *sam_home)), itinerary("jo", "mon", out, back)]
    if second_carer == "pat":
        its.append(itinerary("pat", "mon", ("jo-home", "clinic", "12:10", "12:30"), back))
    return found(d, sessions, itineraries=its)


def test_a_child_waiting_at_the_clinic_with_the_carer_who_stays_is_not_alone() -> None:
    assert handed_over("sam", ("13:30", "13:50")) == []


def test_a_child_left_at_the_clinic_for_another_carer_to_collect_is_alone() -> None:
    # Sam drives home at 11:00, Pat drives out for 12:30: nobody is with Jo 11:00-12:30, and
    # neither carer's journey is Jo's (Jo comes home at 13:30 and left home at 09:40).
    assert handed_over("pat", ("11:00", "11:20")) == [
        "10 alone jo, Mon 09:40-11:20: Jo is alone away from home Mon 09:40-11:20: Sam is taking Jo "
        "to Clinic and Pat is at home but Jo is not",
        "10 alone jo, Mon 12:10-13:50: Jo is alone away from home Mon 12:10-13:50: Pat is taking Jo "
        "to Clinic and Sam is at home but Jo is not",
    ]


def test_the_baby_comes_along() -> None:
    r = report(household_dict(), THERAPY, accompanying=[MIA_ALONG])
    assert [str(v) for v in r.violations] == []
    assert r.evaluation is not None
    assert r.evaluation.kpis["mia"]["accompanying_minutes"] == 100  # 09:40-11:20, travel included
    assert r.evaluation.raw["accompanying_minutes"] == 100
    assert r.evaluation.components["accompanying_minutes"] == 50  # default weight 0.5
    assert r.evaluation.kpis["mia"]["trips"] == 0


def test_the_baby_at_nursery_is_looked_after() -> None:
    d = household_dict()
    nursery = {"name": "nursery", "days": ["mon"], "start": "09:00", "end": "12:00", "at": "school"}
    client(d, "mia")["routines"] = [{**nursery, "supervised": True}]
    assert found(d, THERAPY) == []
    client(d, "mia")["routines"] = [nursery]
    assert found(d, THERAPY) == [
        "10 alone mia, Mon 09:40-11:20: Mia is alone at School (nursery) Mon 09:40-11:20: Sam is taking Jo "
        "to Clinic, and Mia has no other carer"
    ]


def test_the_baby_at_home_with_another_carer() -> None:
    d = household_dict()
    d["carers"].append(
        {"id": "pat", "name": "Pat", "home": "jo-home", "available": {"mon": [["08:00", "18:00"]]}}
    )
    client(d, "mia")["carers"] = ["sam", "pat"]
    assert found(d, THERAPY) == []
    d["carers"][-1]["available"] = {"mon": [["08:00", "10:00"]]}
    assert found(d, THERAPY) == [
        "10 alone mia, Mon 10:00-11:20: Mia is alone at home Mon 10:00-11:20: Sam is taking Jo to Clinic "
        "and Pat is not available"
    ]


def test_the_baby_cannot_come_along_during_her_nap_at_home() -> None:
    d = household_dict()
    client(d, "mia")["routines"] = [{"name": "nap", "days": ["mon"], "start": "10:30", "end": "11:30"}]
    assert (
        "10 companion mia with therapy occurrence 1, Mon 10:00-11:00: Mia's nap 10:30-11:30 is at home: "
        "Mia cannot come along to Clinic then"
    ) in found(d, THERAPY, accompanying=[MIA_ALONG])


def test_a_companion_comes_along_with_the_carer_who_takes_the_session() -> None:
    d = household_dict()
    d["carers"].append({"id": "pat", "name": "Pat", "home": "jo-home", "available": {}})
    client(d, "mia")["carers"] = ["sam", "pat"]
    along_with_pat = companion("mia", "pat", "therapy", "mon", "10:00", "11:00")
    assert found(d, THERAPY, accompanying=[along_with_pat])[0] == (
        "10 companion mia with therapy occurrence 1, Mon 10:00-11:00: Mia comes along with Pat, but Pat "
        "does not take Jo to it (Sam does)"
    )


# Rule 4 in version 2: a flexible routine at a place


def test_a_feed_at_home_needs_its_minutes_at_home() -> None:
    d = household_dict()
    feed = {"name": "feed", "days": ["mon"], "start": "10:00", "end": "11:30", "duration": 30}
    client(d, "mia")["routines"] = [feed]
    assert found(d, THERAPY, accompanying=[MIA_ALONG]) == []  # fed in the waiting room
    client(d, "mia")["routines"] = [{**feed, "at": "home"}]
    assert found(d, THERAPY, accompanying=[MIA_ALONG]) == [
        "4 flexible-routine mia feed, Mon: Mia has no 30 free minutes in one piece at Jo's home for feed "
        "between 10:00 and 11:30: sessions and travel fill it"
    ]
    client(d, "mia")["routines"] = [{**feed, "at": "home", "end": "12:00"}]
    assert found(d, THERAPY, accompanying=[MIA_ALONG]) == []  # home at 11:20


# Today's bookings


def test_todays_bookings_show_who_must_come_along() -> None:
    d = household_dict()
    appointment(d, "therapy")["current"] = [{"day": "mon", "start": "10:00", "venue": "clinic"}]
    r = validate(load_scenario(d))
    assert r.current_violations == ()
    assert r.current_companions == (
        "Mia comes along with Sam to therapy occurrence 1, Mon 10:00-11:00 at Clinic",
    )
    assert r.before is not None
    assert r.before.kpis["mia"]["accompanying_minutes"] == 100
    client(d, "mia")["routines"] = [{"name": "nap", "days": ["mon"], "start": "10:30", "end": "11:30"}]
    assert (
        "mia with therapy occurrence 1, Mon 10:00-11:00: Mia's nap 10:30-11:30 is at home: "
        "Mia cannot come along to Clinic then"
    ) in [str(v) for v in validate(load_scenario(d)).current_violations]


# The schedule's accompanying list


def test_an_accompanying_entry_must_name_a_session_of_the_schedule() -> None:
    d = household_dict()
    wrong = companion("mia", "sam", "therapy", "tue", "10:00", "11:00")
    with pytest.raises(ScheduleError) as caught:
        report(
            d, THERAPY, accompanying=[wrong, {**MIA_ALONG, "client": "mai"}, {**MIA_ALONG, "end": "11:05"}]
        )
    message = str(caught.value)
    assert message.splitlines()[1:] == [
        "  accompanying[0]: the schedule has no session therapy occurrence 1 in week 1 on tue",
        '  accompanying[1].client: no client "mai"; did you mean "mia"?',
        "  accompanying[2].end: the session ends at 11:00, not 11:05",
    ]


# The version-2 example (tests/data/households): a hand-made pattern that keeps every rule,
# and today's bookings that break the new ones.

EXAMPLE = Path(__file__).resolve().parent / "data" / "households"


def test_the_example_pattern_keeps_every_rule_and_todays_bookings_do_not() -> None:
    scenario = load_scenario(EXAMPLE / "scenario.json")
    r = validate(scenario, read_schedule(EXAMPLE / "schedule.json"))
    assert r.violations == ()
    assert r.objective_mismatches == ()
    assert [f"{v.rule} {v.code} {v.subject}" for v in r.current_violations] == [
        "9 escort alfie",
        "10 companion poppy",
    ]
    assert r.current_companions == (
        "Poppy comes along with Mum to alfie-physio occurrence 1, Wed 15:30-16:15 "
        "at Nene Child Development Centre",
    )
    assert r.companions == (
        "Poppy comes along with Mum to alfie-ot occurrence 1, Wed 16:15-17:00 "
        "at Nene Child Development Centre",
    )
    assert r.evaluation is not None
    assert r.evaluation.kpis["poppy"]["accompanying_minutes"] == 57  # Wed 16:09-17:06 with Mum and Alfie


def test_the_example_report_shows_companions_and_todays_faults() -> None:
    scenario = load_scenario(EXAMPLE / "scenario.json")
    text = to_markdown(whole_picture(scenario, read_schedule(EXAMPLE / "schedule.json")))
    assert "| time away as a companion at someone else's appointment (minutes) | 57 | 57 | same |" in text
    assert "| Mum's time away from home (minutes) | 114 | 114 | same |" in text
    assert "## Who comes along in the new pattern" in text
    assert "| Poppy comes along with Mum to alfie-ot occurrence 1, Wed 16:15-17:00" in text
    assert "| practitioners' travel (minutes) | 8 | 8 | same |" in text
    assert (
        "| travels alone | 9 (escort: never travels alone) | alfie, Wed 15:26-15:30 | Alfie would travel "
        "alone from school at Castlefields" in text
    )
    assert (
        "| comes along | 10 (never left alone) | poppy, Wed 15:30-16:15 | Poppy comes along with Mum to "
        "alfie-physio occurrence 1, Wed 15:30-16:15 at Nene Child Development Centre: nobody else looks "
        "after Poppy then |"
    ) in text


def test_the_example_report_says_why_the_pattern_costs_more_than_todays_bookings() -> None:
    scenario = load_scenario(EXAMPLE / "scenario.json")
    costs = whole_picture(scenario, read_schedule(EXAMPLE / "schedule.json")).costs
    assert costs is not None
    assert [row.kpi for row in costs.figures] == ["family_travel_minutes", "family_travel_cost", "disruption"]
    assert costs.reasons[1:3] == (
        "Rule 9 (escort: never travels alone), once: alfie, Wed 15:26-15:30: Alfie would travel alone from "
        "school at Castlefields Primary School to Nene Child Development Centre (to alfie-physio), but Alfie "
        "never travels alone and none of Alfie's carers (Mum and Dad) makes that journey then",
        "Rule 10 (never left alone), once: poppy with alfie-physio occurrence 1, Wed 15:30-16:15: Poppy's "
        "afternoon nap 14:30-16:00 is at home: Poppy cannot come along to Nene Child Development Centre then",
    )
    assert costs.reasons[-1] == (
        "By the weights alone today's bookings look better (168.9 against the new pattern's 195.66, lower is "
        "better), but they break the rules above, which the new pattern keeps."
    )


def test_with_another_carer_on_that_carers_outing_is_not_alone() -> None:
    d = household_dict()
    d["carers"].append({"id": "pat", "name": "Pat", "home": "jo-home"})
    client(d, "mia")["carers"] = ["sam", "pat"]
    add_appointment(
        d, "mia-check", client="mia", duration=60, needs_carer=True, venues=["school"], practitioners=["bo"]
    )
    sessions = [*THERAPY, session("mia-check", "mon", "10:00", "school", practitioners=("bo",), carer="pat")]
    assert found(d, sessions) == []  # Mia is with Pat at school while Sam takes Jo to the clinic
    client(d, "mia")["carers"] = ["sam"]  # Pat is no carer of Mia's: Mia is alone though with Pat
    assert [v for v in found(d, sessions) if v.startswith("10 ")] == [
        "10 alone mia, Mon 09:40-11:20: Mia is alone away from home Mon 09:40-11:20: Sam is taking Jo to "
        "Clinic, and Mia has no other carer"
    ]


def test_a_placed_feed_at_home_must_be_at_home() -> None:
    d = household_dict()
    client(d, "mia")["routines"] = [
        {"name": "feed", "days": ["mon"], "start": "09:00", "end": "12:00", "duration": 30, "at": "home"}
    ]
    along = {"accompanying": [MIA_ALONG]}

    def placed(start: str, end: str) -> dict[str, Any]:
        return {"client": "mia", "name": "feed", "week": 1, "day": "mon", "start": start, "end": end}

    assert found(d, THERAPY, routines=[placed("09:00", "09:30")], **along) == []
    assert found(d, THERAPY, routines=[placed("10:15", "10:45")], **along) == [
        "4 flexible-routine mia feed, Mon 10:15-10:45: Mia is not at Jo's home for all of it"
    ]


# Carers' time away from home


def test_a_carers_time_away_is_their_outings() -> None:
    d = household_dict()
    add_appointment(d, "speech", duration=30, needs_carer=True)
    sessions = [*THERAPY, session("speech", "mon", "15:00", carer="sam")]
    away = report(d, sessions).evaluation
    assert away is not None
    assert away.carers == {"sam": {"sessions": 2, "outings": 1, "away_minutes": 370}}  # 09:40-15:50
    home = [
        itinerary(
            person, "mon", ("clinic", "jo-home", "11:00", "11:20"), ("jo-home", "clinic", "14:40", "15:00")
        )
        for person in ("sam", "jo")
    ]
    twice = report(d, sessions, itineraries=home).evaluation
    assert twice is not None
    assert twice.carers["sam"] == {"sessions": 2, "outings": 2, "away_minutes": 170}  # 100 + 70
    at_home = report(d, [session("therapy", "mon", "10:00", "jo-home", carer="sam")]).evaluation
    assert at_home is not None
    assert at_home.carers["sam"] == {"sessions": 1, "outings": 0, "away_minutes": 0}
