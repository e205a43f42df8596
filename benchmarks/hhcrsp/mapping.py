"""An HHCRSP instance as a carepattern scenario, and the engine's schedule read back as routes.

The scenario is one Monday. Each vehicle is a practitioner based at the base venue who makes
home visits; its services are its roles (``role`` the first, ``also_roles`` the rest). Each
patient is a client at home with:

- one service: an appointment of that service's role;
- two services at once: one joint session by the two roles (``roles``);
- two services in sequence: an appointment for the first service, and one for the second
  that starts ``mind`` to ``maxd`` after it (``after``; when ``mind`` is less than the
  first's duration the engine lets the two overlap at the home, as the paper does).

Windows start at ``e`` and the engine counts lateness from ``l`` (``start_by``); the weights
are practitioner travel, total lateness and largest lateness, 1 each, every other term 0.

**Units.** The engine works in whole minutes of a 1,440-minute day, and the instances'
travel is real-valued. One engine minute is ``1 / scale`` of an instance's time unit
(``scale`` a whole number, :data:`SCALE` by default): every time is multiplied by ``scale``
(windows, durations and gaps stay whole), and a journey is ``scale * d`` rounded up, so that
every timing the engine accepts also holds with the real travel. The engine's objective is
then about ``3 * scale`` times the paper's; answers are always evaluated on the real data
(:mod:`benchmarks.hhcrsp.check`).
"""

from __future__ import annotations

import math
from typing import Any

from benchmarks.hhcrsp.check import Answer, Visit
from benchmarks.hhcrsp.instance import Instance, InstanceError, Kind, Patient
from scheduler.contract.bounds import MINUTES_PER_DAY

SCALE = 1
"""Engine minutes per instance time unit by default: the largest whole factor whose day (1,440
minutes) holds the latest window (``l`` up to 599) and the lateness good answers have after
it (the route Kummer et al. published for E1 starts a service 224 units late), plus a service
and the journey home: about 950 units. A scale of 2 (a day of 720 units) is finer but leaves
only about 120 units after the latest window."""
BASE = "base"
DAY = "mon"
MONDAY = "2027-01-04"

Document = dict[str, Any]


def role(service: int) -> str:
    """The role id of a (0-based) service."""
    return f"service-{service + 1}"


def client_id(node: int) -> str:
    """The client of a patient node."""
    return f"patient-{node}"


def home_id(node: int) -> str:
    """The home venue of a patient node."""
    return f"home-{node}"


def vehicle_id(vehicle: int) -> str:
    """The practitioner of a (0-based) vehicle."""
    return f"vehicle-{vehicle + 1}"


def appointment_id(node: int, part: str | None = None) -> str:
    """The appointment of a patient, or of one part (``first``, ``second``) of a sequence."""
    return f"patient-{node}" if part is None else f"patient-{node}-{part}"


def minutes(value: float, scale: int) -> int:
    """An instance time (a whole number of units) in engine minutes."""
    return round(value * scale)


def journey(value: float, scale: int) -> int:
    """A real travel time in engine minutes, rounded up."""
    return math.ceil(value * scale - 1e-9)


def clock(engine_minutes: int) -> str:
    """Engine minutes as a time of day."""
    return f"{engine_minutes // 60:02d}:{engine_minutes % 60:02d}"


def scenario_document(instance: Instance, scale: int = SCALE) -> Document:
    """The carepattern scenario of ``instance`` (see the module's description).

    Raises :class:`InstanceError` for an instance the scenario format cannot hold: a time
    that is not a whole unit, a window past the day, or a service of no duration.
    """
    _check_fits(instance, scale)
    venues: list[Document] = [{"id": BASE, "name": "the base", "kind": "other"}]
    clients: list[Document] = []
    appointments: list[Document] = []
    for patient in instance.patients:
        venues.append({"id": home_id(patient.node), "kind": "home"})
        clients.append({"id": client_id(patient.node), "home": home_id(patient.node)})
        appointments += _appointments(patient, scale)
    practitioners = []
    for vehicle, services in enumerate(instance.qualified):
        roles = [role(s) for s in sorted(services)]
        practitioner: Document = {"id": vehicle_id(vehicle), "home_visits": True, "base": BASE}
        if roles:
            practitioner["role"] = roles[0]
        if roles[1:]:
            practitioner["also_roles"] = roles[1:]
        practitioners.append(practitioner)
    return {
        "name": f"HHCRSP {instance.name}",
        "description": f"Mankowska et al. (2014), {instance.name}; a minute is 1/{scale} instance unit",
        "horizon": {
            "start": MONDAY,
            "timezone": "Etc/UTC",
            "day_start": "00:00",
            "day_end": "24:00",
            "slot_minutes": 1,
        },
        "venues": venues,
        "clients": clients,
        "practitioners": practitioners,
        "appointments": appointments,
        "travel": {"matrix": _matrix(instance, scale)},
        "weights": {**dict.fromkeys(ZERO_WEIGHTS, 0), **OBJECTIVE_WEIGHTS},
    }


