"""Schedule documents: unknown ids are located errors; numbering, routines, claimed objective checked."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.errors import ScheduleError
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule, sessions_from_doc
from scheduler.validate import PlacedRoutine, Report, check_sessions, validate
from tests.builders import scenario_dict, schedule_dict, session


def run(sessions: list[dict[str, Any]], **fields: Any) -> Report:
    d = scenario_dict()
    return validate(load_scenario(d), read_schedule(schedule_dict(d, sessions, **fields)))


def issues_of(sessions: list[dict[str, Any]], **fields: Any) -> list[str]:
    with pytest.raises(ScheduleError) as caught:
        run(sessions, **fields)
    return [str(issue) for issue in caught.value.issues]


def test_unknown_appointment() -> None:
    assert issues_of([session("therapyy", "mon", "10:00")]) == [
        'sessions[0].appointment: no appointment "therapyy"; did you mean "therapy"?'
    ]


def test_unknown_venue() -> None:
    assert issues_of([session("therapy", "mon", "10:00", "clinc")]) == [
        'sessions[0].venue: no venue "clinc"; did you mean "clinic"?'
    ]


def test_unknown_practitioner() -> None:
    assert issues_of([session("therapy", "mon", "10:00", practitioners=("anna",))]) == [
        'sessions[0].practitioners[0]: no practitioner "anna"; did you mean "ana"?'
    ]


def test_unknown_routine() -> None:
    placed = {"week": 1, "day": "mon", "start": "10:00", "end": "10:30"}
    sessions = [session("therapy", "mon", "10:00")]
    assert issues_of(sessions, routines=[{"client": "joe", "name": "rest", **placed}]) == [
        'routines[0].client: no client "joe"; did you mean "jo"?'
    ]
    assert issues_of(sessions, routines=[{"client": "jo", "name": "rest", **placed}]) == [
        'routines[0].name: jo has no flexible routine "rest"'
    ]


def test_occurrences_numbered_in_order() -> None:
    report = run([session("therapy", "mon", "10:00", occurrence=2)])
    assert [f"{v.rule} {v.code} {v}" for v in report.violations] == [
        "1 occurrence therapy occurrence 2, Mon 10:00-11:00: is numbered 2; "
        "in order of week, day and start it is occurrence 1"
    ]


def test_claimed_objective() -> None:
    # One clinic session: 106 (see test_validate_objective).
    sessions = [session("therapy", "mon", "10:00")]
    assert (
        run(sessions, objective={"total": 106.0000001, "components": {"trips": 30}}).objective_mismatches
        == ()
    )
    assert run(
        sessions, objective={"total": 100, "components": {"trip": 30, "appointment_days": 20}}
    ).objective_mismatches == (
        "total: claimed 100, recomputed 106",
        'trip: not a term of the objective; did you mean "trips"?',
        "appointment_days: claimed 20, recomputed 10",
    )


def test_report_text_names_violations_and_mismatches() -> None:
    text = run([session("therapy", "mon", "10:03")], objective={"total": 1}).to_text()
    assert "Schedule: 1 rule violation(s)" in text
    assert (
        "  rule 2 slot: therapy occurrence 1, Mon 10:03-11:03: starts at 10:03, not on a 5-minute slot"
        in text
    )
    assert "Objective MISMATCH with what the schedule claims:\n  total: claimed 1, recomputed 106" in text


def test_check_sessions_takes_placed_sessions_and_routines() -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {"name": "rest", "days": ["mon"], "start": "10:00", "end": "12:00", "duration": 30}
    ]
    scenario = load_scenario(d)
    sessions = sessions_from_doc(
        scenario, read_schedule(schedule_dict(d, [session("therapy", "mon", "10:00")]))
    )
    after = PlacedRoutine(client=0, name="rest", week=0, day=0, start=11 * 60, end=11 * 60 + 30)
    during = PlacedRoutine(client=0, name="rest", week=0, day=0, start=10 * 60 + 30, end=11 * 60)
    assert check_sessions(scenario, sessions, routines=[after]) == ()
    assert [str(v) for v in check_sessions(scenario, sessions, routines=[during])] == [
        "jo rest, Mon 10:30-11:00: overlaps therapy occurrence 1, Mon 10:00-11:00"
    ]
