"""Tidy pandas frames of a pattern: its sessions, journeys, KPIs and objective, and before against after.

A *pattern* is a schedule document, a :class:`~scheduler.solver.SolveResult`, or placed
sessions (``sessions_from_bookings(scenario)`` for today's bookings; the KPI frames also take
an evaluation, and ``evaluate_current(scenario)`` is today's with whoever must come along).
Every figure comes from
the independent validator's :class:`~scheduler.validate.Evaluation`, so the frames say what
``scheduler validate`` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from scheduler.clock import DAYS, format_time
from scheduler.contract.schedule import ScheduleDoc
from scheduler.model import Scenario
from scheduler.schedule import PlacedSession, companions_from_doc, home_stays_from_doc, sessions_from_doc
from scheduler.solver import SolveResult
from scheduler.travel import currency
from scheduler.validate import CARER_KPI_KEYS, KPI_KEYS, Evaluation, evaluate_current
from scheduler.validate.household import travelled
from scheduler.validate.objective import evaluate_timetable
from scheduler.validate.plans import Timetable, client_of, inside_routine, timetable
from scheduler.weights import TERMS

Pattern = ScheduleDoc | SolveResult | Sequence[PlacedSession]
Grouping = Literal["client", "household", "town", "practitioner", "carer"]

SESSION_COLUMNS: tuple[str, ...] = (
    "appointment",
    "occurrence",
    "client",
    "household",
    "title",
    "service",
    "agency",
    "week",
    "day",
    "start",
    "end",
    "start_minute",
    "end_minute",
    "minutes",
    "venue",
    "venue_kind",
    "home_visit",
    "inside_routine",
    "practitioners",
    "carer",
)
"""Columns of :func:`sessions_frame`: one row per session, week 1-based, day ``"mon"``..``"sun"``."""

ITINERARY_COLUMNS: tuple[str, ...] = (
    "kind",
    "person",
    "week",
    "day",
    "origin",
    "destination",
    "leaves_after",
    "arrives_by",
    "minutes",
    "cost",
    "touches_session",
)
"""Columns of :func:`itineraries_frame`: one row per journey (leg) of a person's day."""

PRACTITIONER_KPI_KEYS: tuple[str, ...] = ("sessions", "session_minutes", "travel_minutes", "days")
"""The validator's per-practitioner figures, in the order of :func:`practitioner_kpis`."""


TOWN_KEYS: tuple[str, ...] = ("practitioner_travel_minutes", "carer_away_minutes")
"""The figures of everyone but the clients that ``compare(..., by="town")`` adds."""


def placed_sessions(scenario: Scenario, pattern: Pattern) -> tuple[PlacedSession, ...]:
    """The sessions of a pattern, in the engine's integer terms."""
    if isinstance(pattern, ScheduleDoc):
        return sessions_from_doc(scenario, pattern)
    if isinstance(pattern, SolveResult):
        return pattern.sessions
    return tuple(pattern)


def as_document(scenario: Scenario, pattern: Pattern) -> Pattern:
    """A solver's result as its schedule document (with its companions and itineraries); any
    other pattern as it is."""
    return pattern.to_doc(scenario) if isinstance(pattern, SolveResult) else pattern


def pattern_timetable(scenario: Scenario, pattern: Pattern) -> Timetable:
    """The validator's day plans of a pattern, with a schedule's companions and stays at home."""
    pattern = as_document(scenario, pattern)
    sessions = placed_sessions(scenario, pattern)
    if isinstance(pattern, ScheduleDoc):
        companions = companions_from_doc(scenario, pattern, sessions)
        return timetable(scenario, sessions, companions, home_stays_from_doc(scenario, pattern))
    return timetable(scenario, sessions)


def evaluation(scenario: Scenario, pattern: Pattern) -> Evaluation:
    """The validator's evaluation of a pattern (objective, terms and per-person figures); the
    companions and stays at home between stops of a schedule document or a solver's result
    count too."""
    return evaluate_timetable(pattern_timetable(scenario, pattern))


