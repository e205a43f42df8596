"""An answer to an HHCRSP instance (routes with start times), its checker and the paper's
objective, on the instance's own real-valued travel and service times.

The objective is Mankowska et al.'s with equal weights, as Kummer et al. compute it:
(total travel + total lateness + largest lateness) / 3. Travel runs from node 0 along each
route and back to the last node; the lateness of a service is how long after the patient's
``l`` it starts, counted for every service (a double service's two, at once or not).
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.hhcrsp.instance import Instance, Kind

TOLERANCE = 1e-6
"""Slack allowed on every comparison of real times."""


@dataclass(frozen=True)
class Visit:
    """A vehicle giving ``service`` (0-based) at patient ``node``, starting at ``start``."""

    node: int
    service: int
    start: float


@dataclass(frozen=True)
class Answer:
    """One route per vehicle (in vehicle order), each its visits in the order driven."""

    routes: tuple[tuple[Visit, ...], ...]


@dataclass(frozen=True)
class Evaluation:
    """The checker's verdict on an answer and its figures."""

    violations: tuple[str, ...]
    travel: float
    total_lateness: float
    max_lateness: float

    @property
    def objective(self) -> float:
        """(total travel + total lateness + largest lateness) / 3."""
        return (self.travel + self.total_lateness + self.max_lateness) / 3


def check(instance: Instance, answer: Answer) -> Evaluation:
    """Every rule of the instance that ``answer`` breaks, in words, and its objective terms.

    The rules: one route per vehicle; every service every patient needs given exactly once, by
    a vehicle qualified for it, a double service's two by two different vehicles; no service
    starts before the patient's ``e``; a vehicle reaches each visit (from node 0, or from the
    end of its previous visit) with the real travel time; a simultaneous double service's two
    start together, a sequential one's second (the higher-numbered service) between ``mind``
    and ``maxd`` after the first.
    """
    violations: list[str] = []
    if len(answer.routes) != instance.vehicles:
        violations.append(f"{len(answer.routes)} routes for {instance.vehicles} vehicles")
    given: dict[tuple[int, int], list[tuple[int, Visit]]] = {}
    travel = total_lateness = max_lateness = 0.0
    for vehicle, route in enumerate(answer.routes):
        where, free = 0, 0.0
        for visit in route:
            label = f"vehicle {vehicle + 1}, node {visit.node} service {visit.service + 1}"
            if not 1 <= visit.node < instance.end:
                violations.append(f"{label}: node {visit.node} is not a patient")
                continue
            patient = instance.patient(visit.node)
            if visit.service not in patient.services:
                violations.append(f"{label}: the patient does not need this service")
                continue
            if visit.service not in instance.qualified[vehicle]:
                violations.append(f"{label}: the vehicle cannot give this service")
            given.setdefault((visit.node, visit.service), []).append((vehicle, visit))
            arrival = free + instance.travel[where][visit.node]
            if visit.start < arrival - TOLERANCE:
                violations.append(
                    f"{label}: starts at {visit.start:g}, before the vehicle arrives at {arrival:g}"
                )
            if visit.start < patient.earliest - TOLERANCE:
                violations.append(f"{label}: starts at {visit.start:g}, before e = {patient.earliest:g}")
            lateness = max(0.0, visit.start - patient.latest)
            total_lateness += lateness
            max_lateness = max(max_lateness, lateness)
            travel += instance.travel[where][visit.node]
            where = visit.node
            free = visit.start + patient.duration[patient.services.index(visit.service)]
        travel += instance.travel[where][instance.end]
    for patient in instance.patients:
        visits = []
        for service in patient.services:
            by = given.get((patient.node, service), [])
            if len(by) != 1:
                violations.append(
                    f"node {patient.node} service {service + 1}: given {len(by)} times, not once"
                )
            visits.extend(by)
        if patient.kind is Kind.SINGLE or len(visits) != 2:
            continue
        (first_vehicle, first), (second_vehicle, second) = visits
        label = f"node {patient.node} ({patient.kind.value})"
        if first_vehicle == second_vehicle:
            violations.append(f"{label}: both services by vehicle {first_vehicle + 1}")
        gap = second.start - first.start
        low, high = (0.0, 0.0) if patient.kind is Kind.SIMULTANEOUS else (patient.min_gap, patient.max_gap)
        if not low - TOLERANCE <= gap <= high + TOLERANCE:
            violations.append(
                f"{label}: the second service starts {gap:g} after the first, not {low:g} to {high:g}"
            )
    return Evaluation(tuple(violations), travel, total_lateness, max_lateness)


def earliest(instance: Instance, answer: Answer) -> Answer | None:
    """The same routes with every visit as early as the instance allows, or None when no
    timing of these routes keeps the double services' gaps. Every visit of ``answer`` must be
    a service its patient needs (as :func:`check` finds).

    The start times are the least solution of the difference constraints (each visit after
    ``e``, after its vehicle's previous visit and the travel from it, and the double
    services' gaps), found as longest paths by Bellman-Ford. Every start is as early as it
    can be, so total and largest lateness are both the least these routes allow.
    """
    visits = [(v, k, visit) for v, route in enumerate(answer.routes) for k, visit in enumerate(route)]
    index = {(v, k): i for i, (v, k, _) in enumerate(visits)}
    start = [0.0] * len(visits)
    arcs: list[tuple[int, int, float]] = []
    """(i, j, w): start[j] >= start[i] + w."""
    by_service: dict[tuple[int, int], int] = {}
    for i, (v, k, visit) in enumerate(visits):
        patient = instance.patient(visit.node)
        start[i] = max(patient.earliest, instance.travel[0][visit.node] if k == 0 else 0.0)
        if k > 0:
            before = answer.routes[v][k - 1]
            other = instance.patient(before.node)
            busy = other.duration[other.services.index(before.service)]
            arcs.append((index[(v, k - 1)], i, busy + instance.travel[before.node][visit.node]))
        by_service[(visit.node, visit.service)] = i
    for patient in instance.patients:
        if patient.kind is Kind.SINGLE:
            continue
        first, second = (by_service.get((patient.node, s)) for s in patient.services)
        if first is None or second is None:
            continue
        low, high = (0.0, 0.0) if patient.kind is Kind.SIMULTANEOUS else (patient.min_gap, patient.max_gap)
        arcs += [(first, second, low), (second, first, -high)]
    for _ in range(len(visits) + 1):
        changed = False
        for i, j, w in arcs:
            if start[i] + w > start[j] + TOLERANCE:
                start[j] = start[i] + w
                changed = True
        if not changed:
            return Answer(
                tuple(
                    tuple(
                        Visit(visit.node, visit.service, start[index[(v, k)]])
                        for k, visit in enumerate(route)
                    )
                    for v, route in enumerate(answer.routes)
                )
            )
    return None
