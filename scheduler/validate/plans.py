"""Day plans: each person's stops on each pattern day, in order of start, with their places.

Rule 3 (one place at a time), rule 4 (routines) and the travel and waiting terms of the
objective all read the same plans, built here exactly as ``docs/rules.md`` ("Stops and
places") defines them:

- a client's stops are their sessions, except a session inside a routine, their fixed
  routines of the day, at the routine's place, and the sessions they attend as a companion
  (version 2); their depot is their home;
- a carer's stops are the sessions they escort; their depot is ``carer.home``;
- a practitioner's stops are the sessions they attend and their ``busy`` entries that name
  a venue and apply that week; their depot is ``base`` (none without one).

Between two stops a person may go home and come back (rule 11): a schedule's itineraries
say so (:class:`~scheduler.schedule.HomeStay`), and the plan's legs then go home and back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal, TypeVar

from scheduler.clock import MINUTES_PER_DAY
from scheduler.model import Client, PersonKind, Routine, Scenario
from scheduler.schedule import HomeStay, PlacedCompanion, PlacedSession
from scheduler.travel import Journey, Travel

_Item = TypeVar("_Item")
_Key = TypeVar("_Key", bound=Hashable)


@dataclass(frozen=True)
class Person:
    """Whose plan it is: kind, id, name, travel mode and depot (venue index, or None)."""

    kind: PersonKind
    id: str
    name: str
    mode: str
    depot: int | None


@dataclass(frozen=True)
class Stop:
    """A span of a person's day at one place: a session, a fixed routine or a busy entry, or
    (``companion``) another person's session a client attends as a companion."""

    start: int
    end: int
    place: int
    label: str
    session: PlacedSession | None = None
    companion: bool = False

    @property
    def is_session(self) -> bool:
        """True for the person's own session; False for a fixed entry or a companion's stop."""
        return self.session is not None and not self.companion

    @property
    def is_planned(self) -> bool:
        """True for a stop the plan gives: a session, the person's own or as a companion."""
        return self.session is not None


@dataclass(frozen=True)
class Leg:
    """A journey of a plan: between consecutive stops at different places, or to/from the depot.

    ``before`` is None for the leg leaving the depot, ``after`` None for the leg back;
    ``journey`` is None when the scenario gives no way to know the travel. ``home_break``
    marks the two legs of going home between ``before`` and ``after`` (rule 11): ``"out"``
    from ``before`` to the depot, ``"back"`` from the depot to ``after``.
    """

    origin: int
    destination: int
    before: Stop | None
    after: Stop | None
    journey: Journey | None
    home_break: Literal["out", "back"] | None = None

    @property
    def origin_stop(self) -> Stop | None:
        """The stop the leg leaves (None when it leaves home)."""
        return None if self.home_break == "back" else self.before

    @property
    def destination_stop(self) -> Stop | None:
        """The stop the leg reaches (None when it reaches home)."""
        return None if self.home_break == "out" else self.after

    @property
    def minutes(self) -> int:
        """Travel minutes (0 when unknown: rule 3 reports that)."""
        return 0 if self.journey is None else self.journey.minutes

    @property
    def pence(self) -> int:
        """Travel cost in pence (0 when unknown)."""
        return 0 if self.journey is None else self.journey.pence

    @property
    def gap_start(self) -> int:
        """Where the leg's gap starts: the end of the stop before, or midnight."""
        return 0 if self.before is None else self.before.end

    @property
    def gap_end(self) -> int:
        """Where the leg's gap ends: the start of the stop after, or midnight."""
        return MINUTES_PER_DAY if self.after is None else self.after.start

    @property
    def touches_session(self) -> bool:
        """True when at least one end of the leg is a session stop."""
        return any(stop is not None and stop.is_session for stop in (self.origin_stop, self.destination_stop))


@dataclass(frozen=True)
class DayPlan:
    """One person's stops on one pattern day (0-based week, day 0-6), in order of start.

    ``sessions`` are all the person's sessions that day, in order, including a client's
    sessions inside a routine (which are no stops). ``home_breaks`` are the indices ``i`` of
    the consecutive stops ``stops[i]``, ``stops[i + 1]`` between which the person goes home.
    """

    person: Person
    week: int
    day: int
    stops: tuple[Stop, ...]
    sessions: tuple[PlacedSession, ...]
    home_breaks: frozenset[int] = frozenset()

    def pairs(self) -> Iterator[tuple[Stop, Stop]]:
        """Consecutive stops."""
        return itertools.pairwise(self.stops)

    def goes_home(self, i: int) -> bool:
        """True when the person goes home between ``stops[i]`` and ``stops[i + 1]``."""
        return i in self.home_breaks