def sessions_frame(scenario: Scenario, pattern: Pattern) -> pd.DataFrame:
    """One row per session, columns :data:`SESSION_COLUMNS`; ``practitioners`` is a tuple of ids."""
    rows = [_session_row(scenario, s) for s in placed_sessions(scenario, pattern)]
    return pd.DataFrame(rows, columns=list(SESSION_COLUMNS))


def _session_row(scenario: Scenario, s: PlacedSession) -> dict[str, object]:
    appt = scenario.appointments[s.appointment]
    client = client_of(scenario, s)
    venue = scenario.venues[s.venue]
    return {
        "appointment": appt.id,
        "occurrence": s.occurrence,
        "client": client.id,
        "household": client.household,
        "title": appt.title,
        "service": appt.service,
        "agency": appt.agency,
        "week": s.week + 1,
        "day": DAYS[s.day],
        "start": format_time(s.start),
        "end": format_time(s.end),
        "start_minute": s.start,
        "end_minute": s.end,
        "minutes": s.end - s.start,
        "venue": venue.id,
        "venue_kind": venue.kind,
        "home_visit": s.venue == client.home,
        "inside_routine": inside_routine(client, s),
        "practitioners": tuple(scenario.practitioners[p].id for p in s.practitioners),
        "carer": None if s.carer is None else scenario.carers[s.carer].id,
    }


def itineraries_frame(scenario: Scenario, pattern: Pattern) -> pd.DataFrame:
    """Every journey of every client, carer and practitioner, as the validator's day plans see them.

    Columns :data:`ITINERARY_COLUMNS`: ``kind`` client, carer or practitioner; ``origin`` and
    ``destination`` venue ids; the journey fits between ``leaves_after`` and ``arrives_by``
    (``"HH:MM"``); ``cost`` in currency units; ``touches_session`` when one end is a session
    (the legs counted in the family travel figures). A client travelling with a carer goes by
    the carer's journey, and a schedule's companions and stays at home between stops count.
    """
    t = pattern_timetable(scenario, pattern)
    rows = [
        {
            "kind": plan.person.kind,
            "person": plan.person.id,
            "week": plan.week + 1,
            "day": DAYS[plan.day],
            "origin": scenario.venues[leg.origin].id,
            "destination": scenario.venues[leg.destination].id,
            "leaves_after": format_time(leg.gap_start),
            "arrives_by": format_time(leg.gap_end),
            "minutes": travelled(t, plan, leg).minutes,
            "cost": currency(travelled(t, plan, leg).pence),
            "touches_session": leg.touches_session,
        }
        for plan in t.plans
        for leg in t.journeys.legs(plan)
    ]
    return pd.DataFrame(rows, columns=list(ITINERARY_COLUMNS))


def client_kpis(scenario: Scenario, pattern: Pattern | Evaluation) -> pd.DataFrame:
    """Per-client figures: index client id; columns ``name``, ``household`` and :data:`KPI_KEYS`."""
    figures = pattern if isinstance(pattern, Evaluation) else evaluation(scenario, pattern)
    frame = pd.DataFrame.from_dict(figures.kpis, orient="index", columns=list(KPI_KEYS))
    frame.insert(0, "household", [scenario.clients[scenario.client_index[c]].household for c in frame.index])
    frame.insert(0, "name", [scenario.clients[scenario.client_index[c]].name for c in frame.index])
    frame.index.name = "client"
    return frame


def practitioner_kpis(scenario: Scenario, pattern: Pattern | Evaluation) -> pd.DataFrame:
    """Per-practitioner figures: index practitioner id; columns ``name``, ``agency``, ``role`` and
    :data:`PRACTITIONER_KPI_KEYS` (``travel_minutes`` as in ``practitioner_travel_minutes``)."""
    figures = pattern if isinstance(pattern, Evaluation) else evaluation(scenario, pattern)
    frame = pd.DataFrame.from_dict(figures.practitioners, orient="index", columns=list(PRACTITIONER_KPI_KEYS))
    people = [scenario.practitioners[scenario.practitioner_index[p]] for p in frame.index]
    frame.insert(0, "role", [p.role for p in people])
    frame.insert(0, "agency", [p.agency for p in people])
    frame.insert(0, "name", [p.name for p in people])
    frame.index.name = "practitioner"
    return frame


