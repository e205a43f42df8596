"""Properties over random small scenarios: every pattern the solver returns validates (through
``solve_checked``) and every "no pattern" answer says why, naming an appointment.

The scenarios vary :func:`tests.builders.scenario_dict` over one- and two-week patterns: up
to three appointments of Jo, or of Jo and Kim (who share the carer Sam), with random
durations, frequencies, windows, venues, practitioners (named, joint or by role) and carers;
random diaries for Ana, Bo and Sam, clinic hours, Ana's base, Sam's mode, Jo's routines,
limits and preferences, and sometimes today's bookings or a pin. Households of version 2
(:func:`households`) add supervision, supervised routines and a rest at home; their answers
without a pattern must say which rule is in the way. Hypothesis is derandomized, so CI sees
the same examples every run.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scheduler.clock import format_time, parse_time
from tests.builders import add_client, client, practitioner, scenario_dict, venue
from tests.solver_support import Solved, solve_checked

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
IDS = ("appt-a", "appt-b", "appt-c")
WHO: tuple[dict[str, Any], ...] = (
    {"practitioners": ["ana"], "role": None},
    {"practitioners": ["bo"], "role": None},
    {"practitioners": ["ana", "bo"], "role": None},
    {"practitioners": [], "role": "therapist"},
)

days = st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=5, unique=True).map(
    lambda picked: sorted(picked, key=WEEKDAYS.index)
)
LIMITS: list[dict[str, int]] = [
    {},
    {"max_session_minutes_per_day": 90},
    {"min_gap_minutes": 30},
    {"max_days_per_week": 2},
    {"max_people_per_week": 1},
    {"max_sessions_per_day": 1},
]
"""Jo's limits, one at a time."""
hours = st.sampled_from([["09:00", "17:00"], ["09:00", "12:00"], ["13:00", "17:00"]])


@st.composite
def diaries(draw: st.DrawFn) -> dict[str, list[list[str]]] | None:
    """No restriction, or some weekdays with the same hours."""
    if draw(st.booleans()):
        return None
    span = draw(hours)
    return {day: [span] for day in draw(days)}


@st.composite
def appointments(draw: st.DrawFn, appointment_id: str, clients: list[str], weeks: int) -> dict[str, Any]:
    duration = draw(st.sampled_from([30, 45, 60]))
    window_days = draw(days)
    frequencies = [{"per_week": n} for n in range(1, min(2, len(window_days)) + 1)]
    if weeks == 2:
        frequencies.append({"every_weeks": 2})
    earliest = draw(st.sampled_from(["08:00", "09:00", "13:00"]))
    latest = format_time(
        max(parse_time(earliest) + duration, parse_time(draw(st.sampled_from(["12:00", "18:00"]))))
    )
    fields: dict[str, Any] = {
        "id": appointment_id,
        "client": draw(st.sampled_from(clients)),
        "title": appointment_id,
        "duration": duration,
        "frequency": draw(st.sampled_from(frequencies)),
        "venues": draw(
            st.lists(st.sampled_from(["clinic", "school", "home"]), min_size=1, max_size=3, unique=True)
        ),
        "needs_carer": draw(st.booleans()),
        "window": {"days": window_days, "earliest": earliest, "latest": latest},
        "optional": draw(st.integers(0, 4)) == 0,
        **draw(st.sampled_from(WHO)),
    }
    if fields["role"] is None:
        del fields["role"]
    booking = {"day": window_days[0], "start": earliest, "venue": fields["venues"][0]}
    if weeks == 2 and draw(st.booleans()):
        booking["week"] = draw(st.sampled_from([1, 2]))
    kind = draw(st.sampled_from(["none", "current", "current", "pinned"]))
    if kind != "none":
        fields[kind] = [booking]
    return fields


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    d = scenario_dict()
    weeks = draw(st.sampled_from([1, 2]))
    d["horizon"]["weeks"] = weeks
    clients = ["jo"]
    if draw(st.booleans()):
        add_client(d, "kim", "Kim", {"clinic": 20, "school": 10, "jo-home": 5})
        clients.append("kim")
    d["appointments"] = []
    for appointment_id in IDS[: draw(st.integers(1, 3))]:
        d["appointments"].append(draw(appointments(appointment_id, clients, weeks)))
    practitioner(d, "ana")["base"] = draw(st.sampled_from([None, "clinic"]))
    d["carers"][0]["travel_mode"] = draw(st.sampled_from(["public", "car"]))
    for person in ("ana", "bo"):
        available = draw(diaries())
        if available is not None:
            practitioner(d, person)["available"] = available
        practitioner(d, person)["home_visits"] = draw(st.booleans())
    sam_available = draw(diaries())
    if sam_available is not None:
        d["carers"][0]["available"] = sam_available
    clinic_hours = draw(diaries())
    if clinic_hours is not None:
        venue(d, "clinic")["open"] = clinic_hours
    jo = client(d, "jo")
    jo["routines"] = []
    if draw(st.booleans()):
        jo["routines"].append({"name": "nap", "days": list(WEEKDAYS), "start": "12:30", "end": "14:00"})
    if draw(st.booleans()):
        jo["routines"].append(
            {"name": "rest", "days": draw(days), "start": "15:00", "end": "17:00", "duration": 30}
        )
    jo["limits"] = draw(st.sampled_from(LIMITS))
    jo["preferences"] = draw(
        st.sampled_from(
            [
                {},
                {"preferred_windows": [["15:00", "17:00"]]},
                {"same_day_clustering": "avoid"},
                {"same_day_clustering": "neutral"},
                {"avoid_days": ["mon"]},
            ]
        )
    )
    return d


