"""The town generator: deterministic, loadable, sized to its caseload, and booking the way agencies do."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scheduler import generate
from scheduler.clock import parse_time
from scheduler.errors import CarePatternError
from scheduler.generate import (
    NURSERY_HOURS,
    SCHOOL_HOURS,
    TOWN_HOUSEHOLDS,
    TownTooBusyError,
    generate_town,
    main,
    to_json,
)
from scheduler.loader import HOME, load_scenario
from scheduler.model import Scenario
from scheduler.solver.cpsat import Budget
from scheduler.solver.decompose import components
from scheduler.solver.explain import precheck
from scheduler.solver.presolve import presolve
from scheduler.travel import Travel, great_circle_km
from scheduler.validate import validate
from tests.solver_support import solve_checked

ROOT = Path(__file__).resolve().parent.parent
TOWN = ROOT / "data" / "town.json"


@cache
def _town(households: int, seed: int = 0) -> dict[str, Any]:
    return generate_town(households, seed=seed)


@cache
def _scenario(households: int, seed: int = 0) -> Scenario:
    return load_scenario(_town(households, seed))


def test_the_same_seed_gives_the_same_town() -> None:
    assert generate_town(5, seed=3) == generate_town(5, seed=3)


def test_another_seed_gives_another_town() -> None:
    assert generate_town(5, seed=3) != generate_town(5, seed=4)


@pytest.mark.parametrize("households", [1, 5, 20])
def test_the_town_loads(households: int) -> None:
    scenario = _scenario(households)
    assert len({c.household for c in scenario.clients}) == households


def test_data_town_is_the_generators_output() -> None:
    expected = to_json(generate_town(20, seed=7)) + "\n"
    assert TOWN.read_text(encoding="utf-8") == expected, (
        "data/town.json is stale: run python -m scheduler.generate --households 20 --seed 7 -o data/town.json"
    )


@pytest.mark.parametrize(("households", "at_least"), [(20, 15), (50, 38), (100, 75)])
def test_practitioners_grow_with_the_town(households: int, at_least: int) -> None:
    assert len(_scenario(households).practitioners) >= at_least


def test_every_child_has_three_to_seven_appointments() -> None:
    for households in (1, 5, 20, 50):
        per_client = Counter(a.client for a in _scenario(households).appointments)
        assert len(per_client) == len(_scenario(households).clients)
        assert set(per_client.values()) <= set(range(3, 8))


def test_the_town_has_the_variety_it_promises() -> None:
    town = _town(20)
    appointments = town["appointments"]
    children = Counter(c["household"] for c in town["clients"])
    assert 2 in children.values()
    assert any("role" in a for a in appointments)
    assert any(a["optional"] for a in appointments)
    assert any(
        a["frequency"]["per_week"] == 2 and a["frequency"]["min_days_apart"] == 2 for a in appointments
    )
    assert any(a["needs_carer"] for a in appointments)
    assert not all(a["needs_carer"] for a in appointments)
    assert {a["duration"] for a in appointments} <= set(range(30, 61))
    assert any(p["home_visits"] for p in town["practitioners"])
    assert any(len(c["carers"]) == 2 for c in town["clients"])
    assert len({p["agency"] for p in town["practitioners"]}) >= 6
    kinds = Counter(v["kind"] for v in town["venues"])
    assert kinds["hospital"] == 1
    assert 2 <= kinds["school"] <= 3
    assert kinds["clinic"] >= 3
    assert town["travel"]["matrix"]


def test_routines_fit_the_age() -> None:
    for client in _town(20)["clients"]:
        names = {r["name"] for r in client["routines"]}
        if "school" in names:
            school = next(r for r in client["routines"] if r["name"] == "school")
            assert school["allows_sessions"]
            assert school["at"].startswith("school-")
        assert names & {"school", "nap", "morning nap"}
        if "lunch feed" in names:
            feed = next(r for r in client["routines"] if r["name"] == "lunch feed")
            assert feed["duration"] == 30


def test_children_are_supervised_as_their_age_needs() -> None:
    # School-age children never travel alone; babies and pre-schoolers are never left alone.
    clients = _town(20)["clients"]
    for client in clients:
        at_school = any(r["name"] == "school" for r in client["routines"])
        assert client["supervision"] == ("escort" if at_school else "always"), client["id"]
    assert {c["supervision"] for c in clients} == {"escort", "always"}


def test_schools_and_nurseries_look_after_the_children_and_rest_is_at_home() -> None:
    town = _town(20)
    kinds = {v["id"]: v["kind"] for v in town["venues"]}
    seen = Counter()
    for client in town["clients"]:
        for routine in client["routines"]:
            seen[routine["name"]] += 1
            if routine["name"] in ("school", "nursery"):
                assert routine["supervised"] is True
                assert kinds[routine["at"]] in ("school", "other")
                assert "duration" not in routine
            else:
                assert "supervised" not in routine, routine
            if routine["name"] == "rest after school":
                assert routine["at"] == HOME
    assert seen["school"]
    assert seen["nursery"]
    assert seen["rest after school"]


def test_a_young_child_goes_to_nursery_on_the_days_all_their_carers_work() -> None:
    town = _town(50)
    carers = {c["id"]: c for c in town["carers"]}
    nursery_hours = tuple(parse_time(t) for t in NURSERY_HOURS)
    young = [c for c in town["clients"] if c["supervision"] == "always"]
    assert {len(c["carers"]) for c in young} == {1, 2}
    for client in young:
        routines = {r["name"]: r for r in client["routines"]}
        nursery_days = set(routines["nursery"]["days"]) if "nursery" in routines else set()

        spans = {
            day: [span for carer in client["carers"] for span in carers[carer]["available"].get(day, [])]
            for day in generate.WEEKDAYS
        }
        # Looked after: a carer free for the whole nursery day, not only after work.
        looked_after = {
            day
            for day, free in spans.items()
            if any(parse_time(a) <= nursery_hours[0] and nursery_hours[1] <= parse_time(b) for a, b in free)
        }
        assert nursery_days == set(generate.WEEKDAYS) - looked_after, client["id"]
        naps = [r for name, r in routines.items() if "nap" in name]
        assert naps
        assert all(not nursery_days & set(nap["days"]) for nap in naps), "a nap at home on a nursery day"
    assert any("nursery" in {r["name"] for r in c["routines"]} for c in young)


def test_the_escorted_appointments_of_a_child_at_nursery_fit_the_other_days() -> None:
    # A baby at nursery on the days her mother works can only be seen on the others (her
    # father, free after work, cannot take her out of nursery): those days, worked by one of
    # the appointment's practitioners, must hold every session of the week, days apart. Seed 9
    # gave h3-c1, at nursery on Monday and Tuesday, a twice-weekly physiotherapist whose other
    # days left only Thursday and Friday, a day apart.
    town = _town(100, 9)
    clients = {c["id"]: c for c in town["clients"]}
    free = {c["id"]: set(c["available"]) for c in town["carers"]}
    practitioners = town["practitioners"]
    checked = 0
    for appt in town["appointments"]:
        client = clients[appt["client"]]
        nursery = next((r for r in client["routines"] if r["name"] == "nursery"), None)
        if nursery is None or not appt["needs_carer"]:
            continue
        checked += 1
        takers = [
            p
            for p in practitioners
            if p["id"] in appt.get("practitioners", []) or p["role"] == appt.get("role")
        ]
        days = [
            day
            for day in generate.WEEKDAYS
            if day not in nursery["days"]
            and any(day in p["available"] for p in takers)
            and any(day in free[carer] for carer in client["carers"])
        ]
        per_week = appt["frequency"]["per_week"]
        apart = appt["frequency"].get("min_days_apart", 1)
        assert any(
            all(
                generate.WEEKDAYS.index(b) - generate.WEEKDAYS.index(a) >= apart
                for a, b in itertools.pairwise(chosen)
            )
            for chosen in itertools.combinations(days, per_week)
        ), appt["id"]
    assert checked


def test_homes_lie_within_about_four_km_of_the_centre() -> None:
    homes = [v for v in _town(50)["venues"] if v["kind"] == "home"]
    lats, lons = [v["lat"] for v in homes], [v["lon"] for v in homes]
    assert max(lats) - min(lats) < 0.075
    assert max(lons) - min(lons) < 0.12


@pytest.mark.parametrize("households", [5, 20, 100])
def test_todays_bookings_keep_each_practitioners_diary(households: int) -> None:
    _assert_bookings_keep_each_practitioners_diary(_scenario(households))


def _assert_bookings_keep_each_practitioners_diary(s: Scenario) -> None:
    for appt in s.appointments:
        assert appt.current, f"{appt.id} has no current booking"
        per_week = appt.frequency.per_week or 1
        assert len(appt.current) == per_week
        days = sorted(b.day for b in appt.current)
        assert all(b - a >= appt.frequency.min_days_apart for a, b in itertools.pairwise(days))
        named = {b.practitioners for b in appt.current}
        assert len(named) == 1, f"{appt.id}: one practitioner for every session"
        for booking in appt.current:
            end = booking.start + appt.duration
            attendees = booking.practitioners or appt.practitioners
            assert booking.day in appt.window_days
            assert appt.earliest <= booking.start
            assert end <= appt.latest
            assert booking.venue in appt.venues
            assert s.venues[booking.venue].is_open(booking.day, booking.start, end)
            for index in attendees:
                p = s.practitioners[index]
                assert appt.role is None or p.role == appt.role
                assert p.is_available(booking.day, booking.start, end), f"{appt.id}: {p.id} is not free"
                assert not any(b.span.overlaps(booking.start, end) for b in p.busy_on(0, booking.day))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "routines"),
    [
        (0, {"nursery", "nap"}),
        (5, {"school", "rest after school", "morning nap", "lunch feed", "afternoon nap"}),
        (37, {"school", "rest after school"}),
    ],
)
def test_a_small_town_has_a_pattern_keeping_every_rule(seed: int, routines: set[str]) -> None:
    # One household each: a baby at nursery on her mother's working days; a boy who never
    # travels alone with a baby sister who is never left alone; a girl with a rest at home.
    town = _town(1, seed)
    assert {r["name"] for c in town["clients"] for r in c["routines"]} == routines
    assert all(c["supervision"] in ("escort", "always") for c in town["clients"])
    solved = solve_checked(town, time_limit=20, workers=2)
    assert solved.status in ("optimal", "feasible"), solved.explanation


def test_agencies_mostly_keep_clear_of_school_hours() -> None:
    s = _scenario(100)
    school_start, school_end = (parse_time(t) for t in SCHOOL_HOURS)
    outside_school = clashing = 0
    for appt in s.appointments:
        client = s.clients[appt.client]
        school = next((r for r in client.routines if r.name == "school"), None)
        for booking in appt.current:
            if school is None or booking.venue == school.at:
                continue
            outside_school += 1
            clashing += booking.start < school_end and school_start < booking.start + appt.duration
    assert 0 < clashing < 0.3 * outside_school


def test_bookings_name_home_visits_as_home() -> None:
    venues = {b["venue"] for a in _town(20)["appointments"] for b in a["current"]}
    assert HOME in venues
    assert not any(v.startswith("home-") for v in venues)


def test_a_county_is_towns_each_with_its_own_venues_and_teams() -> None:
    town = generate_town(2 * TOWN_HOUSEHOLDS + 50, seed=1)
    scenario = load_scenario(town)
    assert town["name"].startswith("Synthetic county: 250 households in 3 towns")
    assert len({c.household for c in scenario.clients}) == 2 * TOWN_HOUSEHOLDS + 50
    homes = [v for v in town["venues"] if v["kind"] == "home"]
    assert sorted(Counter(_town_of(town, home) for home in homes).values()) == [83, 83, 84]
    towns = {_town_of(town, home) for home in homes}
    home_town = {c["id"]: _town_of(town, town_venue(town, c["home"])) for c in town["clients"]}
    for practitioner in town["practitioners"]:
        prefix = practitioner["id"].split("-")[0]
        assert prefix in towns
        assert all(v.startswith(f"{prefix}-") for v in practitioner["venues"])
    for appointment in town["appointments"]:
        here = home_town[appointment["client"]]
        assert all(v == HOME or v.startswith(f"{here}-") for v in appointment["venues"])
        assert all(p.startswith(f"{here}-") for p in appointment.get("practitioners", []))
    hospitals = [v for v in scenario.venues if v.kind == "hospital"]
    assert len(hospitals) == 3
    assert all(great_circle_km(a, b) > 10 for a, b in itertools.combinations(hospitals, 2))
    _assert_bookings_keep_each_practitioners_diary(scenario)
    before = validate(scenario).before
    assert before is not None
    assert set(before.kpis) == {c.id for c in scenario.clients}


def town_venue(town: dict[str, Any], venue_id: str) -> dict[str, Any]:
    """The venue document of ``venue_id``."""
    return next(v for v in town["venues"] if v["id"] == venue_id)


def _town_of(town: dict[str, Any], home: dict[str, Any]) -> str:
    """The town (id prefix) of a home: that of its nearest school."""
    schools = [v for v in town["venues"] if v["kind"] == "school"]
    nearest = min(schools, key=lambda s: (s["lat"] - home["lat"]) ** 2 + (s["lon"] - home["lon"]) ** 2)
    return str(nearest["id"]).split("-")[0]


def test_a_town_of_at_most_the_town_size_keeps_plain_ids() -> None:
    town = _town(20)
    assert town["name"].startswith("Synthetic town")
    assert any(v["id"] == "cdc" for v in town["venues"])


def test_the_same_seed_gives_the_same_county() -> None:
    assert to_json(generate_town(TOWN_HOUSEHOLDS + 1, seed=5)) == to_json(
        generate_town(TOWN_HOUSEHOLDS + 1, seed=5)
    )


def test_a_service_short_of_staff_employs_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "TARGET_LOAD", 100.0)
    monkeypatch.setattr(generate, "AFTER_SCHOOL_LOAD", 100.0)
    town = generate_town(30, seed=2)
    planned_one_each = Counter(p["role"] for p in town["practitioners"] if p["role"] != "SENCo")
    assert max(planned_one_each.values()) > 1
    _assert_bookings_keep_each_practitioners_diary(load_scenario(town))


def test_a_town_no_one_can_be_booked_in_is_a_located_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "MIN_ROOMS", 0)
    monkeypatch.setattr(generate, "ROOM_LOAD", math.inf)
    with pytest.raises(CarePatternError, match=r"no practitioner's diary has room for h\d+-c\d's") as raised:
        generate_town(5, seed=1)
    assert raised.type is TownTooBusyError


def test_the_command_says_why_it_cannot_make_a_town(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--households", "0"])
    assert exited.value.code == 2
    assert "a town needs at least one household" in capsys.readouterr().err
    monkeypatch.setattr(generate, "MIN_ROOMS", 0)
    monkeypatch.setattr(generate, "ROOM_LOAD", math.inf)
    with pytest.raises(SystemExit) as exited:
        main(["--households", "5", "--seed", "1"])
    assert exited.value.code == 1
    assert "no practitioner's diary has room" in capsys.readouterr().err


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one household"):
        generate_town(0)
    with pytest.raises(ValueError, match="not a Monday"):
        generate_town(3, start=date(2027, 1, 12))


def test_the_command_writes_a_scenario_file(tmp_path: Path) -> None:
    out = tmp_path / "data" / "town.json"  # a folder that does not exist yet
    main(["--households", "3", "--seed", "11", "-o", str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == generate_town(3, seed=11)
    load_scenario(out)


def test_the_command_prints_without_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--households", "1", "--seed", "2"])
    assert json.loads(capsys.readouterr().out) == generate_town(1, seed=2)


def test_to_json_keeps_short_lists_on_one_line_and_round_trips() -> None:
    value = {"open": {"mon": [["09:00", "17:00"]]}, "names": ["x" * 60, "y" * 60]}
    text = to_json(value)
    assert json.loads(text) == value
    assert '"open": {"mon": [["09:00", "17:00"]]}' in text
    assert text.count("\n") > 2


@pytest.mark.slow
def test_every_appointment_of_a_county_admits_a_pattern() -> None:
    # A county's service that employs one more practitioner gave a child, escorted by a carer
    # free on Monday, Wednesday and Thursday only, a therapist working Tuesday to Friday for
    # two sessions at least two days apart: no pattern (seed 1, 1,000 households). The child's
    # carers' days and the practitioner's must leave room for every appointment.
    scenario = load_scenario(generate_town(1000, seed=1))
    travel = Travel(scenario)
    assert precheck(scenario, presolve(scenario, travel, Budget.starting_now(300))) is None


def test_a_countys_towns_share_no_practitioner_so_each_is_laid_out_on_its_own() -> None:
    # Role pools named the role alone, so a child in one town could be offered any physio of
    # the county: one set of 250 groups instead of three towns.
    scenario = load_scenario(generate_town(250, seed=1))
    presolved = presolve(scenario, Travel(scenario), Budget.starting_now(300))
    assert sorted(len(groups) for groups in components(scenario, presolved)) == [83, 83, 84]
