"""Small scenario and schedule documents for tests, to copy and tweak.

:func:`scenario_dict` is a minimal valid scenario: client Jo (home ``jo-home``, public
transport, carer Sam), practitioners Ana and Bo (role "therapist", car), venues Clinic and
School, and the appointment ``therapy`` (60 min, once a week, with Ana). Every journey
between the three venues is measured, the same for every mode:

    jo-home - clinic  20 min  1.50
    jo-home - school  10 min  0.50
    clinic  - school  15 min  1.00

:func:`schedule_dict` turns :func:`session` placements into a schedule document, filling in
client, end, date and occurrence numbers.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from scheduler.clock import DAYS, format_time, parse_time

START = date(2027, 1, 4)
MODES = ("car", "public", "walk", "taxi")
JOURNEYS = (("jo-home", "clinic", 20, 1.50), ("jo-home", "school", 10, 0.50), ("clinic", "school", 15, 1.00))

_BASE: dict[str, Any] = {
    "horizon": {"start": START.isoformat(), "timezone": "Europe/London"},
    "venues": [
        {"id": "jo-home", "name": "Jo's home", "kind": "home"},
        {"id": "clinic", "name": "Clinic", "kind": "clinic"},
        {"id": "school", "name": "School", "kind": "school"},
    ],
    "clients": [{"id": "jo", "name": "Jo", "home": "jo-home", "carers": ["sam"]}],
    "carers": [{"id": "sam", "name": "Sam"}],
    "practitioners": [
        {
            "id": "ana",
            "name": "Ana",
            "role": "therapist",
            "venues": ["clinic", "school"],
            "home_visits": True,
        },
        {"id": "bo", "name": "Bo", "role": "therapist", "venues": ["clinic", "school"], "home_visits": True},
    ],
    "appointments": [
        {
            "id": "therapy",
            "client": "jo",
            "title": "Therapy",
            "duration": 60,
            "practitioners": ["ana"],
            "venues": ["clinic", "school", "home"],
        }
    ],
    "travel": {"matrix": []},
}


def scenario_dict() -> dict[str, Any]:
    """A fresh copy of the minimal valid scenario described above."""
    d = copy.deepcopy(_BASE)
    for origin, destination, minutes, cost in JOURNEYS:
        add_journey(d, origin, destination, minutes, cost)
    return d


def add_journey(d: dict[str, Any], origin: str, destination: str, minutes: int, cost: float) -> None:
    """Measure a journey (both ways, every mode) in scenario ``d``."""
    for mode in MODES:
        d["travel"]["matrix"].append(
            {"from": origin, "to": destination, "mode": mode, "minutes": minutes, "cost": cost}
        )


def appointment(d: dict[str, Any], appointment_id: str) -> dict[str, Any]:
    """The appointment ``appointment_id`` of scenario ``d`` (to tweak in place)."""
    return next(a for a in d["appointments"] if a["id"] == appointment_id)


def add_appointment(d: dict[str, Any], appointment_id: str, **fields: Any) -> dict[str, Any]:
    """Add an appointment like ``therapy`` (Jo, 60 min, weekly, with Ana) with ``fields`` changed."""
    appt = {
        **copy.deepcopy(appointment(d, "therapy")),
        "id": appointment_id,
        "title": appointment_id,
        **fields,
    }
    d["appointments"].append(appt)
    return appt


def add_client(d: dict[str, Any], client_id: str, name: str, home_journeys: dict[str, int]) -> None:
    """Add a client with a home ``<id>-home`` and the given journey minutes from it (cost 1.00)."""
    home = f"{client_id}-home"
    d["venues"].append({"id": home, "name": f"{name}'s home", "kind": "home"})
    d["clients"].append({"id": client_id, "name": name, "home": home, "carers": ["sam"]})
    for venue, minutes in home_journeys.items():
        add_journey(d, home, venue, minutes, 1.00)


def session(
    appointment_id: str,
    day: str,
    start: str,
    venue: str = "clinic",
    *,
    week: int = 1,
    practitioners: tuple[str, ...] = ("ana",),
    carer: str | None = None,
    occurrence: int | None = None,
) -> dict[str, Any]:
    """A session placement; :func:`schedule_dict` completes it."""
    placed: dict[str, Any] = {
        "appointment": appointment_id,
        "week": week,
        "day": day,
        "start": start,
        "venue": venue,
        "practitioners": list(practitioners),
        "carer": carer,
    }
    if occurrence is not None:
        placed["occurrence"] = occurrence
    return placed


def schedule_dict(d: dict[str, Any], sessions: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A schedule document of ``sessions`` for scenario ``d``: client, end and date filled in,
    occurrences numbered per appointment in order of week, day and start unless given."""
    ordered = sorted(sessions, key=lambda s: (s["week"], DAYS.index(s["day"]), parse_time(s["start"])))
    counts: dict[str, int] = {}
    complete = []
    for s in ordered:
        appt = (
            appointment(d, s["appointment"])
            if any(a["id"] == s["appointment"] for a in d["appointments"])
            else None
        )
        counts[s["appointment"]] = counts.get(s["appointment"], 0) + 1
        duration = appt["duration"] if appt else 60
        day = DAYS.index(s["day"])
        complete.append(
            {
                "occurrence": counts[s["appointment"]],
                "client": appt["client"] if appt else "jo",
                "date": (START + timedelta(days=7 * (s["week"] - 1) + day)).isoformat(),
                "end": format_time(parse_time(s["start"]) + duration),
                **s,
            }
        )
    return {"status": "feasible", "sessions": complete, **fields}


