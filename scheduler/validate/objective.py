"""The objective, recomputed term by term from ``docs/rules.md`` ("The objective").

Each term has its own function giving the raw figure per subject (client, practitioner or
appointment id); a component is the term's weight times the sum of its raw figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.model import Booking, Scenario, Span
from scheduler.schedule import HomeStay, PlacedCompanion, PlacedSession, sessions_from_bookings
from scheduler.travel import currency
from scheduler.validate import household
from scheduler.validate.plans import DayPlan, Leg, Timetable, people_met, timetable
from scheduler.weights import TERMS

Figures = dict[str, float]

KPI_KEYS: tuple[str, ...] = (
    "trips",
    "appointment_days",
    "family_travel_minutes",
    "family_travel_cost",
    "distinct_people",
    "outside_preferred_windows",
    "avoided_days",
    "waiting_minutes",
    "disruption",
    "sessions",
    "session_minutes",
    "accompanying_minutes",
    "total_lateness",
)
"""The per-client figures, in the order they are reported."""


@dataclass(frozen=True)
class Evaluation:
    """The objective of a set of sessions: total, weighted components, raw sums and per-person figures.

    ``components`` and ``raw`` have every key of :data:`scheduler.weights.TERMS`;
    ``kpis`` maps client ids to :data:`KPI_KEYS` (``family_travel_cost`` in currency units);
    ``practitioners`` maps practitioner ids to sessions, session_minutes, travel_minutes, days.
    """

    total: float
    components: dict[str, float]
    raw: dict[str, float]
    kpis: dict[str, dict[str, float]]
    practitioners: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "total": self.total,
            "components": dict(self.components),
            "raw": dict(self.raw),
            "kpis": {k: dict(v) for k, v in self.kpis.items()},
            "practitioners": {k: dict(v) for k, v in self.practitioners.items()},
        }


def _per_client(t: Timetable, figure: Callable[[int], float]) -> Figures:
    return {client.id: figure(client.index) for client in t.scenario.clients}


def _client_plans(t: Timetable, client: int) -> Iterable[DayPlan]:
    return t.person_plans("client", t.scenario.clients[client].id)


def _sessions_by_day(t: Timetable, client: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for s in t.client_sessions(client):
        counts[s.pattern_day] = counts.get(s.pattern_day, 0) + 1
    return counts


def trips(t: Timetable) -> Figures:
    """Days with a session stop away from home; with "avoid" clustering, sessions beyond each day's first."""

    def figure(client: int) -> float:
        c = t.scenario.clients[client]
        if c.preferences.same_day_clustering == "avoid":
            return sum(max(0, n - 1) for n in _sessions_by_day(t, client).values())
        return sum(
            1
            for plan in _client_plans(t, client)
            if any(stop.is_session and stop.place != c.home for stop in plan.stops)
        )

    return _per_client(t, figure)


def appointment_days(t: Timetable) -> Figures:
    """Days with any session."""
    return _per_client(t, lambda client: len(_sessions_by_day(t, client)))


def _family_legs(t: Timetable, client: int) -> list[Leg]:
    """The client's legs of which at least one end is a session stop, as travelled (a
    supervised client with a carer travels by the carer's mode)."""
    return [
        household.travelled(t, plan, leg)
        for plan in _client_plans(t, client)
        for leg in t.journeys.legs(plan)
        if leg.touches_session
    ]


def family_travel_minutes(t: Timetable) -> Figures:
    """Minutes of the client's legs with at least one end at a session stop."""
    return _per_client(t, lambda client: sum(leg.minutes for leg in _family_legs(t, client)))


def family_travel_cost(t: Timetable) -> Figures:
    """Cost (currency units, summed in whole pence) of the client's legs with a session stop at one end."""
    return _per_client(t, lambda client: currency(sum(leg.pence for leg in _family_legs(t, client))))


