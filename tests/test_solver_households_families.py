"""The households' rule families (version 2) on their own, as :mod:`tests.test_solver_families`
tests the others: hand-made options, values fixed, feasible and infeasible twins. Each
infeasible twin also checks that, without its rule's family, the same fixed values hold, so
it is that family (not another) that refuses them.

Rule 9 (:mod:`scheduler.solver.constraints.escort`) is seen through the clients' and carers'
days it matches; rule 10 (:mod:`scheduler.solver.constraints.alone`) through those and rule
9, which takes a companion along. Rule 11 (going home between stops) is a way of travelling
an arc (:class:`scheduler.solver.circuits.Route`), twinned on the days alone; what it does to
the objective, and the accompanying minutes, are checked end to end through
:func:`tests.solver_support.solve_checked`, which asserts that the validator agrees.

The household is :func:`tests.builders.household_dict`: Jo (``escort``) and baby Mia
(``always``) at ``jo-home``, carer Sam living there too; jo-home to clinic 20 minutes, to
school 10, clinic to school 15. Day 0 is Monday of week 1.
"""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.solver.constraints import Family
from scheduler.solver.constraints.alone import add_never_alone
from scheduler.solver.constraints.carers import add_carer_days
from scheduler.solver.constraints.escort import add_escorts
from scheduler.solver.constraints.places import add_client_days
from scheduler.validate import validate
from tests.builders import (
    add_appointment,
    add_journey,
    appointment,
    client,
    companion,
    household_dict,
    schedule_dict,
    session,
)
from tests.solver_support import Solved, solve_checked
from tests.test_solver_families import FamilyModel, Offer, family

DAYS: tuple[Family, ...] = (add_client_days, add_carer_days)
"""The clients' and carers' days (rules 3 and 5), which the households' rules read."""
ESCORT: tuple[Family, ...] = (*DAYS, add_escorts)
ALONE: tuple[Family, ...] = (*ESCORT, add_never_alone)

AT_THE_CLINIC: list[Offer] = [("therapy", 0, "clinic", ("ana",), "sam")]
AT_HOME: list[Offer] = [("therapy", 0, "jo-home", ("ana",), "sam")]


def jo_only() -> dict[str, Any]:
    """The household without Mia: Jo never travels alone, Sam takes Jo to therapy."""
    d = household_dict()
    d["clients"] = [c for c in d["clients"] if c["id"] != "mia"]
    return d


def at_school(d: dict[str, Any]) -> dict[str, Any]:
    """Jo at school on Mondays, 09:00-15:00 (school to home 10 minutes, to the clinic 15)."""
    client(d, "jo")["routines"] = [
        {"name": "school", "days": ["mon"], "start": "09:00", "end": "15:00", "at": "school"}
    ]
    return d


def therapy(d: dict[str, Any], offers: list[Offer], at: str, *families: Family) -> FamilyModel:
    """The model of ``families`` with Jo's therapy chosen at ``at`` (its one offer)."""
    m = family(d, offers, *families)
    m.choose(m.option("therapy"), at)
    return m


# ------------------------------------------------------------------------------- rule 9: escort


def school_clinic_the_long_way() -> dict[str, Any]:
    """Jo's therapy at school, then a check-up at the clinic, on Monday; the measured journey
    school -> clinic takes 60 minutes, but home is 10 minutes from school and 20 from the
    clinic (measured journeys need not keep the triangle inequality)."""
    d = jo_only()
    d["travel"]["matrix"] = [j for j in d["travel"]["matrix"] if {j["from"], j["to"]} != {"school", "clinic"}]
    add_journey(d, "school", "clinic", 60, 1.00)
    appointment(d, "therapy")["venues"] = ["school"]
    add_appointment(d, "check-up", venues=["clinic"])
    return d


TWO_STOPS: list[Offer] = [
    ("therapy", 0, "school", ("ana",), "sam"),
    ("check-up", 0, "clinic", ("ana",), "sam"),
]


def test_going_home_between_stops_when_it_is_faster_than_the_direct_journey_holds_at_fixed_starts() -> None:
    # 10:00 + 10 + 20 = 10:30 by home; 11:00 straight there. Starts pinned as a pattern is
    # read back: the arc between the stops must allow for the way by home.
    pinned = {"therapy": "09:00", "check-up": "10:35"}
    m = family(school_clinic_the_long_way(), TWO_STOPS, *ESCORT, pinned=pinned)
    m.choose(m.option("therapy"), "09:00")
    m.choose(m.option("check-up"), "10:35")
    assert m.feasible()


