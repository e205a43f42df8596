"""Synthetic towns: seeded, realistic scenarios of any size for benchmarks, tests and notebooks.

``generate_town(20, seed=7)`` returns a scenario document (the JSON contract as a dict) for a
town of 20 households: clinics, a hospital, schools and homes spread over about 8 km;
practitioners of several agencies, enough of each role to carry their caseload with a wide
margin; children with routines (school, nursery, naps, feeds) and three to seven appointments
each; and today's fragmented bookings. Households are planned together: school-age children
never travel alone, younger ones are never left alone, and school and nursery look after them.

The bookings are made the way agencies make them: each session alone, in the one
practitioner's diary. A booking always keeps that diary (their hours, busy entries, their
own journeys between venues, their daily limits), the venue's hours and rooms, and the
appointment's window and frequency; it ignores the family's other appointments, naps and
the carers' working days, so trips are scattered and some clash. The same seed always
gives the same town.

More than :data:`TOWN_HOUSEHOLDS` households make a county: several such towns some miles
apart, each with its own venues, schools and locality teams, households numbered across the
county and every other id prefixed with its town (``corby-cdc``, ``corby-dietitian-2``). A
service whose staff have no room left for a child employs one more practitioner, as a real
one would. Command line::

    python -m scheduler.generate --households 20 --seed 7 -o data/town.json
    python -m scheduler.generate --households 1000 --seed 1 -o out/county.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from scheduler.clock import format_time, parse_time
from scheduler.errors import CarePatternError
from scheduler.files import write_text_atomically
from scheduler.model import Venue
from scheduler.travel import great_circle_km

JsonDict = dict[str, Any]

DEFAULT_START = date(2027, 1, 11)
"""A Monday in the spring term."""
HALF_TERM = ("2027-02-15", "2027-02-16", "2027-02-17", "2027-02-18", "2027-02-19")
CENTRE = (52.3025, -0.694)
"""Latitude and longitude of the town centre."""
TOWN_RADIUS_KM = 4.0
KM_PER_DEGREE_LAT = 111.2

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WEEKDAYS, "sat", "sun")
DAY_START, DAY_END = "08:00", "18:00"
SCHOOL_HOURS = ("08:45", "15:15")
NURSERY_HOURS = ("08:30", "17:30")
SESSION_HOURS = ("09:00", "17:30")
BOOKING_GRID_MINUTES = 15
PRACTITIONER_SPEED_KMH = 30
DETOUR_FACTOR = 1.3

TARGET_LOAD = 0.3
"""Share of a full-time week of session minutes each practitioner carries, at most."""
TRAVEL_ALLOWANCE_MINUTES = 20
AFTER_SCHOOL_LOAD = 0.35
"""Share of a practitioner's after-school hours taken by children who cannot be seen in school."""
FULL_WEEK_MINUTES = 5 * (parse_time(SESSION_HOURS[1]) - parse_time(SESSION_HOURS[0]))
AFTER_SCHOOL_WEEK_MINUTES = 5 * (parse_time(SESSION_HOURS[1]) - parse_time(SCHOOL_HOURS[1]))
ROOM_LOAD = 0.3
"""Share of a venue's opening hours (a school's: its school day) its rooms are used, at most."""
MIN_ROOMS = 2
AGENCY_RESPECTS_SCHOOL = 0.8
"""Chance that an agency booking a school-age child outside school keeps clear of school hours."""

NHS_COMMUNITY = "NHS community children's services"
HOSPITAL_TRUST = "General Hospital paediatrics"
CAMHS = "CAMHS"
COUNCIL_SOCIAL_CARE = "Council children's disability team"
COUNCIL_SEND = "Council SEND support service"
CHARITY = "Nene Valley Family Support (charity)"