def distinct_people(t: Timetable) -> Figures:
    """Distinct practitioners over all the client's sessions."""
    return _per_client(
        t, lambda client: len(set().union(*(people_met(t.scenario, s) for s in t.client_sessions(client))))
    )


def _minutes_outside(session: PlacedSession, windows: Sequence[Span]) -> int:
    """Minutes of the session in no window, counted minute by minute (windows may overlap)."""
    return sum(
        1
        for minute in range(session.start, session.end)
        if not any(w.start <= minute < w.end for w in windows)
    )


def outside_preferred_windows(t: Timetable) -> Figures:
    """Session minutes outside every preferred window (0 for a client with none)."""

    def figure(client: int) -> float:
        windows = t.scenario.clients[client].preferences.preferred_windows
        if not windows:
            return 0
        return sum(_minutes_outside(s, windows) for s in t.client_sessions(client))

    return _per_client(t, figure)


def avoided_days(t: Timetable) -> Figures:
    """Sessions on the client's ``avoid_days``."""
    return _per_client(
        t,
        lambda client: sum(
            1 for s in t.client_sessions(client) if s.day in t.scenario.clients[client].preferences.avoid_days
        ),
    )


def waiting_minutes(t: Timetable) -> Figures:
    """Idle minutes between consecutive stops (one a session, not both at home), less travel
    as travelled; none between two stops the client goes home between."""

    def figure(client: int) -> float:
        home = t.scenario.clients[client].home
        total = 0
        for plan in _client_plans(t, client):
            legs = t.journeys.legs(plan)
            for i, (before, after) in enumerate(plan.pairs()):
                if plan.goes_home(i) or not (before.is_session or after.is_session):
                    continue
                if before.place == after.place == home:
                    continue
                travel = sum(
                    household.travelled(t, plan, leg).minutes
                    for leg in legs
                    if leg.before is before and leg.after is after
                )
                total += max(0, after.start - before.end - travel)
        return total

    return _per_client(t, figure)


def _keeps(booking: Booking, session: PlacedSession) -> bool:
    return (
        booking.week in (None, session.week)
        and booking.day == session.day
        and booking.start == session.start
        and booking.venue == session.venue
    )


def disruption(t: Timetable) -> Figures:
    """Sessions of appointments with current bookings that keep none of them."""

    def figure(client: int) -> float:
        return sum(
            1
            for appt in t.scenario.appointments_of(client)
            if appt.current
            for s in t.sessions_of(appt.index)
            if not any(_keeps(b, s) for b in appt.current)
        )

    return _per_client(t, figure)


def practitioner_travel_minutes(t: Timetable) -> Figures:
    """Per practitioner: every leg between stops at different places, and to and from their base."""
    totals = {prac.id: 0.0 for prac in t.scenario.practitioners}
    for plan in t.plans_of("practitioner"):
        totals[plan.person.id] += sum(leg.minutes for leg in t.journeys.legs(plan))
    return totals


def dropped_optional(t: Timetable) -> Figures:
    """Per optional appointment: 1 when it has no session."""
    return {
        appt.id: float(not t.sessions_of(appt.index)) for appt in t.scenario.appointments if appt.optional
    }


def accompanying_minutes(t: Timetable) -> Figures:
    """Minutes away from home as a companion on outings for other people's sessions."""
    return _per_client(
        t, lambda client: sum(household.accompanying_minutes(t, plan) for plan in _client_plans(t, client))
    )


def total_lateness(t: Timetable) -> Figures:
    """Per client: minutes their sessions start after their appointment's ``start_by``."""

    def figure(client: int) -> float:
        appointments = t.scenario.appointments
        return sum(appointments[s.appointment].lateness(s.start) for s in t.client_sessions(client))

    return _per_client(t, figure)


def max_lateness(t: Timetable) -> Figures:
    """The most minutes any one session starts late, under the id of its appointment (one
    figure of the whole pattern; none when no session is late)."""
    late = [(t.scenario.appointments[s.appointment].lateness(s.start), s.appointment) for s in t.sessions]
    most = max(late, default=(0, -1))
    return {t.scenario.appointments[most[1]].id: float(most[0])} if most[0] > 0 else {}