class Journeys:
    """Journeys for the validator: :class:`Travel`, with None where the scenario cannot say."""

    def __init__(self, scenario: Scenario) -> None:
        self._travel = Travel(scenario)

    def find(self, origin: int, destination: int, mode: str) -> Journey | None:
        """The journey, or None when neither a matrix entry nor coordinates give it."""
        return self._travel.find(origin, destination, mode)

    def minutes(self, origin: int, destination: int, mode: str) -> int:
        """Known travel minutes, 0 when unknown."""
        journey = self.find(origin, destination, mode)
        return 0 if journey is None else journey.minutes

    def legs(self, plan: DayPlan) -> tuple[Leg, ...]:
        """The plan's legs in order: from the depot, between stops at different places, back."""
        stops, mode, depot = plan.stops, plan.person.mode, plan.person.depot
        if not stops:
            return ()
        legs: list[Leg] = []
        if depot is not None and stops[0].place != depot:
            legs.append(Leg(depot, stops[0].place, None, stops[0], self.find(depot, stops[0].place, mode)))
        for i, (before, after) in enumerate(plan.pairs()):
            if depot is not None and plan.goes_home(i):
                legs.append(
                    Leg(before.place, depot, before, after, self.find(before.place, depot, mode), "out")
                )
                legs.append(
                    Leg(depot, after.place, before, after, self.find(depot, after.place, mode), "back")
                )
            elif before.place != after.place:
                journey = self.find(before.place, after.place, mode)
                legs.append(Leg(before.place, after.place, before, after, journey))
        if depot is not None and stops[-1].place != depot:
            legs.append(Leg(stops[-1].place, depot, stops[-1], None, self.find(stops[-1].place, depot, mode)))
        return tuple(legs)


def holds(routine: Routine, session: PlacedSession) -> bool:
    """True when the session lies inside the routine: ``allows_sessions``, same place, within its span."""
    return (
        routine.allows_sessions
        and routine.at == session.venue
        and routine.span.contains(session.start, session.end)
    )


def inside_routine(client: Client, session: PlacedSession) -> bool:
    """True when the session lies inside one of the client's fixed routines of its day."""
    return any(holds(routine, session) for routine in client.fixed_routines_on(session.day))


def joined_pairs(scenario: Scenario, sessions: Iterable[PlacedSession]) -> dict[PlacedSession, PlacedSession]:
    """Each session of a joined sequence (one that may overlap the session it follows,
    ``docs/rules.md``) -> the session it follows, when that one is on the same day at the
    same venue: the two are then one stop of the client and take one room."""
    ordered = tuple(sessions)
    first_of = {(s.appointment, s.pattern_day): s for s in ordered}
    pairs = {}
    for s in ordered:
        appt = scenario.appointments[s.appointment]
        if appt.after is None or not scenario.joined(appt):
            continue
        first = first_of.get((appt.after.appointment, s.pattern_day))
        if first is not None and first.venue == s.venue:
            pairs[s] = first
    return pairs


def merged(scenario: Scenario, sessions: Iterable[PlacedSession]) -> tuple[PlacedSession, ...]:
    """``sessions`` with each joined pair as one: the first session, ending at the later end."""
    ordered = tuple(sessions)
    pairs = joined_pairs(scenario, ordered)
    ends = {first: max(first.end, follower.end) for follower, first in pairs.items()}
    return tuple(replace(s, end=ends.get(s, s.end)) for s in ordered if s not in pairs)


def client_of(scenario: Scenario, session: PlacedSession) -> Client:
    """The client a session is for."""
    return scenario.clients[scenario.appointments[session.appointment].client]


def session_stop(scenario: Scenario, session: PlacedSession) -> Stop:
    """A session as a stop, labelled with its appointment id."""
    label = scenario.appointments[session.appointment].id
    return Stop(session.start, session.end, session.venue, label, session)


