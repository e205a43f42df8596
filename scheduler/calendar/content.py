"""Who gets which feed and what each one says: the audiences and their words.

Family feeds (``household``, ``client``, ``carer``) say what, who and where in full:
the client's name, the practitioners' names and roles, the venue's name and address, the
escort, who comes along and what to bring, and, as an option, the journeys. A companion's
own feed has an event for each session they come along to; a household's feed shows a
journey made together once, naming everybody on it. Practitioner and venue feeds
carry the least personal data they need: a client's initials and id, never their routines
or home; a home visit's address appears only in the feed of the practitioners who visit.
A client's home has no venue feed.

Names and addresses come from the scenario as they are, except that control characters
(a newline in a name, a tab, a NUL) become a space: iCalendar text may not carry them,
and a feed's name or a summary is one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from scheduler.calendar.events import FeedEvent, TravelLeg, household_of, person_of
from scheduler.clock import format_time
from scheduler.model import Appointment, Client, Practitioner, Scenario, Venue
from scheduler.schedule import PlacedCompanion

AudienceKind = Literal["household", "client", "carer", "practitioner", "venue"]
FAMILY: frozenset[AudienceKind] = frozenset({"household", "client", "carer"})

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
"""Runs of control characters (C0, DEL, C1) and the Unicode line and paragraph separators."""

MODE_WORDS = {"car": "by car", "public": "by public transport", "walk": "on foot", "taxi": "by taxi"}


@dataclass(frozen=True)
class Audience:
    """The readers of one feed: a household, client, carer, practitioner or venue, by id."""

    kind: AudienceKind
    id: str

    @property
    def key(self) -> str:
        """The feed key and file stem, ``"client-jonny"``; the id percent-encoded to stay one path segment."""
        return f"{self.kind}-{quote(self.id, safe='')}"

    @property
    def is_family(self) -> bool:
        """True for the feeds of the people the appointments are for and who take them."""
        return self.kind in FAMILY


@dataclass(frozen=True)
class EventText:
    """What one audience reads about one event."""

    summary: str
    description: str
    location: str
    geo: tuple[float, float] | None


def audiences(scenario: Scenario) -> tuple[Audience, ...]:
    """Every audience, in document order: households, clients, carers, practitioners, venues."""
    households = dict.fromkeys(c.household for c in scenario.clients)
    return (
        *(Audience("household", h) for h in households),
        *(Audience("client", c.id) for c in scenario.clients),
        *(Audience("carer", c.id) for c in scenario.carers),
        *(Audience("practitioner", p.id) for p in scenario.practitioners),
        *(Audience("venue", v.id) for v in scenario.venues if not v.is_home),
    )


def includes(scenario: Scenario, audience: Audience, event: FeedEvent, travel: bool) -> bool:
    """True when ``event`` belongs in ``audience``'s feed (journeys only in family feeds, when asked
    for; a companion's stop only in the companion's own feed)."""
    if event.leg is not None:
        return travel and _travels(scenario, audience, event, event.leg)
    if event.along is not None:
        return audience.kind == "client" and scenario.clients[event.along.client].id == audience.id
    session = event.session
    client = scenario.clients[scenario.appointments[session.appointment].client]
    match audience.kind:
        case "household":
            return client.household == audience.id
        case "client":
            return client.id == audience.id
        case "carer":
            return session.carer is not None and scenario.carers[session.carer].id == audience.id
        case "practitioner":
            return any(scenario.practitioners[p].id == audience.id for p in session.practitioners)
        case "venue":
            return scenario.venues[session.venue].id == audience.id


def calendar_name(scenario: Scenario, audience: Audience) -> str:
    """The feed's display name: ``"Appointments – Jonny and Mia"``, ``"Sessions – Ana Ruiz"``."""
    return one_line(_calendar_name(scenario, audience))


def _calendar_name(scenario: Scenario, audience: Audience) -> str:
    match audience.kind:
        case "household":
            names = [c.name for c in scenario.clients if c.household == audience.id]
            return f"Appointments – {_and(names)}"
        case "client":
            return f"Appointments – {scenario.clients[scenario.client_index[audience.id]].name}"
        case "carer":
            return f"Appointments to escort – {scenario.carers[scenario.carer_index[audience.id]].name}"
        case "practitioner":
            return f"Sessions – {scenario.practitioners[scenario.practitioner_index[audience.id]].name}"
        case "venue":
            return f"Sessions at {scenario.venues[scenario.venue_index[audience.id]].name}"


def event_text(scenario: Scenario, audience: Audience, event: FeedEvent) -> EventText:
    """Summary, description, location and GEO of ``event`` as ``audience`` may read it."""
    if event.leg is not None:
        return _travel_text(scenario, audience, event, event.leg)
    if event.along is not None:
        return _along_text(scenario, event, event.along)
    session = event.session
    appt = scenario.appointments[session.appointment]
    client = scenario.clients[appt.client]
    venue = scenario.venues[session.venue]
    who = client.name if audience.is_family else client_label(client)
    summary = f"{title(appt)} – {who}"
    lines = [f"{title(appt)} for {who}"]
    people = [scenario.practitioners[p] for p in session.practitioners]
    if people:
        lines.append(f"With: {_and([practitioner_label(p) for p in people])}")
    lines.append(f"Where: {place(venue)}")
    if audience.is_family and session.carer is not None:
        lines.append(f"Escort: {scenario.carers[session.carer].name}")
    if audience.is_family and event.companions:
        along = [scenario.clients[c.client].name for c in event.companions]
        summary = f"{summary} ({_and(along)} {_comes(along)} along)"
        for carer in dict.fromkeys(c.carer for c in event.companions):
            names = [scenario.clients[c.client].name for c in event.companions if c.carer == carer]
            lines.append(f"{_and(names)} {_comes(names)} along with {scenario.carers[carer].name}")
    if audience.is_family and appt.bring:
        lines.append(f"Bring: {appt.bring}")
    return _event_text(summary, lines, place(venue), geo(venue))


