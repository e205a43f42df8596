"""The example scenarios in ``data/``: they load, hold what ``docs/examples.md`` says they hold,
today's bookings break exactly the rules planted in them, and a pattern keeping every rule exists.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from scheduler.clock import date_of, day_index, format_time, parse_time
from scheduler.contract.schedule import Accompanying, Itinerary, Leg, ScheduleDoc, Session
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.schedule import read_schedule, sessions_from_bookings
from scheduler.solver import solve
from scheduler.travel import Travel
from scheduler.validate import check_sessions, validate

DATA = Path(__file__).resolve().parent.parent / "data"
EXAMPLES = sorted(DATA.glob("*.json"))
WEEKDAYS = {0, 1, 2, 3, 4}

Row = tuple[str, int, str, str, str, tuple[str, ...], str | None]
"""appointment, week, day, start, venue, practitioners, carer: one session of a known-good pattern."""

KNOWN_GOOD: dict[str, list[Row]] = {
    "household": [
        ("alfie-slt", 1, "mon", "10:00", "school-castlefields", ("slt-priya", "senco-lisa"), None),
        ("poppy-hv", 1, "mon", "10:30", "home", ("hv-beth",), "mum"),
        ("alfie-psych", 1, "mon", "15:45", "home", ("psych-evans",), "mum"),
        ("alfie-ot", 1, "wed", "11:00", "school-castlefields", ("ot-grace",), "mum"),
        ("alfie-sw", 1, "wed", "15:45", "home", ("sw-jo",), "mum"),
        ("alfie-physio", 1, "fri", "11:00", "school-castlefields", ("physio-tom",), "mum"),
        ("alfie-paed", 1, "fri", "15:45", "cdc-nene", ("paed-rahman",), "mum"),
    ],
    "fortnight": [
        ("ethan-physio", 1, "mon", "11:00", "school-nene-valley", ("physio-ruth",), None),
        ("ethan-psych", 1, "mon", "15:50", "camhs-campbell-house", ("psych-reid",), "dad"),
        ("ethan-neuro-clinic", 1, "tue", "15:55", "hospital-ngh", ("neuro-marsh", "nurse-okoro"), "dad"),
        ("ethan-physio", 1, "thu", "11:00", "school-nene-valley", ("physio-ruth",), None),
        ("ethan-hydro", 1, "thu", "16:00", "pool-lings", ("physio-ruth",), "dad"),
        ("ethan-physio", 2, "mon", "11:00", "school-nene-valley", ("physio-ruth",), None),
        ("ethan-ot", 2, "mon", "16:00", "home", ("ot-nadia",), "dad"),
        ("ethan-sw", 2, "tue", "16:00", "home", ("sw-ade",), "dad"),
        ("ethan-physio", 2, "thu", "11:00", "school-nene-valley", ("physio-ruth",), None),
        ("ethan-hydro", 2, "thu", "16:00", "pool-lings", ("physio-ruth",), "dad"),
    ],
}
"""A pattern for each hand-written example that keeps every rule: proof that it is solvable."""

PLANTED: dict[str, set[tuple[int, str, str]]] = {
    "household": {
        (3, "overlap", "alfie"),  # social worker at home during physio at the CDC
        (5, "overlap", "mum"),  # ... and mum booked for both
        (3, "travel", "alfie"),  # CAMHS then Kettering hospital ten minutes later
        (5, "travel", "mum"),
        (3, "day-bounds", "alfie"),  # back from Kettering after the day ends
        (5, "day-bounds", "mum"),
        (4, "routine", "poppy-hv"),  # clinic in Poppy's afternoon nap
        (4, "routine", "alfie-ot"),  # OT at the CDC in school time
        (4, "flexible-routine", "alfie"),  # no rest after school on Monday or Wednesday
        (8, "limit", "alfie"),  # less than 15 minutes between CAMHS and the hospital
        (9, "escort", "alfie"),  # from school to the CDC on his own
        (9, "escort", "poppy"),  # Poppy's clinic: a journey in her nap, nobody with her
        (3, "travel", "poppy"),  # ... and no time to get there
        (10, "alone", "poppy"),  # at home alone while Mum takes Alfie out
        (10, "companion", "poppy"),  # ... or brought along in the middle of her nap
    },
    "fortnight": {
        (9, "escort", "ethan"),  # the bus from school to the clinic, alone
        (2, "availability", "ethan-ot"),  # OT on a Wednesday: dad is at work
        (4, "routine", "ethan-ot"),  # ... and Ethan is at school
        (4, "routine", "ethan-neuro-clinic"),  # clinic in school time
        (3, "overlap", "ethan"),  # CAMHS on top of hydrotherapy in week 2
        (5, "overlap", "dad"),
        (8, "limit", "ethan"),  # three sessions that Thursday
    },
}
"""The rule, check and subject of every fault planted in today's bookings of each example."""

