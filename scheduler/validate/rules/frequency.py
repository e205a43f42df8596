"""Rule 1: every appointment gets all its sessions, on different days, far enough apart."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from scheduler.clock import day_label
from scheduler.model import Appointment, Scenario
from scheduler.schedule import PlacedSession
from scheduler.validate.describe import session_where
from scheduler.validate.plans import Timetable
from scheduler.validate.violation import Violation


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _owner(scenario: Scenario, appt: Appointment) -> str:
    return f"{scenario.clients[appt.client].name}'s {appt.title}"


def _week_where(scenario: Scenario, appt: Appointment, week: int) -> str:
    return appt.id if scenario.horizon.weeks == 1 else f"{appt.id} wk{week + 1}"


def check_frequency(t: Timetable, *, partial: bool = False) -> Iterator[Violation]:
    """Rule 1: session counts, different days ``min_days_apart`` apart, optional ones all or none.

    With ``partial`` (today's bookings) an appointment without any session is not checked.
    """
    for appt in t.scenario.appointments:
        sessions = t.sessions_of(appt.index)
        if not sessions and (appt.optional or partial):
            continue
        needed = appt.frequency.sessions_in(t.scenario.horizon.weeks)
        if appt.optional and len(sessions) != needed:
            yield Violation(
                1,
                "frequency",
                appt.id,
                appt.id,
                f"{_owner(t.scenario, appt)} is optional: it has {len(sessions)} of its {needed} sessions; "
                "an optional appointment gets all its sessions or none",
            )
        elif appt.frequency.per_week is not None:
            yield from _per_week(t.scenario, appt, appt.frequency.per_week, sessions)
        elif len(sessions) != needed:
            yield Violation(
                1,
                "frequency",
                appt.id,
                appt.id,
                f"{_owner(t.scenario, appt)} needs {_plural(needed, 'session')} in the "
                f"{t.scenario.horizon.weeks}-week pattern, has {len(sessions)}",
            )


def _per_week(
    scenario: Scenario, appt: Appointment, per_week: int, sessions: Sequence[PlacedSession]
) -> Iterator[Violation]:
    apart = appt.frequency.min_days_apart
    for week in range(scenario.horizon.weeks):
        where = _week_where(scenario, appt, week)
        days = [s.day for s in sessions if s.week == week]
        if len(days) != per_week:
            yield Violation(
                1,
                "frequency",
                appt.id,
                where,
                f"{_owner(scenario, appt)} needs {_plural(per_week, 'session')} a week, has {len(days)}",
            )
        for day in sorted({d for d in days if days.count(d) > 1}):
            yield Violation(
                1,
                "frequency",
                appt.id,
                where,
                f"has {days.count(day)} sessions on {day_label(day)}; they must be on different days",
            )
        for first, second in itertools.pairwise(sorted(set(days))):
            if second - first < apart:
                yield Violation(
                    1,
                    "frequency",
                    appt.id,
                    where,
                    f"sessions on {day_label(first)} and {day_label(second)} are "
                    f"{_plural(second - first, 'day')} apart; they must be at least "
                    f"{_plural(apart, 'day')} apart",
                )


def check_occurrences(t: Timetable) -> Iterator[Violation]:
    """Rule 1: occurrences are numbered 1..N per appointment in order of week, day and start."""
    for appt in t.scenario.appointments:
        for expected, session in enumerate(t.sessions_of(appt.index), start=1):
            if session.occurrence != expected:
                yield Violation(
                    1,
                    "occurrence",
                    appt.id,
                    session_where(t.scenario, session),
                    f"is numbered {session.occurrence}; in order of week, day and start it is "
                    f"occurrence {expected}",
                )
