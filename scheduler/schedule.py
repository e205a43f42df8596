"""Sessions placed in the pattern, in the engine's integer terms, and their document form.

A :class:`PlacedSession` is what the validator checks, the solver produces, and the
calendar export and analysis read. :func:`sessions_from_doc` resolves a schedule
document's ids (raising :class:`ScheduleError` with the location of an unknown one) and
:func:`session_to_doc` writes one back. Version 2 adds who comes along to whose session
(:func:`companions_from_doc`) and where itineraries go home between stops
(:func:`home_stays_from_doc`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.clock import DAYS, date_of, day_index, format_time, parse_time
from scheduler.contract import schedule as doc
from scheduler.contract.errors import did_you_mean, parse_json, read_document, validate_model
from scheduler.errors import InputIssue, ScheduleError
from scheduler.model import Booking, PersonKind, Scenario


@dataclass(frozen=True, order=True)
class PlacedSession:
    """One session: appointment and occurrence, when (0-based week, day 0-6, minutes), where, who."""

    week: int
    day: int
    start: int
    end: int
    appointment: int
    occurrence: int
    venue: int
    practitioners: tuple[int, ...]
    carer: int | None

    @property
    def pattern_day(self) -> int:
        """``week * 7 + day``."""
        return self.week * 7 + self.day


@dataclass(frozen=True, order=True)
class PlacedRoutine:
    """Where a flexible routine falls: client index, routine name, week (0-based), day 0-6, minutes."""

    client: int
    name: str
    week: int
    day: int
    start: int
    end: int


@dataclass(frozen=True, order=True)
class PlacedCompanion:
    """A client at another person's ``session`` as a companion, coming along with ``carer``
    (client and carer indices)."""

    session: PlacedSession
    client: int
    carer: int


@dataclass(frozen=True, order=True)
class HomeStay:
    """A stretch a person spends at home between two stops, read from an itinerary: the
    ``arrive`` of a leg that comes home and the ``depart`` of the next leg, which leaves it.

    ``kind`` and ``person`` (an index of that kind's list) say whose; ``week`` is 0-based.
    """

    kind: PersonKind
    person: int
    week: int
    day: int
    arrive: int
    depart: int


def read_schedule(source: str | Path | bytes | dict[str, Any] | doc.ScheduleDoc) -> doc.ScheduleDoc:
    """A schedule document from a path, JSON text or bytes, or a dict, with located errors."""
    if isinstance(source, doc.ScheduleDoc):
        return source
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith(("{", "["))):
        data = read_document(source, ScheduleError)
    elif isinstance(source, str | bytes):
        data = parse_json(source, ScheduleError)
    else:
        data = source
    return validate_model(doc.ScheduleDoc, data, ScheduleError)


def sessions_from_doc(scenario: Scenario, schedule: doc.ScheduleDoc) -> tuple[PlacedSession, ...]:
    """The schedule's sessions in integer terms; ids resolved against ``scenario``.

    A home visit may name the client's home venue or ``"home"``. Raises
    :class:`ScheduleError` listing every reference that does not resolve, and every session
    whose ``end``, ``client`` or ``date`` disagrees with its appointment and week/day.
    """
    issues: list[InputIssue] = []
    placed: list[PlacedSession] = []

    def ref(where: str, table: dict[str, int] | Any, key: str, noun: str) -> int | None:
        if key in table:
            return int(table[key])
        issues.append(InputIssue(where, f'no {noun} "{key}"{did_you_mean(key, list(table))}'))
        return None

    for i, s in enumerate(schedule.sessions):
        where = f"sessions[{i}]"
        appt_index = ref(f"{where}.appointment", scenario.appointment_index, s.appointment, "appointment")
        if appt_index is None:
            continue
        appt = scenario.appointments[appt_index]
        client = scenario.clients[appt.client]
        if s.client != client.id:
            issues.append(InputIssue(f"{where}.client", f'{appt.id} is for "{client.id}", not "{s.client}"'))
        venue = (
            client.home
            if s.venue == "home"
            else ref(f"{where}.venue", scenario.venue_index, s.venue, "venue")
        )
        pracs = [
            ref(f"{where}.practitioners[{k}]", scenario.practitioner_index, p, "practitioner")
            for k, p in enumerate(s.practitioners)
        ]
        carer = None if s.carer is None else ref(f"{where}.carer", scenario.carer_index, s.carer, "carer")
        week, day = s.week - 1, day_index(s.day)
        if s.week > scenario.horizon.weeks:
            issues.append(InputIssue(f"{where}.week", f"week {s.week} is outside the pattern"))
        start, end = parse_time(s.start), parse_time(s.end)
        if end != start + appt.duration:
            issues.append(
                InputIssue(
                    f"{where}.end", f"{s.start}-{s.end} is not the {appt.duration} minutes of {appt.id}"
                )
            )
        expected = date_of(scenario.horizon.start, week, day)
        if s.date != expected:
            issues.append(
                InputIssue(f"{where}.date", f"week {s.week} {s.day} is {expected.isoformat()}, not {s.date}")
            )
        if venue is None or None in pracs or (s.carer is not None and carer is None):
            continue
        placed.append(
            PlacedSession(
                week=week,
                day=day,
                start=start,
                end=end,
                appointment=appt_index,
                occurrence=s.occurrence,
                venue=venue,
                practitioners=tuple(p for p in pracs if p is not None),
                carer=carer,
            )
        )
    if issues:
        raise ScheduleError(issues)
    return tuple(sorted(placed))


def session_to_doc(scenario: Scenario, s: PlacedSession) -> doc.Session:
    """The document form of a placed session."""
    appt = scenario.appointments[s.appointment]
    return doc.Session(
        appointment=appt.id,
        occurrence=s.occurrence,
        client=scenario.clients[appt.client].id,
        week=s.week + 1,
        day=DAYS[s.day],
        date=date_of(scenario.horizon.start, s.week, s.day),
        start=format_time(s.start),
        end=format_time(s.end),
        venue=scenario.venues[s.venue].id,
        practitioners=[scenario.practitioners[p].id for p in s.practitioners],
        carer=None if s.carer is None else scenario.carers[s.carer].id,
    )


def number_occurrences(sessions: Iterable[PlacedSession]) -> tuple[PlacedSession, ...]:
    """Sessions renumbered 1, 2, ... per appointment in order of week, day and start.

    Occurrence numbers name a session in calendar UIDs, so a re-plan that moves a session
    within its week keeps its number.
    """
    by_appt: dict[int, list[PlacedSession]] = {}
    for s in sorted(sessions):
        by_appt.setdefault(s.appointment, []).append(s)
    out = []
    for group in by_appt.values():
        for k, s in enumerate(group, start=1):
            out.append(PlacedSession(**{**s.__dict__, "occurrence": k}))
    return tuple(sorted(out))


def sessions_from_bookings(scenario: Scenario) -> tuple[PlacedSession, ...]:
    """Today's ``current`` bookings as placed sessions (one per week for a weekly booking).

    Who attends: the booking's practitioners, else the appointment's listed practitioners
    (a role appointment booked without a name has no named practitioner). Who escorts:
    the booking's carer, else the client's first carer when the appointment needs one.
    """
    sessions: list[PlacedSession] = []
    for appt in scenario.appointments:
        client = scenario.clients[appt.client]
        for booking in appt.current:
            sessions.extend(_from_booking(scenario, appt.index, booking, client.carers))
    return number_occurrences(sessions)


def _from_booking(
    scenario: Scenario, appt_index: int, booking: Booking, carers: Sequence[int]
) -> Iterable[PlacedSession]:
    appt = scenario.appointments[appt_index]
    carer = booking.carer
    if carer is None and appt.needs_carer and carers:
        carer = carers[0]
    for week in booking.weeks(scenario.horizon.weeks):
        yield PlacedSession(
            week=week,
            day=booking.day,
            start=booking.start,
            end=booking.start + appt.duration,
            appointment=appt_index,
            occurrence=0,
            venue=booking.venue,
            practitioners=booking.practitioners if booking.practitioners is not None else appt.practitioners,
            carer=carer,
        )


def companion_to_doc(scenario: Scenario, companion: PlacedCompanion) -> doc.Accompanying:
    """The document form of a companion at another person's session."""
    s = companion.session
    return doc.Accompanying(
        client=scenario.clients[companion.client].id,
        carer=scenario.carers[companion.carer].id,
        appointment=scenario.appointments[s.appointment].id,
        occurrence=s.occurrence,
        week=s.week + 1,
        day=DAYS[s.day],
        venue=scenario.venues[s.venue].id,
        start=format_time(s.start),
        end=format_time(s.end),
    )


def companions_from_doc(
    scenario: Scenario, schedule: doc.ScheduleDoc, sessions: Sequence[PlacedSession]
) -> tuple[PlacedCompanion, ...]:
    """The schedule's ``accompanying`` entries, each tied to its session.

    Raises :class:`ScheduleError` listing every entry whose client, carer or venue is
    unknown, or that names no session of the schedule (appointment, occurrence, week and
    day) or disagrees with it (venue, start, end).
    """
    issues: list[InputIssue] = []
    placed: list[PlacedCompanion] = []
    by_key = {(s.appointment, s.occurrence, s.week, s.day): s for s in sessions}
    for i, entry in enumerate(schedule.accompanying):
        where = f"accompanying[{i}]"
        found = True
        for field, table, noun in (
            ("client", scenario.client_index, "client"),
            ("carer", scenario.carer_index, "carer"),
            ("appointment", scenario.appointment_index, "appointment"),
        ):
            key = getattr(entry, field)
            if key not in table:
                issues.append(
                    InputIssue(f"{where}.{field}", f'no {noun} "{key}"{did_you_mean(key, list(table))}')
                )
                found = False
        if not found:
            continue
        appt = scenario.appointment_index[entry.appointment]
        session = by_key.get((appt, entry.occurrence, entry.week - 1, day_index(entry.day)))
        if session is None:
            issues.append(
                InputIssue(
                    where,
                    f"the schedule has no session {entry.appointment} occurrence {entry.occurrence} "
                    f"in week {entry.week} on {entry.day}",
                )
            )
            continue
        venue = scenario.venues[session.venue].id
        if entry.venue not in (venue, "home" if scenario.venues[session.venue].is_home else venue):
            issues.append(InputIssue(f"{where}.venue", f'the session is at "{venue}", not "{entry.venue}"'))
        for field, minute in (("start", session.start), ("end", session.end)):
            if parse_time(getattr(entry, field)) != minute:
                issues.append(
                    InputIssue(
                        f"{where}.{field}",
                        f"the session {field}s at {format_time(minute)}, not {getattr(entry, field)}",
                    )
                )
        client = scenario.client_index[entry.client]
        if scenario.appointments[appt].client == client:
            issues.append(
                InputIssue(
                    f"{where}.client",
                    f"{entry.client} attends {entry.appointment} in person, not as a companion",
                )
            )
            continue
        placed.append(PlacedCompanion(session, client, scenario.carer_index[entry.carer]))
    if issues:
        raise ScheduleError(issues)
    return tuple(sorted(set(placed)))


def home_stays_from_doc(scenario: Scenario, schedule: doc.ScheduleDoc) -> tuple[HomeStay, ...]:
    """Where the schedule's itineraries take a person home and out again on the same day.

    A leg that arrives at the person's home followed by a leg that departs from it is a stay
    at home (rule 11 of ``docs/format.md``); ``"home"`` in a leg names the person's home.
    Itineraries of unknown people are left to the other checks.
    """
    stays: list[HomeStay] = []
    for itinerary in schedule.itineraries:
        found = _itinerary_person(scenario, itinerary)
        if found is None:
            continue
        kind, index, home = found
        if home is None:
            continue
        ids = {scenario.venues[home].id, "home"}
        week, day = itinerary.week - 1, day_index(itinerary.day)
        for first, second in itertools.pairwise(itinerary.legs):
            if first.to in ids and second.from_ in ids:
                stays.append(
                    HomeStay(kind, index, week, day, parse_time(first.arrive), parse_time(second.depart))
                )
    return tuple(sorted(stays))


def _itinerary_person(
    scenario: Scenario, itinerary: doc.Itinerary
) -> tuple[PersonKind, int, int | None] | None:
    """(kind, index, home or base) of an itinerary's person: its ``role``, else the first list naming them."""
    tables: tuple[tuple[PersonKind, Any], ...] = (
        ("client", scenario.client_index),
        ("carer", scenario.carer_index),
        ("practitioner", scenario.practitioner_index),
    )
    for kind, table in tables:
        if itinerary.role in (None, kind) and itinerary.person in table:
            index = table[itinerary.person]
            if kind == "client":
                return kind, index, scenario.clients[index].home
            if kind == "carer":
                return kind, index, scenario.carers[index].home
            return kind, index, scenario.practitioners[index].base
    return None