def _along_text(scenario: Scenario, event: FeedEvent, along: PlacedCompanion) -> EventText:
    """A companion's own event: ``"Coming along with Mum: Physiotherapy – Alfie"``."""
    appt = scenario.appointments[event.session.appointment]
    client = scenario.clients[appt.client]
    venue = scenario.venues[event.session.venue]
    carer = scenario.carers[along.carer].name
    companion = scenario.clients[along.client].name
    lines = [
        f"{companion} comes along with {carer} to {title(appt)} for {client.name}",
        f"Where: {place(venue)}",
    ]
    return _event_text(
        f"Coming along with {carer}: {title(appt)} – {client.name}", lines, place(venue), geo(venue)
    )


def one_line(text: str) -> str:
    """``text`` with each run of control characters (newlines included) as one space."""
    return _CONTROLS.sub(" ", text)


def _event_text(
    summary: str, lines: Sequence[str], location: str, position: tuple[float, float] | None
) -> EventText:
    """The event's words with every line of them made one line (see :func:`one_line`)."""
    return EventText(
        summary=one_line(summary),
        description="\n".join(one_line(line) for line in lines),
        location=one_line(location),
        geo=position,
    )


def title(appt: Appointment) -> str:
    """What the session is: the appointment's title, else its service, else its id."""
    return appt.title or appt.service or appt.id


def client_label(client: Client) -> str:
    """The least a practitioner or venue needs to know who it is: ``"JS (jonny)"``."""
    return f"{initials(client.name)} ({client.id})"


def initials(name: str) -> str:
    """``"JS"`` for ``"Jonny Smith"``; words split on spaces and hyphens."""
    return "".join(word[0].upper() for word in name.replace("-", " ").split())


def practitioner_label(p: Practitioner) -> str:
    """``"Ana Ruiz (speech and language therapist, NHS)"``."""
    about = ", ".join(x for x in (p.role, p.agency) if x)
    return f"{p.name} ({about})" if about else p.name


def place(venue: Venue) -> str:
    """The venue's name and, when known, address: ``"North Child Development Centre, 1 North Rd"``."""
    return f"{venue.name}, {venue.address}" if venue.address else venue.name


def geo(venue: Venue) -> tuple[float, float] | None:
    """Latitude and longitude when both are known."""
    return None if venue.lat is None or venue.lon is None else (venue.lat, venue.lon)


def _travels(scenario: Scenario, audience: Audience, event: FeedEvent, leg: TravelLeg) -> bool:
    """A leg is in its person's own feed; in a household's feed, one leg of each journey made together."""
    person = leg.person
    match audience.kind:
        case "household":
            return event.leads and household_of(scenario, person, event.session) == audience.id
        case "client" | "carer":
            return person.kind == audience.kind and person_of(scenario, person).id == audience.id
        case _:
            return False


def _travel_text(scenario: Scenario, audience: Audience, event: FeedEvent, leg: TravelLeg) -> EventText:
    """``"Mum, Alfie and Poppy: Leave home for North Clinic, 25 min by public transport"`` in a
    household's feed; ``"Leave home for North Clinic with Mum and Poppy, 25 min ..."`` in Alfie's."""
    appt = scenario.appointments[event.session.appointment]
    client = scenario.clients[appt.client]
    origin, destination = scenario.venues[leg.origin], scenario.venues[leg.destination]
    home = person_of(scenario, leg.person).home
    minutes = leg.arrive - leg.depart
    how = f"{minutes} min {MODE_WORDS.get(leg.mode, f'by {leg.mode}')}"
    leave = (
        f"Leave {'home' if leg.origin == home else origin.name} "
        f"for {'home' if leg.destination == home else destination.name}"
    )
    travellers = sorted(event.party, key=lambda p: (p.kind == "client", p.index))
    if audience.kind == "household":
        summary = f"{_and([person_of(scenario, p).name for p in travellers])}: {leave}, {how}"
    else:
        others = [person_of(scenario, p).name for p in travellers if p != leg.person]
        summary = f"{leave} with {_and(others)}, {how}" if others else f"{leave}, {how}"
    session_venue = scenario.venues[event.session.venue]
    lines = [
        f"{'To' if leg.direction == 'to' else 'After'} {title(appt)} for {client.name} at "
        f"{format_time(event.session.start)}, {session_venue.name}",
        f"From {place(origin)} to {place(destination)}, {how}",
    ]
    return _event_text(summary, lines, place(origin), geo(origin))


def _comes(names: Sequence[str]) -> str:
    return "comes" if len(names) == 1 else "come"


def _and(words: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
