"""The schedule document of ``shared/spec/scenario.md``: the engine's answer."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from scheduler.contract.scenario import ContractModel, Day, Id, TimeOfDay

Status = Literal["optimal", "feasible", "infeasible", "timeout"]


class Objective(ContractModel):
    """The weighted objective, its proven bound and every component with its weight applied."""

    total: float | None = None
    bound: float | None = None
    gap: float | None = Field(None, description="(total - bound) / total; 0 when proven optimal.")
    components: dict[str, float] = Field(default_factory=dict)


class Session(ContractModel):
    """One session of an appointment, placed in the pattern."""

    appointment: Id
    occurrence: int = Field(ge=1, description="1, 2, ... in order of week then time.")
    client: Id
    week: int = Field(ge=1, le=2)
    day: Day
    date: date
    start: TimeOfDay
    end: TimeOfDay
    venue: Id = Field(description="Venue id (a home visit names the client's home venue).")
    practitioners: list[Id] = Field(default_factory=list)
    carer: Id | None = None


class RoutinePlacement(ContractModel):
    """Where a flexible routine falls on one day of the pattern."""

    client: Id
    name: str
    week: int = Field(ge=1, le=2)
    day: Day
    start: TimeOfDay
    end: TimeOfDay


class Leg(ContractModel):
    """One journey between two consecutive places of a person's day."""

    from_: Id = Field(alias="from")
    to: Id
    depart: TimeOfDay
    arrive: TimeOfDay
    minutes: int = Field(ge=0)
    cost: float = Field(0, ge=0)
    mode: str | None = None

    model_config = ContractModel.model_config | {"populate_by_name": True}


class Itinerary(ContractModel):
    """A person's journeys on one day of the pattern."""

    person: Id
    role: Literal["client", "carer", "practitioner"] | None = None
    week: int = Field(ge=1, le=2)
    day: Day
    legs: list[Leg] = Field(default_factory=list)


class Kpis(ContractModel):
    """Raw figures for one client (no weights applied)."""

    trips: int = 0
    appointment_days: int = 0
    family_travel_minutes: int = 0
    family_travel_cost: float = 0
    distinct_people: int = 0
    outside_preferred_windows: int = 0
    avoided_days: int = 0
    waiting_minutes: int = 0
    disruption: int = 0
    sessions: int = 0
    session_minutes: int = 0
    before: dict[str, float] | None = Field(
        None, description="The same figures for today's current bookings, where given."
    )


class ScheduleDoc(ContractModel):
    """A schedule: the pattern, its objective, and why not when there is none."""

    status: Status
    objective: Objective = Field(default_factory=Objective)
    solve_seconds: float = 0
    sessions: list[Session] = Field(default_factory=list)
    routines: list[RoutinePlacement] = Field(default_factory=list)
    itineraries: list[Itinerary] = Field(default_factory=list)
    kpis: dict[str, Kpis] = Field(default_factory=dict)
    practitioner_kpis: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="Per practitioner: sessions, minutes, travel minutes."
    )
    dropped: list[Id] = Field(default_factory=list, description="Optional appointments left out.")
    explanation: str | None = None
