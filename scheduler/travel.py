"""Travel between venues: the one place every part of the engine asks for journey times and costs.

A journey by a mode is the matrix entry for the two venues when there is one (entries
stand for both directions unless both are given), else great-circle distance times the
detour factor at the mode's speed, rounded up to whole minutes. Travel within one venue
is 0. Costs are kept in whole pence (cents) so that sums are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from scheduler.errors import CarePatternError
from scheduler.model import Scenario

EARTH_RADIUS_KM = 6371.0088
PENCE_PER_UNIT = 100
"""Pence (cents) in one currency unit (pound, euro)."""


def currency(pence: int) -> float:
    """``pence`` in currency units."""
    return pence / PENCE_PER_UNIT


@dataclass(frozen=True)
class Journey:
    """Minutes and cost (in pence) of going from one venue to another by one mode."""

    minutes: int
    pence: int
    km: float

    @property
    def cost(self) -> float:
        """Cost in currency units (pounds, euros)."""
        return currency(self.pence)


NO_JOURNEY = Journey(0, 0, 0.0)


class Place(Protocol):
    """A venue of the model or of the scenario document: an id and perhaps coordinates."""

    @property
    def id(self) -> str: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...


def great_circle_km(a: Place, b: Place) -> float:
    """Haversine distance in km between two venues with coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        raise ValueError(f"{a.id} or {b.id} has no coordinates and no matrix entry")
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


class Travel:
    """Journey times and costs for one scenario, cached."""

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self.find = lru_cache(maxsize=None)(self._find)

    def _find(self, origin: int, destination: int, mode: str) -> Journey | None:
        """The journey from venue index ``origin`` to ``destination`` by ``mode``, or None when
        the scenario cannot give it (no matrix entry, and a venue without coordinates). Such a
        journey cannot be made (docs/rules.md)."""
        if origin == destination:
            return NO_JOURNEY
        settings = self._scenario.travel
        venues = self._scenario.venues
        measured = settings.matrix.get((origin, destination, mode))
        a, b = venues[origin], venues[destination]
        has_coordinates = None not in (a.lat, a.lon, b.lat, b.lon)
        km = great_circle_km(a, b) * settings.detour_factor if has_coordinates else 0.0
        if measured is not None:
            cost = measured.cost if measured.cost is not None else km * settings.cost_per_km[mode]
            return Journey(measured.minutes, round(cost * PENCE_PER_UNIT), km)
        if not has_coordinates:
            return None
        minutes = math.ceil(round(km / settings.speed_kmh[mode] * 60, 6))
        return Journey(minutes, round(km * settings.cost_per_km[mode] * PENCE_PER_UNIT), km)

    def journey(self, origin: int, destination: int, mode: str) -> Journey:
        """The journey from venue index ``origin`` to ``destination`` by ``mode``; raises
        :class:`MissingTravelError` when the scenario cannot give it."""
        found = self.find(origin, destination, mode)
        if found is None:
            venues = self._scenario.venues
            raise MissingTravelError(venues[origin].id, venues[destination].id, mode)
        return found

    def minutes(self, origin: int, destination: int, mode: str) -> int:
        """Whole minutes from ``origin`` to ``destination`` by ``mode``."""
        return self.journey(origin, destination, mode).minutes

    def pence(self, origin: int, destination: int, mode: str) -> int:
        """Cost in pence from ``origin`` to ``destination`` by ``mode``."""
        return self.journey(origin, destination, mode).pence


class MissingTravelError(CarePatternError):
    """Two venues without coordinates and with no matrix entry between them."""

    def __init__(self, origin: str, destination: str, mode: str) -> None:
        super().__init__(
            f"no way to know the travel from {origin} to {destination} by {mode}: "
            "give both venues lat/lon or add a travel.matrix entry"
        )
        self.origin, self.destination, self.mode = origin, destination, mode
