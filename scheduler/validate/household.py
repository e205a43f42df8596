"""Who is with whom (version 2 of the format): escorts, outings, companions, time at home.

Rules 9 and 10, the routines' places of rule 4 and the ``accompanying_minutes`` term read
the day plans of :mod:`scheduler.validate.plans` through these functions, made exact in
``docs/rules.md`` ("Households"):

- an *outing* runs from the departure of a leg leaving the depot to the arrival of the next
  leg coming back, a journey leaving as late and coming back as early as its stops allow;
- a leg is *travelled together* with a carer's leg when both go from the same place to the
  same place and the carer's journey, timed as the carer's outings time it, lies within both
  legs' gaps (so a carer who goes home early has not taken the client home);
- a supervised client who travels with a carer travels by the carer's mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scheduler.model import Carer, Client, Routine
from scheduler.schedule import PlacedCompanion, PlacedSession
from scheduler.validate.plans import DayPlan, Leg, Stop, Timetable, holds

Stretch = tuple[int, int]
"""A half-open span of minutes ``[start, end)``."""


def merge(stretches: Iterable[Stretch]) -> list[Stretch]:
    """The union of ``stretches``, sorted, touching ones joined; empty ones dropped."""
    merged: list[Stretch] = []
    for start, end in sorted(s for s in stretches if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(stretch: Stretch, covered: Iterable[Stretch]) -> list[Stretch]:
    """The parts of ``stretch`` outside every one of ``covered``."""
    left, (start, end) = [], stretch
    for low, high in merge(covered):
        if high <= start or low >= end:
            continue
        if low > start:
            left.append((start, low))
        start = max(start, high)
    if start < end:
        left.append((start, end))
    return left


def intersect(first: Iterable[Stretch], second: Iterable[Stretch]) -> list[Stretch]:
    """The minutes in both unions."""
    b = merge(second)
    return merge((max(x, y), min(z, w)) for x, z in merge(first) for y, w in b if max(x, y) < min(z, w))


@dataclass(frozen=True)
class Outing:
    """A stretch a person is away from their depot (``home``): ``[start, end)``, its stops and legs."""

    start: int
    end: int
    stops: tuple[Stop, ...]
    legs: tuple[Leg, ...]
    home: int


def is_supervised(client: Client) -> bool:
    """True when the client never travels alone (``escort`` or ``always``)."""
    return client.supervision != "none"


def window(t: Timetable, leg: Leg) -> Stretch:
    """When the leg may be travelled: its gap, from the day's start or to its end at the depot."""
    h = t.scenario.horizon
    low = h.day_start if leg.before is None else leg.before.end
    high = h.day_end if leg.after is None else leg.after.start
    return low, high


def timing(leg: Leg, minutes: int, home: int | None) -> Stretch:
    """When a leg of ``minutes`` is travelled: coming ``home`` as early as the stop it leaves
    allows, any other leg leaving as late as the stop it goes to allows."""
    if leg.after is not None and leg.destination != home:
        return leg.after.start - minutes, leg.after.start
    assert leg.before is not None
    return leg.before.end, leg.before.end + minutes


def together(t: Timetable, leg: Leg, other: Leg, home: int | None) -> bool:
    """True when ``leg`` is travelled together with ``other`` (a carer's leg; ``home`` the
    carer's depot): same places, and ``other``'s journey, timed as the carer's outings time
    it, within both legs' gaps."""
    if (leg.origin, leg.destination) != (other.origin, other.destination):
        return False
    depart, arrive = timing(other, other.minutes, home)
    (a, b), (c, d) = window(t, leg), window(t, other)
    return max(a, c) <= depart and arrive <= min(b, d)


def _client(t: Timetable, plan: DayPlan) -> Client:
    return t.scenario.clients[t.scenario.client_index[plan.person.id]]


def carer_plan(t: Timetable, carer: Carer, plan: DayPlan) -> DayPlan:
    """``carer``'s plan on the day of ``plan``."""
    return t.plan("carer", carer.id, plan.week, plan.day)