def test_going_home_between_stops_too_late_even_the_faster_way_cannot_hold_at_fixed_starts() -> None:
    pinned = {"therapy": "09:00", "check-up": "10:25"}
    m = family(school_clinic_the_long_way(), TWO_STOPS, *ESCORT, pinned=pinned)
    m.choose(m.option("therapy"), "09:00")
    m.choose(m.option("check-up"), "10:25")
    assert not m.feasible()


def test_a_client_who_never_travels_alone_goes_to_the_clinic_with_the_carer_from_home() -> None:
    assert therapy(jo_only(), AT_THE_CLINIC, "10:00", *ESCORT).feasible()


def test_a_session_straight_after_school_cannot_hold_for_a_client_who_never_travels_alone() -> None:
    # 15:20: time for school -> clinic (15 minutes) but not for home first (10 + 20).
    assert not therapy(at_school(jo_only()), AT_THE_CLINIC, "15:20", *ESCORT).feasible()
    assert therapy(at_school(jo_only()), AT_THE_CLINIC, "15:20", *DAYS).feasible()


def test_going_home_after_school_first_then_out_with_the_carer_holds() -> None:
    assert therapy(at_school(jo_only()), AT_THE_CLINIC, "15:30", *ESCORT).feasible()


def test_after_school_going_home_first_is_the_only_way_to_the_clinic() -> None:
    m = therapy(at_school(jo_only()), AT_THE_CLINIC, "15:30", *ESCORT)
    m.goes_home("client", "jo", between=False)
    assert not m.feasible()
    m = therapy(at_school(jo_only()), AT_THE_CLINIC, "15:30", *DAYS)
    m.goes_home("client", "jo", between=False)
    assert m.feasible()


def sam_lives_elsewhere() -> dict[str, Any]:
    """Sam lives at ``sam-home``: 25 minutes from the clinic, 15 from Jo's home."""
    d = jo_only()
    d["venues"].append({"id": "sam-home", "name": "Sam's home", "kind": "home"})
    d["carers"][0]["home"] = "sam-home"
    add_journey(d, "sam-home", "clinic", 25, 2.00)
    add_journey(d, "sam-home", "jo-home", 15, 1.00)
    return d


def test_a_carer_who_lives_elsewhere_cannot_take_the_client_from_home() -> None:
    assert not therapy(sam_lives_elsewhere(), AT_THE_CLINIC, "10:00", *ESCORT).feasible()
    assert therapy(sam_lives_elsewhere(), AT_THE_CLINIC, "10:00", *DAYS).feasible()


def test_a_carer_who_lives_elsewhere_can_join_a_home_visit() -> None:
    assert therapy(sam_lives_elsewhere(), AT_HOME, "10:00", *ESCORT).feasible()


def test_a_home_visit_right_after_school_needs_no_escort_the_school_run_is_the_familys() -> None:
    assert therapy(at_school(jo_only()), AT_HOME, "15:10", *ESCORT).feasible()


# ----------------------------------------------------------------------- rule 10: never left alone


def test_the_carer_out_with_the_baby_coming_along_holds() -> None:
    m = therapy(household_dict(), AT_THE_CLINIC, "10:00", *ALONE)
    m.comes_along("mia", "sam", "therapy", "clinic")
    assert m.feasible()


def left_behind(d: dict[str, Any], *families: Family) -> FamilyModel:
    """Sam takes Jo to the clinic at 10:00 (out 09:40-11:20); Mia does not come along."""
    m = therapy(d, AT_THE_CLINIC, "10:00", *families)
    m.comes_along("mia", "sam", "therapy", "clinic", comes=False)
    return m


def test_the_carer_out_without_the_baby_and_nobody_at_home_cannot_hold() -> None:
    assert not left_behind(household_dict(), *ALONE).feasible()
    assert left_behind(household_dict(), *ESCORT).feasible()


def with_dad(available: dict[str, list[list[str]]] | None = None) -> dict[str, Any]:
    """The household with Dad, Mia's other carer, living at Jo's home too."""
    d = household_dict()
    dad: dict[str, Any] = {"id": "dad", "name": "Dad"}
    if available is not None:
        dad["available"] = available
    d["carers"].append(dad)
    client(d, "mia")["carers"] = ["sam", "dad"]
    return d


