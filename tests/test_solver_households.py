"""Households (version 2) end to end: rules 9-11 planned by the solver, every answer validated
through :func:`tests.solver_support.solve_checked`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scheduler.clock import DAYS
from tests.builders import add_appointment, appointment, client, household_dict
from tests.solver_support import solve_checked

HOUSEHOLD = Path(__file__).resolve().parent / "data" / "households" / "scenario.json"


def test_the_households_example_is_planned_and_keeps_every_rule() -> None:
    solved = solve_checked(HOUSEHOLD, time_limit=20, workers=2, seed=1)
    assert solved.status == "optimal"


def at_the_clinic() -> dict[str, Any]:
    """The household, with Jo's therapy at the clinic only: Sam must take Jo out."""
    d = household_dict()
    appointment(d, "therapy")["venues"] = ["clinic"]
    return d


def test_a_baby_comes_along_when_nobody_else_is_at_home() -> None:
    solved = solve_checked(at_the_clinic(), time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    (coming,) = solved.doc.accompanying
    assert (coming.client, coming.carer, coming.appointment) == ("mia", "sam", "therapy")
    assert solved.result.components["accompanying_minutes"] > 0


def test_a_baby_who_can_neither_come_along_nor_stay_with_anyone_makes_the_session_impossible() -> None:
    d = at_the_clinic()
    client(d, "mia")["routines"] = [{"name": "nap", "days": list(DAYS), "start": "08:00", "end": "18:00"}]
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "infeasible"
    assert "Mia is never left alone" in solved.explanation


def test_a_nursery_lets_the_carer_go_out_without_the_baby() -> None:
    d = at_the_clinic()
    client(d, "mia")["routines"] = [
        {
            "name": "nursery",
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "08:00",
            "end": "18:00",
            "at": "school",
            "supervised": True,
        }
    ]
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
    assert solved.doc.accompanying == []


def test_a_carer_does_not_go_home_while_a_child_who_is_never_left_alone_waits_at_the_clinic() -> None:
    # Two sessions at the clinic an hour and a half apart: Sam could go home in between (a
    # carer's travel costs nothing), but Jo, who is never left alone, would wait alone.
    d = at_the_clinic()
    d["clients"] = [c for c in d["clients"] if c["id"] != "mia"]
    client(d, "jo")["supervision"] = "always"
    add_appointment(d, "speech", venues=["clinic"])
    appointment(d, "therapy")["pinned"] = [{"day": "mon", "start": "10:00", "venue": "clinic"}]
    appointment(d, "speech")["pinned"] = [{"day": "mon", "start": "12:30", "venue": "clinic"}]
    solved = solve_checked(d, time_limit=10, workers=2, seed=1)
    assert solved.status == "optimal"