COMPANIONS: dict[str, list[tuple[str, str, str]]] = {
    "household": [
        ("poppy", "mum", "alfie-ot"),
        ("poppy", "mum", "alfie-physio"),
        ("poppy", "mum", "alfie-paed"),
    ],
}
"""client, carer, appointment: who comes along to a session of a known-good pattern (rule 10)."""

HOME_FIRST: dict[str, list[tuple[str, str, str]]] = {
    "household": [("alfie", "mum", "alfie-paed")],
    "fortnight": [
        ("ethan", "dad", "ethan-psych"),
        ("ethan", "dad", "ethan-neuro-clinic"),
        ("ethan", "dad", "ethan-hydro"),
    ],
}
"""client, carer, appointment: the client comes home from school before going out with the
carer to each session of the appointment (rules 9 and 11)."""

CARER_HOME_BETWEEN: dict[str, list[tuple[str, str, str]]] = {
    "household": [("mum", "alfie-physio", "alfie-paed")],
}
"""carer, appointment, appointment: the carer goes home between two sessions they escort (rule 11)."""


def _load(name: str) -> Scenario:
    return load_scenario(DATA / f"{name}.json")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_loads(path: Path) -> None:
    assert load_scenario(path).appointments


def test_the_household_has_what_it_promises() -> None:
    s = _load("household")
    assert len({c.household for c in s.clients}) == 1
    assert len(s.clients) == 2
    assert len(s.practitioners) >= 6
    assert len({p.agency for p in s.practitioners}) >= 4
    assert all(a.current for a in s.appointments)
    assert any(len(a.practitioners) > 1 for a in s.appointments)
    alfie, poppy = s.clients
    school = next(r for r in alfie.routines if r.name == "school")
    assert school.allows_sessions
    assert s.venues[school.at].kind == "school"
    assert any(not r.is_fixed for r in alfie.routines)
    assert any(r.duration is not None and "feed" in r.name for r in poppy.routines)
    assert any(r.is_fixed and "nap" in r.name for r in poppy.routines)
    (mum,) = s.carers
    assert mum.travel_mode == "public"
    assert mum.available is not None
    assert sum(1 for d in WEEKDAYS if not mum.available.on(d)) == 2
    assert any(a.client == poppy.index for a in s.appointments)


def test_the_town_has_what_it_promises() -> None:
    s = _load("town")
    households = Counter(c.household for c in s.clients)
    assert len(households) >= 20
    assert 2 in households.values()
    assert len(s.practitioners) >= 15
    kinds = Counter(v.kind for v in s.venues)
    assert kinds["clinic"] >= 3
    assert kinds["hospital"] >= 1
    assert 2 <= kinds["school"] <= 3
    assert all(v.lat is not None and v.lon is not None for v in s.venues)
    assert s.travel.matrix
    assert all(a.current for a in s.appointments)


def test_the_fortnight_has_what_it_promises() -> None:
    s = _load("fortnight")
    assert s.horizon.weeks == 2
    assert s.horizon.repeat_until is not None
    assert len(s.horizon.exclude_dates) >= 5
    assert any(a.frequency.every_weeks == 2 for a in s.appointments)
    assert any(len(a.practitioners) == 2 for a in s.appointments)
    pool = next(a for a in s.appointments if a.role is not None)
    assert sum(1 for p in s.practitioners if p.role == pool.role) >= 2
    assert any(a.pinned for a in s.appointments)
    assert any(b.week is not None for p in s.practitioners for b in p.busy)


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_todays_bookings_break_the_planted_rules(name: str) -> None:
    found = {(v.rule, v.code, v.subject) for v in validate(_load(name)).current_violations}
    assert found == PLANTED[name]


def test_the_household_violations_say_what_is_wrong() -> None:
    messages = {v.subject + " " + v.code: v.message for v in validate(_load("household")).current_violations}
    assert "afternoon nap" in messages["poppy-hv routine"]
    assert "school" in messages["alfie-ot routine"]
    assert "Kettering" in messages["alfie travel"]
    assert "two sessions at once" in messages["mum overlap"]


def _known_good(scenario: Scenario, name: str) -> ScheduleDoc:
    occurrences: Counter[str] = Counter()
    sessions = []
    for appointment, week, day, start, venue, practitioners, carer in KNOWN_GOOD[name]:
        appt = scenario.appointments[scenario.appointment_index[appointment]]
        occurrences[appointment] += 1
        sessions.append(
            Session(
                appointment=appointment,
                occurrence=occurrences[appointment],
                client=scenario.clients[appt.client].id,
                week=week,
                day=day,
                date=date_of(scenario.horizon.start, week - 1, day_index(day)),
                start=start,
                end=format_time(parse_time(start) + appt.duration),
                venue=venue,
                practitioners=list(practitioners),
                carer=carer,
            )
        )
    accompanying = [
        Accompanying.model_validate(
            {"client": client, "carer": carer}
            | s.model_dump(include={"appointment", "occurrence", "week", "day", "venue", "start", "end"})
        )
        for client, carer, appointment in COMPANIONS.get(name, [])
        for s in sessions
        if s.appointment == appointment
    ]
    itineraries = [
        _home_first(scenario, client, carer, s)
        for client, carer, appointment in HOME_FIRST.get(name, [])
        for s in sessions
        if s.appointment == appointment
    ]
    by_appointment = {s.appointment: s for s in sessions}
    itineraries += [
        _home_between(scenario, carer, by_appointment[first], by_appointment[second])
        for carer, first, second in CARER_HOME_BETWEEN.get(name, [])
    ]
    return ScheduleDoc(
        status="feasible", sessions=sessions, accompanying=accompanying, itineraries=itineraries
    )