FIRST_NAMES = (
    "Alfie", "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Oscar",
    "Freya", "Harry", "Lily", "Theo", "Grace", "Jack", "Sophia", "Muhammad", "Ella", "George",
    "Evie", "Archie", "Rosie", "Teddy", "Willow", "Finley", "Zara", "Reuben", "Maya", "Kai", "Aisha",
)  # fmt: skip
ADULT_NAMES = (
    "Claire", "Sarah", "Emma", "Gemma", "Laura", "Priya", "Hannah", "Joanne", "Kate", "Nadia",
    "James", "Dan", "Mark", "Tom", "Ravi", "Chris", "Lee", "Paul", "Steve", "Adam", "Olu", "Marek",
)  # fmt: skip
SURNAMES = (
    "Hughes", "Patel", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Khan", "Davies",
    "Evans", "Thomas", "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White",
    "Hall", "Green", "Ali", "Wood", "Clarke", "Lewis", "Harris", "Martin", "Cooper", "King", "Baker",
    "Nowak", "Okafor", "Begum", "Murphy", "Kaur", "Mensah",
)  # fmt: skip
STREETS = (
    "Hatton Street", "Croyland Road", "Mill Road", "Eastfield Road", "Sywell Road", "Finedon Road",
    "London Road", "Midland Road", "Brickhill Road", "Hardwick Road", "Torrington Road",
    "Olympic Way", "Gold Street", "Park Road", "Northampton Road", "Ranelagh Road",
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A public venue of the town: where it is relative to the centre and when it opens."""

    id: str
    name: str
    kind: str
    east_km: float
    north_km: float
    hours: tuple[str, str] = ("08:30", "17:30")


PLACES = (
    Place("cdc", "Nene Child Development Centre", "clinic", 1.2, -0.6),
    Place("health-centre-east", "Eastfield Health Centre", "clinic", 2.6, 1.4),
    Place("health-centre-west", "Queensway Health Centre", "clinic", -2.8, 0.9),
    Place("camhs", "CAMHS, Albert House", "clinic", 0.1, 0.3),
    Place("hospital", "General Hospital, Children's Outpatients", "hospital", 3.4, 3.1),
    Place("family-hub", "Croyland Family Hub", "community", -0.6, -1.1),
    Place("council", "Swanspool House (council offices)", "other", 0.0, 0.0),
    Place("nursery", "Little Acorns Day Nursery", "other", 0.5, -0.3, ("08:00", "18:00")),
)  # fmt: skip
SCHOOLS = (
    Place("school-castlefields", "Castlefields Primary School", "school", 0.9, 0.7, ("08:15", "16:30")),
    Place("school-redwell", "Redwell Primary School", "school", -1.8, 2.2, ("08:15", "16:30")),
    Place("school-friars", "Friars Academy (special school)", "school", -0.4, -2.5, ("08:15", "16:30")),
)  # fmt: skip
PUBLIC_TRANSPORT_MATRIX = (
    ("cdc", "hospital", 35, 2.8),
    ("family-hub", "hospital", 40, 2.8),
    ("health-centre-west", "hospital", 45, 3.2),
)
"""Measured bus journeys (minutes, fare) between a few public venues."""

TOWN_HOUSEHOLDS = 100
"""Households of one town at most: a larger county is several towns, each with its own venues,
schools and locality teams of practitioners, like a county's community services."""
TOWN_SPACING_KM = 14.0
"""Distance between neighbouring town centres of a county, laid out on a grid."""
TOWN_NAMES = (
    "Wellingborough", "Kettering", "Corby", "Rushden", "Daventry", "Towcester", "Brackley",
    "Oundle", "Thrapston", "Raunds", "Desborough", "Rothwell", "Burton Latimer", "Higham Ferrers",
    "Irthlingborough", "Earls Barton",
)  # fmt: skip


@dataclass(frozen=True)
class District:
    """Where one town of a county lies and how its ids are told apart from the other towns'."""

    prefix: str
    """Put before the ids of the town's venues and practitioners (empty for a town alone)."""
    town: str | None
    """The town's name, added to its venues' names in a county."""
    east_km: float
    north_km: float
    first_household: int
    """Number of the town's first household: households are numbered across the county."""

    def place(self, place_id: str) -> str:
        """The id in this town of a venue of :data:`PLACES` or :data:`SCHOOLS`."""
        return self.prefix + place_id

    def role(self, role: str) -> str:
        """A role of this town's teams: in a county, each town's team takes its own children
        (``"speech and language therapist, Corby"``), so a role pool stays in its town."""
        return role if self.town is None else f"{role}, {self.town}"


ALONE = District("", None, 0.0, 0.0, 1)
"""The district of a town that is the whole scenario."""


@dataclass(frozen=True)
class RoleSpec:
    """A kind of practitioner: their agency, the service they give and how they work."""

    role: str
    agency: str
    service: str
    title: str
    durations: tuple[int, ...]
    premises: tuple[str, ...]
    ages: frozenset[str]
    need_chance: float
    in_school: bool = False
    home_visit_chance: float = 0.0
    twice_weekly_chance: float = 0.0
    pool_chance: float = 0.0
    optional_chance: float = 0.0


BABY, PRESCHOOL, SCHOOL_AGE = "baby", "preschool", "school"
ANY_AGE = frozenset({BABY, PRESCHOOL, SCHOOL_AGE})
UNDER_FIVE = frozenset({BABY, PRESCHOOL})

ROLES = (
    RoleSpec("speech and language therapist", NHS_COMMUNITY, "speech and language",
             "Speech and language therapy", (30, 45), ("cdc", "health-centre-east"), ANY_AGE, 0.8,
             in_school=True, home_visit_chance=0.4, twice_weekly_chance=0.2, pool_chance=0.3),
    RoleSpec("paediatric physiotherapist", NHS_COMMUNITY, "physiotherapy", "Physiotherapy", (45, 60),
             ("cdc",), ANY_AGE, 0.7, in_school=True, home_visit_chance=0.8, twice_weekly_chance=0.2,
             pool_chance=0.3),
    RoleSpec("occupational therapist", NHS_COMMUNITY, "occupational therapy", "Occupational therapy",
             (45, 60), ("cdc", "health-centre-west"), frozenset({PRESCHOOL, SCHOOL_AGE}), 0.6,
             in_school=True, home_visit_chance=0.7, pool_chance=0.3),
    RoleSpec("consultant paediatrician", HOSPITAL_TRUST, "paediatrics", "Consultant paediatrician review",
             (30,), ("hospital", "cdc"), ANY_AGE, 0.4),
    RoleSpec("clinical psychologist", CAMHS, "psychology", "Clinical psychology", (50,), ("camhs",),
             frozenset({SCHOOL_AGE}), 0.35, home_visit_chance=0.5),
    RoleSpec("social worker", COUNCIL_SOCIAL_CARE, "social care", "Social worker visit", (60,),
             ("council",), ANY_AGE, 0.3, home_visit_chance=1.0),
    RoleSpec("health visitor", NHS_COMMUNITY, "health visiting", "Health visitor", (30,),
             ("family-hub",), frozenset({BABY}), 1.0, home_visit_chance=1.0),
    RoleSpec("dietitian", NHS_COMMUNITY, "dietetics", "Dietetics", (30, 45),
             ("health-centre-east", "hospital"), ANY_AGE, 0.25, home_visit_chance=0.3,
             pool_chance=0.5, optional_chance=0.2),
    RoleSpec("portage home visitor", COUNCIL_SEND, "early learning", "Portage", (60,), ("family-hub",),
             UNDER_FIVE, 0.5, home_visit_chance=1.0),
    RoleSpec("specialist teacher", COUNCIL_SEND, "specialist teaching",
             "Specialist teacher (autism outreach)", (45,), ("council",), frozenset({SCHOOL_AGE}), 0.3,
             in_school=True),
    RoleSpec("family support worker", CHARITY, "family support", "Family support", (60,),
             ("family-hub",), ANY_AGE, 0.3, home_visit_chance=1.0, optional_chance=0.6),
)  # fmt: skip
SENCO = RoleSpec(
    "SENCo", "", "special educational needs", "SEN support in class", (30,), (), frozenset({SCHOOL_AGE}), 0.6,
    in_school=True,
)  # fmt: skip
"""Each school's own special educational needs co-ordinator (agency: the school)."""
IN_SCHOOL_CHANCE = 0.6
"""Chance that a therapy a school-age child can have in school is booked in school only."""
MIN_APPOINTMENTS, MAX_APPOINTMENTS, MAX_BABY_APPOINTMENTS = 3, 7, 5
CARER_SESSIONS_PER_FREE_DAY = 2
"""Sessions a household's main carer escorts on each weekday they are free, at most."""
WALK_REACH_KM = 3.0
"""A household further than this from any clinic, hospital or school does not walk: it can be
booked at any of them, and must be able to get there after school and home by day's end."""


MAX_HIRES = 5
"""How many practitioners a service may employ for one child (a new one may work other days)."""


@dataclass
class Need:
    """One appointment a client needs, before a practitioner is chosen."""

    client: JsonDict
    age: str
    school: str | None
    spec: RoleSpec
    duration: int
    per_week: int
    school_only: bool
    optional: bool

    @property
    def weekly_minutes(self) -> int:
        """Session minutes a week."""
        return self.duration * self.per_week

    @property
    def after_school(self) -> bool:
        """True when a school-age child can only be seen after school (no session in school)."""
        return self.age == SCHOOL_AGE and not self.spec.in_school


Slot = tuple[str, int, str]
"""Day, start (minutes after midnight) and venue (``"home"`` or a venue id) of a booking."""
Stop = tuple[int, int, str]
"""Start, end (minutes after midnight) and venue id of one stop in a practitioner's day."""


@dataclass
class Diary:
    """One practitioner's week as their agency sees it: busy entries and the sessions booked."""

    practitioner: JsonDict
    stops: dict[str, list[Stop]] = field(default_factory=dict)
    blocked: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    session_minutes: dict[str, list[int]] = field(default_factory=dict)
    caseload_minutes: int = 0

    @classmethod
    def of(cls, practitioner: JsonDict) -> Diary:
        """The diary of ``practitioner`` holding their busy entries."""
        diary = cls(practitioner)
        for busy in practitioner["busy"]:
            span = (_minutes(busy["start"]), _minutes(busy["end"]))
            if "venue" in busy:
                diary.stops.setdefault(busy["day"], []).append((*span, busy["venue"]))
            else:
                diary.blocked.setdefault(busy["day"], []).append(span)
        return diary

    def fits(self, day: str, start: int, end: int, venue: str, travel: TownTravel) -> bool:
        """True when a session fits this diary: hours, busy entries, journeys and daily limits."""
        p = self.practitioner
        if not any(_minutes(a) <= start and end <= _minutes(b) for a, b in p["available"].get(day, [])):
            return False
        if any(start < b and a < end for a, b in self.blocked.get(day, [])):
            return False
        limits = p["limits"]
        booked = self.session_minutes.get(day, [])
        if len(booked) >= limits["max_sessions_per_day"]:
            return False
        if sum(booked) + end - start > limits["max_session_minutes_per_day"]:
            return False
        return self._journeys_fit(day, (start, end, venue), travel)

    def _journeys_fit(self, day: str, new: Stop, travel: TownTravel) -> bool:
        """No overlap and time to travel between consecutive stops, from and back to base."""
        base = self.practitioner["base"]
        stops = sorted([*self.stops.get(day, []), new])
        places = [base, *(venue for _, _, venue in stops), base]
        times = [_minutes(DAY_START), *(t for s, e, _ in stops for t in (s, e)), _minutes(DAY_END)]
        return all(
            times[2 * k + 1] - times[2 * k] >= travel.minutes(places[k], places[k + 1])
            for k in range(len(places) - 1)
        )

    def sessions_on(self, days: Sequence[str]) -> int:
        """Sessions booked on ``days``."""
        return sum(len(self.session_minutes.get(day, [])) for day in days)

    def book(self, day: str, start: int, end: int, venue: str) -> None:
        """Enter a session in the diary."""
        self.stops.setdefault(day, []).append((start, end, venue))
        self.session_minutes.setdefault(day, []).append(end - start)


class TownTravel:
    """Practitioners' driving times between the town's venues (great circle x detour at 30 km/h)."""

    def __init__(self, venues: Mapping[str, JsonDict]) -> None:
        self._venues = venues
        self._cache: dict[tuple[str, str], int] = {}

    def minutes(self, origin: str, destination: str) -> int:
        """Whole minutes by car from one venue id to another, rounded up."""
        if origin == destination:
            return 0
        key = (origin, destination)
        if key not in self._cache:
            km = distance_km(self._venues[origin], self._venues[destination]) * DETOUR_FACTOR
            self._cache[key] = math.ceil(km / PRACTITIONER_SPEED_KMH * 60)
        return self._cache[key]


def distance_km(a: JsonDict, b: JsonDict) -> float:
    """Great-circle km between two venue documents with coordinates."""
    return great_circle_km(_venue(a), _venue(b))


def _venue(v: JsonDict) -> Venue:
    return Venue(0, v["id"], v["name"], v["kind"], v["lat"], v["lon"], None, None, 1)


def generate_town(households: int, *, seed: int = 0, start: date = DEFAULT_START) -> JsonDict:
    """A scenario document for a synthetic town, or county, of ``households`` households.

    Up to :data:`TOWN_HOUSEHOLDS` households make one town; more make a county of towns of
    nearly equal size, :data:`TOWN_SPACING_KM` apart, each staffed for its own caseload.
    Deterministic for a given ``seed``. ``start`` (a Monday) is the first day of the pattern.
    """
    if households < 1:
        raise ValueError("a town needs at least one household")
    if start.weekday() != 0:
        raise ValueError(f"{start.isoformat()} is not a Monday")
    sizes = _town_sizes(households)
    if len(sizes) == 1:
        towns = [_TownBuilder(random.Random(seed), households, ALONE).build()]
        name = f"Synthetic town: {households} households (seed {seed})"
    else:
        county = random.Random(seed)
        towns = [
            _TownBuilder(random.Random(county.getrandbits(64)), size, district).build()
            for size, district in zip(sizes, _districts(sizes), strict=True)
        ]
        name = f"Synthetic county: {households} households in {len(sizes)} towns (seed {seed})"
    return {
        "name": name,
        "description": "Generated by scheduler.generate: each agency booked its own diary.",
        "horizon": {
            "start": start.isoformat(),
            "weeks": 1,
            "repeat_until": date(start.year, 3, 26).isoformat(),
            "exclude_dates": list(HALF_TERM),
            "timezone": "Europe/London",
            "day_start": DAY_START,
            "day_end": DAY_END,
            "slot_minutes": 5,
        },
        **{part: [item for town in towns for item in town[part]] for part in TOWN_PARTS},
        "travel": {"matrix": [entry for town in towns for entry in town["matrix"]]},
        "solver": {"time_limit_s": 60, "seed": 0},
    }


TOWN_PARTS = ("venues", "clients", "carers", "practitioners", "appointments")
"""The lists of a scenario that each town of a county adds to."""


def _town_sizes(households: int) -> list[int]:
    """Households per town: as few towns of at most :data:`TOWN_HOUSEHOLDS` as hold them, evenly."""
    towns = math.ceil(households / TOWN_HOUSEHOLDS)
    return [households // towns + (1 if k < households % towns else 0) for k in range(towns)]


def _districts(sizes: Sequence[int]) -> list[District]:
    """The county's towns on a near-square grid around :data:`CENTRE`, named and numbered."""
    columns = math.ceil(math.sqrt(len(sizes)))
    rows = math.ceil(len(sizes) / columns)
    districts = []
    first = 1
    for k, size in enumerate(sizes):
        row, column = divmod(k, columns)
        town = TOWN_NAMES[k % len(TOWN_NAMES)]
        if k >= len(TOWN_NAMES):
            town += f" {k // len(TOWN_NAMES) + 1}"
        east = (column - (columns - 1) / 2) * TOWN_SPACING_KM
        north = ((rows - 1) / 2 - row) * TOWN_SPACING_KM
        districts.append(District(f"{_slug(town)}-", town, east, north, first))
        first += size
    return districts


class _TownBuilder:
    """Builds one town in order: venues, households, practitioners, appointments, bookings."""

    def __init__(self, rng: random.Random, households: int, district: District) -> None:
        self.rng = rng
        self.households = households
        self.district = district
        self.schools = SCHOOLS[: 2 if households <= 30 else 3]
        self.venues = [self._public_venue(place) for place in (*PLACES, *self.schools)]
        self.venue_by_id = {venue["id"]: venue for venue in self.venues}
        self.travel = TownTravel(self.venue_by_id)
        self.clients: list[JsonDict] = []
        self.carers: list[JsonDict] = []
        self.needs: list[Need] = []
        self.practitioners: dict[str, list[JsonDict]] = {}
        self.rooms: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def build(self) -> JsonDict:
        """The town's venues, clients, carers, practitioners, appointments and bus journeys."""
        first = self.district.first_household
        for number in range(first, first + self.households):
            self._household(number)
        self._size_rooms()
        diaries = self._staff()
        appointments = [self._place(need, diaries) for need in self.needs]
        return {
            "venues": self.venues,
            "clients": self.clients,
            "carers": self.carers,
            "practitioners": [p for staff in self.practitioners.values() for p in staff],
            "appointments": appointments,
            "matrix": [
                {"from": self.district.place(a), "to": self.district.place(b), "mode": "public",
                 "minutes": minutes, "cost": cost}
                for a, b, minutes, cost in PUBLIC_TRANSPORT_MATRIX
            ],
        }  # fmt: skip

    # Venues -----------------------------------------------------------------------------

    def _public_venue(self, place: Place) -> JsonDict:
        district = self.district
        lat, lon = _offset(district.east_km + place.east_km, district.north_km + place.north_km)
        return {
            "id": district.place(place.id),
            "name": place.name if district.town is None else f"{place.name}, {district.town}",
            "kind": place.kind,
            "lat": lat,
            "lon": lon,
            "open": {day: [list(place.hours)] for day in WEEKDAYS},
            "rooms": MIN_ROOMS,
        }

    def _size_rooms(self) -> None:
        """Give every public venue enough rooms for the sessions it may hold, at :data:`ROOM_LOAD`.

        Children who cannot be seen in school crowd into the hours after it, so those sessions
        are sized against the after-school hours alone.
        """
        minutes: dict[str, float] = {}
        after_school: dict[str, float] = {}
        for need in self.needs:
            places = [str(need.school)] if need.school_only else self._premises(need.spec)
            for place in places:
                share = need.weekly_minutes / len(places)
                minutes[place] = minutes.get(place, 0) + share
                if need.after_school:
                    after_school[place] = after_school.get(place, 0) + share
        for public in (*PLACES, *self.schools):
            hours = SCHOOL_HOURS if public.kind == "school" else public.hours
            week = len(WEEKDAYS) * (parse_time(hours[1]) - parse_time(hours[0]))
            rooms = max(
                MIN_ROOMS,
                math.ceil(minutes.get(self.district.place(public.id), 0) / (ROOM_LOAD * week)),
                math.ceil(
                    after_school.get(self.district.place(public.id), 0)
                    / (ROOM_LOAD * AFTER_SCHOOL_WEEK_MINUTES)
                ),
            )
            self.venue_by_id[self.district.place(public.id)]["rooms"] = rooms

    def _premises(self, spec: RoleSpec) -> list[str]:
        """Venue ids in this town of the premises ``spec``'s agency works from."""
        return [self.district.place(place) for place in spec.premises]

    def _home(self, surname: str, number: int) -> JsonDict:
        distance = TOWN_RADIUS_KM * math.sqrt(self.rng.random())
        bearing = self.rng.uniform(0, 2 * math.pi)
        lat, lon = _offset(
            self.district.east_km + distance * math.sin(bearing),
            self.district.north_km + distance * math.cos(bearing),
        )
        street = self.rng.choice(STREETS)
        return {
            "id": f"home-{number}",
            "name": f"{surname} home",
            "kind": "home",
            "lat": lat,
            "lon": lon,
            "address": f"{self.rng.randint(1, 180)} {street}",
        }

    # Households -------------------------------------------------------------------------

    def _household(self, number: int) -> None:
        rng = self.rng
        surname = rng.choice(SURNAMES)
        home = self._home(surname, number)
        self.venues.append(home)
        self.venue_by_id[home["id"]] = home
        school = min(
            self.schools, key=lambda place: distance_km(home, self.venue_by_id[self.district.place(place.id)])
        )
        mode = rng.choices(("car", "public", "taxi", "walk"), weights=(45, 35, 10, 10))[0]
        if mode == "walk" and self._farthest_public_km(home) > WALK_REACH_KM:
            mode = "public"
        ages = [SCHOOL_AGE if rng.random() < 0.75 else PRESCHOOL]
        if rng.random() < 0.4:
            ages.append(rng.choice((BABY, BABY, PRESCHOOL, SCHOOL_AGE)))
        free_days = _free_days(rng, most_working=2 if len(ages) == 1 else 1)
        carers = self._carers(number, surname, mode, free_days)
        needs_by_client = []
        working_days = [day for day in WEEKDAYS if day not in free_days]
        for k, age in enumerate(ages, 1):
            at_school = self.district.place(school.id) if age == SCHOOL_AGE else None
            client = self._client(
                f"h{number}-c{k}", surname, home["id"], mode, carers, age, at_school, working_days
            )
            self.clients.append(client)
            needs_by_client.append(self._needs(client, age, at_school))
        weekdays_free = sum(1 for day in free_days if day in WEEKDAYS)
        for needs in _fit_to_carer(needs_by_client, CARER_SESSIONS_PER_FREE_DAY * weekdays_free):
            needs[0].client["needs"] = [need.spec.service for need in needs]
            self.needs.extend(needs)

    def _farthest_public_km(self, home: JsonDict) -> float:
        """Distance from ``home`` to the farthest venue that is not a home."""
        return max(distance_km(home, venue) for venue in self.venues if venue["kind"] != "home")

    def _carers(self, number: int, surname: str, mode: str, free_days: Sequence[str]) -> list[str]:
        """The main carer, free on ``free_days``, and half the time a partner free after work."""
        rng = self.rng
        main: JsonDict = {
            "id": f"h{number}-carer1",
            "name": f"{rng.choice(ADULT_NAMES)} {surname}",
            "travel_mode": mode,
            "available": {day: [[DAY_START, DAY_END]] for day in free_days},
        }
        self.carers.append(main)
        if rng.random() < 0.5:
            return [main["id"]]
        partner: JsonDict = {
            "id": f"h{number}-carer2",
            "name": f"{rng.choice(ADULT_NAMES)} {surname}",
            "travel_mode": mode,
            "available": {day: [["16:00", DAY_END]] for day in WEEKDAYS},
        }
        self.carers.append(partner)
        return [main["id"], partner["id"]]

    def _client(
        self,
        ident: str,
        surname: str,
        home: str,
        mode: str,
        carers: list[str],
        age: str,
        school: str | None,
        working_days: Sequence[str],
    ) -> JsonDict:
        """A child of ``age``: school-age children never travel alone (``escort``), younger ones
        are never left alone (``always``) and go to nursery on the days all their carers work."""
        rng = self.rng
        nursery = Nursery(self.district.place("nursery"), () if age == SCHOOL_AGE else tuple(working_days))
        client: JsonDict = {
            "id": ident,
            "name": f"{rng.choice(FIRST_NAMES)} {surname}",
            "household": ident.split("-")[0],
            "home": home,
            "travel_mode": mode,
            "carers": carers,
            "supervision": "escort" if age == SCHOOL_AGE else "always",
            "routines": _routines(rng, age, school, nursery),
            "limits": {"max_sessions_per_day": 2 if age == BABY else 3, "min_gap_minutes": 15},
        }
        if rng.random() < 0.2:
            client["preferences"] = {"avoid_days": [rng.choice(WEEKDAYS)]}
        return client

    def _needs(self, client: JsonDict, age: str, school: str | None) -> list[Need]:
        rng = self.rng
        eligible = [spec for spec in (*ROLES, SENCO) if age in spec.ages]
        chosen = [spec for spec in eligible if rng.random() < spec.need_chance]
        for spec in rng.sample(eligible, len(eligible)):
            if len(chosen) >= MIN_APPOINTMENTS:
                break
            if spec not in chosen:
                chosen.append(spec)
        most = MAX_BABY_APPOINTMENTS if age == BABY else MAX_APPOINTMENTS
        return [self._need(client, age, school, spec) for spec in chosen[:most]]

    def _need(self, client: JsonDict, age: str, school: str | None, spec: RoleSpec) -> Need:
        rng = self.rng
        twice = rng.random() < spec.twice_weekly_chance
        return Need(
            client=client,
            age=age,
            school=school,
            spec=spec,
            duration=rng.choice(spec.durations),
            per_week=2 if twice else 1,
            school_only=spec is SENCO
            or (school is not None and spec.in_school and rng.random() < IN_SCHOOL_CHANCE),
            optional=rng.random() < spec.optional_chance,
        )

    # Practitioners ----------------------------------------------------------------------

    def _staff(self) -> dict[str, Diary]:
        """Enough practitioners of every role for its caseload, and their diaries."""
        for spec in ROLES:
            demand = [n for n in self.needs if n.spec is spec]
            if demand:
                self.practitioners[spec.role] = [
                    self._practitioner(spec, k) for k in range(1, _staff_count(demand) + 1)
                ]
        self.practitioners[SENCO.role] = [self._senco(school) for school in self.schools]
        return {p["id"]: Diary.of(p) for staff in self.practitioners.values() for p in staff}

    def _practitioner(self, spec: RoleSpec, k: int) -> JsonDict:
        rng = self.rng
        days = WEEKDAYS if rng.random() < 0.6 else tuple(sorted(rng.sample(WEEKDAYS, 4), key=WEEKDAYS.index))
        premises = self._premises(spec)
        base = premises[(k - 1) % len(premises)]
        venues = list(premises)
        if spec.in_school:
            venues += [self.district.place(school.id) for school in self.schools]
        meeting_day = rng.choice(days)
        practitioner: JsonDict = {
            "id": f"{self.district.prefix}{_slug(spec.role)}-{k}",
            "name": f"{rng.choice(ADULT_NAMES)} {rng.choice(SURNAMES)}",
            "role": self.district.role(spec.role),
            "agency": spec.agency,
            "available": {day: [["08:30", "17:30"]] for day in days},
            "venues": venues,
            "home_visits": rng.random() < spec.home_visit_chance,
            "base": base,
            "busy": [
                {"day": meeting_day, "start": "09:00", "end": "10:30", "venue": base, "label": "team meeting"}
            ],
            "limits": {"max_sessions_per_day": 6, "max_session_minutes_per_day": 330},
        }
        if rng.random() < 0.4:
            day = rng.choice([d for d in days if d != meeting_day])
            practitioner["busy"].append(
                {"day": day, "start": "13:00", "end": "15:00", "label": "other caseload"}
            )
        return practitioner

    def _senco(self, school: Place, k: int = 1) -> JsonDict:
        """The ``k``-th SENCo of ``school`` (a second one when the first has no room left)."""
        rng = self.rng
        teaching = rng.sample(WEEKDAYS, 2)
        at = self.district.place(school.id)
        number = "" if k == 1 else f"-{k}"
        return {
            "id": f"{self.district.prefix}senco-{school.id.removeprefix('school-')}{number}",
            "name": f"{rng.choice(ADULT_NAMES)} {rng.choice(SURNAMES)}",
            "role": self.district.role(SENCO.role),
            "agency": self.venue_by_id[at]["name"],
            "available": {day: [["08:30", "16:00"]] for day in WEEKDAYS},
            "venues": [at],
            "base": at,
            "busy": [
                {"day": day, "start": "09:00", "end": "12:00", "venue": at, "label": "teaching"}
                for day in sorted(teaching, key=WEEKDAYS.index)
            ],
            "limits": {"max_sessions_per_day": 6, "max_session_minutes_per_day": 240},
        }

    # Appointments -----------------------------------------------------------------------

    def _appointment(self, need: Need, takers: Sequence[JsonDict], pool: bool) -> JsonDict:
        """The appointment for ``need``, taken by one of ``takers``: by role when ``pool``."""
        spec, client = need.spec, need.client
        frequency: JsonDict = {"per_week": need.per_week}
        if need.per_week > 1:
            frequency["min_days_apart"] = 2
        who: JsonDict = (
            {"role": self.district.role(spec.role)} if pool else {"practitioners": [takers[0]["id"]]}
        )
        return {
            "id": f"{client['id']}-{_slug(spec.service)}",
            "client": client["id"],
            "title": spec.title,
            "service": spec.service,
            "agency": takers[0]["agency"],
            "duration": need.duration,
            "frequency": frequency,
            **who,
            "venues": _appointment_venues(need, takers, self._premises(spec)),
            "needs_carer": not need.school_only,
            "window": {
                "days": list(WEEKDAYS),
                "earliest": SESSION_HOURS[0],
                "latest": SCHOOL_HOURS[1] if need.school_only else SESSION_HOURS[1],
            },
            "current": [],
            "optional": need.optional,
        }

    def _candidates(self, need: Need) -> list[JsonDict]:
        """The practitioners who could take ``need``: the school's SENCo, else everyone of the role."""
        staff = self.practitioners[need.spec.role]
        if need.spec is SENCO:
            return [p for p in staff if p["base"] == need.school]
        return staff

    # Today's bookings -------------------------------------------------------------------

    def _place(self, need: Need, diaries: dict[str, Diary]) -> JsonDict:
        """The appointment for ``need`` with today's bookings, all in one practitioner's diary.

        The least-loaded practitioner of the role who has room takes it, named in the
        appointment or, for a role pool, in its bookings. When nobody has room, the service
        employs one more practitioner (a school: one more SENCo), who takes it.
        """
        staff = sorted(self._candidates(need), key=lambda p: diaries[p["id"]].caseload_minutes)
        pool = len(staff) > 1 and self.rng.random() < need.spec.pool_chance
        respects_school = self.rng.random() < AGENCY_RESPECTS_SCHOOL
        for practitioner in staff:
            appointment = self._booked(
                need, practitioner, staff if pool else [practitioner], diaries, respects_school
            )
            if appointment is not None:
                return appointment
        for _ in range(MAX_HIRES):
            hired = self._hire(need, diaries)
            appointment = self._booked(
                need, hired, [*staff, hired] if pool else [hired], diaries, respects_school
            )
            if appointment is not None:
                return appointment
        raise TownTooBusyError(need.client["id"], need.spec.service)

    def _booked(
        self,
        need: Need,
        practitioner: JsonDict,
        takers: Sequence[JsonDict],
        diaries: Mapping[str, Diary],
        respects_school: bool,
    ) -> JsonDict | None:
        """The appointment for ``need`` booked in ``practitioner``'s diary; None when it has no room.

        More than one of ``takers`` makes the appointment a role pool.
        """
        pool = len(takers) > 1
        if not self._could_have_a_pattern(need, practitioner):
            return None
        appointment = self._appointment(need, takers, pool)
        diary = diaries[practitioner["id"]]
        slots = self._sessions(appointment, need, diary, respects_school)
        if slots is None:
            return None
        appointment["current"] = [self._book(need, diary, slot, named=pool) for slot in slots]
        return appointment

    def _could_have_a_pattern(self, need: Need, practitioner: JsonDict) -> bool:
        """Whether the days ``practitioner`` works and, for an escorted session, one of the
        client's carers is free and the child is not at nursery leave ``per_week`` days far
        enough apart: today's bookings may break rules (each agency books alone), but the
        appointment must admit a pattern."""
        days = [d for d in WEEKDAYS if d in practitioner["available"]]
        if not need.school_only:
            carers = [c for c in self.carers if c["id"] in need.client["carers"]]
            at_nursery = {d for r in need.client["routines"] if r["name"] == "nursery" for d in r["days"]}
            days = [d for d in days if d not in at_nursery and any(d in c["available"] for c in carers)]
        apart = 2 if need.per_week > 1 else 1
        return any(
            all(WEEKDAYS.index(b) - WEEKDAYS.index(a) >= apart for a, b in itertools.pairwise(chosen))
            for chosen in itertools.combinations(days, need.per_week)
        )

    def _hire(self, need: Need, diaries: dict[str, Diary]) -> JsonDict:
        """One more practitioner of ``need``'s role (a SENCo: at the child's school), with an empty diary."""
        if need.spec is SENCO:
            school = next(place for place in self.schools if self.district.place(place.id) == need.school)
            hired = self._senco(school, len(self._candidates(need)) + 1)
        else:
            hired = self._practitioner(need.spec, len(self.practitioners[need.spec.role]) + 1)
        self.practitioners[need.spec.role].append(hired)
        diaries[hired["id"]] = Diary.of(hired)
        return hired

    def _sessions(
        self, appointment: JsonDict, need: Need, diary: Diary, respects_school: bool
    ) -> list[Slot] | None:
        """``per_week`` free slots in ``diary`` on days ``min_days_apart`` apart; None when full.

        Like a team leader spreading a caseload, it picks among the days with fewest sessions.
        """
        apart = appointment["frequency"].get("min_days_apart", 1)
        by_day: dict[str, list[Slot]] = {}
        for slot in self._slots(appointment, need, diary, respects_school):
            by_day.setdefault(slot[0], []).append(slot)
        combinations = [
            days
            for days in itertools.combinations(sorted(by_day, key=WEEKDAYS.index), need.per_week)
            if all(WEEKDAYS.index(b) - WEEKDAYS.index(a) >= apart for a, b in itertools.pairwise(days))
        ]
        if not combinations:
            return None
        lightest = min(diary.sessions_on(days) for days in combinations)
        days = self.rng.choice([days for days in combinations if diary.sessions_on(days) == lightest])
        return [self.rng.choice(by_day[day]) for day in days]

    def _book(self, need: Need, diary: Diary, slot: Slot, *, named: bool) -> JsonDict:
        """Enter ``slot`` in the diary and the venue's rooms; name the practitioner when ``named``."""
        day, start, venue = slot
        end = start + need.duration
        place = need.client["home"] if venue == "home" else venue
        diary.book(day, start, end, place)
        diary.caseload_minutes += need.duration
        self.rooms.setdefault((place, day), []).append((start, end))
        booking: JsonDict = {"day": day, "start": format_time(start), "venue": venue}
        if named:
            booking["practitioners"] = [diary.practitioner["id"]]
        return booking

    def _slots(self, appointment: JsonDict, need: Need, diary: Diary, respects_school: bool) -> list[Slot]:
        """Every (day, start, venue) on the booking grid that the practitioner's agency could book."""
        window = appointment["window"]
        earliest, latest = _minutes(window["earliest"]), _minutes(window["latest"])
        school = (_minutes(SCHOOL_HOURS[0]), _minutes(SCHOOL_HOURS[1]))
        slots = []
        for day in window["days"]:
            for start in range(earliest, latest - need.duration + 1, BOOKING_GRID_MINUTES):
                end = start + need.duration
                for venue in appointment["venues"]:
                    place = need.client["home"] if venue == "home" else venue
                    clashes_school = (
                        need.school not in (None, place) and start < school[1] and school[0] < end
                    )
                    if respects_school and clashes_school:
                        continue
                    if self._room_free(place, day, start, end) and diary.fits(
                        day, start, end, place, self.travel
                    ):
                        slots.append((day, start, venue))
        return slots

    def _room_free(self, place: str, day: str, start: int, end: int) -> bool:
        """True when ``place`` is open and has a free room (homes: always; families are not asked)."""
        venue = self.venue_by_id[place]
        if venue["kind"] == "home":
            return True
        if not any(_minutes(a) <= start and end <= _minutes(b) for a, b in venue["open"].get(day, [])):
            return False
        taken = sum(1 for a, b in self.rooms.get((place, day), []) if start < b and a < end)
        rooms: int = venue["rooms"]
        return taken < rooms


class TownTooBusyError(CarePatternError):
    """Not even a newly employed practitioner has room for an appointment (a generator bug)."""

    def __init__(self, client: str, service: str) -> None:
        super().__init__(f"no practitioner's diary has room for {client}'s {service}")
        self.client, self.service = client, service


def _appointment_venues(need: Need, attendees: Sequence[JsonDict], premises: Sequence[str]) -> list[str]:
    """Where a session may be: in school only, or the role's ``premises``, the school and home."""
    if need.school_only:
        return [str(need.school)]
    venues = list(premises)
    if need.school is not None and need.spec.in_school:
        venues.append(need.school)
    if all(p["home_visits"] for p in attendees):
        venues.append("home")
    return venues


def _staff_count(demand: Sequence[Need]) -> int:
    """Practitioners a role needs to carry ``demand`` at :data:`TARGET_LOAD`, after school too.

    Each session counts with :data:`TRAVEL_ALLOWANCE_MINUTES` for the practitioner's journey.
    """
    weekly = sum(n.weekly_minutes + n.per_week * TRAVEL_ALLOWANCE_MINUTES for n in demand)
    after_school = sum(
        n.weekly_minutes + n.per_week * TRAVEL_ALLOWANCE_MINUTES for n in demand if n.after_school
    )
    return max(
        1,
        math.ceil(weekly / (TARGET_LOAD * FULL_WEEK_MINUTES)),
        math.ceil(after_school / (AFTER_SCHOOL_LOAD * AFTER_SCHOOL_WEEK_MINUTES)),
    )


def _free_days(rng: random.Random, *, most_working: int) -> list[str]:
    """The days a main carer is free: every day but their (up to ``most_working``) working weekdays."""
    working = set(rng.sample(WEEKDAYS, rng.randint(0, most_working)))
    return [day for day in ALL_DAYS if day not in working]


def _fit_to_carer(needs_by_client: list[list[Need]], budget: int) -> list[list[Need]]:
    """A household's needs trimmed to at most ``budget`` escorted sessions a week.

    Twice-weekly appointments become weekly first; then escorted appointments beyond each
    child's first :data:`MIN_APPOINTMENTS` are left out, the last chosen first. The minimum
    always fits: a carer is free on three weekdays or more (four with two children).
    """

    def escorted() -> int:
        return sum(n.per_week for needs in needs_by_client for n in needs if not n.school_only)

    for need in (n for needs in needs_by_client for n in needs):
        if escorted() > budget and need.per_week > 1 and not need.school_only:
            need.per_week = 1
    for needs in needs_by_client:
        for need in reversed(list(needs)):
            if escorted() > budget and len(needs) > MIN_APPOINTMENTS and not need.school_only:
                needs.remove(need)
    return needs_by_client


@dataclass(frozen=True)
class Nursery:
    """Where a young child goes on the days all their carers work, and which days those are."""

    venue: str
    days: tuple[str, ...]

    def routines(self) -> list[JsonDict]:
        """The nursery as a supervised fixed routine, none on days without one."""
        if not self.days:
            return []
        return [
            {"name": "nursery", "days": list(self.days), "start": NURSERY_HOURS[0], "end": NURSERY_HOURS[1],
             "at": self.venue, "supervised": True}
        ]  # fmt: skip

    def home_days(self) -> list[str]:
        """The days the child spends at home, where their naps are."""
        return [day for day in ALL_DAYS if day not in self.days]


def _routines(rng: random.Random, age: str, school: str | None, nursery: Nursery) -> list[JsonDict]:
    """School (supervised; sometimes rest at home after it) for a school-age child; naps at home
    and feeds for the young, and nursery on the days their carers work."""
    if age == SCHOOL_AGE:
        routines: list[JsonDict] = [
            {"name": "school", "days": list(WEEKDAYS), "start": SCHOOL_HOURS[0], "end": SCHOOL_HOURS[1],
             "at": school, "allows_sessions": True, "supervised": True},
        ]  # fmt: skip
        if rng.random() < 0.5:
            routines.append(
                {"name": "rest after school", "days": list(WEEKDAYS), "start": SCHOOL_HOURS[1],
                 "end": DAY_END, "duration": 30, "at": "home"}
            )  # fmt: skip
        return routines
    if age == PRESCHOOL:
        nap = rng.choice((("12:30", "14:00"), ("13:00", "14:30")))
        return [
            *nursery.routines(),
            {"name": "nap", "days": nursery.home_days(), "start": nap[0], "end": nap[1]},
        ]
    morning = rng.choice((("09:30", "10:30"), ("10:00", "11:00")))
    return [
        *nursery.routines(),
        {"name": "morning nap", "days": nursery.home_days(), "start": morning[0], "end": morning[1]},
        {"name": "lunch feed", "days": list(ALL_DAYS), "start": "11:30", "end": "13:00", "duration": 30},
        {"name": "afternoon nap", "days": nursery.home_days(), "start": "13:00", "end": "14:30"},
    ]


_minutes = cache(parse_time)
""":func:`~scheduler.clock.parse_time`, remembered: the generator reads the same few times often."""


def _offset(east_km: float, north_km: float) -> tuple[float, float]:
    """Latitude and longitude ``east_km`` and ``north_km`` from the town centre, to 5 decimals."""
    lat = CENTRE[0] + north_km / KM_PER_DEGREE_LAT
    lon = CENTRE[1] + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(CENTRE[0])))
    return round(lat, 5), round(lon, 5)


