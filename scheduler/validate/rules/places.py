"""Rule 3: one place at a time, travel included, inside the day's bounds; rule 11: going home
between two stops only when the journeys there and back fit between them.

The same checks hold for carers (rule 5), so :func:`plan_faults` takes the rule number.
Relations between fixed entries only (two routines, two busy entries, a routine and the
depot) are facts of the data, not of the schedule, and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.clock import format_time, span_label
from scheduler.validate.describe import session_where, time_text, venue_name
from scheduler.validate.plans import DayPlan, Leg, Stop, Timetable, joined_pairs
from scheduler.validate.violation import Violation


def check_places(t: Timetable) -> Iterator[Violation]:
    """Rule 3: sessions inside the day; clients' and practitioners' stops apart by travel, day bounds."""
    bounds = (t.scenario.horizon.day_start, t.scenario.horizon.day_end)
    for session in t.sessions:
        if session.start < bounds[0] or session.end > bounds[1]:
            yield Violation(
                3,
                "day-bounds",
                t.scenario.appointments[session.appointment].id,
                session_where(t.scenario, session),
                f"lies outside the day {span_label(*bounds)}",
            )
    for plan in (*t.plans_of("client"), *t.plans_of("practitioner")):
        yield from plan_faults(t, plan, rule=3)


def plan_faults(t: Timetable, plan: DayPlan, *, rule: int) -> Iterator[Violation]:
    """A person's day: sessions that overlap, journeys that do not fit, days that start or end too late."""
    yield from _overlaps(t, plan, rule)
    legs = t.journeys.legs(plan)
    for k, leg in enumerate(legs):
        if leg.home_break == "out":
            yield from _home_break_faults(t, plan, leg, legs[k + 1])
        yield from _leg_faults(t, plan, leg, rule)


def _overlaps(t: Timetable, plan: DayPlan, rule: int) -> Iterator[Violation]:
    """Every two of the person's sessions that overlap (a client's inside a routine included),
    but a client's joined pair of a sequence (one stop)."""
    pairs = joined_pairs(t.scenario, plan.sessions) if plan.person.kind == "client" else {}
    for i, first in enumerate(plan.sessions):
        for second in plan.sessions[i + 1 :]:
            if pairs.get(second) is first or pairs.get(first) is second:
                continue
            if second.start < first.end:
                yield Violation(
                    rule,
                    "overlap",
                    plan.person.id,
                    session_where(t.scenario, second),
                    f"{plan.person.name} has two sessions at once: this one at "
                    f"{venue_name(t.scenario, second.venue)} and "
                    f"{t.scenario.appointments[first.appointment].id} {span_label(first.start, first.end)} "
                    f"at {venue_name(t.scenario, first.venue)}",
                )


def _where(t: Timetable, stop: Stop) -> str:
    assert stop.session is not None
    return session_where(t.scenario, stop.session)


def _session_end(leg: Leg) -> Stop | None:
    """The stop of the plan the leg is judged at: the stop after when the plan gives it (a
    session, or a companion's stop), else the stop before."""
    for stop in (leg.after, leg.before):
        if stop is not None and stop.is_planned:
            return stop
    return None


def _home_break_faults(t: Timetable, plan: DayPlan, out: Leg, back: Leg) -> Iterator[Violation]:
    """Rule 11: the journeys home and back fit in the gap between the two stops."""
    assert out.before is not None
    assert out.after is not None
    gap = out.after.start - out.before.end
    if out.minutes + back.minutes > gap:
        stop = _session_end(out)
        person = plan.person
        yield Violation(
            11,
            "home-between",
            person.id,
            _where(t, stop) if stop is not None else person.id,
            f"{person.name} goes home between {out.before.label} (ends {format_time(out.before.end)}) "
            f"and {out.after.label} (starts {format_time(out.after.start)}), but the journeys home "
            f"({out.minutes} min) and back ({back.minutes} min) take longer than the {gap} min between them",
        )


def _leg_faults(t: Timetable, plan: DayPlan, leg: Leg, rule: int) -> Iterator[Violation]:
    session = _session_end(leg)
    if session is None:
        return
    person, where = plan.person, _where(t, session)
    origin, destination = venue_name(t.scenario, leg.origin), venue_name(t.scenario, leg.destination)
    if leg.journey is None:
        yield Violation(
            rule,
            "travel",
            person.id,
            where,
            f"no travel time is known from {origin} to {destination} by {person.mode}: "
            "give both venues lat/lon or add a travel.matrix entry",
        )
        return
    journey = f"{leg.minutes} min by {person.mode}"
    day_start, day_end = t.scenario.horizon.day_start, t.scenario.horizon.day_end
    if leg.home_break is not None:
        return
    if leg.before is not None and leg.after is not None:
        gap = leg.after.start - leg.before.end
        if 0 <= gap < leg.minutes:
            yield Violation(
                rule,
                "travel",
                person.id,
                where,
                f"{person.name} needs {journey} from {origin} to {destination} but has {gap} min "
                f"({leg.before.label} ends {format_time(leg.before.end)}, "
                f"{leg.after.label} starts {format_time(leg.after.start)})",
            )
    elif leg.after is not None and leg.after.start - leg.minutes < day_start:
        yield Violation(
            rule,
            "day-bounds",
            person.id,
            where,
            f"{person.name} would have to leave {origin} at {time_text(leg.after.start - leg.minutes)} "
            f"({journey}) to reach {destination} by {format_time(leg.after.start)}; "
            f"the day starts at {format_time(day_start)}",
        )
    elif leg.before is not None and leg.before.end + leg.minutes > day_end:
        yield Violation(
            rule,
            "day-bounds",
            person.id,
            where,
            f"{person.name} would be back at {destination} at {time_text(leg.before.end + leg.minutes)} "
            f"({journey} from {origin}); the day ends at {format_time(day_end)}",
        )