TERM_FIGURES: Mapping[str, Callable[[Timetable], Figures]] = {
    "trips": trips,
    "appointment_days": appointment_days,
    "family_travel_minutes": family_travel_minutes,
    "family_travel_cost": family_travel_cost,
    "distinct_people": distinct_people,
    "outside_preferred_windows": outside_preferred_windows,
    "avoided_days": avoided_days,
    "waiting_minutes": waiting_minutes,
    "disruption": disruption,
    "practitioner_travel_minutes": practitioner_travel_minutes,
    "dropped_optional": dropped_optional,
    "accompanying_minutes": accompanying_minutes,
    "total_lateness": total_lateness,
    "max_lateness": max_lateness,
}
"""Each objective term's figures, in the order of :data:`scheduler.weights.TERMS`."""
assert list(TERM_FIGURES) == list(TERMS), "every objective term needs its figures"


def _client_kpis(t: Timetable, figures: Mapping[str, Figures]) -> dict[str, dict[str, float]]:
    kpis: dict[str, dict[str, float]] = {}
    for client in t.scenario.clients:
        sessions = t.client_sessions(client.index)
        extra = {
            "sessions": float(len(sessions)),
            "session_minutes": float(sum(s.end - s.start for s in sessions)),
        }
        kpis[client.id] = {key: figures[key][client.id] if key in figures else extra[key] for key in KPI_KEYS}
    return kpis


def _practitioner_kpis(t: Timetable, travel: Figures) -> dict[str, dict[str, float]]:
    kpis: dict[str, dict[str, float]] = {}
    for prac in t.scenario.practitioners:
        sessions = [s for s in t.sessions if prac.index in s.practitioners]
        kpis[prac.id] = {
            "sessions": float(len(sessions)),
            "session_minutes": float(sum(s.end - s.start for s in sessions)),
            "travel_minutes": travel[prac.id],
            "days": float(len({s.pattern_day for s in sessions})),
        }
    return kpis


def evaluate_timetable(t: Timetable) -> Evaluation:
    """The objective and KPIs of a timetable."""
    figures = {term: compute(t) for term, compute in TERM_FIGURES.items()}
    raw = {term: float(sum(values.values())) for term, values in figures.items()}
    components = {term: t.scenario.weights.of(term) * raw[term] for term in TERMS}
    return Evaluation(
        total=sum(components.values()),
        components=components,
        raw=raw,
        kpis=_client_kpis(t, figures),
        practitioners=_practitioner_kpis(t, figures["practitioner_travel_minutes"]),
    )


def evaluate_sessions(
    scenario: Scenario,
    sessions: Iterable[PlacedSession],
    companions: Iterable[PlacedCompanion] = (),
    stays: Iterable[HomeStay] = (),
) -> Evaluation:
    """The objective (every term, weighted and raw) and per-client and per-practitioner figures
    of ``sessions``, with the clients who come along as ``companions`` and the itineraries'
    stays at home between stops.

    Unknown travel (see :class:`scheduler.validate.plans.Journeys`) counts as 0 here; the
    rule checks report it.
    """
    return evaluate_timetable(timetable(scenario, sessions, companions, stays))


def current_timetable(scenario: Scenario) -> Timetable:
    """Today's ``current`` bookings as a timetable, with whoever must come along to them
    (:func:`scheduler.validate.household.needed_companions`)."""
    bare = timetable(scenario, sessions_from_bookings(scenario))
    needed = household.needed_companions(bare)
    return timetable(scenario, bare.sessions, needed) if needed else bare


def evaluate_current(scenario: Scenario) -> Evaluation | None:
    """The objective of today's ``current`` bookings (the ``before`` figures), or None without any."""
    if not any(appt.current for appt in scenario.appointments):
        return None
    return evaluate_timetable(current_timetable(scenario))
