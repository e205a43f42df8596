"""Sessions placed in the pattern, in the engine's integer terms, and their document form.

A :class:`PlacedSession` is what the validator checks, the solver produces, and the
calendar export and analysis read. :func:`sessions_from_doc` resolves a schedule
document's ids (raising :class:`ScheduleError` with the location of an unknown one) and
:func:`session_to_doc` writes one back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.clock import DAYS, date_of, day_index, format_time, parse_time
from scheduler.contract import schedule as doc
from scheduler.contract.errors import did_you_mean, parse_json, read_document, validate_model
from scheduler.errors import InputIssue, ScheduleError
from scheduler.model import Booking, Scenario


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
