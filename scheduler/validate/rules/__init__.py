"""The hard rules of the format (``docs/format.md``), one function per rule family (see ``docs/rules.md``)."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.validate.plans import Timetable
from scheduler.validate.rules.alone import check_alone
from scheduler.validate.rules.carers import check_carers
from scheduler.validate.rules.escort import check_escort
from scheduler.validate.rules.frequency import check_frequency, check_occurrences
from scheduler.validate.rules.hours import check_hours
from scheduler.validate.rules.limits import check_limits
from scheduler.validate.rules.places import check_places
from scheduler.validate.rules.rooms import check_rooms
from scheduler.validate.rules.routines import RoutineSpan, check_routines
from scheduler.validate.rules.sequences import check_sequences
from scheduler.validate.rules.who import check_who
from scheduler.validate.violation import Violation

__all__ = [
    "RoutineSpan",
    "check_occurrences",
    "check_rules",
]


def check_rules(
    t: Timetable, *, routines: Iterable[RoutineSpan] | None = None, partial: bool = False
) -> tuple[Violation, ...]:
    """Every rule 1-12 on a timetable, in rule order (rule 11 is checked with rule 3)."""
    return (
        *check_frequency(t, partial=partial),
        *check_hours(t),
        *check_places(t),
        *check_routines(t, routines),
        *check_carers(t),
        *check_who(t, partial=partial),
        *check_rooms(t),
        *check_limits(t),
        *check_escort(t),
        *check_alone(t),
        *check_sequences(t, partial=partial),
    )
