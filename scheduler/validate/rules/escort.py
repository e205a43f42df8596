"""Rule 9: a client with ``supervision`` ``escort`` or ``always`` makes no planned journey alone.

Every leg of such a client to or from a stop the plan gives away from home (their own
sessions, and the sessions they attend as a companion) is travelled together with one of
their carers. Legs between home and fixed routines (the school run), also when a home visit
waits at home, are the family's own and not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.clock import span_label
from scheduler.validate.describe import day_text, join_words, venue_name
from scheduler.validate.household import clashing_days, escort_of, is_supervised, timing
from scheduler.validate.plans import Leg, Timetable
from scheduler.validate.violation import Violation


def check_escort(t: Timetable) -> Iterator[Violation]:
    """Rule 9: every planned leg of a client who never travels alone has a carer on it."""
    clashing = clashing_days(t)
    for plan in t.plans_of("client"):
        client = t.scenario.clients[t.scenario.client_index[plan.person.id]]
        if not is_supervised(client) or (client.id, plan.week, plan.day) in clashing:
            continue
        for leg in t.journeys.legs(plan):
            if _planned_away(leg, client.home) and escort_of(t, plan, leg) is None:
                low, high = timing(leg, leg.minutes, plan.person.depot)
                carers = join_words(t.scenario.carers[c].name for c in client.carers)
                who = f"none of {client.name}'s carers ({carers}) makes" if carers else "no carer makes"
                yield Violation(
                    9,
                    "escort",
                    client.id,
                    f"{client.id}, {day_text(t.scenario, plan.week, plan.day)} {span_label(low, high)}",
                    f"{client.name} would travel alone from {_place(t, leg, 'from')} to "
                    f"{_place(t, leg, 'to')} ({_purpose(leg)}), but {client.name} "
                    f"{_never(client.supervision)} and {who} that journey then",
                )


def _planned_away(leg: Leg, home: int) -> bool:
    """True when one end of the leg is a stop the plan gives away from ``home``."""
    ends = (leg.origin_stop, leg.destination_stop)
    return any(stop is not None and stop.is_planned and stop.place != home for stop in ends)


def _place(t: Timetable, leg: Leg, end: str) -> str:
    stop = leg.origin_stop if end == "from" else leg.destination_stop
    venue = leg.origin if end == "from" else leg.destination
    name = "home" if t.scenario.venues[venue].is_home else venue_name(t.scenario, venue)
    if stop is None or stop.is_planned:
        return name
    return f"{stop.label} at {name}"


def _purpose(leg: Leg) -> str:
    stop = (
        leg.destination_stop
        if leg.destination_stop is not None and leg.destination_stop.is_planned
        else leg.origin_stop
    )
    assert stop is not None
    return f"{'to' if stop is leg.destination_stop else 'after'} {stop.label}"


def _never(supervision: str) -> str:
    return "never travels alone" if supervision == "escort" else "is never left alone"