def escort_of(t: Timetable, plan: DayPlan, leg: Leg) -> tuple[Carer, Leg] | None:
    """The first of the client's carers (and their leg) the client travels ``leg`` with, if any."""
    for index in _client(t, plan).carers:
        carer = t.scenario.carers[index]
        theirs = carer_plan(t, carer, plan)
        for other in t.journeys.legs(theirs):
            if together(t, leg, other, theirs.person.depot):
                return carer, other
    return None


def travelled(t: Timetable, plan: DayPlan, leg: Leg) -> Leg:
    """The leg as travelled: a supervised client's leg with a carer is the carer's journey."""
    if plan.person.kind != "client" or not is_supervised(_client(t, plan)):
        return leg
    escort = escort_of(t, plan, leg)
    return leg if escort is None else escort[1]


def outings(t: Timetable, plan: DayPlan) -> tuple[Outing, ...]:
    """The person's outings of the day (legs as travelled; see the module's docstring)."""
    depot = plan.person.depot
    if depot is None:
        return ()
    found: list[Outing] = []
    start: int | None = None
    legs: list[Leg] = []
    for leg in t.journeys.legs(plan):
        depart, arrive = timing(leg, travelled(t, plan, leg).minutes, depot)
        if leg.origin == depot:
            start, legs = depart, []
        legs.append(leg)
        if leg.destination == depot and start is not None:
            end = arrive
            stops = tuple(s for s in plan.stops if start <= s.start and s.end <= end and s.place != depot)
            found.append(Outing(start, end, stops, tuple(legs), depot))
            start = None
    return tuple(found)


def follows(t: Timetable, client_plan: DayPlan, outing: Outing) -> bool:
    """True when the client is with the outing's person throughout: at each of its stops
    (their own session, or as a companion) and on each of its legs."""
    sessions = {stop.session for stop in client_plan.stops if stop.session is not None}
    client_legs = t.journeys.legs(client_plan)
    return all(stop.session in sessions for stop in outing.stops) and all(
        any(together(t, mine, leg, outing.home) for mine in client_legs) for leg in outing.legs
    )


def with_carers(t: Timetable, plan: DayPlan) -> list[Stretch]:
    """When the client is with one of their carers on that carer's outing (rule 10 a)."""
    stretches: list[Stretch] = []
    for index in _client(t, plan).carers:
        for outing in outings(t, carer_plan(t, t.scenario.carers[index], plan)):
            if follows(t, plan, outing):
                stretches.append((outing.start, outing.end))
    return merge(stretches)


def in_supervised_routine(client: Client, day: int) -> list[Stretch]:
    """When the client is in one of their supervised fixed routines (rule 10 b)."""
    return merge((r.span.start, r.span.end) for r in client.fixed_routines_on(day) if r.supervised)


def at_home(t: Timetable, plan: DayPlan) -> list[Stretch]:
    """When the client is at home: outside their outings."""
    return subtract((0, 24 * 60), ((o.start, o.end) for o in outings(t, plan)))


def carer_at_home(t: Timetable, carer: Carer, plan: DayPlan) -> list[Stretch]:
    """When ``carer`` is at home, available and on no outing, on the day of ``plan``."""
    hours = (
        [(0, 24 * 60)]
        if carer.available is None
        else [(s.start, s.end) for s in carer.available.on(plan.day)]
    )
    away = [(o.start, o.end) for o in outings(t, carer_plan(t, carer, plan))]
    return [piece for stretch in hours for piece in subtract(stretch, away)]


def minded_at_home(t: Timetable, plan: DayPlan, carers: Sequence[Carer]) -> list[Stretch]:
    """When the client is at home with one of ``carers`` there, available and not out (rule 10 c)."""
    client = _client(t, plan)
    present = [s for carer in carers if carer.home == client.home for s in carer_at_home(t, carer, plan)]
    return intersect(at_home(t, plan), present)


def alone(t: Timetable, plan: DayPlan, carer: Carer, outing: Outing) -> list[Stretch]:
    """The minutes of ``carer``'s outing in which the client of ``plan`` is neither with a
    carer, nor in a supervised routine, nor at home with another carer (rule 10)."""
    client = _client(t, plan)
    others = [t.scenario.carers[c] for c in client.carers if c != carer.index]
    covered = [
        *with_carers(t, plan),
        *in_supervised_routine(client, plan.day),
        *minded_at_home(t, plan, others),
    ]
    return subtract((outing.start, outing.end), covered)


