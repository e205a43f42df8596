"""Rule 8: clients' daily and weekly limits and practitioners' daily limits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from scheduler.clock import day_label, format_time
from scheduler.model import Client, Practitioner
from scheduler.schedule import PlacedSession
from scheduler.validate.describe import day_text, join_words, session_where
from scheduler.validate.plans import Timetable, merged, people_met, person_name
from scheduler.validate.violation import Violation


def check_limits(t: Timetable) -> Iterator[Violation]:
    """Rule 8: every limit of every client (per day and week) and practitioner (per day)."""
    for client in t.scenario.clients:
        sessions = t.client_sessions(client.index)
        for pattern_day in t.scenario.days():
            yield from _client_day(t, client, [s for s in sessions if s.pattern_day == pattern_day])
        for week in range(t.scenario.horizon.weeks):
            yield from _client_week(t, client, week, [s for s in sessions if s.week == week])
    for prac in t.scenario.practitioners:
        for plan in t.person_plans("practitioner", prac.id):
            yield from _practitioner_day(t, prac, list(plan.sessions))


def _limit(subject: str, where: str, message: str) -> Violation:
    return Violation(8, "limit", subject, where, message)


def _day_load(
    name: str, sessions: Sequence[PlacedSession], when: str, most: int | None, most_minutes: int | None
) -> Iterator[str]:
    minutes = sum(s.end - s.start for s in sessions)
    if most is not None and len(sessions) > most:
        yield f"{name} has {len(sessions)} sessions on {when}; the limit is {most} a day"
    if most_minutes is not None and minutes > most_minutes:
        yield f"{name} has {minutes} min of sessions on {when}; the limit is {most_minutes} min a day"


def _client_day(t: Timetable, client: Client, sessions: Sequence[PlacedSession]) -> Iterator[Violation]:
    if not sessions:
        return
    limits = client.limits
    when = day_text(t.scenario, sessions[0].week, sessions[0].day)
    for message in _day_load(
        client.name, sessions, when, limits.max_sessions_per_day, limits.max_session_minutes_per_day
    ):
        yield _limit(client.id, f"{client.id}, {when}", message)
    if limits.min_gap_minutes is None:
        return
    ordered = sorted(merged(t.scenario, sessions), key=lambda s: (s.start, s.end))
    for before, after in itertools.pairwise(ordered):
        gap = after.start - before.end
        if 0 <= gap < limits.min_gap_minutes:
            yield _limit(
                client.id,
                session_where(t.scenario, after),
                f"starts {gap} min after {t.scenario.appointments[before.appointment].id} ends at "
                f"{format_time(before.end)}; {client.name} needs at least {limits.min_gap_minutes} min "
                "between sessions",
            )


def _client_week(
    t: Timetable, client: Client, week: int, sessions: Sequence[PlacedSession]
) -> Iterator[Violation]:
    limits = client.limits
    where = client.id if t.scenario.horizon.weeks == 1 else f"{client.id} wk{week + 1}"
    days = sorted({s.day for s in sessions})
    if limits.max_days_per_week is not None and len(days) > limits.max_days_per_week:
        yield _limit(
            client.id,
            where,
            f"{client.name} has sessions on {len(days)} days ({join_words(day_label(d) for d in days)}); "
            f"the limit is {limits.max_days_per_week} a week",
        )
    people = sorted(set().union(*(people_met(t.scenario, s) for s in sessions)))
    if limits.max_people_per_week is not None and len(people) > limits.max_people_per_week:
        names = join_words(person_name(t.scenario, p) for p in people)
        yield _limit(
            client.id,
            where,
            f"{client.name} meets {len(people)} people ({names}); "
            f"the limit is {limits.max_people_per_week} a week",
        )


def _practitioner_day(
    t: Timetable, prac: Practitioner, sessions: Sequence[PlacedSession]
) -> Iterator[Violation]:
    if not sessions:
        return
    when = day_text(t.scenario, sessions[0].week, sessions[0].day)
    limits = prac.limits
    for message in _day_load(
        prac.name, sessions, when, limits.max_sessions_per_day, limits.max_session_minutes_per_day
    ):
        yield _limit(prac.id, f"{prac.id}, {when}", message)
