"""Rule 7: at no minute more sessions at a venue than it has rooms (a home: one); a joined
pair of a sequence takes one room from its first start to its later end."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scheduler.clock import span_label
from scheduler.schedule import PlacedSession
from scheduler.validate.describe import day_text, join_words
from scheduler.validate.plans import Timetable, merged
from scheduler.validate.violation import Violation


@dataclass(frozen=True)
class _Crowd:
    """A stretch ``[start, end)`` with more sessions in progress than rooms; ``peak`` at most."""

    start: int
    end: int
    peak: int


def check_rooms(t: Timetable) -> Iterator[Violation]:
    """Rule 7: one violation per stretch of time a venue holds more sessions than its rooms."""
    by_place: dict[tuple[int, int], list[PlacedSession]] = {}
    for session in merged(t.scenario, t.sessions):
        by_place.setdefault((session.venue, session.pattern_day), []).append(session)
    for venue in t.scenario.venues:
        for pattern_day in t.scenario.days():
            here = by_place.get((venue.index, pattern_day), [])
            for crowd in _crowds(here, venue.rooms):
                week, day = divmod(pattern_day, 7)
                involved = {s.appointment for s in here if s.start < crowd.end and crowd.start < s.end}
                ids = join_words(t.scenario.appointments[a].id for a in sorted(involved))
                yield Violation(
                    7,
                    "rooms",
                    venue.id,
                    f"{venue.id}, {day_text(t.scenario, week, day)} {span_label(crowd.start, crowd.end)}",
                    f"{venue.name} holds {crowd.peak} sessions at once ({ids}); "
                    f"it has room for {venue.rooms}",
                )


def _in_progress(sessions: Sequence[PlacedSession], start: int, end: int) -> int:
    return sum(1 for s in sessions if s.start <= start and end <= s.end)


def _crowds(sessions: Sequence[PlacedSession], rooms: int) -> list[_Crowd]:
    """Maximal stretches with more than ``rooms`` sessions in progress."""
    points = sorted({*(s.start for s in sessions), *(s.end for s in sessions)})
    crowds: list[_Crowd] = []
    for start, end in itertools.pairwise(points):
        count = _in_progress(sessions, start, end)
        if count <= rooms:
            continue
        if crowds and crowds[-1].end == start:
            last = crowds.pop()
            crowds.append(_Crowd(last.start, end, max(last.peak, count)))
        else:
            crowds.append(_Crowd(start, end, count))
    return crowds