def names_an_appointment(solved: Solved) -> bool:
    return any(re.search(rf"\b{re.escape(a.id)}\b", solved.explanation) for a in solved.scenario.appointments)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(scenarios())
def test_every_answer_validates_or_explains_itself(d: dict[str, Any]) -> None:
    solved = solve_checked(d, time_limit=3)
    event(solved.status)
    assert solved.status != "timeout", "a tiny scenario should be settled well within 3 s"
    if solved.status == "infeasible":
        assert names_an_appointment(solved), solved.explanation


SUPERVISION = st.sampled_from(["none", "escort", "always"])
RULE_WORDS = re.compile(
    r"never travels alone|is never left alone|must have all its sessions|can only go on|"
    r"can be in one place at a time|can escort one client at a time|free minutes within|"
    r"is pinned to|must be taken by one|holds \d+ session|'s limit |no travel time is known|"
    r"must start|needs \d+ day"
)
"""How the explanations say a rule (:mod:`scheduler.solver.explain`): every answer without a
pattern names at least one."""


@st.composite
def households(draw: st.DrawFn) -> dict[str, Any]:
    """:func:`scenarios`' appointments for a household of version 2: Jo and sometimes a younger
    sister Mia at the same home, each with a drawn supervision; Sam, and sometimes Pat (free
    after work), as their carers; Jo's school (supervised or not, sessions in it or not),
    Mia's nursery (supervised) or nap at home, and a rest after school at home or anywhere."""
    d = scenario_dict()
    d["carers"][0]["travel_mode"] = draw(st.sampled_from(["public", "car"]))
    sam_available = draw(diaries())
    if sam_available is not None:
        d["carers"][0]["available"] = sam_available
    carers = ["sam"]
    if draw(st.booleans()):
        d["carers"].append(
            {"id": "pat", "name": "Pat", "available": {day: [["16:00", "18:00"]] for day in WEEKDAYS}}
        )
        carers.append("pat")
    jo = client(d, "jo")
    jo["carers"] = carers
    jo["supervision"] = draw(SUPERVISION)
    jo["routines"] = []
    if draw(st.booleans()):
        jo["routines"].append(
            {"name": "school", "days": draw(days), "start": "09:00", "end": "15:00", "at": "school",
             "supervised": draw(st.booleans()), "allows_sessions": draw(st.booleans())}
        )  # fmt: skip
    if draw(st.booleans()):
        rest: dict[str, Any] = {
            "name": "rest",
            "days": draw(days),
            "start": "15:00",
            "end": "17:00",
            "duration": 30,
        }
        if draw(st.booleans()):
            rest["at"] = "home"
        jo["routines"].append(rest)
    clients = ["jo"]
    if draw(st.booleans()):
        mia: dict[str, Any] = {
            "id": "mia",
            "name": "Mia",
            "home": "jo-home",
            "carers": carers,
            "routines": [],
        }
        mia["supervision"] = draw(SUPERVISION)
        if draw(st.booleans()):
            mia["routines"].append(
                {"name": "nursery", "days": draw(days), "start": "08:30", "end": "16:30", "at": "school",
                 "supervised": True}
            )  # fmt: skip
        else:
            mia["routines"].append({"name": "nap", "days": list(WEEKDAYS), "start": "12:30", "end": "14:00"})
        d["clients"].append(mia)
        clients.append("mia")
    d["appointments"] = [draw(appointments(a, clients, 1)) for a in IDS[: draw(st.integers(1, 3))]]
    return d


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(households())
def test_every_household_answer_validates_or_names_a_rule(d: dict[str, Any]) -> None:
    solved = solve_checked(d, time_limit=3)
    event(solved.status)
    event("supervision: " + "/".join(c.get("supervision", "none") for c in d["clients"]))
    if solved.doc.accompanying:
        event("a companion")
    assert solved.status != "timeout", "a tiny household should be settled well within 3 s"
    if solved.status == "infeasible":
        assert RULE_WORDS.search(solved.explanation), solved.explanation
        assert names_an_appointment(solved), solved.explanation
