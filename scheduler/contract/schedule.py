"""The schedule document of the format (``docs/format.md``): the engine's answer.

Numbers are numbers (not text or booleans) and finite; dates lie in the format's years.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from scheduler.contract.scenario import ContractModel, Day, Id, IsoDate, Label, TimeOfDay


def _not_text(value: Any) -> Any:
    """Numbers only: ``"60"`` and ``true`` are rejected before pydantic would convert them."""
    if isinstance(value, str | bool):
        raise ValueError(f"{json.dumps(value)[:60]} is not a number")
    return value


def _int(default: Any = ..., lower: int | None = 0, upper: int | None = None, **info: Any) -> Any:
    """An integer field (``2.0`` is 2; ``2.5``, ``"2"`` and ``true`` are not integers)."""
    return Field(default, ge=lower, le=upper, **info)


def _real(default: Any = ..., lower: float | None = None, **info: Any) -> Any:
    """A finite number field."""
    return Field(default, allow_inf_nan=False, ge=lower, **info)


Whole = Annotated[int, BeforeValidator(_not_text)]
"""An integer of the schedule (the engine may write it as ``2.0``)."""
Real = Annotated[float, BeforeValidator(_not_text)]
"""A number of the schedule."""
Figure = Annotated[Real, _real()]
"""A finite number: a weighted term, a KPI."""

Status = Literal["optimal", "feasible", "infeasible", "timeout"]


class Objective(ContractModel):
    """The weighted objective, its proven bound and every component with its weight applied."""

    total: Real | None = _real(None)
    bound: Real | None = _real(None)
    gap: Real | None = _real(None, description="(total - bound) / total; 0 when proven optimal.")
    components: dict[str, Figure] = Field(default_factory=dict)


class Session(ContractModel):
    """One session of an appointment, placed in the pattern."""

    appointment: Id
    occurrence: Whole = _int(lower=1, description="1, 2, ... in order of week then time.")
    client: Id
    week: Whole = _int(lower=1, upper=2)
    day: Day
    date: IsoDate
    start: TimeOfDay
    end: TimeOfDay
    venue: Id = Field(description="Venue id (a home visit names the client's home venue).")
    practitioners: list[Id] = Field(default_factory=list)
    carer: Id | None = None


class RoutinePlacement(ContractModel):
    """Where a flexible routine falls on one day of the pattern."""

    client: Id
    name: Label
    week: Whole = _int(lower=1, upper=2)
    day: Day
    start: TimeOfDay
    end: TimeOfDay


class Leg(ContractModel):
    """One journey between two consecutive places of a person's day."""

    from_: Id = Field(alias="from")
    to: Id
    depart: TimeOfDay
    arrive: TimeOfDay
    minutes: Whole = _int()
    cost: Real = _real(0, lower=0)
    mode: Label | None = None

    model_config = ContractModel.model_config | {"populate_by_name": True}


class Itinerary(ContractModel):
    """A person's journeys on one day of the pattern."""

    person: Id
    role: Literal["client", "carer", "practitioner"] | None = None
    week: Whole = _int(lower=1, upper=2)
    day: Day
    legs: list[Leg] = Field(default_factory=list)


class Accompanying(ContractModel):
    """A client at another person's session as a companion, with the carer they come along with."""

    client: Id
    carer: Id
    appointment: Id
    occurrence: Whole = _int(lower=1, description="The session's occurrence.")
    week: Whole = _int(lower=1, upper=2)
    day: Day
    venue: Id
    start: TimeOfDay
    end: TimeOfDay


class Kpis(ContractModel):
    """Raw figures for one client (no weights applied)."""

    trips: Whole = _int(0)
    appointment_days: Whole = _int(0)
    family_travel_minutes: Whole = _int(0)
    family_travel_cost: Real = _real(0)
    distinct_people: Whole = _int(0)
    outside_preferred_windows: Whole = _int(0)
    avoided_days: Whole = _int(0)
    waiting_minutes: Whole = _int(0)
    disruption: Whole = _int(0)
    sessions: Whole = _int(0)
    session_minutes: Whole = _int(0)
    accompanying_minutes: Whole = _int(0)
    total_lateness: Whole = _int(0)
    before: dict[str, Figure] | None = Field(
        None, description="The same figures for today's current bookings, where given."
    )


class ScheduleDoc(ContractModel):
    """A schedule: the pattern, its objective, and why not when there is none."""

    status: Status
    objective: Objective = Field(default_factory=Objective)
    solve_seconds: Real = _real(0, lower=0)
    sessions: list[Session] = Field(default_factory=list)
    routines: list[RoutinePlacement] = Field(default_factory=list)
    itineraries: list[Itinerary] = Field(default_factory=list)
    accompanying: list[Accompanying] = Field(
        default_factory=list, description="Clients at other people's sessions as companions."
    )
    kpis: dict[str, Kpis] = Field(default_factory=dict)
    practitioner_kpis: dict[str, dict[str, Figure]] = Field(
        default_factory=dict, description="Per practitioner: sessions, minutes, travel minutes."
    )
    dropped: list[Id] = Field(default_factory=list, description="Optional appointments left out.")
    explanation: str | None = None
