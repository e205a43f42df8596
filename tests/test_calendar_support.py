"""Shared pieces of the calendar tests (no tests here): a small scenario and schedule built by
hand, the occurrences a feed must show computed straight from them, and three independent
ways to read a feed back (recurring-ical-events over icalendar, vobject, ical.js under Node)
plus an evaluator of a VTIMEZONE's own rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar

from scheduler.contract.schedule import ScheduleDoc
from scheduler.schedule import read_schedule

ROOT = Path(__file__).resolve().parent.parent
ICAL_JS_SCRIPT = ROOT / "tests" / "js" / "expand.mjs"
ICAL_JS_PACKAGE = ROOT / "node_modules" / "ical.js" / "package.json"

START = date(2027, 1, 4)
REPEAT_UNTIL = date(2027, 12, 20)
"""A year of Mondays: crosses both clock changes in the north and in the south."""

EXCLUDED = (date(2027, 1, 4), date(2027, 2, 15), date(2027, 4, 7), date(2027, 12, 20))
"""The first Monday (DTSTART moves), a mid-term Monday, a Wednesday, the last Monday (UNTIL moves)."""

TIMEZONES = ("Europe/London", "America/New_York", "Australia/Sydney")

HOME_ADDRESS = "12 Elm Street"
ROUTINE_NAME = "swimming club"


@dataclass(frozen=True, order=True)
class Occurrence:
    """One expanded occurrence: event name (UID before ``@``), local start and end, UTC start."""

    name: str
    start: datetime
    end: datetime
    utc: datetime


def scenario_doc(
    timezone: str = "Europe/London",
    *,
    weeks: int = 1,
    repeat_until: date | None = REPEAT_UNTIL,
    exclude_dates: Iterable[date] = EXCLUDED,
) -> dict[str, Any]:
    """The Lee household: Amy (speech therapy at a clinic, OT at home), Ben (physio at school and clinic)."""
    horizon: dict[str, Any] = {
        "start": START.isoformat(),
        "weeks": weeks,
        "timezone": timezone,
        "exclude_dates": [d.isoformat() for d in exclude_dates],
    }
    if repeat_until is not None:
        horizon["repeat_until"] = repeat_until.isoformat()
    return {
        "name": "Lee household",
        "horizon": horizon,
        "venues": [
            {
                "id": "clinic-east",
                "name": "East Clinic",
                "kind": "clinic",
                "lat": 51.53,
                "lon": -0.05,
                "address": "3 East Lane",
            },
            {
                "id": "school-elm",
                "name": "Elm School",
                "kind": "school",
                "lat": 51.51,
                "lon": -0.08,
                "address": "Elm Road",
            },
            {
                "id": "home-lee",
                "name": "Lee home",
                "kind": "home",
                "lat": 51.50,
                "lon": -0.07,
                "address": HOME_ADDRESS,
            },
        ],
        "clients": [
            {
                "id": "amy",
                "name": "Amy Lee",
                "household": "lee",
                "home": "home-lee",
                "carers": ["dad"],
                "routines": [{"name": ROUTINE_NAME, "days": ["sat"], "start": "10:00", "end": "11:00"}],
            },
            {
                "id": "ben",
                "name": "Ben Lee",
                "household": "lee",
                "home": "home-lee",
                "carers": ["dad"],
                "routines": [
                    {
                        "name": "school",
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "start": "09:00",
                        "end": "15:00",
                        "at": "school-elm",
                        "allows_sessions": True,
                    }
                ],
            },
        ],
        "carers": [{"id": "dad", "name": "Chris Lee"}],
        "practitioners": [
            {
                "id": "slt-ana",
                "name": "Ana Ruiz",
                "role": "speech and language therapist",
                "agency": "NHS",
                "venues": ["clinic-east"],
            },
            {
                "id": "ot-olu",
                "name": "Olu Bello",
                "role": "occupational therapist",
                "agency": "Council",
                "home_visits": True,
            },
            {
                "id": "physio-pat",
                "name": "Pat Kim",
                "role": "physiotherapist",
                "venues": ["clinic-east", "school-elm"],
            },
        ],
        "appointments": [
            {
                "id": "amy-slt",
                "client": "amy",
                "title": "Speech and language therapy",
                "duration": 45,
                "practitioners": ["slt-ana"],
                "venues": ["clinic-east"],
                "needs_carer": True,
                "bring": "the communication book",
            },
            {
                "id": "amy-ot",
                "client": "amy",
                "title": "Occupational therapy",
                "duration": 60,
                "practitioners": ["ot-olu"],
                "venues": ["home"],
            },
            {
                "id": "ben-physio",
                "client": "ben",
                "title": "Physiotherapy",
                "duration": 45,
                "frequency": {"per_week": 2},
                "practitioners": ["physio-pat"],
                "venues": ["school-elm", "clinic-east"],
            },
        ],
    }


_WEEK = [
    # appointment, day, start, end, venue, practitioners, carer
    ("amy-slt", "mon", "15:30", "16:15", "clinic-east", ["slt-ana"], "dad"),
    ("amy-ot", "wed", "16:00", "17:00", "home-lee", ["ot-olu"], None),
    ("ben-physio", "tue", "09:30", "10:15", "school-elm", ["physio-pat"], None),
    ("ben-physio", "thu", "16:30", "17:15", "clinic-east", ["physio-pat"], "dad"),
]
_CLIENT = {"amy-slt": "amy", "amy-ot": "amy", "ben-physio": "ben"}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def schedule_doc(
    weeks: int = 1, moves: Mapping[tuple[str, int], tuple[str, str, str]] | None = None
) -> ScheduleDoc:
    """A schedule of :func:`scenario_doc`; ``moves`` puts ``(appointment, occurrence)`` at (day, start, end).

    Week 2 of a two-week pattern repeats week 1, numbering on (amy-slt-2, ben-physio-3 and -4).
    """
    moves = moves or {}
    sessions = []
    counts: dict[str, int] = {}
    for week in range(1, weeks + 1):
        for appointment, day, start, end, venue, practitioners, carer in _WEEK:
            counts[appointment] = counts.get(appointment, 0) + 1
            occurrence = counts[appointment]
            day, start, end = moves.get((appointment, occurrence), (day, start, end))
            sessions.append(
                {
                    "appointment": appointment,
                    "occurrence": occurrence,
                    "client": _CLIENT[appointment],
                    "week": week,
                    "day": day,
                    "start": start,
                    "end": end,
                    "venue": venue,
                    "practitioners": practitioners,
                    "carer": carer,
                    "date": (START + timedelta(weeks=week - 1, days=_DAYS.index(day))).isoformat(),
                }
            )
    itineraries = []
    for week in range(1, weeks + 1):
        itineraries += [
            {
                "person": "amy",
                "week": week,
                "day": "mon",
                "legs": [
                    {
                        "from": "home-lee",
                        "to": "clinic-east",
                        "depart": "15:00",
                        "arrive": "15:25",
                        "minutes": 25,
                    },
                    {
                        "from": "clinic-east",
                        "to": "home-lee",
                        "depart": "16:15",
                        "arrive": "16:40",
                        "minutes": 25,
                    },
                ],
            },
            {
                "person": "ben",
                "week": week,
                "day": "thu",
                "legs": [
                    {
                        "from": "home-lee",
                        "to": "school-elm",
                        "depart": "08:40",
                        "arrive": "08:55",
                        "minutes": 15,
                    },
                    {
                        "from": "school-elm",
                        "to": "home-lee",
                        "depart": "15:00",
                        "arrive": "15:15",
                        "minutes": 15,
                    },
                    {
                        "from": "home-lee",
                        "to": "clinic-east",
                        "depart": "16:00",
                        "arrive": "16:25",
                        "minutes": 25,
                    },
                    {
                        "from": "clinic-east",
                        "to": "home-lee",
                        "depart": "17:15",
                        "arrive": "17:40",
                        "minutes": 25,
                    },
                ],
            },
            {
                "person": "dad",
                "role": "carer",
                "week": week,
                "day": "mon",
                "legs": [
                    {
                        "from": "home-lee",
                        "to": "clinic-east",
                        "depart": "15:00",
                        "arrive": "15:25",
                        "minutes": 25,
                        "mode": "car",
                    },
                ],
            },
        ]
    return read_schedule({"status": "optimal", "sessions": sessions, "itineraries": itineraries})


def audience_sessions(scenario: Mapping[str, Any], schedule: ScheduleDoc, key: str) -> list[Any]:
    """The sessions feed ``key`` must show, decided from the documents alone."""
    kind, _, quoted = key.partition("-")
    ident = unquote(quoted)
    households = {c["id"]: c.get("household", c["home"]) for c in scenario["clients"]}
    keep = {
        "household": lambda s: households[s.client] == ident,
        "client": lambda s: s.client == ident,
        "carer": lambda s: s.carer == ident,
        "practitioner": lambda s: ident in s.practitioners,
        "venue": lambda s: s.venue == ident,
    }[kind]
    return [s for s in schedule.sessions if keep(s)]


def horizon_dates(scenario: Mapping[str, Any]) -> tuple[date, date]:
    """The first and last day a feed of ``scenario`` may show."""
    horizon = scenario["horizon"]
    start = date.fromisoformat(horizon["start"])
    if "repeat_until" in horizon:
        return start, date.fromisoformat(horizon["repeat_until"])
    return start, start + timedelta(weeks=horizon.get("weeks", 1))


def expected_occurrences(scenario: Mapping[str, Any], sessions: Iterable[Any]) -> list[Occurrence]:
    """Every occurrence of ``sessions`` by the horizon: each pattern week up to ``repeat_until``."""
    horizon = scenario["horizon"]
    zone = ZoneInfo(horizon["timezone"])
    step = timedelta(weeks=horizon.get("weeks", 1))
    excluded = {date.fromisoformat(d) for d in horizon.get("exclude_dates", [])}
    until = date.fromisoformat(horizon["repeat_until"]) if "repeat_until" in horizon else None
    found = []
    for s in sessions:
        day = s.date
        while True:
            if day not in excluded:
                start = datetime.combine(day, datetime.strptime(s.start, "%H:%M").time())
                end = datetime.combine(day, datetime.strptime(s.end, "%H:%M").time())
                utc = start.replace(tzinfo=zone).astimezone(UTC)
                found.append(Occurrence(f"{s.appointment}-{s.occurrence}", start, end, utc))
            day += step
            if until is None or day > until:
                break
    return sorted(found)


def _name(uid: object) -> str:
    return str(uid).split("@", 1)[0]


def expand_with_recurring_ical_events(ics: bytes, first: date, last: date) -> list[Occurrence]:
    """Occurrences between ``first`` and ``last`` as recurring-ical-events (over icalendar) reads them."""
    found = []
    for event in recurring_ical_events.of(Calendar.from_ical(ics)).between(first, last + timedelta(days=1)):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        found.append(Occurrence(_name(event["UID"]), _wall(start), _wall(end), start.astimezone(UTC)))
    return sorted(found)


def expand_with_vobject(ics: bytes) -> list[Occurrence]:
    """Every occurrence as vobject reads it (with its own reading of the embedded VTIMEZONE)."""
    calendar = vobject.readOne(ics.decode())
    found = []
    for vevent in calendar.contents.get("vevent", []):
        start, end = vevent.dtstart.value, vevent.dtend.value
        length = end - start
        rules = vevent.getrruleset(addRDate=True)
        for moment in rules if rules is not None else [start]:
            found.append(
                Occurrence(
                    _name(vevent.uid.value), _wall(moment), _wall(moment + length), moment.astimezone(UTC)
                )
            )
    return sorted(found)


def node_with_ical_js() -> str | None:
    """The ``node`` executable when it and ``node_modules/ical.js`` are both installed (``npm ci``)."""
    node = shutil.which("node")
    return node if node is not None and ICAL_JS_PACKAGE.exists() else None


def expand_with_ical_js(*ics_paths: Path) -> dict[Path, list[Occurrence]]:
    """Every occurrence of each feed as ical.js reads it, with UTC instants from the feed's own VTIMEZONE."""
    node = node_with_ical_js()
    assert node is not None
    command = [node, str(ICAL_JS_SCRIPT), *map(str, ics_paths)]
    run = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    expanded = json.loads(run.stdout)
    return {path: sorted(_from_ical_js(item) for item in expanded[str(path)]) for path in ics_paths}