def _leg(
    scenario: Scenario,
    origin: int,
    destination: int,
    mode: str,
    *,
    depart: int | None = None,
    arrive: int = 0,
) -> Leg:
    journey = Travel(scenario).find(origin, destination, mode)
    assert journey is not None
    start = depart if depart is not None else arrive - journey.minutes
    return Leg.model_validate(
        {
            "from": scenario.venues[origin].id,
            "to": scenario.venues[destination].id,
            "depart": format_time(start),
            "arrive": format_time(start + journey.minutes),
            "minutes": journey.minutes,
        }
    )


def _home_between(scenario: Scenario, carer_id: str, first: Session, second: Session) -> Itinerary:
    """The carer's day between two sessions they escort: home after the first, out to the second."""
    carer = next(c for c in scenario.carers if c.id == carer_id)
    one, two = (scenario.venue_index[s.venue] for s in (first, second))
    legs = [
        _leg(scenario, carer.home, one, carer.travel_mode, arrive=parse_time(first.start)),
        _leg(scenario, one, carer.home, carer.travel_mode, depart=parse_time(first.end)),
        _leg(scenario, carer.home, two, carer.travel_mode, arrive=parse_time(second.start)),
        _leg(scenario, two, carer.home, carer.travel_mode, depart=parse_time(second.end)),
    ]
    return Itinerary(person=carer.id, role="carer", week=first.week, day=first.day, legs=legs)


def _home_first(scenario: Scenario, client_id: str, carer_id: str, session: Session) -> Itinerary:
    """The client's day: home from school (their own way), then out with the carer to ``session``."""
    client = scenario.clients[scenario.client_index[client_id]]
    carer = next(c for c in scenario.carers if c.id == carer_id)
    school = next(r for r in client.fixed_routines_on(day_index(session.day)) if r.at != client.home)
    venue = scenario.venues[scenario.venue_index[session.venue]]
    travel = Travel(scenario)
    home = travel.find(school.at, client.home, client.travel_mode)
    out = travel.find(client.home, venue.index, carer.travel_mode)
    assert home is not None
    assert out is not None
    start = parse_time(session.start)
    legs = [
        Leg.model_validate(
            {
                "from": scenario.venues[school.at].id,
                "to": scenario.venues[client.home].id,
                "depart": format_time(school.span.end),
                "arrive": format_time(school.span.end + home.minutes),
                "minutes": home.minutes,
            }
        ),
        Leg.model_validate(
            {
                "from": scenario.venues[client.home].id,
                "to": venue.id,
                "depart": format_time(start - out.minutes),
                "arrive": session.start,
                "minutes": out.minutes,
            }
        ),
    ]
    return Itinerary(person=client.id, role="client", week=session.week, day=session.day, legs=legs)


@pytest.mark.parametrize("name", sorted(KNOWN_GOOD))
def test_a_pattern_keeping_every_rule_exists(name: str) -> None:
    scenario = _load(name)
    report = validate(scenario, _known_good(scenario, name))
    assert report.violations == ()


def test_a_pattern_keeping_every_rule_exists_for_the_town() -> None:
    """``data/known-good/town.schedule.json`` was built session by session, each checked by the validator."""
    report = validate(_load("town"), read_schedule(DATA / "known-good" / "town.schedule.json"))
    assert report.violations == ()


@pytest.mark.parametrize("name", sorted(KNOWN_GOOD))
def test_the_solver_proves_the_best_pattern_in_seconds(name: str) -> None:
    scenario = _load(name)
    result = solve(scenario, time_limit=30)
    assert result.status == "optimal"
    assert result.runtime < 30
    assert validate(scenario, result.to_doc(scenario)).violations == ()


@pytest.mark.parametrize("path", [DATA / "town.json"], ids=["town"])
def test_generated_bookings_keep_every_practitioners_diary(path: Path) -> None:
    """With the families left out (no carers), only family-side faults remain in today's bookings."""
    s = load_scenario(path)
    without_carers = [dataclasses.replace(x, carer=None) for x in sessions_from_bookings(s)]
    staff = set(s.practitioner_index)
    homes = {v.id for v in s.venues if v.is_home}
    faults = [
        v
        for v in check_sessions(s, without_carers, partial=True)
        if v.rule in (2, 6) or v.subject in staff or (v.rule == 7 and v.subject not in homes)
    ]
    assert faults == []