def _pair_stop(scenario: Scenario, first: PlacedSession, follower: PlacedSession) -> Stop:
    """A joined pair as one stop of its client: from the first start to the later end."""
    label = (
        f"{scenario.appointments[first.appointment].id} and {scenario.appointments[follower.appointment].id}"
    )
    return Stop(first.start, max(first.end, follower.end), first.venue, label, first)


def companion_stop(scenario: Scenario, companion: PlacedCompanion) -> Stop:
    """A companion's stop at another person's session, labelled ``"coming along to alfie-physio"``."""
    s = companion.session
    label = f"coming along to {scenario.appointments[s.appointment].id}"
    return Stop(s.start, s.end, s.venue, label, s, companion=True)


def _ordered(stops: Iterable[Stop]) -> tuple[Stop, ...]:
    return tuple(sorted(stops, key=lambda stop: (stop.start, stop.end, stop.label)))


def _plan(
    person: Person,
    week: int,
    day: int,
    stops: Iterable[Stop],
    sessions: tuple[PlacedSession, ...],
    stays: Sequence[HomeStay],
) -> DayPlan:
    """A day plan whose home breaks are the ``stays`` (of this person and day) that fall between
    two consecutive stops away from the depot."""
    ordered = _ordered(stops)
    breaks = frozenset(
        i
        for i, (before, after) in enumerate(itertools.pairwise(ordered))
        if person.depot is not None
        and person.depot not in (before.place, after.place)
        and any(before.end <= stay.arrive <= stay.depart <= after.start for stay in stays)
    )
    return DayPlan(person, week, day, ordered, sessions, breaks)


def client_plan(
    scenario: Scenario,
    client: Client,
    week: int,
    day: int,
    sessions: Sequence[PlacedSession],
    companions: Sequence[PlacedCompanion] = (),
    stays: Sequence[HomeStay] = (),
) -> DayPlan:
    """The client's stops on one day, from the sessions and companions of that day."""
    own = tuple(s for s in sessions if client_of(scenario, s).index == client.index)
    pairs = {first: follower for follower, first in joined_pairs(scenario, own).items()}
    stops = [
        _pair_stop(scenario, s, pairs[s]) if s in pairs else session_stop(scenario, s)
        for s in own
        if not inside_routine(client, s) and s not in pairs.values()
    ]
    stops += [Stop(r.span.start, r.span.end, r.at, r.name) for r in client.fixed_routines_on(day)]
    stops += [companion_stop(scenario, c) for c in companions if c.client == client.index]
    person = Person("client", client.id, client.name, client.travel_mode, client.home)
    mine = [x for x in stays if (x.kind, x.person) == ("client", client.index)]
    return _plan(person, week, day, stops, own, mine)


def day_plans(
    scenario: Scenario,
    sessions: Sequence[PlacedSession],
    companions: Sequence[PlacedCompanion] = (),
    stays: Sequence[HomeStay] = (),
) -> tuple[DayPlan, ...]:
    """Every client's, carer's and practitioner's plan on every day of the pattern."""
    plans: list[DayPlan] = []
    for pattern_day in scenario.days():
        week, day = divmod(pattern_day, 7)
        today = tuple(s for s in sessions if s.pattern_day == pattern_day)
        along = tuple(c for c in companions if c.session.pattern_day == pattern_day)
        here = tuple(x for x in stays if (x.week, x.day) == (week, day))
        by_client = _grouped(today, lambda s: client_of(scenario, s).index)
        by_carer = _grouped(today, lambda s: s.carer)
        by_practitioner = _grouped(
            ((p, s) for s in today for p in dict.fromkeys(s.practitioners)), lambda pair: pair[0]
        )
        plans += [
            client_plan(scenario, client, week, day, by_client.get(client.index, ()), along, here)
            for client in scenario.clients
        ]
        for carer in scenario.carers:
            person = Person("carer", carer.id, carer.name, carer.travel_mode, carer.home)
            escorted = by_carer.get(carer.index, ())
            stops = [session_stop(scenario, s) for s in escorted]
            mine = [x for x in here if (x.kind, x.person) == ("carer", carer.index)]
            plans.append(_plan(person, week, day, stops, escorted, mine))
        for prac in scenario.practitioners:
            person = Person("practitioner", prac.id, prac.name, prac.travel_mode, prac.base)
            attended = tuple(s for _, s in by_practitioner.get(prac.index, ()))
            stops = [session_stop(scenario, s) for s in attended]
            stops += [
                Stop(b.span.start, b.span.end, b.venue, b.label)
                for b in prac.busy_on(week, day)
                if b.venue is not None
            ]
            mine = [x for x in here if (x.kind, x.person) == ("practitioner", prac.index)]
            plans.append(_plan(person, week, day, stops, attended, mine))
    return tuple(plans)


