"""Rule 6: the listed practitioners, one of the role (the same every time) or one per listed
role (different people), where they work."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations

from scheduler.model import Appointment
from scheduler.schedule import PlacedSession
from scheduler.validate.describe import practitioner_names, session_where, venue_name
from scheduler.validate.plans import Timetable, client_of
from scheduler.validate.violation import Violation


def check_who(t: Timetable, *, partial: bool = False) -> Iterator[Violation]:
    """Rule 6: attendance, continuity of a role appointment, home visits and practitioners' venues.

    With ``partial`` (today's bookings) a role session booked without a name is not checked.
    """
    for session in t.sessions:
        appt = t.scenario.appointments[session.appointment]
        if partial and appt.is_role_pool and not session.practitioners:
            continue
        where = session_where(t.scenario, session)
        for code, message in _attendance(t, appt, session):
            yield Violation(6, code, appt.id, where, message)
    for appt in t.scenario.appointments:
        yield from _continuity(t, appt)


def _attendance(t: Timetable, appt: Appointment, s: PlacedSession) -> Iterator[tuple[str, str]]:
    if appt.is_joint_by_roles:
        yield from _roles(t, appt, s)
    else:
        yield from _role(t, appt, s) if appt.is_role_pool else _listed(t, appt, s)
    client = client_of(t.scenario, s)
    for p in s.practitioners:
        prac = t.scenario.practitioners[p]
        if s.venue == client.home and not prac.home_visits:
            yield "home-visit", f"{prac.name} does not make home visits"
        elif s.venue != client.home and s.venue not in prac.venues:
            yield "practitioner-venue", f"{prac.name} does not work at {venue_name(t.scenario, s.venue)}"


def _role(t: Timetable, appt: Appointment, s: PlacedSession) -> Iterator[tuple[str, str]]:
    if len(s.practitioners) != 1:
        yield "who", f"needs one {appt.role}; it has {practitioner_names(t.scenario, s.practitioners)}"
        return
    prac = t.scenario.practitioners[s.practitioners[0]]
    assert appt.role is not None
    if not prac.takes(appt.role):
        role = f"'s role is {prac.role}" if prac.role else " has no role"
        yield "who", f"needs one {appt.role}; {prac.name}{role}"


def _roles(t: Timetable, appt: Appointment, s: PlacedSession) -> Iterator[tuple[str, str]]:
    """A joint session by roles: one different practitioner for each listed role."""
    needs = f"needs {len(appt.roles)} different people, one for each role of {', '.join(appt.roles)}"
    people = s.practitioners
    if len(set(people)) != len(people) or len(people) != len(appt.roles):
        yield "who", f"{needs}; it has {practitioner_names(t.scenario, people)}"
    elif not _covers(t, appt.roles, people):
        yield "who", f"{needs}; {practitioner_names(t.scenario, people)} cannot take them one each"


def _covers(t: Timetable, roles: tuple[str, ...], people: tuple[int, ...]) -> bool:
    """True when ``people`` can take ``roles`` one each, in some order."""
    pracs = [t.scenario.practitioners[p] for p in people]
    return any(all(p.takes(r) for p, r in zip(order, roles, strict=True)) for order in permutations(pracs))


def _listed(t: Timetable, appt: Appointment, s: PlacedSession) -> Iterator[tuple[str, str]]:
    if sorted(s.practitioners) == sorted(appt.practitioners):
        return
    message = f"must be attended by {practitioner_names(t.scenario, appt.practitioners)}"
    missing = [p for p in appt.practitioners if p not in s.practitioners]
    extra = sorted({p for p in s.practitioners if p not in appt.practitioners})
    if missing:
        message += f"; {practitioner_names(t.scenario, missing)} missing"
    if extra:
        message += f"; {practitioner_names(t.scenario, extra)} not listed"
    if not missing and not extra:
        message += "; one is listed twice"
    yield "who", message


def _continuity(t: Timetable, appt: Appointment) -> Iterator[Violation]:
    if not appt.is_role_pool:
        return
    takers = sorted({p for s in t.sessions_of(appt.index) for p in s.practitioners})
    if len(takers) > 1:
        yield Violation(
            6,
            "continuity",
            appt.id,
            appt.id,
            f"is taken by {practitioner_names(t.scenario, takers)}; one {appt.role} keeps all its sessions",
        )