OBJECTIVE_WEIGHTS = {"practitioner_travel_minutes": 1, "total_lateness": 1, "max_lateness": 1}
"""The paper's three terms, in engine minutes; their weighted sum is about ``3 * scale``
times the paper's objective."""
ZERO_WEIGHTS = (
    "trips",
    "appointment_days",
    "family_travel_minutes",
    "family_travel_cost",
    "distinct_people",
    "outside_preferred_windows",
    "avoided_days",
    "waiting_minutes",
    "disruption",
    "dropped_optional",
    "accompanying_minutes",
)
"""Every other term of the engine's objective."""


def _appointments(patient: Patient, scale: int) -> list[Document]:
    window = {
        "days": [DAY],
        "earliest": clock(minutes(patient.earliest, scale)),
        "start_by": clock(minutes(patient.latest, scale)),
    }
    common = {"venues": ["home"], "window": window}
    node = patient.node
    if patient.kind is Kind.SINGLE:
        return [
            {
                "id": appointment_id(node),
                "client": client_id(node),
                "duration": minutes(patient.duration[0], scale),
                "role": role(patient.services[0]),
                **common,
            }
        ]
    if patient.kind is Kind.SIMULTANEOUS:
        return [
            {
                "id": appointment_id(node),
                "client": client_id(node),
                "duration": minutes(max(patient.duration), scale),
                "roles": [role(s) for s in patient.services],
                **common,
            }
        ]
    first, second = patient.services
    return [
        {
            "id": appointment_id(node, "first"),
            "client": client_id(node),
            "duration": minutes(patient.duration[0], scale),
            "role": role(first),
            **common,
        },
        {
            "id": appointment_id(node, "second"),
            "client": client_id(node),
            "duration": minutes(patient.duration[1], scale),
            "role": role(second),
            "after": {
                "appointment": appointment_id(node, "first"),
                "min_gap": minutes(patient.min_gap, scale),
                "max_gap": minutes(patient.max_gap, scale),
            },
            **common,
        },
    ]


def _matrix(instance: Instance, scale: int) -> list[Document]:
    """Every journey between the base and the homes, by car."""
    places = [(BASE, 0)] + [(home_id(p.node), p.node) for p in instance.patients]

    def time(a: int, b: int) -> int:
        return journey(instance.travel[a][instance.end if b == 0 else b], scale)

    entries = []
    for i, (here, a) in enumerate(places):
        for there, b in places[i + 1 :]:
            there_and_back = (time(a, b), time(b, a))
            entries.append({"from": here, "to": there, "mode": "car", "minutes": there_and_back[0]})
            if there_and_back[1] != there_and_back[0]:
                entries.append({"from": there, "to": here, "mode": "car", "minutes": there_and_back[1]})
    return entries


def _check_fits(instance: Instance, scale: int) -> None:
    for patient in instance.patients:
        times = (patient.earliest, patient.latest, patient.min_gap, patient.max_gap, *patient.duration)
        where = f"{instance.name}: node {patient.node}"
        if any(t != int(t) for t in times):
            raise InstanceError(f"{where}: a window, gap or duration is not a whole number of units")
        if min(patient.duration) <= 0:
            raise InstanceError(f"{where}: a service of no duration cannot be a session")
        if (
            minutes(patient.latest, scale) > MINUTES_PER_DAY
            or minutes(patient.earliest + max(patient.duration), scale) > MINUTES_PER_DAY
        ):
            raise InstanceError(
                f"{where}: its window does not fit in a day of {MINUTES_PER_DAY // scale} units"
            )


def answer_from_schedule(instance: Instance, sessions: list[Document], scale: int = SCALE) -> Answer:
    """The routes of a schedule's sessions (``ScheduleDoc.sessions`` as plain dicts): each
    practitioner's visits in order of start, at the start's time in instance units. A joint
    session's practitioners take its two services in the one way their qualifications allow
    (the first listed the first service when both ways do)."""
    by_vehicle: dict[int, list[Visit]] = {v: [] for v in range(instance.vehicles)}
    vehicles = {vehicle_id(v): v for v in range(instance.vehicles)}
    for session in sessions:
        node, part = _node_of(session["appointment"])
        patient = instance.patient(node)
        hours, mins = session["start"].split(":")
        start = (int(hours) * 60 + int(mins)) / scale
        who = [vehicles[p] for p in session["practitioners"]]
        if patient.kind is Kind.SIMULTANEOUS and len(who) == 2:
            a, b = patient.services
            if not (a in instance.qualified[who[0]] and b in instance.qualified[who[1]]):
                a, b = b, a
            pairs = [(who[0], a), (who[1], b)]
        else:
            service = patient.services[1 if part == "second" else 0]
            pairs = [(v, service) for v in who]
        for vehicle, service in pairs:
            by_vehicle[vehicle].append(Visit(node, service, start))
    return Answer(
        tuple(tuple(sorted(by_vehicle[v], key=lambda x: x.start)) for v in range(instance.vehicles))
    )


def _node_of(appointment: str) -> tuple[int, str | None]:
    parts = appointment.split("-")
    return int(parts[1]), parts[2] if len(parts) > 2 else None