def client(d: dict[str, Any], client_id: str) -> dict[str, Any]:
    """The client ``client_id`` of scenario ``d`` (to tweak in place)."""
    return next(c for c in d["clients"] if c["id"] == client_id)


def practitioner(d: dict[str, Any], practitioner_id: str) -> dict[str, Any]:
    """The practitioner ``practitioner_id`` of scenario ``d`` (to tweak in place)."""
    return next(p for p in d["practitioners"] if p["id"] == practitioner_id)


def venue(d: dict[str, Any], venue_id: str) -> dict[str, Any]:
    """The venue ``venue_id`` of scenario ``d`` (to tweak in place)."""
    return next(v for v in d["venues"] if v["id"] == venue_id)


def homes_without_a_journey_between_them() -> dict[str, Any]:
    """Ana visits Jo and Kim at home; the journey between the two homes is not known (no matrix
    entry, no coordinates), so Ana cannot see both on one day."""
    d = scenario_dict()
    add_client(d, "kim", "Kim", {"clinic": 20, "school": 10})
    appointment(d, "therapy")["venues"] = ["home"]
    add_appointment(d, "kim-therapy", client="kim", venues=["home"])
    return d


def household_dict() -> dict[str, Any]:
    """:func:`scenario_dict` as a version-2 household: Jo never travels alone (``escort``) and
    needs Sam at therapy; Jo's baby sister Mia (same home, carer Sam) is never left alone
    (``always``)."""
    d = scenario_dict()
    client(d, "jo")["supervision"] = "escort"
    d["clients"].append(
        {"id": "mia", "name": "Mia", "home": "jo-home", "carers": ["sam"], "supervision": "always"}
    )
    appointment(d, "therapy")["needs_carer"] = True
    return d


def companion(
    client_id: str, carer: str, appointment_id: str, day: str, start: str, end: str, venue: str = "clinic"
) -> dict[str, Any]:
    """An ``accompanying`` entry of a schedule: ``client_id`` comes along with ``carer`` to
    occurrence 1 (week 1) of ``appointment_id``."""
    return {
        "client": client_id,
        "carer": carer,
        "appointment": appointment_id,
        "occurrence": 1,
        "week": 1,
        "day": day,
        "venue": venue,
        "start": start,
        "end": end,
    }


def itinerary(person: str, day: str, *legs: tuple[str, str, str, str]) -> dict[str, Any]:
    """An itinerary of ``person`` on ``day`` of week 1: legs ``(from, to, depart, arrive)``."""
    return {
        "person": person,
        "week": 1,
        "day": day,
        "legs": [
            {
                "from": origin,
                "to": destination,
                "depart": depart,
                "arrive": arrive,
                "minutes": parse_time(arrive) - parse_time(depart),
            }
            for origin, destination, depart, arrive in legs
        ],
    }