def needed_companions(t: Timetable) -> tuple[PlacedCompanion, ...]:
    """Who must come along to today's bookings: each client with ``supervision: "always"``
    left alone by an outing of one of their carers comes along to its stops."""
    needed: list[PlacedCompanion] = []
    for client in t.scenario.clients:
        if client.supervision != "always":
            continue
        for index in client.carers:
            carer = t.scenario.carers[index]
            for plan in t.plans_of("carer"):
                if plan.person.id != carer.id:
                    continue
                mine = t.plan("client", client.id, plan.week, plan.day)
                for outing in outings(t, plan):
                    if not alone(t, mine, carer, outing):
                        continue
                    needed += [
                        PlacedCompanion(stop.session, client.index, index)
                        for stop in outing.stops
                        if stop.session is not None
                        and t.scenario.appointments[stop.session.appointment].client != client.index
                    ]
    return tuple(sorted(set(needed)))


def accompanying_minutes(t: Timetable, plan: DayPlan) -> int:
    """Minutes of the client's outings that take them to another person's session, less their
    own sessions' minutes in those outings."""
    if not any(stop.companion for stop in plan.stops):
        return 0
    return sum(
        (o.end - o.start) - sum(s.end - s.start for s in o.stops if s.is_session)
        for o in outings(t, plan)
        if any(s.companion for s in o.stops)
    )


def time_at(t: Timetable, plan: DayPlan, place: int) -> list[Stretch]:
    """When the client is at ``place`` and not in a session of their own: at a stop there that
    is no session of theirs, or between stops without travelling, or at home between legs."""
    stretches: list[Stretch] = [(s.start, s.end) for s in plan.stops if s.place == place and not s.is_session]
    depot = plan.person.depot
    legs = t.journeys.legs(plan)
    if not plan.stops:
        return [(0, 24 * 60)] if place == depot else []
    # The gaps of the day: before the first stop, between stops, after the last.
    bounds: list[tuple[Stop | None, Stop | None]] = [
        (None, plan.stops[0]),
        *plan.pairs(),
        (plan.stops[-1], None),
    ]
    for before, after in bounds:
        low = 0 if before is None else before.end
        high = 24 * 60 if after is None else after.start
        gap_legs = [leg for leg in legs if leg.before is before and leg.after is after]
        here = depot if before is None else before.place
        there = depot if after is None else after.place
        if not gap_legs:
            if here == there == place:
                stretches.append((low, high))
            continue
        first, last = gap_legs[0], gap_legs[-1]
        if here == place:
            stretches.append((low, high - sum(travelled(t, plan, leg).minutes for leg in gap_legs)))
        if there == place:
            stretches.append((low + sum(travelled(t, plan, leg).minutes for leg in gap_legs), high))
        if len(gap_legs) == 2 and place == depot:
            stretches.append(
                (low + travelled(t, plan, first).minutes, high - travelled(t, plan, last).minutes)
            )
    own = [(s.start, s.end) for s in plan.sessions]
    return [piece for stretch in merge(stretches) for piece in subtract(stretch, own)]


def clashes(t: Timetable, companion: PlacedCompanion) -> list[Routine | PlacedSession]:
    """What keeps a companion from coming along: their fixed routines then (unless the session
    is inside one, at its place) and their own sessions then."""
    client, session = t.scenario.clients[companion.client], companion.session
    found: list[Routine | PlacedSession] = [
        r
        for r in client.fixed_routines_on(session.day)
        if r.span.overlaps(session.start, session.end) and not holds(r, session)
    ]
    found += [
        own
        for own in t.client_sessions(client.index)
        if own.pattern_day == session.pattern_day and own.start < session.end and session.start < own.end
    ]
    return found


def clashing_days(t: Timetable) -> set[tuple[str, int, int]]:
    """(client id, week, day) of every companion who cannot come along (:func:`clashes`): their
    journeys and minutes alone that day follow from that one fault and are not judged again."""
    return {
        (t.scenario.clients[c.client].id, c.session.week, c.session.day)
        for c in t.companions
        if clashes(t, c)
    }
