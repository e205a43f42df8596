"""Rule 2: slots, windows, venues and their hours, availability, busy entries and pins."""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.clock import day_label, format_time, span_label
from scheduler.model import Appointment, Booking, Scenario
from scheduler.schedule import PlacedSession
from scheduler.validate.describe import (
    day_text,
    join_words,
    outside_hours,
    practitioner_names,
    session_where,
    venue_name,
)
from scheduler.validate.plans import Timetable
from scheduler.validate.violation import Violation


def check_hours(t: Timetable) -> Iterator[Violation]:
    """Rule 2: every session on a slot, of its duration, in its window, venue, hours and diaries."""
    for session in t.sessions:
        for code, message in _session_faults(t.scenario, session):
            appt = t.scenario.appointments[session.appointment]
            yield Violation(2, code, appt.id, session_where(t.scenario, session), message)
    yield from _pins(t)


def _session_faults(scenario: Scenario, s: PlacedSession) -> Iterator[tuple[str, str]]:
    appt = scenario.appointments[s.appointment]
    slot = scenario.horizon.slot
    if s.start % slot:
        yield "slot", f"starts at {format_time(s.start)}, not on a {slot}-minute slot"
    if s.end - s.start != appt.duration:
        yield "duration", f"lasts {s.end - s.start} min; {appt.title} takes {appt.duration} min"
    yield from _window(appt, s)
    yield from _venue(scenario, appt, s)
    yield from _diaries(scenario, s)


def _window(appt: Appointment, s: PlacedSession) -> Iterator[tuple[str, str]]:
    if s.day not in appt.window_days:
        days = join_words(day_label(d) for d in sorted(appt.window_days))
        yield "window", f"{day_label(s.day)} is not one of its window's days ({days})"
    if s.start < appt.earliest or s.end > appt.latest:
        yield "window", f"lies outside its window {span_label(appt.earliest, appt.latest)}"


def _venue(scenario: Scenario, appt: Appointment, s: PlacedSession) -> Iterator[tuple[str, str]]:
    venue = scenario.venues[s.venue]
    if s.venue not in appt.venues:
        options = join_words(venue_name(scenario, v) for v in appt.venues)
        yield "venue", f"{venue.name} is not one of its venues ({options})"
    if venue.open is not None and not venue.is_open(s.day, s.start, s.end):
        yield "venue-hours", outside_hours(venue.name, "open", venue.open, s.day, day_label(s.day))


def _diaries(scenario: Scenario, s: PlacedSession) -> Iterator[tuple[str, str]]:
    for p in s.practitioners:
        prac = scenario.practitioners[p]
        if prac.available is not None and not prac.is_available(s.day, s.start, s.end):
            yield (
                "availability",
                outside_hours(prac.name, "available", prac.available, s.day, day_label(s.day)),
            )
        for busy in prac.busy_on(s.week, s.day):
            if busy.span.overlaps(s.start, s.end):
                yield (
                    "busy",
                    f"overlaps {prac.name}'s {busy.label} {span_label(busy.span.start, busy.span.end)}",
                )
    if s.carer is not None:
        carer = scenario.carers[s.carer]
        if carer.available is not None and not carer.is_available(s.day, s.start, s.end):
            yield (
                "availability",
                outside_hours(carer.name, "available", carer.available, s.day, day_label(s.day)),
            )


def _pins(t: Timetable) -> Iterator[Violation]:
    for appt in t.scenario.appointments:
        sessions = t.sessions_of(appt.index)
        for booking in appt.pinned:
            for week in booking.weeks(t.scenario.horizon.weeks):
                if not any(_keeps_pin(booking, week, s) for s in sessions):
                    when = f"{day_text(t.scenario, week, booking.day)} {format_time(booking.start)}"
                    yield Violation(
                        2, "pin", appt.id, f"{appt.id} pinned {when}", _pin_message(t.scenario, booking)
                    )


def _keeps_pin(booking: Booking, week: int, s: PlacedSession) -> bool:
    return (
        s.week == week
        and s.day == booking.day
        and s.start == booking.start
        and s.venue == booking.venue
        and (booking.practitioners is None or set(booking.practitioners) == set(s.practitioners))
        and (booking.carer is None or booking.carer == s.carer)
    )


def _pin_message(scenario: Scenario, booking: Booking) -> str:
    text = f"no session keeps this pin at {venue_name(scenario, booking.venue)}"
    if booking.practitioners is not None:
        text += f" with {practitioner_names(scenario, booking.practitioners)}"
    if booking.carer is not None:
        text += f" escorted by {scenario.carers[booking.carer].name}"
    return text
