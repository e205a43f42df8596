"""Rule 12: a session of an appointment with ``after`` starts ``min_gap`` to ``max_gap``
minutes after the start of a session of the appointment it follows, on the same day; when
``min_gap`` is less than that appointment's duration (a joined pair), at the same venue."""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.clock import format_time
from scheduler.model import After, Appointment
from scheduler.schedule import PlacedSession
from scheduler.validate.describe import day_text, session_where, venue_name
from scheduler.validate.plans import Timetable
from scheduler.validate.violation import Violation


def check_sequences(t: Timetable, *, partial: bool = False) -> Iterator[Violation]:
    """Rule 12 for every session of an appointment that follows another one.

    With ``partial`` (today's bookings) a follower whose first appointment has no booking at
    all is not checked.
    """
    for appt in t.scenario.appointments:
        after = appt.after
        if after is None:
            continue
        first = t.scenario.appointments[after.appointment]
        firsts = t.sessions_of(first.index)
        if partial and not firsts:
            continue
        for s in t.sessions_of(appt.index):
            same_day = [f for f in firsts if f.pattern_day == s.pattern_day]
            yield from _session(t, appt, first, s, same_day)


def _rule_words(after: After, first: Appointment) -> str:
    if after.max_gap == 0:
        return f"must start at the same time as {first.id}"
    return f"must start {after.min_gap}-{after.max_gap} min after the start of {first.id}"


def _session(
    t: Timetable, appt: Appointment, first: Appointment, s: PlacedSession, same_day: list[PlacedSession]
) -> Iterator[Violation]:
    after = appt.after
    assert after is not None
    where = session_where(t.scenario, s)
    rule = _rule_words(after, first)
    if not same_day:
        day = day_text(t.scenario, s.week, s.day)
        yield Violation(
            12, "sequence", appt.id, where, f"{rule} on the same day; {first.id} has none on {day}"
        )
        return
    kept = [f for f in same_day if after.min_gap <= s.start - f.start <= after.max_gap]
    if not kept:
        nearest = min(same_day, key=lambda f: abs(s.start - f.start))
        gap = s.start - nearest.start
        said = f"{gap} min after" if gap >= 0 else f"{-gap} min before"
        yield Violation(
            12,
            "sequence",
            appt.id,
            where,
            f"{rule}; it starts {said} {first.id} ({format_time(nearest.start)})",
        )
        return
    if t.scenario.joined(appt) and all(f.venue != s.venue for f in kept):
        yield Violation(
            12,
            "sequence-venue",
            appt.id,
            where,
            f"may overlap {first.id} (min_gap {after.min_gap} min is less than its {first.duration} min), "
            f"so it must be at {first.id}'s venue, {venue_name(t.scenario, kept[0].venue)}",
        )