def test_another_carer_at_home_keeps_the_baby_company() -> None:
    assert left_behind(with_dad(), *ALONE).feasible()


def test_another_carer_at_home_but_not_available_then_cannot_hold() -> None:
    afternoons = {"mon": [["14:00", "18:00"]]}
    assert not left_behind(with_dad(afternoons), *ALONE).feasible()
    assert left_behind(with_dad(afternoons), *ESCORT).feasible()


def test_another_carer_available_for_only_part_of_the_outing_cannot_hold() -> None:
    until_ten = {"mon": [["08:00", "10:00"]]}  # Sam is out 09:40-11:20
    assert not left_behind(with_dad(until_ten), *ALONE).feasible()
    assert left_behind(with_dad(until_ten), *ESCORT).feasible()


def with_mias_day(routine: dict[str, Any]) -> dict[str, Any]:
    d = household_dict()
    client(d, "mia")["routines"] = [{"days": ["mon"], **routine}]
    return d


NURSERY = {"name": "nursery", "start": "08:00", "end": "17:00", "at": "school", "supervised": True}
NAP = {"name": "nap", "start": "09:00", "end": "12:00"}


def test_the_baby_in_a_supervised_nursery_during_the_outing_holds() -> None:
    assert left_behind(with_mias_day(NURSERY), *ALONE).feasible()


def test_a_nursery_that_closes_during_the_outing_cannot_hold() -> None:
    closes_early = {**NURSERY, "end": "10:30"}
    assert not therapy(with_mias_day(closes_early), AT_THE_CLINIC, "10:00", *ALONE).feasible()
    assert therapy(with_mias_day(closes_early), AT_THE_CLINIC, "10:00", *ESCORT).feasible()


def test_the_babys_nap_at_home_during_the_outing_with_nobody_at_home_cannot_hold() -> None:
    # The nap holds Mia at home (she cannot come along) and it is not supervised.
    assert not therapy(with_mias_day(NAP), AT_THE_CLINIC, "10:00", *ALONE).feasible()
    assert therapy(with_mias_day(NAP), AT_THE_CLINIC, "10:00", *ESCORT).feasible()


def test_the_babys_nap_at_home_cannot_take_her_along() -> None:
    m = therapy(with_mias_day(NAP), AT_THE_CLINIC, "10:00", *DAYS)
    m.comes_along("mia", "sam", "therapy", "clinic")
    assert not m.feasible()


def grandma_then_dad() -> dict[str, Any]:
    """Grandma minds Mia at home until 10:30 (a supervised routine), Dad is free from 10:30."""
    d = with_dad({"mon": [["10:30", "18:00"]]})
    client(d, "mia")["routines"] = [
        {"name": "grandma", "days": ["mon"], "start": "08:00", "end": "10:30", "supervised": True}
    ]
    return d


def test_the_validator_accepts_grandma_then_dad_minding_the_baby_while_the_carer_is_out() -> None:
    d = grandma_then_dad()
    schedule = schedule_dict(d, [session("therapy", "mon", "10:00", carer="sam")])
    assert validate(load_scenario(d), read_schedule(schedule)).violations == ()


@pytest.mark.xfail(
    strict=True,
    reason="rule 10 judges each stretch a carer is away on its own: the stop 10:00-11:00 is half "
    "in grandma's care and half with Dad, so the model refuses what the validator accepts",
)
def test_grandma_then_dad_minding_the_baby_while_the_carer_is_out_holds() -> None:
    assert left_behind(grandma_then_dad(), *ALONE).feasible()


def both_out() -> tuple[dict[str, Any], list[Offer]]:
    """Dad (Mia's other carer) takes Kim (of the same home) to school while Sam takes Jo to the
    clinic, both at 10:00 (Sam out 09:40-11:20, Dad 09:50-11:10)."""
    d = with_dad()
    d["clients"].append({"id": "kim", "name": "Kim", "home": "jo-home", "carers": ["dad"]})
    add_appointment(d, "kim-therapy", client="kim", practitioners=["bo"], needs_carer=True, venues=["school"])
    return d, [*AT_THE_CLINIC, ("kim-therapy", 0, "school", ("bo",), "dad")]


BOTH_OUT = [
    session("therapy", "mon", "10:00", carer="sam"),
    session("kim-therapy", "mon", "10:00", "school", practitioners=("bo",), carer="dad"),
]


