"""Rule 10: a client with ``supervision: "always"`` is never left alone by the plan.

During every minute of every outing of a carer, each such client of that carer is with a
carer on that carer's outing, inside a supervised fixed routine, or at home with another of
their carers who is available and not out. A companion keeps their own rules: they come
along with a carer who escorts the session, and not during a fixed routine of theirs.
"""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.clock import span_label
from scheduler.model import Carer, Client, Routine
from scheduler.schedule import PlacedCompanion
from scheduler.validate.describe import day_text, join_words, session_where, venue_name
from scheduler.validate.household import (
    Outing,
    Stretch,
    alone,
    at_home,
    carer_at_home,
    clashes,
    clashing_days,
    outings,
)
from scheduler.validate.plans import DayPlan, Timetable
from scheduler.validate.violation import Violation


def check_alone(t: Timetable) -> Iterator[Violation]:
    """Rule 10: companions who may come along, and nobody who needs a carer left alone."""
    for companion in t.companions:
        yield from _companion_faults(t, companion)
    clashing = clashing_days(t)
    for client in t.scenario.clients:
        if client.supervision != "always":
            continue
        for index in client.carers:
            carer = t.scenario.carers[index]
            for plan in t.plans_of("carer"):
                if plan.person.id != carer.id:
                    continue
                if (client.id, plan.week, plan.day) in clashing:
                    continue
                mine = t.plan("client", client.id, plan.week, plan.day)
                for outing in outings(t, plan):
                    for stretch in alone(t, mine, carer, outing):
                        yield _left_alone(t, client, mine, carer, outing, stretch)


def _companion_faults(t: Timetable, companion: PlacedCompanion) -> Iterator[Violation]:
    s = t.scenario
    client, carer, session = s.clients[companion.client], s.carers[companion.carer], companion.session
    where = f"{client.id} with {session_where(s, session)}"

    def fault(message: str) -> Violation:
        return Violation(10, "companion", client.id, where, message)

    if companion.carer not in client.carers:
        yield fault(f"{client.name} comes along with {carer.name}, who is not one of {client.name}'s carers")
    if session.carer != companion.carer:
        escort = "nobody" if session.carer is None else s.carers[session.carer].name
        yield fault(
            f"{client.name} comes along with {carer.name}, but {carer.name} does not take "
            f"{s.clients[s.appointments[session.appointment].client].name} to it ({escort} does)"
        )
    for clash in clashes(t, companion):
        if isinstance(clash, Routine):
            yield fault(
                f"{client.name}'s {clash.name} {span_label(clash.span.start, clash.span.end)} is at "
                f"{_place(t, client, clash.at)}: {client.name} cannot come along to "
                f"{venue_name(s, session.venue)} then"
            )
        else:
            yield fault(f"{client.name} has a session of their own then: {session_where(s, clash)}")


def _place(t: Timetable, client: Client, venue: int) -> str:
    """``home`` for the client's home, else the venue's name."""
    return "home" if venue == client.home else venue_name(t.scenario, venue)


def _left_alone(
    t: Timetable, client: Client, plan: DayPlan, carer: Carer, outing: Outing, stretch: Stretch
) -> Violation:
    s = t.scenario
    when = f"{day_text(s, plan.week, plan.day)} {span_label(*stretch)}"
    others = [s.carers[c] for c in client.carers if c != carer.index]
    reasons = [_absence(t, other, client, plan, stretch) for other in others]
    tail = f" and {join_words(reasons)}" if reasons else f", and {client.name} has no other carer"
    return Violation(
        10,
        "alone",
        client.id,
        f"{client.id}, {when}",
        f"{client.name} is alone {_whereabouts(t, client, plan, stretch)} {when}: "
        f"{carer.name} is {_errand(t, outing)}{tail}",
    )


def _whereabouts(t: Timetable, client: Client, plan: DayPlan, stretch: Stretch) -> str:
    """``at home``, ``at Grandma's (swimming)``, or ``away from home``."""
    for routine in client.fixed_routines_on(plan.day):
        if routine.span.overlaps(*stretch) and routine.at != client.home:
            return f"at {venue_name(t.scenario, routine.at)} ({routine.name})"
    home = at_home(t, plan)
    if any(low <= stretch[0] and stretch[1] <= high for low, high in home):
        return "at home"
    return "away from home"


def _errand(t: Timetable, outing: Outing) -> str:
    """``taking Alfie to North Clinic``, or ``out`` for an outing without sessions."""
    s = t.scenario
    trips = []
    for stop in outing.stops:
        if stop.session is None:
            continue
        who = s.clients[s.appointments[stop.session.appointment].client].name
        text = f"{who} to {venue_name(s, stop.place)}"
        if text not in trips:
            trips.append(text)
    return f"taking {join_words(trips)}" if trips else "out"


def _absence(t: Timetable, other: Carer, client: Client, plan: DayPlan, stretch: Stretch) -> str:
    """Why another carer is not at home with the client: ``Dad is not available``."""
    if other.home != client.home:
        return f"{other.name} does not live at {venue_name(t.scenario, client.home)}"
    if other.available is not None and not other.available.contains(plan.day, *stretch):
        return f"{other.name} is not available"
    if any(low <= stretch[0] and stretch[1] <= high for low, high in carer_at_home(t, other, plan)):
        return f"{other.name} is at home but {client.name} is not"
    return f"{other.name} is out too"
