"""What a solve returns: status, objective with bound and gap, the pattern, and why not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from scheduler.clock import DAYS, format_time
from scheduler.contract import schedule as doc
from scheduler.model import PersonKind, Scenario
from scheduler.schedule import (
    PlacedCompanion,
    PlacedRoutine,
    PlacedSession,
    companion_to_doc,
    home_stays_from_doc,
    session_to_doc,
)
from scheduler.travel import currency

Status = Literal["optimal", "feasible", "infeasible", "timeout"]


@dataclass(frozen=True)
class Progress:
    """A report during search: seconds so far, best objective and proven bound."""

    elapsed: float
    objective: float | None
    bound: float | None
    solutions: int


@dataclass(frozen=True)
class Leg:
    """A journey between venue indices; depart and arrive in minutes after midnight; cost in
    pence; the mode it is travelled by (a supervised client goes by their carer's)."""

    origin: int
    destination: int
    depart: int
    arrive: int
    minutes: int
    pence: int
    mode: str


@dataclass(frozen=True)
class Itinerary:
    """One person's journeys on one pattern day."""

    kind: PersonKind
    person: int
    week: int
    day: int
    legs: tuple[Leg, ...]


@dataclass(frozen=True)
class SolveResult:
    """The outcome of :func:`scheduler.solver.solve`; it never raises for an infeasible scenario.

    ``objective`` and ``components`` are the model's own figures (weights applied), so that
    the independent validator can check them; ``bound`` is the proven lower bound.
    """

    status: Status
    objective: float | None
    bound: float | None
    runtime: float
    components: Mapping[str, float] = field(default_factory=dict)
    sessions: tuple[PlacedSession, ...] = ()
    routines: tuple[PlacedRoutine, ...] = ()
    itineraries: tuple[Itinerary, ...] = ()
    companions: tuple[PlacedCompanion, ...] = ()
    """Clients at other people's sessions as companions (version 2)."""
    dropped: tuple[int, ...] = ()
    explanation: str | None = None
    build_seconds: float = 0.0
    """Seconds spent pre-solving and building models (groups built at once on a cluster are
    summed, so this may exceed ``runtime``)."""

    @property
    def has_schedule(self) -> bool:
        """True when a pattern was found (``optimal`` or ``feasible``)."""
        return self.status in ("optimal", "feasible")

    @property
    def gap(self) -> float | None:
        """Relative distance between the objective and the bound (0 when proven optimal)."""
        if self.objective is None or self.bound is None:
            return None
        if self.status == "optimal":
            return 0.0
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def to_doc(self, scenario: Scenario) -> doc.ScheduleDoc:
        """The schedule document of the contract, with per-client KPIs and ``before`` figures."""
        from scheduler.validate import evaluate_current, evaluate_sessions

        schedule = doc.ScheduleDoc(
            status=self.status,
            objective=doc.Objective(
                total=_round(self.objective),
                bound=_round(self.bound),
                gap=None if self.gap is None else round(self.gap, 6),
                components={k: round(v, 6) for k, v in self.components.items()},
            ),
            solve_seconds=round(self.runtime, 3),
            sessions=[session_to_doc(scenario, s) for s in self.sessions],
            routines=[
                doc.RoutinePlacement(
                    client=scenario.clients[r.client].id,
                    name=r.name,
                    week=r.week + 1,
                    day=DAYS[r.day],
                    start=format_time(r.start),
                    end=format_time(r.end),
                )
                for r in self.routines
            ],
            itineraries=[_itinerary_doc(scenario, it) for it in self.itineraries],
            accompanying=[companion_to_doc(scenario, c) for c in self.companions],
            dropped=[scenario.appointments[a].id for a in self.dropped],
            explanation=self.explanation,
        )
        if not self.has_schedule:
            return schedule
        before = evaluate_current(scenario)
        evaluation = evaluate_sessions(
            scenario, self.sessions, self.companions, home_stays_from_doc(scenario, schedule)
        )
        kpis = {
            client.id: doc.Kpis.model_validate(
                {
                    **evaluation.kpis[client.id],
                    "before": before.kpis.get(client.id) if before is not None else None,
                }
            )
            for client in scenario.clients
        }
        practitioner_kpis = {k: dict(v) for k, v in evaluation.practitioners.items()}
        return schedule.model_copy(update={"kpis": kpis, "practitioner_kpis": practitioner_kpis})


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _person_id(scenario: Scenario, kind: PersonKind, person: int) -> str:
    if kind == "client":
        return scenario.clients[person].id
    if kind == "carer":
        return scenario.carers[person].id
    return scenario.practitioners[person].id


def _itinerary_doc(scenario: Scenario, it: Itinerary) -> doc.Itinerary:
    return doc.Itinerary(
        person=_person_id(scenario, it.kind, it.person),
        role=it.kind,
        week=it.week + 1,
        day=DAYS[it.day],
        legs=[
            doc.Leg.model_validate(
                {
                    "from": scenario.venues[leg.origin].id,
                    "to": scenario.venues[leg.destination].id,
                    "depart": format_time(leg.depart),
                    "arrive": format_time(leg.arrive),
                    "minutes": leg.minutes,
                    "cost": currency(leg.pence),
                    "mode": leg.mode,
                }
            )
            for leg in it.legs
        ],
    )