@dataclass(frozen=True)
class Timetable:
    """A set of sessions with everything the rules and the objective read about it."""

    scenario: Scenario
    sessions: tuple[PlacedSession, ...]
    journeys: Journeys
    plans: tuple[DayPlan, ...]
    companions: tuple[PlacedCompanion, ...] = ()
    stays: tuple[HomeStay, ...] = ()

    def plans_of(self, kind: PersonKind) -> tuple[DayPlan, ...]:
        """The day plans of every person of one kind."""
        return self._plans_by_kind.get(kind, ())

    def person_plans(self, kind: PersonKind, person_id: str) -> tuple[DayPlan, ...]:
        """The day plans of one person, in order of week and day."""
        return self._plans_by_person.get((kind, person_id), ())

    def plan(self, kind: PersonKind, person_id: str, week: int, day: int) -> DayPlan:
        """The day plan of one person on one pattern day."""
        return next(p for p in self.person_plans(kind, person_id) if (p.week, p.day) == (week, day))

    def sessions_of(self, appointment: int) -> tuple[PlacedSession, ...]:
        """The sessions of one appointment, in order of week, day and start."""
        return self._sessions_by_appointment.get(appointment, ())

    def client_sessions(self, client: int) -> tuple[PlacedSession, ...]:
        """The sessions of one client, in order of week, day and start."""
        return self._sessions_by_client.get(client, ())

    # Indexes, built on first use: a county has thousands of people and sessions, and the
    # rules and the objective look each one up.

    @cached_property
    def _plans_by_kind(self) -> dict[PersonKind, tuple[DayPlan, ...]]:
        return _grouped(self.plans, lambda plan: plan.person.kind)

    @cached_property
    def _plans_by_person(self) -> dict[tuple[PersonKind, str], tuple[DayPlan, ...]]:
        return _grouped(self.plans, lambda plan: (plan.person.kind, plan.person.id))

    @cached_property
    def _sessions_by_appointment(self) -> dict[int, tuple[PlacedSession, ...]]:
        return _grouped(self.sessions, lambda session: session.appointment)

    @cached_property
    def _sessions_by_client(self) -> dict[int, tuple[PlacedSession, ...]]:
        appointments = self.scenario.appointments
        return _grouped(self.sessions, lambda session: appointments[session.appointment].client)


def _grouped(items: Iterable[_Item], key: Callable[[_Item], _Key]) -> dict[_Key, tuple[_Item, ...]]:
    """``items`` grouped by ``key``, each group in the items' order."""
    groups: dict[_Key, list[_Item]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return {k: tuple(group) for k, group in groups.items()}


def timetable(
    scenario: Scenario,
    sessions: Iterable[PlacedSession],
    companions: Iterable[PlacedCompanion] = (),
    stays: Iterable[HomeStay] = (),
) -> Timetable:
    """The timetable of ``sessions`` (with the clients who come along to them as ``companions``
    and the stays at home the itineraries give): sorted, with day plans and journeys."""
    ordered, along, home = tuple(sorted(sessions)), tuple(sorted(companions)), tuple(sorted(stays))
    plans = day_plans(scenario, ordered, along, home)
    return Timetable(scenario, ordered, Journeys(scenario), plans, along, home)


def people_met(scenario: Scenario, session: PlacedSession) -> frozenset[str]:
    """Who the client meets at a session: practitioner ids, or ``"unnamed <role>"`` for a role
    booking that names nobody (today's bookings)."""
    appt = scenario.appointments[session.appointment]
    if not session.practitioners and appt.role is not None:
        return frozenset({f"unnamed {appt.role}"})
    return frozenset(scenario.practitioners[p].id for p in session.practitioners)


def person_name(scenario: Scenario, person: str) -> str:
    """The name of a practitioner id from :func:`people_met`; an unnamed one stays as it is."""
    index = scenario.practitioner_index.get(person)
    return person if index is None else scenario.practitioners[index].name