def test_the_validator_accepts_the_baby_along_with_one_carer_while_the_other_is_out_too() -> None:
    d, _ = both_out()
    along = companion("mia", "sam", "therapy", "mon", "10:00", "11:00")
    schedule = schedule_dict(d, BOTH_OUT, accompanying=[along])
    assert validate(load_scenario(d), read_schedule(schedule)).violations == ()


@pytest.mark.xfail(
    strict=True,
    reason="rule 10 covers a carer's outing only with that carer (alone._with_carer): Mia out with "
    "Sam for the whole of Dad's outing is refused, though docs/rules.md (a) counts another carer",
)
def test_the_baby_along_with_one_carer_while_the_other_is_out_too_holds() -> None:
    d, offers = both_out()
    m = therapy(d, offers, "10:00", *ALONE)
    m.choose(m.option("kim-therapy"), "10:00")
    m.comes_along("mia", "sam", "therapy", "clinic")
    assert m.feasible()


def test_the_baby_along_with_neither_carer_while_both_are_out_cannot_hold() -> None:
    d, offers = both_out()
    for families, holds in ((ALONE, False), (ESCORT, True)):
        m = therapy(d, offers, "10:00", *families)
        m.choose(m.option("kim-therapy"), "10:00")
        m.comes_along("mia", "sam", "therapy", "clinic", comes=False)
        m.comes_along("mia", "dad", "kim-therapy", "school", comes=False)
        assert m.feasible() is holds


def test_a_home_visit_is_no_outing_the_baby_stays_with_the_carer() -> None:
    assert therapy(household_dict(), AT_HOME, "10:00", *ALONE).feasible()


# ---------------------------------------------------------------- rule 11: going home between stops


def two_sessions(d: dict[str, Any]) -> tuple[dict[str, Any], list[Offer]]:
    """Jo's therapy at the clinic and speech at school, both with Sam (clinic to school 15
    minutes; clinic to home 20, home to school 10: home and back takes 30)."""
    add_appointment(d, "speech", practitioners=["bo"], needs_carer=True)
    return d, [*AT_THE_CLINIC, ("speech", 0, "school", ("bo",), "sam")]


def home_between(speech_at: str, *families: Family) -> FamilyModel:
    """Therapy 10:00-11:00, speech at ``speech_at``; Jo goes home between them."""
    d, offers = two_sessions(jo_only())
    m = therapy(d, offers, "10:00", *families)
    m.choose(m.option("speech"), speech_at)
    m.goes_home("client", "jo")
    return m


def test_going_home_between_two_sessions_holds_when_both_journeys_fit_the_gap() -> None:
    assert home_between("11:30", *ESCORT).feasible()


def test_going_home_between_two_sessions_cannot_hold_when_the_gap_is_short() -> None:
    assert not home_between("11:25", *ESCORT).feasible()
    assert not home_between("11:25", *DAYS).feasible()


def test_a_short_gap_leaves_the_straight_route() -> None:
    d, offers = two_sessions(jo_only())
    m = therapy(d, offers, "10:00", *ESCORT)
    m.choose(m.option("speech"), "11:25")
    assert m.feasible()


def test_the_carer_goes_home_with_the_client_who_never_travels_alone() -> None:
    m = home_between("11:30", *ESCORT)
    m.goes_home("carer", "sam", between=False)
    assert not m.feasible()
    m = home_between("11:30", *DAYS)
    m.goes_home("carer", "sam", between=False)
    assert m.feasible()


# ------------------------------------------------------------------------------------- end to end


def pinned(d: dict[str, Any], appointment_id: str, at: str, venue: str) -> None:
    appointment(d, appointment_id)["pinned"] = [{"day": "mon", "start": at, "venue": venue}]


def therapy_then_speech(d: dict[str, Any], speech_at: str) -> dict[str, Any]:
    """Therapy pinned at the clinic Mon 10:00-11:00, speech at school from ``speech_at``."""
    d, _ = two_sessions(d)
    pinned(d, "therapy", "10:00", "clinic")
    pinned(d, "speech", speech_at, "school")
    return d


def legs(solved: Solved, person: str) -> list[tuple[str, str, str, str]]:
    """``person``'s legs on Monday of week 1 as (from, to, depart, arrive)."""
    (it,) = (i for i in solved.doc.itineraries if i.person == person and i.day == "mon" and i.week == 1)
    return [(leg.from_, leg.to, leg.depart, leg.arrive) for leg in it.legs]


