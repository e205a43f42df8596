"""Words for violations: names, days and times a coordinator recognises."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scheduler.clock import day_label, format_time, span_label
from scheduler.model import Scenario, WeeklyHours
from scheduler.schedule import PlacedSession


def join_words(words: Iterable[str], last: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"`` (or with ``last`` ``"or"``: ``"a, b or c"``)."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def day_text(scenario: Scenario, week: int, day: int) -> str:
    """``"Tue"``, or ``"Tue wk2"`` in a two-week pattern."""
    return day_label(day, week, scenario.horizon.weeks)


def session_where(scenario: Scenario, session: PlacedSession) -> str:
    """``"jonny-slt occurrence 1, Tue 12:45-13:30"``."""
    appt = scenario.appointments[session.appointment]
    when = day_text(scenario, session.week, session.day)
    return f"{appt.id} occurrence {session.occurrence}, {when} {span_label(session.start, session.end)}"


def venue_name(scenario: Scenario, venue: int) -> str:
    """The venue's name."""
    return scenario.venues[venue].name


def practitioner_names(scenario: Scenario, practitioners: Sequence[int]) -> str:
    """``"Ana Ruiz and Bo Li"``; ``"nobody"`` for none."""
    return join_words(scenario.practitioners[p].name for p in practitioners) or "nobody"


def hours_on(hours: WeeklyHours, day: int) -> str:
    """``"09:00-12:00, 13:00-17:00"`` for one day of a weekly hours map."""
    return ", ".join(span_label(span.start, span.end) for span in hours.on(day))


def outside_hours(subject: str, verb: str, hours: WeeklyHours, day: int, day_name: str) -> str:
    """``"Ana Ruiz is not available then (Tue 09:00-13:00)"`` or ``"... is not available on Wed"``."""
    if not hours.on(day):
        return f"{subject} is not {verb} on {day_name}"
    return f"{subject} is not {verb} then ({day_name} {hours_on(hours, day)})"


def time_text(minutes: int) -> str:
    """``"HH:MM"``, clamped to the day for times a journey would push past midnight."""
    return format_time(min(max(minutes, 0), 24 * 60))
