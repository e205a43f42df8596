"""Rule 4: fixed routines hold the client at their place; flexible ones keep their free minutes.

A flexible routine needs a piece ``[x, x + duration)`` inside its window in which the client
has no session (sessions inside a routine included) and does not travel. Each journey may
lie anywhere in its gap (between two stops, or between midnight and the first or last
stop), so it blocks the piece only when it fits neither before nor after it in that gap.
Fixed routines do not block flexible ones. Going home between two stops (rule 11) puts two
journeys in one gap: they block the piece unless both fit around it. A flexible routine with
a place (``at``, version 2) needs its piece where the client is at that place and has no
session. On a day without sessions or companions' stops only the journeys between fixed
routines could fill the window: a fact of the data, not of the schedule, so such a day is
not judged (as in rule 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from scheduler.clock import format_time, span_label
from scheduler.model import Routine
from scheduler.schedule import PlacedSession
from scheduler.validate.describe import day_text, session_where, venue_name
from scheduler.validate.household import Stretch, time_at
from scheduler.validate.plans import DayPlan, Leg, Timetable, client_of, holds
from scheduler.validate.violation import Violation


class RoutineSpan(Protocol):
    """Where a flexible routine falls: client index, routine name, 0-based week, day 0-6, minutes."""

    @property
    def client(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def week(self) -> int: ...
    @property
    def day(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def check_routines(t: Timetable, routines: Iterable[RoutineSpan] | None = None) -> Iterator[Violation]:
    """Rule 4: no session in a fixed routine unless inside it; room for every flexible routine.

    ``routines`` are the schedule's own placements of flexible routines; each must keep the rule.
    """
    for session in t.sessions:
        yield from _fixed_overlaps(t, session)
    for plan in t.plans_of("client"):
        if not plan.sessions and not any(stop.companion for stop in plan.stops):
            continue
        client = t.scenario.clients[t.scenario.client_index[plan.person.id]]
        for routine in client.flexible_routines_on(plan.day):
            if not _has_room(t, plan, routine):
                where = "" if routine.place is None else f" at {venue_name(t.scenario, routine.place)}"
                yield Violation(
                    4,
                    "flexible-routine",
                    client.id,
                    f"{client.id} {routine.name}, {day_text(t.scenario, plan.week, plan.day)}",
                    f"{client.name} has no {routine.duration} free minutes in one piece{where} for "
                    f"{routine.name} between {format_time(routine.span.start)} and "
                    f"{format_time(routine.span.end)}: sessions and travel fill it",
                )
    for placement in routines or ():
        yield from _placement_faults(t, placement)


def _fixed_overlaps(t: Timetable, session: PlacedSession) -> Iterator[Violation]:
    client = client_of(t.scenario, session)
    for routine in client.fixed_routines_on(session.day):
        if routine.span.overlaps(session.start, session.end) and not holds(routine, session):
            yield Violation(
                4,
                "routine",
                t.scenario.appointments[session.appointment].id,
                session_where(t.scenario, session),
                f"overlaps {client.name}'s {routine.name} {span_label(routine.span.start, routine.span.end)}"
                + _routine_hint(t, routine, session),
            )


def _routine_hint(t: Timetable, routine: Routine, session: PlacedSession) -> str:
    if not routine.allows_sessions:
        return ""
    if routine.at != session.venue:
        return f"; only sessions at {venue_name(t.scenario, routine.at)} may take place during it"
    return "; a session during it must lie entirely within it"


def _blocker(
    start: int, end: int, sessions: Sequence[PlacedSession], legs: Sequence[Leg]
) -> PlacedSession | Leg | None:
    """What keeps ``[start, end)`` from being free: a session, a journey, or None."""
    for session in sessions:
        if session.start < end and start < session.end:
            return session
    for k, leg in enumerate(legs):
        low, high = leg.gap_start, leg.gap_end
        if not (low < end and start < high) or leg.home_break == "back":
            continue
        before, after = min(high, start) - low, high - max(low, end)
        if leg.home_break == "out":
            back = legs[k + 1]
            both = leg.minutes + back.minutes
            if both and not (
                before >= both or after >= both or (before >= leg.minutes and after >= back.minutes)
            ):
                return leg
        elif leg.minutes and before < leg.minutes and after < leg.minutes:
            return leg
    return None


def _room_at(t: Timetable, plan: DayPlan, routine: Routine) -> list[Stretch]:
    """Where a routine's piece may lie: anywhere (the whole day) or, with a place, when the
    client is there without a session."""
    return [(0, 24 * 60)] if routine.place is None else time_at(t, plan, routine.place)


def _has_room(t: Timetable, plan: DayPlan, routine: Routine) -> bool:
    assert routine.duration is not None
    legs = t.journeys.legs(plan)
    last_start = routine.span.end - routine.duration
    room = _room_at(t, plan, routine)
    return any(
        _blocker(x, x + routine.duration, plan.sessions, legs) is None
        and any(low <= x and x + routine.duration <= high for low, high in room)
        for x in range(routine.span.start, last_start + 1)
    )


def _placement_faults(t: Timetable, placement: RoutineSpan) -> Iterator[Violation]:
    client = t.scenario.clients[placement.client]
    routine = next(r for r in client.routines if r.name == placement.name and not r.is_fixed)
    assert routine.duration is not None
    when = day_text(t.scenario, placement.week, placement.day)
    where = f"{client.id} {routine.name}, {when} {span_label(placement.start, placement.end)}"

    def fault(message: str) -> Violation:
        return Violation(4, "flexible-routine", client.id, where, message)

    if placement.day not in routine.days:
        yield fault(f"{client.name}'s {routine.name} does not apply on {when}")
        return
    if placement.end - placement.start != routine.duration:
        yield fault(
            f"lasts {placement.end - placement.start} min; {routine.name} needs {routine.duration} min"
        )
    if not routine.span.contains(placement.start, placement.end):
        yield fault(f"lies outside its window {span_label(routine.span.start, routine.span.end)}")
    plan = t.plan("client", client.id, placement.week, placement.day)
    room = _room_at(t, plan, routine)
    if routine.place is not None and not any(
        low <= placement.start and placement.end <= high for low, high in room
    ):
        yield fault(f"{client.name} is not at {venue_name(t.scenario, routine.place)} for all of it")
    blocker = _blocker(placement.start, placement.end, plan.sessions, t.journeys.legs(plan))
    if isinstance(blocker, PlacedSession):
        yield fault(f"overlaps {session_where(t.scenario, blocker)}")
    elif isinstance(blocker, Leg):
        yield fault(
            f"leaves no room for {client.name}'s {blocker.minutes}-min journey from "
            f"{venue_name(t.scenario, blocker.origin)} to {venue_name(t.scenario, blocker.destination)} "
            f"between {format_time(blocker.gap_start)} and {format_time(blocker.gap_end)}"
        )