def test_going_home_in_a_long_gap_is_chosen_when_it_saves_waiting() -> None:
    # Straight: 15 minutes' travel and 2h45 waiting; home and back: 30 minutes, no waiting.
    solved = solve_checked(therapy_then_speech(jo_only(), "14:00"), time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    out_and_back = [
        ("jo-home", "clinic", "09:40", "10:00"),
        ("clinic", "jo-home", "11:00", "11:20"),
        ("jo-home", "school", "13:50", "14:00"),
        ("school", "jo-home", "15:00", "15:10"),
    ]
    assert legs(solved, "jo") == out_and_back
    assert legs(solved, "sam") == out_and_back
    assert solved.doc.kpis["jo"].waiting_minutes == 0


def test_a_gap_too_short_to_go_home_keeps_the_straight_route() -> None:
    solved = solve_checked(therapy_then_speech(jo_only(), "11:25"), time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    assert [(origin, destination) for origin, destination, _, _ in legs(solved, "jo")] == [
        ("jo-home", "clinic"),
        ("clinic", "school"),
        ("school", "jo-home"),
    ]
    assert solved.doc.kpis["jo"].waiting_minutes == 10


def test_a_carer_who_lives_elsewhere_cannot_take_the_client_and_rule_9_says_why() -> None:
    d = sam_lives_elsewhere()
    appointment(d, "therapy")["venues"] = ["clinic"]
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "infeasible"
    assert "Jo never travels alone" in solved.explanation


def test_a_session_pinned_straight_after_school_is_refused_by_rule_9() -> None:
    d = at_school(jo_only())
    appointment(d, "therapy")["venues"] = ["clinic"]
    pinned(d, "therapy", "15:20", "clinic")
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "infeasible"
    assert "Jo never travels alone" in solved.explanation


def test_after_school_the_client_goes_home_first_then_out_with_the_carer() -> None:
    d = at_school(jo_only())
    appointment(d, "therapy").update(venues=["clinic"], window={"days": ["mon"], "earliest": "15:00"})
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    assert solved.only("therapy").start == "15:30"
    assert legs(solved, "jo")[1:] == [
        ("school", "jo-home", "15:00", "15:10"),
        ("jo-home", "clinic", "15:10", "15:30"),
        ("clinic", "jo-home", "16:30", "16:50"),
    ]


def test_a_session_inside_school_needs_no_journey_the_carer_comes_to_it() -> None:
    d = at_school(jo_only())
    client(d, "jo")["routines"][0]["allows_sessions"] = True
    appointment(d, "therapy")["venues"] = ["school"]
    pinned(d, "therapy", "11:00", "school")
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    assert legs(solved, "sam") == [
        ("jo-home", "school", "10:50", "11:00"),
        ("school", "jo-home", "12:00", "12:10"),
    ]


def test_the_accompanying_minutes_of_one_outing_count_its_travel_and_waiting() -> None:
    # Mia comes along 09:40-12:35: travel 20 + 15 + 10, waiting 10, the two sessions 120.
    solved = solve_checked(therapy_then_speech(household_dict(), "11:25"), time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    assert {(a.client, a.appointment) for a in solved.doc.accompanying} == {
        ("mia", "therapy"),
        ("mia", "speech"),
    }
    assert solved.doc.kpis["mia"].accompanying_minutes == 175


def test_the_accompanying_minutes_of_two_outings_leave_out_the_time_at_home() -> None:
    # Home between: 09:40-11:20 and 13:50-15:10, 100 + 80 minutes.
    solved = solve_checked(therapy_then_speech(household_dict(), "14:00"), time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    assert len(solved.doc.accompanying) == 2
    assert solved.doc.kpis["mia"].accompanying_minutes == 180


@pytest.mark.xfail(
    strict=True,
    reason="the model refuses it: rule 10 judges each stretch the carer is away on its own "
    "(see test_grandma_then_dad_minding_the_baby_while_the_carer_is_out_holds)",
)
def test_grandma_then_dad_minding_the_baby_is_planned() -> None:
    d = grandma_then_dad()
    appointment(d, "therapy")["venues"] = ["clinic"]
    pinned(d, "therapy", "10:00", "clinic")
    assert solve_checked(d, time_limit=10, workers=2, seed=1).status == "optimal"


def with_a_snack(d: dict[str, Any], client_id: str) -> dict[str, Any]:
    """``client_id`` has a flexible snack (30 minutes, anywhere) on Monday; therapy is pinned
    at the clinic Mon 10:00."""
    client(d, client_id)["routines"] = [
        {"name": "snack", "days": ["mon"], "start": "08:00", "end": "12:00", "duration": 30}
    ]
    appointment(d, "therapy")["venues"] = ["clinic"]
    pinned(d, "therapy", "10:00", "clinic")
    return d


@pytest.mark.parametrize("who", ["jo", "mia"])
def test_a_client_who_never_travels_alone_is_shown_travelling_with_the_carer(who: str) -> None:
    d = with_a_snack(jo_only() if who == "jo" else household_dict(), who)
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    assert (
        legs(solved, who)
        == legs(solved, "sam")
        == [
            ("jo-home", "clinic", "09:40", "10:00"),
            ("clinic", "jo-home", "11:00", "11:20"),
        ]
    )


@pytest.mark.xfail(
    strict=True,
    reason="the model refuses it (see test_the_baby_along_with_one_carer_while_the_other_is_out_too_holds)",
)
def test_the_baby_along_with_one_carer_while_the_other_is_out_too_is_planned() -> None:
    d, _ = both_out()
    appointment(d, "therapy")["venues"] = ["clinic"]
    pinned(d, "therapy", "10:00", "clinic")
    pinned(d, "kim-therapy", "10:00", "school")
    assert solve_checked(d, time_limit=10, workers=2, seed=1).status == "optimal"


def waiting_at_the_clinic(*, sam_goes_home: bool) -> FamilyModel:
    """Jo (never left alone) at the clinic 10:00-11:00 and 12:30-13:30, waiting there between;
    Sam either goes home in between or stays."""
    d = jo_only()
    client(d, "jo")["supervision"] = "always"
    add_appointment(d, "speech", practitioners=["bo"], needs_carer=True)
    offers: list[Offer] = [*AT_THE_CLINIC, ("speech", 0, "clinic", ("bo",), "sam")]
    m = therapy(d, offers, "10:00", add_client_days, add_carer_days, add_escorts, add_never_alone)
    m.choose(m.option("speech"), "12:30")
    m.goes_home("client", "jo", between=False)
    m.goes_home("carer", "sam", between=sam_goes_home)
    return m


def test_a_carer_who_stays_with_the_waiting_child_holds() -> None:
    assert waiting_at_the_clinic(sam_goes_home=False).feasible()


def test_a_carer_cannot_go_home_while_a_child_who_is_never_left_alone_waits_at_the_clinic() -> None:
    assert not waiting_at_the_clinic(sam_goes_home=True).feasible()


def handed_over_at_the_clinic(
    speech_with: str, *families: Family, sam_goes_home: bool = False
) -> FamilyModel:
    """Jo (never left alone, carers Sam and Dad) at the clinic 10:00-11:00 with Sam and
    12:30-13:30 with ``speech_with``, waiting there between."""
    d = with_dad()
    d["clients"] = [c for c in d["clients"] if c["id"] != "mia"]
    client(d, "jo")["supervision"] = "always"
    client(d, "jo")["carers"] = ["sam", "dad"]
    add_appointment(d, "speech", practitioners=["bo"], needs_carer=True)
    offers: list[Offer] = [*AT_THE_CLINIC, ("speech", 0, "clinic", ("bo",), speech_with)]
    m = therapy(d, offers, "10:00", *families)
    m.choose(m.option("speech"), "12:30")
    m.goes_home("client", "jo", between=False)
    m.goes_home("carer", "sam", between=sam_goes_home)
    return m


def test_one_carer_leaving_the_waiting_child_for_another_to_collect_cannot_hold() -> None:
    # Sam goes home at 11:00, Dad comes for the 12:30 session: Jo waits alone.
    assert not handed_over_at_the_clinic("dad", *ALONE).feasible()
    assert handed_over_at_the_clinic("dad", *ESCORT).feasible()


def test_a_carer_at_home_does_not_keep_company_to_a_child_waiting_at_the_clinic() -> None:
    assert handed_over_at_the_clinic("sam", *ALONE).feasible()
    assert not handed_over_at_the_clinic("sam", *ALONE, sam_goes_home=True).feasible()
    assert handed_over_at_the_clinic("sam", *ESCORT, sam_goes_home=True).feasible()
