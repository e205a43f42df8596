"""The events a schedule publishes: sessions, companions' stops and journeys, with recurrence and UID.

This module decides *what* the feeds say in calendar terms (which local start times, which
UID, which signature of time, day and place) without writing any iCalendar; the content of
each audience's copy is :mod:`scheduler.calendar.content`, the writing :mod:`.render`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal
from urllib.parse import quote

from scheduler.calendar.errors import DateRangeError
from scheduler.calendar.vtimezone import LAST_YEAR, RULE_EPOCH
from scheduler.clock import date_of, day_index, parse_time
from scheduler.contract.errors import did_you_mean
from scheduler.contract.schedule import Itinerary, Leg, ScheduleDoc
from scheduler.errors import InputIssue, ScheduleError
from scheduler.loader import HOME
from scheduler.model import Carer, Client, Horizon, Scenario
from scheduler.schedule import PlacedCompanion, PlacedSession, companions_from_doc, sessions_from_doc

PersonKind = Literal["client", "carer"]
Direction = Literal["to", "from"]

UID_DOMAIN = "carepattern"
"""Right-hand side of every UID: ``<event>@<scenario key>.carepattern``."""

FIRST_DATE = date(RULE_EPOCH, 1, 1)
"""The earliest date a feed shows: its VTIMEZONE's rules start in this year."""
LAST_DATE = date(LAST_YEAR, 12, 31)
"""The latest date a feed shows (the last year a VTIMEZONE is written for)."""
MAX_REPEAT_DAYS = 36524
"""A feed repeats its pattern for at most this many days (100 years) from ``horizon.start``:
every occurrence is computed, so an unbounded ``repeat_until`` would cost unbounded time."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Recurrence:
    """When an event happens: naive local start datetimes of its occurrences.

    ``starts`` are the occurrences the feed shows; ``excluded`` are the pattern's dates
    between the first and last of them that ``exclude_dates`` leave out (written as
    EXDATEs, exactly matching the generated starts). ``interval_weeks`` is the pattern length.
    """

    starts: tuple[datetime, ...]
    excluded: tuple[datetime, ...]
    interval_weeks: int

    @property
    def repeats(self) -> bool:
        """True when there is more than one occurrence: the event carries an RRULE."""
        return len(self.starts) > 1

    @property
    def first(self) -> datetime:
        """The first occurrence: the event's DTSTART."""
        return self.starts[0]

    @property
    def last(self) -> datetime:
        """The last occurrence: the RRULE's UNTIL (in UTC)."""
        return self.starts[-1]


@dataclass(frozen=True)
class Person:
    """A client or carer whose journeys a family feed can show."""

    kind: PersonKind
    index: int

    @property
    def rank(self) -> tuple[bool, int]:
        """Clients before carers, each in document order: who leads a journey made together."""
        return (self.kind != "client", self.index)


@dataclass(frozen=True)
class TravelLeg:
    """A journey to (``"to"``) or from (``"from"``) one session, in venue indices and minutes."""

    person: Person
    direction: Direction
    origin: int
    destination: int
    depart: int
    arrive: int
    mode: str