def carer_kpis(scenario: Scenario, pattern: Pattern | Evaluation) -> pd.DataFrame:
    """Per-carer figures: index carer id; columns ``name`` and :data:`~scheduler.validate.CARER_KPI_KEYS`
    (sessions escorted, outings, and ``away_minutes``: their time away from home on them)."""
    figures = pattern if isinstance(pattern, Evaluation) else evaluation(scenario, pattern)
    frame = pd.DataFrame.from_dict(figures.carers, orient="index", columns=list(CARER_KPI_KEYS))
    frame.insert(0, "name", [scenario.carers[scenario.carer_index[c]].name for c in frame.index])
    frame.index.name = "carer"
    return frame


def objective_frame(scenario: Scenario, pattern: Pattern | Evaluation) -> pd.DataFrame:
    """The objective term by term: index term (:data:`~scheduler.weights.TERMS` order);
    columns ``weight``, ``raw`` and ``component`` (weight x raw)."""
    figures = pattern if isinstance(pattern, Evaluation) else evaluation(scenario, pattern)
    return pd.DataFrame(
        {
            "weight": [scenario.weights.of(term) for term in TERMS],
            "raw": [figures.raw[term] for term in TERMS],
            "component": [figures.components[term] for term in TERMS],
        },
        index=pd.Index(list(TERMS), name="term"),
    )


def compare(scenario: Scenario, pattern: Pattern, *, by: Grouping = "client") -> pd.DataFrame:
    """Today's bookings against ``pattern``: one row per group and figure, long (tidy) form.

    Columns: ``by`` (the client, household, practitioner or carer id, or the scenario's name
    for ``"town"``), ``kpi``, ``before``, ``after`` and ``saving`` (before - after: positive is
    better). Households and the town sum their clients' figures (so ``distinct_people`` counts
    a practitioner once per client); the town adds ``practitioner_travel_minutes`` (every
    practitioner's) and ``carer_away_minutes`` (every carer's time away from home).
    Practitioners' figures are :data:`PRACTITIONER_KPI_KEYS`, carers'
    :data:`~scheduler.validate.CARER_KPI_KEYS`. Raises ``ValueError`` when the scenario has
    no ``current`` bookings.
    """
    before = evaluate_current(scenario)
    if before is None:
        raise ValueError("the scenario has no current bookings to compare with")
    after = evaluation(scenario, pattern)
    if by == "practitioner":
        old, new = practitioner_kpis(scenario, before), practitioner_kpis(scenario, after)
        keys = PRACTITIONER_KPI_KEYS
    elif by == "carer":
        old, new = carer_kpis(scenario, before), carer_kpis(scenario, after)
        keys = CARER_KPI_KEYS
    else:
        old, new = _grouped(scenario, before, by), _grouped(scenario, after, by)
        keys = (*KPI_KEYS, *TOWN_KEYS) if by == "town" else KPI_KEYS
    long_before = old[list(keys)].rename_axis(by).reset_index().melt(id_vars=by, var_name="kpi")
    long_after = new[list(keys)].rename_axis(by).reset_index().melt(id_vars=by, var_name="kpi")
    frame = long_before.rename(columns={"value": "before"}).merge(
        long_after.rename(columns={"value": "after"}), on=[by, "kpi"]
    )
    frame["saving"] = frame["before"] - frame["after"]
    return frame


def _grouped(scenario: Scenario, figures: Evaluation, by: Grouping) -> pd.DataFrame:
    """Client KPIs summed per ``by`` group (a client is its own group); the town with
    :data:`TOWN_KEYS` too."""
    frame = client_kpis(scenario, figures)
    if by == "client":
        return frame
    keys = frame[list(KPI_KEYS)]
    if by == "household":
        return keys.groupby(frame["household"]).sum()
    town = keys.groupby(pd.Series(scenario.name or "town", index=frame.index)).sum()
    town["practitioner_travel_minutes"] = figures.raw["practitioner_travel_minutes"]
    town["carer_away_minutes"] = float(sum(c["away_minutes"] for c in figures.carers.values()))
    return town