def _slug(text: str) -> str:
    """``"speech and language"`` -> ``"speech-and-language"``."""
    return "-".join(text.lower().split())


INLINE_WIDTH = 100


def to_json(value: Any, indent: int = 0) -> str:
    """JSON indented by 2 spaces, keeping lists and objects that fit in one short line on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or not value or indent + len(flat) <= INLINE_WIDTH:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, list):
        items = [pad + to_json(item, indent + 2) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    members = [f"{pad}{json.dumps(key)}: {to_json(item, indent + 2)}" for key, item in value.items()]
    return "{\n" + ",\n".join(members) + "\n" + " " * indent + "}"


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write a synthetic town as a scenario file (or to standard output)."""
    parser = argparse.ArgumentParser(description="Generate a synthetic town (or county) scenario.")
    parser.add_argument(
        "--households",
        type=int,
        default=20,
        help=f"number of households (default 20; more than {TOWN_HOUSEHOLDS} make a county of towns)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("-o", "--output", type=Path, help="scenario file to write (default: stdout)")
    args = parser.parse_args(argv)
    try:
        document = generate_town(args.households, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    except TownTooBusyError as exc:
        parser.exit(1, f"{parser.prog}: error: {exc}\n")
    text = to_json(document) + "\n"
    if args.output is None:
        print(text, end="")
    else:
        write_text_atomically(args.output, text)


if __name__ == "__main__":
    main()