def _from_ical_js(item: Mapping[str, Any]) -> Occurrence:
    utc = datetime.fromisoformat(item["utc"].replace("Z", "+00:00"))
    start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
    return Occurrence(_name(item["uid"]), start, end, utc)


def _wall(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


@dataclass(frozen=True)
class Onset:
    """A change to ``offset`` at ``utc``, from one of a VTIMEZONE's blocks."""

    utc: datetime
    offset: timedelta


def vtimezone_onsets(ics: bytes, tzid: str, until_year: int) -> list[Onset]:
    """Every onset of every STANDARD/DAYLIGHT block of ``tzid``'s VTIMEZONE, evaluated from its own rules."""
    calendar = Calendar.from_ical(ics)
    (vtimezone,) = [c for c in calendar.walk("VTIMEZONE") if str(c["TZID"]) == tzid]
    onsets = []
    for block in vtimezone.subcomponents:
        start = block["DTSTART"].dt
        before, after = block["TZOFFSETFROM"].td, block["TZOFFSETTO"].td
        if "RRULE" in block:
            rule = rrulestr(block["RRULE"].to_ical().decode(), dtstart=start)
            local_onsets = list(rule.between(start, datetime(until_year + 1, 1, 1), inc=True))
        else:
            local_onsets = [start]
        onsets += [Onset((local - before).replace(tzinfo=UTC), after) for local in local_onsets]
    return sorted(onsets, key=lambda o: o.utc)


def offset_at(onsets: list[Onset], moment: datetime) -> timedelta:
    """The UTC offset the VTIMEZONE gives at ``moment``: that of the latest onset at or before it."""
    current = [o for o in onsets if o.utc <= moment]
    assert current, f"{moment} is before the VTIMEZONE's first onset"
    return current[-1].offset