JourneyKey = tuple[int, int, int, int, int, int, str]
"""A journey as people make it together: week, day, origin, destination, depart, arrive, mode."""


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT of the feeds: a session, a companion's stop at it (``along``), or a travel
    leg to or from it (``leg``).

    A session lists its ``companions``. A leg lists its ``party``: everybody whose itinerary
    makes the same journey (the leg's own person included), and ``leads`` says whether it is
    the one event of that journey in its household's feed.
    """

    uid: str
    session: PlacedSession
    start: int
    end: int
    recurrence: Recurrence
    venue: int
    leg: TravelLeg | None = None
    companions: tuple[PlacedCompanion, ...] = ()
    along: PlacedCompanion | None = None
    party: tuple[Person, ...] = ()
    leads: bool = False

    @property
    def signature(self) -> str:
        """A digest of the event's time, day, place and dates: it changes exactly when SEQUENCE must."""
        facts = {
            "start": self.start,
            "end": self.end,
            "venue": self.venue,
            "dates": [d.isoformat() for d in self.recurrence.starts],
            "leg": None if self.leg is None else [self.leg.origin, self.leg.destination, self.leg.mode],
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


def scenario_key(scenario: Scenario) -> str:
    """A stable, non-secret name of the scenario for UIDs: a digest of its time zone, start and appointments.

    It stays the same across re-solves of the scenario (and edits that keep those three),
    so every appointment occurrence keeps its UID.
    """
    identity = "|".join(
        [
            scenario.horizon.timezone,
            scenario.horizon.start.isoformat(),
            *sorted(a.id for a in scenario.appointments),
        ]
    )
    return hashlib.sha256(identity.encode()).hexdigest()[:12]


def feed_events(scenario: Scenario, schedule: ScheduleDoc, calendar_key: str | None) -> tuple[FeedEvent, ...]:
    """Every event of the schedule: each session, each companion's stop at one (version 2's
    ``accompanying``), and each client's and carer's travel leg to or from a session they attend.

    Raises :class:`ScheduleError` (with locations) when the schedule does not refer to
    ``scenario``, names one appointment occurrence twice, has a leg to an unknown venue, or
    has an ``accompanying`` entry that names no session of it.
    """
    check_dates(scenario.horizon)
    _check_unique_occurrences(schedule)
    sessions = sessions_from_doc(scenario, schedule)
    companions: dict[PlacedSession, list[PlacedCompanion]] = defaultdict(list)
    for companion in companions_from_doc(scenario, schedule, sessions):
        companions[companion.session].append(companion)
    domain = f"{uid_part(calendar_key or scenario_key(scenario))}.{UID_DOMAIN}"
    events = []
    for session in sessions:
        recurrence = recurrence_of(scenario.horizon, session.week, session.day, session.start)
        if recurrence is None:
            continue
        uid = f"{_occurrence_name(scenario, session)}@{domain}"
        event = FeedEvent(uid, session, session.start, session.end, recurrence, session.venue)
        events.append(replace(event, companions=tuple(companions[session])))
    stops = [
        replace(
            event, uid=f"{_local(event)}-along-{uid_part(scenario.clients[c.client].id)}@{domain}", along=c
        )
        for event in events
        for c in event.companions
    ]
    legs = _travel_events(scenario, schedule, events, companions, domain)
    return (*events, *stops, *legs)


def check_dates(horizon: Horizon) -> None:
    """Raise :class:`DateRangeError` unless every date of the feeds lies in :data:`FIRST_DATE` to
    :data:`LAST_DATE` and ``repeat_until`` is at most :data:`MAX_REPEAT_DAYS` after ``start``."""
    span = f"feeds show dates from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"
    if horizon.start < FIRST_DATE:
        raise DateRangeError("horizon.start", horizon.start, span)
    if horizon.start.toordinal() + horizon.days - 1 > LAST_DATE.toordinal():
        ends = f"the pattern would end after {LAST_DATE.isoformat()}; {span}"
        raise DateRangeError("horizon.start", horizon.start, ends)
    until = horizon.repeat_until
    if until is None:
        return
    if until > LAST_DATE:
        raise DateRangeError("horizon.repeat_until", until, span)
    if until.toordinal() - horizon.start.toordinal() > MAX_REPEAT_DAYS:
        latest = date.fromordinal(horizon.start.toordinal() + MAX_REPEAT_DAYS)
        raise DateRangeError(
            "horizon.repeat_until",
            until,
            f"feeds repeat the pattern for at most 100 years from horizon.start, to {latest.isoformat()}",
        )


def recurrence_of(horizon: Horizon, week: int, day: int, start: int) -> Recurrence | None:
    """The occurrences of a session at ``start`` minutes on ``day`` of ``week``; None if all are excluded.

    With ``repeat_until`` the session repeats every pattern length up to that date;
    without it the session happens once, in the pattern's own week.
    """
    first = date_of(horizon.start, week, day)
    step = timedelta(weeks=horizon.weeks)
    dates = [first]
    while horizon.repeat_until is not None and dates[-1] + step <= horizon.repeat_until:
        dates.append(dates[-1] + step)
    kept = [d for d in dates if d not in horizon.exclude_dates]
    if not kept:
        return None
    skipped = [d for d in dates if kept[0] < d < kept[-1] and d in horizon.exclude_dates]
    return Recurrence(
        starts=tuple(_at(d, start) for d in kept),
        excluded=tuple(_at(d, start) for d in skipped),
        interval_weeks=horizon.weeks,
    )


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minutes)


def _local(event: FeedEvent) -> str:
    """The left-hand side of the event's UID (``alfie-ot-1``)."""
    return event.uid.split("@", 1)[0]


def _occurrence_name(scenario: Scenario, session: PlacedSession) -> str:
    return f"{uid_part(scenario.appointments[session.appointment].id)}-{session.occurrence}"


def uid_part(text: str) -> str:
    """An id as part of a UID: as it is, but for control characters, percent-encoded (iCalendar
    text may not carry them)."""
    return _CONTROL.sub(lambda match: quote(match.group()), text)


def _check_unique_occurrences(schedule: ScheduleDoc) -> None:
    """Each appointment occurrence is one event with one UID, so the schedule may name it only once."""
    first: dict[tuple[str, int], int] = {}
    issues = []
    for i, session in enumerate(schedule.sessions):
        key = (session.appointment, session.occurrence)
        if key in first:
            message = f"{session.appointment} occurrence {session.occurrence} is also sessions[{first[key]}]"
            issues.append(InputIssue(f"sessions[{i}].occurrence", message))
        first.setdefault(key, i)
    if issues:
        raise ScheduleError(issues)


def _travel_events(
    scenario: Scenario,
    schedule: ScheduleDoc,
    sessions: Sequence[FeedEvent],
    companions: Mapping[PlacedSession, Sequence[PlacedCompanion]],
    domain: str,
) -> list[FeedEvent]:
    """The legs of clients' and carers' itineraries that take them to or from a session they attend
    (their own, one they escort, or one they come along to as a companion).

    A leg goes *to* a session when it is the last to arrive at the session's venue before
    it starts, and *from* it when it is the first to leave that venue after it ends (a leg
    between two sessions goes to the second; going home between two stops is a leg from
    the first and a leg to the second). Legs of the school run and sessions held inside a
    routine at its own place have none for its client. People whose itineraries make the same journey
    (same places, times and mode) travel together: each leg lists them all, and in each
    household one of them leads (clients before carers, in document order).
    """
    parties: dict[JourneyKey, set[Person]] = defaultdict(set)
    days = []
    for i, itinerary in enumerate(schedule.itineraries):
        person = _person(scenario, itinerary)
        if person is None:
            continue
        legs = [
            _resolve_leg(scenario, person, leg, f"itineraries[{i}].legs[{k}]")
            for k, leg in enumerate(itinerary.legs)
        ]
        week, day = itinerary.week - 1, day_index(itinerary.day)
        for leg in legs:
            parties[_journey(week, day, leg)].add(person)
        day_sessions = [
            e
            for e in sessions
            if (e.session.week, e.session.day) == (week, day)
            and _attends(scenario, person, e.session, companions)
            and not _already_there(scenario, person, e.session)
        ]
        days.append((person, legs, day_sessions))
    made = [
        (event.leg, event)
        for person, legs, day_sessions in days
        for event in _legs_of_day(scenario, person, legs, day_sessions, domain)
        if event.leg is not None
    ]
    leaders: dict[tuple[str, JourneyKey], str] = {}
    for leg, event in sorted(made, key=lambda pair: pair[0].person.rank):
        journey = _journey(event.session.week, event.session.day, leg)
        leaders.setdefault((household_of(scenario, leg.person, event.session), journey), event.uid)
    leading = set(leaders.values())
    return [
        replace(
            event,
            party=tuple(
                sorted(parties[_journey(event.session.week, event.session.day, leg)], key=lambda p: p.rank)
            ),
            leads=event.uid in leading,
        )
        for leg, event in made
    ]


def _journey(week: int, day: int, leg: TravelLeg) -> JourneyKey:
    return (week, day, leg.origin, leg.destination, leg.depart, leg.arrive, leg.mode)


def household_of(scenario: Scenario, person: Person, session: PlacedSession) -> str:
    """The household whose feed shows a person's leg to or from ``session``: a client's own; for a
    carer, that of the session's client."""
    if person.kind == "client":
        return scenario.clients[person.index].household
    return scenario.clients[scenario.appointments[session.appointment].client].household


def _legs_of_day(
    scenario: Scenario,
    person: Person,
    legs: Sequence[TravelLeg],
    day_sessions: Sequence[FeedEvent],
    domain: str,
) -> Iterable[FeedEvent]:
    if not day_sessions:
        return
    day = day_sessions[0].session.day
    # Legs already matched to a session; a school-run leg is never any session's journey.
    used = {k for k, leg in enumerate(legs) if _school_run(scenario, person, leg, day)}
    person_id = uid_part(person_of(scenario, person).id)
    for direction in ("to", "from"):
        for event in day_sessions:
            k = _matching_leg(legs, event.session, direction, used)
            if k is None:
                continue
            used.add(k)
            leg = replace(legs[k], direction=direction)
            recurrence = recurrence_of(scenario.horizon, event.session.week, event.session.day, leg.depart)
            if recurrence is None:
                continue
            uid = f"{_local(event)}-travel-{direction}-{person.kind}-{person_id}@{domain}"
            yield FeedEvent(uid, event.session, leg.depart, leg.arrive, recurrence, leg.origin, leg)


def _school_run(scenario: Scenario, person: Person, leg: TravelLeg, day: int) -> bool:
    """True for a leg of a client who never travels alone between home and a fixed routine's
    place, or between two such places: the family's own school run, which the plan does not
    arrange (who takes the child, and how, is not known), also when it brings the child home
    for a home visit."""
    if person.kind != "client" or (client := scenario.clients[person.index]).supervision == "none":
        return False
    routines = {r.at for r in client.fixed_routines_on(day)}
    ends = {leg.origin, leg.destination}
    return bool(ends & routines) and ends <= routines | {client.home}


def _matching_leg(
    legs: Sequence[TravelLeg], session: PlacedSession, direction: Direction, used: set[int]
) -> int | None:
    """The leg arriving last before the session at its venue, or leaving first after it from there."""
    best: tuple[int, int] | None = None
    for k, leg in enumerate(legs):
        if k in used:
            continue
        if direction == "to" and leg.destination == session.venue and leg.arrive <= session.start:
            rank = -leg.arrive
        elif direction == "from" and leg.origin == session.venue and leg.depart >= session.end:
            rank = leg.depart
        else:
            continue
        if best is None or rank < best[0]:
            best = (rank, k)
    return None if best is None else best[1]


def _resolve_leg(scenario: Scenario, person: Person, leg: Leg, where: str) -> TravelLeg:
    """A document leg in venue indices (``"home"``: the person's home); located error for an unknown venue."""
    return TravelLeg(
        person=person,
        direction="to",
        origin=_venue(scenario, person, leg.from_, f"{where}.from"),
        destination=_venue(scenario, person, leg.to, f"{where}.to"),
        depart=parse_time(leg.depart),
        arrive=parse_time(leg.arrive),
        mode=leg.mode or person_of(scenario, person).travel_mode,
    )


def _person(scenario: Scenario, itinerary: Itinerary) -> Person | None:
    if itinerary.role in (None, "client") and itinerary.person in scenario.client_index:
        return Person("client", scenario.client_index[itinerary.person])
    if itinerary.role in (None, "carer") and itinerary.person in scenario.carer_index:
        return Person("carer", scenario.carer_index[itinerary.person])
    return None


def person_of(scenario: Scenario, person: Person) -> Client | Carer:
    """The client or carer ``person`` stands for."""
    return scenario.clients[person.index] if person.kind == "client" else scenario.carers[person.index]


def _attends(
    scenario: Scenario,
    person: Person,
    session: PlacedSession,
    companions: Mapping[PlacedSession, Sequence[PlacedCompanion]],
) -> bool:
    if person.kind == "client":
        return scenario.appointments[session.appointment].client == person.index or any(
            c.client == person.index for c in companions.get(session, ())
        )
    return session.carer == person.index


def _already_there(scenario: Scenario, person: Person, session: PlacedSession) -> bool:
    """True for the client of a session held during their routine at its own place (therapy in
    school): they make no journey to it (the carer who joins them there does)."""
    if person != Person("client", scenario.appointments[session.appointment].client):
        return False
    client = scenario.clients[person.index]
    return any(
        r.allows_sessions and r.at == session.venue and r.span.contains(session.start, session.end)
        for r in client.fixed_routines_on(session.day)
    )


def _venue(scenario: Scenario, person: Person, venue_id: str, where: str) -> int:
    if venue_id == HOME:
        return person_of(scenario, person).home
    if venue_id not in scenario.venue_index:
        raise ScheduleError(
            [InputIssue(where, f'no venue "{venue_id}"{did_you_mean(venue_id, list(scenario.venue_index))}')]
        )
    return scenario.venue_index[venue_id]
