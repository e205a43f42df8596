"""Joint sessions by roles, sequences and a soft latest start (issue 15), each in feasible and
infeasible twins: the loader's located errors, the validator's rules and figures, the solver's
sequence family on its own, whole solves checked by :func:`tests.solver_support.solve_checked`,
explanations and feeds.

The scenario is :func:`tests.builders.scenario_dict`: Jo at ``jo-home``, Ana (therapist) and
Bo, here an occupational therapist who can also take the therapist role; clinic-school 15
minutes, jo-home-clinic 20, jo-home-school 10.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from scheduler.analysis.picture import providers
from scheduler.calendar import render_feed, revise
from scheduler.clock import parse_time
from scheduler.errors import ScenarioError
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule, sessions_from_doc
from scheduler.solver import Method
from scheduler.solver.constraints.places import add_client_days
from scheduler.solver.constraints.rooms import add_rooms
from scheduler.solver.constraints.sequences import add_sequences
from scheduler.validate import evaluate_sessions, validate
from tests.builders import (
    add_appointment,
    add_client,
    appointment,
    client,
    practitioner,
    scenario_dict,
    schedule_dict,
    session,
)
from tests.solver_support import solve_checked
from tests.test_solver_families import family


def base() -> dict[str, Any]:
    """Bo is an occupational therapist ("ot") who can also take the therapist role."""
    d = scenario_dict()
    practitioner(d, "bo").update(role="ot", also_roles=["therapist"])
    return d


def joint(d: dict[str, Any]) -> dict[str, Any]:
    """``therapy`` as a joint session of a therapist and an ot."""
    therapy = appointment(d, "therapy")
    del therapy["practitioners"]
    therapy["roles"] = ["therapist", "ot"]
    return d


def hydro_then_physio(d: dict[str, Any], min_gap: int = 30, max_gap: int = 60) -> dict[str, Any]:
    """``hydro`` (30 min, Ana, clinic), then ``physio`` (30 min, Bo, school) min-max min after."""
    add_appointment(d, "hydro", duration=30, venues=["clinic"])
    add_appointment(
        d,
        "physio",
        duration=30,
        practitioners=["bo"],
        venues=["school"],
        after={"appointment": "hydro", "min_gap": min_gap, "max_gap": max_gap},
    )
    d["appointments"] = [a for a in d["appointments"] if a["id"] != "therapy"]
    return d


def double_visit(d: dict[str, Any], min_gap: int = 5, max_gap: int = 10) -> dict[str, Any]:
    """``nurse1`` (20 min, Ana) and ``nurse2`` (20 min, Bo) at Jo's home, the second 5-10 min
    after the first: they may overlap (a joined pair)."""
    add_appointment(d, "nurse1", duration=20, venues=["home"])
    add_appointment(
        d,
        "nurse2",
        duration=20,
        practitioners=["bo"],
        venues=["home", "clinic"],
        after={"appointment": "nurse1", "min_gap": min_gap, "max_gap": max_gap},
    )
    d["appointments"] = [a for a in d["appointments"] if a["id"] != "therapy"]
    return d


def problems(d: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(d)
    return [str(issue) for issue in caught.value.issues]


def violations(d: dict[str, Any], sessions: list[dict[str, Any]]) -> list[str]:
    report = validate(load_scenario(d), read_schedule(schedule_dict(d, sessions)))
    return [f"rule {v.rule} {v.code}: {v}" for v in report.violations]


# ------------------------------------------------------------------------------------ loader


def test_a_joint_session_by_roles_and_also_roles_load() -> None:
    s = load_scenario(joint(base()))
    assert s.appointments[0].roles == ("therapist", "ot")
    assert s.practitioners[1].takes("therapist")
    assert s.practitioners[1].takes("ot")
    assert not s.practitioners[0].takes("ot")


def test_roles_with_practitioners_is_a_located_error() -> None:
    d = joint(base())
    appointment(d, "therapy")["practitioners"] = ["ana"]
    assert any(p.startswith("appointments[0].roles: give one of") for p in problems(d))


def test_an_unknown_role_is_a_located_error() -> None:
    d = joint(base())
    appointment(d, "therapy")["roles"] = ["therapist", "otx"]
    assert any(
        p.startswith('appointments[0].roles[1]: no practitioner has the role "otx"') for p in problems(d)
    )


def test_roles_no_two_people_can_take_at_once_are_refused() -> None:
    d = joint(base())
    appointment(d, "therapy")["roles"] = ["ot", "ot"]  # only Bo is an ot
    assert any(p.startswith("appointments[0].roles: no 2 different practitioners") for p in problems(d))


def test_a_sequence_loads_with_its_gaps() -> None:
    s = load_scenario(hydro_then_physio(base()))
    physio = s.appointments[s.appointment_index["physio"]]
    assert physio.after is not None
    assert (physio.after.appointment, physio.after.min_gap, physio.after.max_gap) == (
        s.appointment_index["hydro"],
        30,
        60,
    )
    assert not s.joined(physio)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"appointment": "hydra"},
            'appointments[1].after.appointment: no appointment "hydra"; did you mean "hydro"?',
        ),
        ({"appointment": "physio"}, 'appointments[1].after.appointment: "physio" cannot follow itself'),
        ({"max_gap": 10}, "max_gap 10 is less than min_gap 30"),
    ],
)
def test_a_bad_sequence_is_a_located_error(change: dict[str, Any], message: str) -> None:
    d = hydro_then_physio(base())
    appointment(d, "physio")["after"].update(change)
    assert any(message in p for p in problems(d)), problems(d)


def test_a_sequence_of_different_frequencies_is_refused() -> None:
    d = hydro_then_physio(base())
    appointment(d, "physio")["frequency"] = {"per_week": 2}
    assert any("need the same frequency" in p for p in problems(d))


def test_a_sequence_between_two_clients_is_refused() -> None:
    d = hydro_then_physio(base())
    add_client(d, "kim", "Kim", {"clinic": 20, "school": 10})
    appointment(d, "physio")["client"] = "kim"
    assert any("a sequence links appointments of one client" in p for p in problems(d))


def test_a_cycle_of_sequences_is_refused() -> None:
    d = hydro_then_physio(base())
    appointment(d, "hydro")["after"] = {"appointment": "physio", "min_gap": 30, "max_gap": 60}
    assert any("the sequences make a cycle (hydro -> physio -> hydro)" in p for p in problems(d))


def test_also_roles_repeating_the_role_is_a_located_error() -> None:
    d = base()
    practitioner(d, "bo")["also_roles"] = ["ot"]
    assert "practitioners[1].also_roles: lists a role twice (role included)" in problems(d)


def test_a_joined_pair_without_a_shared_venue_is_refused() -> None:
    d = double_visit(base())
    appointment(d, "nurse2")["venues"] = ["clinic"]
    assert any(p.startswith("appointments[1].after.min_gap: 5 min is less than") for p in problems(d))


# --------------------------------------------------------------------------------- validator


def test_a_joint_session_with_one_person_per_role_holds() -> None:
    assert violations(joint(base()), [session("therapy", "mon", "10:00", practitioners=("ana", "bo"))]) == []


def test_a_joint_session_missing_a_role_breaks_rule_6() -> None:
    found = violations(joint(base()), [session("therapy", "mon", "10:00", practitioners=("ana",))])
    assert any(v.startswith("rule 6 who:") and "one for each role of therapist, ot" in v for v in found)


def test_a_joint_session_whose_people_cannot_split_the_roles_breaks_rule_6() -> None:
    d = joint(base())
    d["practitioners"].append({"id": "cy", "name": "Cy", "role": "therapist", "venues": ["clinic"]})
    found = violations(d, [session("therapy", "mon", "10:00", practitioners=("ana", "cy"))])
    assert any("Ana and Cy cannot take them one each" in v for v in found)


def test_a_sequence_within_its_gaps_holds() -> None:
    d = hydro_then_physio(base())
    placed = [
        session("hydro", "tue", "10:00"),
        session("physio", "tue", "10:45", "school", practitioners=("bo",)),
    ]
    assert violations(d, placed) == []


def test_a_sequence_too_soon_breaks_rule_12() -> None:
    d = hydro_then_physio(base())
    placed = [
        session("hydro", "tue", "10:00"),
        session("physio", "tue", "10:25", "school", practitioners=("bo",)),
    ]
    found = violations(d, placed)
    assert any(
        "must start 30-60 min after the start of hydro; it starts 25 min after hydro (10:00)" in v
        for v in found
    ), found


def test_a_sequence_on_another_day_breaks_rule_12() -> None:
    d = hydro_then_physio(base())
    placed = [
        session("hydro", "tue", "10:00"),
        session("physio", "wed", "10:45", "school", practitioners=("bo",)),
    ]
    assert any("hydro has none on Wed" in v for v in violations(d, placed))


def test_a_joined_pair_overlapping_at_home_holds() -> None:
    d = double_visit(base())
    placed = [
        session("nurse1", "mon", "10:00", "jo-home"),
        session("nurse2", "mon", "10:05", "jo-home", practitioners=("bo",)),
    ]
    assert violations(d, placed) == []


def test_a_joined_pair_at_two_venues_breaks_rules_3_and_12() -> None:
    d = double_visit(base())
    placed = [
        session("nurse1", "mon", "10:00", "jo-home"),
        session("nurse2", "mon", "10:05", "clinic", practitioners=("bo",)),
    ]
    found = violations(d, placed)
    assert any(v.startswith("rule 12 sequence-venue:") for v in found), found
    assert any(v.startswith("rule 3 overlap:") for v in found), found


def test_a_third_session_during_a_joined_pair_breaks_rule_3() -> None:
    d = base()
    add_appointment(d, "visit", duration=30, venues=["home"], practitioners=["bo"])
    double_visit(d)
    placed = [
        session("nurse1", "mon", "10:00", "jo-home"),
        session("nurse2", "mon", "10:05", "jo-home", practitioners=("bo",)),
        session("visit", "mon", "10:22", "jo-home", practitioners=("ana",)),
    ]
    found = violations(d, placed)
    assert any(v.startswith("rule 3 overlap:") and "visit occurrence 1" in v for v in found), found


def test_lateness_figures_are_total_and_largest() -> None:
    d = double_visit(base())
    appointment(d, "nurse1")["window"] = {"start_by": "09:50"}
    appointment(d, "nurse2")["window"] = {"start_by": "09:50"}
    scenario = load_scenario(d)
    placed = [
        session("nurse1", "mon", "10:00", "jo-home"),
        session("nurse2", "mon", "10:05", "jo-home", practitioners=("bo",)),
    ]
    e = evaluate_sessions(scenario, sessions_from_doc(scenario, read_schedule(schedule_dict(d, placed))))
    assert e.raw["total_lateness"] == 10 + 15
    assert e.raw["max_lateness"] == 15
    assert e.kpis["jo"]["total_lateness"] == 25


# --------------------------------------------------------------------- the sequences family


def test_the_sequence_family_holds_a_start_within_the_gaps() -> None:
    d = hydro_then_physio(base())
    m = family(
        d, [("hydro", 1, "clinic", ("ana",), None), ("physio", 1, "school", ("bo",), None)], add_sequences
    )
    m.choose(m.option("hydro", 1), "10:00")
    m.choose(m.option("physio", 1), "10:45")
    assert m.feasible()


def test_the_sequence_family_refuses_a_start_before_the_gap() -> None:
    d = hydro_then_physio(base())
    m = family(
        d, [("hydro", 1, "clinic", ("ana",), None), ("physio", 1, "school", ("bo",), None)], add_sequences
    )
    m.choose(m.option("hydro", 1), "10:00")
    m.choose(m.option("physio", 1), "10:25")
    assert not m.feasible()


def test_the_sequence_family_refuses_a_follower_without_its_first_session() -> None:
    d = hydro_then_physio(base())
    offers = [("hydro", 1, "clinic", ("ana",), None), ("physio", 2, "school", ("bo",), None)]
    m = family(d, offers, add_sequences)
    m.choose(m.option("physio", 2), "10:45")
    assert not m.feasible()


def joined_offers() -> list[tuple[str, int, str, tuple[str, ...], None]]:
    return [
        ("nurse1", 0, "jo-home", ("ana",), None),
        ("nurse2", 0, "jo-home", ("bo",), None),
        ("nurse2", 0, "clinic", ("bo",), None),
    ]


def test_a_joined_pair_overlaps_as_one_stop_and_one_room() -> None:
    m = family(double_visit(base()), joined_offers(), add_sequences, add_client_days, add_rooms)
    m.choose(m.option("nurse1"), "10:00")
    m.choose(m.option("nurse2", venue="jo-home"), "10:05")
    assert m.feasible()


def test_a_joined_pair_cannot_split_over_two_venues() -> None:
    m = family(double_visit(base()), joined_offers(), add_sequences, add_client_days, add_rooms)
    m.choose(m.option("nurse1"), "10:00")
    m.choose(m.option("nurse2", venue="clinic"), "10:05")
    assert not m.feasible()


# ----------------------------------------------------------------------------- whole solves


def test_a_joint_session_by_roles_is_solved_with_two_people() -> None:
    solved = solve_checked(joint(base()))
    assert solved.status == "optimal"
    assert sorted(solved.only("therapy").practitioners) == ["ana", "bo"]


def test_a_joint_session_whose_people_are_never_free_together_is_explained() -> None:
    d = joint(base())
    practitioner(d, "ana")["available"] = {"mon": [["09:00", "12:00"]]}
    practitioner(d, "bo")["available"] = {"tue": [["09:00", "12:00"]]}
    solved = solve_checked(d)
    assert solved.status == "infeasible"
    assert "joint session of one therapist and one ot" in solved.explanation


def test_a_sequence_and_a_joined_pair_are_solved_within_their_gaps() -> None:
    d = hydro_then_physio(base())
    d["appointments"] += double_visit(base())["appointments"]
    solved = solve_checked(d, time_limit=10)
    assert solved.status == "optimal"
    hydro, physio = solved.only("hydro"), solved.only("physio")
    assert hydro.day == physio.day
    assert 30 <= parse_time(physio.start) - parse_time(hydro.start) <= 60
    first, second = solved.only("nurse1"), solved.only("nurse2")
    assert (first.day, first.venue) == (second.day, second.venue)
    assert 5 <= parse_time(second.start) - parse_time(first.start) <= 10


def test_a_double_visit_at_the_same_time_is_solved_with_both_at_once() -> None:
    d = double_visit(base(), min_gap=0, max_gap=0)
    solved = solve_checked(d)
    first, second = solved.only("nurse1"), solved.only("nurse2")
    assert (first.day, first.start, first.venue) == (second.day, second.start, second.venue)


def test_a_third_visit_cannot_squeeze_into_a_double_visit() -> None:
    d = base()
    add_appointment(d, "visit", duration=30, venues=["home"], practitioners=["bo"])
    double_visit(d, min_gap=0, max_gap=0)
    for appt in d["appointments"]:
        appt["window"] = {"days": ["mon"], "earliest": "09:00", "latest": "10:00"}
    solved = solve_checked(d)  # 20 min together, then 30 min: both fit in the hour, one after the other
    assert solved.status == "optimal"
    appointment(d, "visit")["duration"] = 45
    assert solve_checked(d).status == "infeasible"


def test_lateness_of_two_households_laid_out_group_by_group_keeps_an_honest_bound() -> None:
    d = base()
    add_client(d, "kim", "Kim", {"clinic": 20, "school": 10})
    client(d, "kim")["carers"] = []  # a group of her own
    d["practitioners"].append({"id": "cy", "name": "Cy", "role": "therapist", "home_visits": True})
    add_appointment(d, "kim-visit", client="kim", venues=["home"], duration=20, practitioners=["cy"])
    double_visit(d)
    for appt in d["appointments"]:
        appt["window"] = {"days": ["mon"], "earliest": "10:00", "start_by": "09:00"}
    solved = solve_checked(d, method=Method.GROUPS)  # checks the bound is not above the objective
    assert solved.result.has_schedule
    assert solved.components["max_lateness"] >= 65


def test_a_sequence_its_windows_cannot_keep_is_explained_by_name() -> None:
    d = hydro_then_physio(base())
    appointment(d, "hydro")["window"] = {"earliest": "09:00", "latest": "10:00"}
    appointment(d, "physio")["window"] = {"earliest": "13:00", "latest": "15:00"}
    solved = solve_checked(d)
    assert solved.status == "infeasible"
    assert "physio must start 30-60 min after the start of hydro, on the same day" in solved.explanation


def test_lateness_is_avoided_when_it_can_be_and_weighed_when_it_cannot() -> None:
    d = double_visit(base())
    appointment(d, "nurse1")["window"] = {"start_by": "09:00"}
    solved = solve_checked(d)
    assert solved.components["total_lateness"] == 0
    appointment(d, "nurse1")["window"] = {"earliest": "10:00", "start_by": "09:00"}
    appointment(d, "nurse2")["window"] = {"start_by": "09:00"}
    d["weights"] = {"total_lateness": 2, "max_lateness": 3}
    late = solve_checked(d)
    # nurse1 at 10:00 is 60 min late at least, nurse2 5 min after it 65.
    assert late.doc.kpis["jo"].total_lateness == 125
    assert late.components["total_lateness"] == 2 * 125
    assert late.components["max_lateness"] == 3 * 65


# ------------------------------------------------------------------------------------- feeds


def test_a_joint_sessions_feed_event_names_everyone_attending() -> None:
    d = joint(base())
    solved = solve_checked(d)
    revisions = revise(solved.scenario, solved.doc, None, at=datetime(2027, 1, 1, tzinfo=UTC))
    for key in ("client-jo", "practitioner-ana", "practitioner-bo"):
        feed = render_feed(solved.scenario, solved.doc, key, revisions=revisions).decode()
        assert "With: Ana (therapist) and Bo (ot)" in feed.replace("\r\n ", ""), key


def test_the_whole_picture_names_a_joint_sessions_providers_by_role() -> None:
    s = load_scenario(joint(base()))
    assert providers(s, s.appointments[0]) == ("any therapist", "any ot")
