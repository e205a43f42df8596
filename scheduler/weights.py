"""The objective's weights: every term's name, meaning and default, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

TERMS: dict[str, str] = {
    "trips": "days on which a client travels to at least one session "
    '(with same_day_clustering "avoid": sessions beyond the first on each day)',
    "appointment_days": "days on which a client has any session",
    "family_travel_minutes": "minutes of the client's legs to and from session stops",
    "family_travel_cost": "cost of the client's legs to and from session stops",
    "distinct_people": "practitioners a client meets in the pattern",
    "outside_preferred_windows": "session minutes outside the client's preferred windows",
    "avoided_days": "sessions on the client's avoid_days",
    "waiting_minutes": "idle minutes between a client's consecutive stops, less travel",
    "disruption": "sessions that do not keep one of the appointment's current bookings",
    "practitioner_travel_minutes": "minutes of practitioners' legs",
    "dropped_optional": "optional appointments left out",
    "accompanying_minutes": "minutes a client spends away from home as a companion "
    "on outings for other people's sessions, travel included",
    "total_lateness": "minutes sessions start after their appointment's start_by, summed",
    "max_lateness": "the most minutes any one session starts after its appointment's start_by",
}
"""Every objective term, in the order they are reported."""


@dataclass(frozen=True)
class Weights:
    """Weight of each objective term; the defaults are the engine's documented defaults."""

    trips: float = 30.0
    appointment_days: float = 10.0
    family_travel_minutes: float = 1.0
    family_travel_cost: float = 2.0
    distinct_people: float = 20.0
    outside_preferred_windows: float = 0.2
    avoided_days: float = 20.0
    waiting_minutes: float = 0.5
    disruption: float = 15.0
    practitioner_travel_minutes: float = 0.5
    dropped_optional: float = 500.0
    accompanying_minutes: float = 0.5
    total_lateness: float = 1.0
    max_lateness: float = 1.0

    def of(self, term: str) -> float:
        """The weight of ``term`` (a key of :data:`TERMS`)."""
        value: float = getattr(self, term)
        return value

    def with_overrides(self, overrides: Mapping[str, float | None]) -> Weights:
        """These weights with the non-None ``overrides`` applied."""
        return replace(self, **{k: float(v) for k, v in overrides.items() if v is not None})

    def as_dict(self) -> dict[str, float]:
        """Every weight by term name."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


DEFAULT_WEIGHTS = Weights()
assert list(TERMS) == [f.name for f in fields(Weights)], "TERMS and Weights must list the same terms"
