"""Every number, date and text of the format has a range, and anything outside it is a located error.

The ranges are in :mod:`scheduler.contract.bounds`; ``docs/format.md`` lists them field by field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.contract import bounds
from scheduler.errors import ScenarioError
from scheduler.loader import load_scenario, scenario_warnings
from scheduler.solver.objective import SCALE
from tests.builders import appointment, client, practitioner, scenario_dict, venue
from tests.test_loader import Mutation, _set

runner = CliRunner()


def _matrix(field: str, value: Any) -> Mutation:
    return _set(f"travel.matrix.0.{field}", value)


def _both(mutations: list[Mutation]) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(d)

    return mutate


def _coordinates(venue_id: str, lat: float, lon: float) -> Mutation:
    return lambda d: venue(d, venue_id).update(lat=lat, lon=lon)


def _empty_role(d: dict[str, Any]) -> None:
    practitioner(d, "ana")["role"] = ""
    appointment(d, "therapy").update(practitioners=[], role="")


# (case, mutation, location, part of the message)
CASES: list[tuple[str, Mutation, str, str]] = [
    # Item 4: a time zone naming a folder of the time-zone database.
    ("tz folder Europe", _set("horizon.timezone", "Europe"), "horizon.timezone", '"Europe" is a region'),
    ("tz folder America", _set("horizon.timezone", "America"), "horizon.timezone", "is a region"),
    ("tz path", _set("horizon.timezone", "../../etc/passwd"), "horizon.timezone", "not an IANA time zone"),
    ("tz absolute", _set("horizon.timezone", "/etc/localtime"), "horizon.timezone", "not an IANA"),
    ("tz file name", _set("horizon.timezone", "localtime"), "horizon.timezone", "not an IANA"),
    ("tz blank", _set("horizon.timezone", " "), "horizon.timezone", "is blank"),
    # Item 7: dates at the ends of the calendar.
    ("start 9999", _set("horizon.start", "9999-12-27"), "horizon.start", "outside the years 1970-2199"),
    ("start year 1", _set("horizon.start", "0001-01-01"), "horizon.start", "outside the years 1970-2199"),
    (
        "repeat_until 9999",
        _set("horizon.repeat_until", "9999-12-31"),
        "horizon.repeat_until",
        "outside the years",
    ),
    (
        "repeat_until beyond five years",
        _set("horizon.repeat_until", "2032-01-05"),
        "horizon.repeat_until",
        "2032-01-05 is more than 5 years after horizon.start (the latest is 2032-01-04)",
    ),
    (
        "exclude date before start",
        _set("horizon.exclude_dates", ["2027-01-01"]),
        "horizon.exclude_dates[0]",
        "2027-01-01 is outside the 5 years from horizon.start (2027-01-04 to 2032-01-04)",
    ),
    ("date with a time", _set("horizon.start", "2027-01-04T00:00"), "horizon.start", "is not a date"),
    ("date as a number", _set("horizon.start", 1798416000), "horizon.start", "is not a date"),
    ("date not in the calendar", _set("horizon.start", "2027-02-30"), "horizon.start", "not a date of"),
    # Item 8: numbers.
    ("weight 1e15", _set("weights", {"trips": 1e15}), "weights.trips", "less than or equal to 1000"),
    ("weight infinite", _set("weights", {"trips": math.inf}), "weights.trips", "finite number"),
    ("weight NaN", _set("weights", {"waiting_minutes": math.nan}), "weights.waiting_minutes", "finite"),
    ("weight negative", _set("weights", {"trips": -1}), "weights.trips", "greater than or equal to 0"),
    ("weight a string", _set("weights", {"trips": "30"}), "weights.trips", "valid number"),
    ("weight true", _set("weights", {"trips": True}), "weights.trips", "valid number"),
    ("matrix minutes 1e20", _matrix("minutes", 10**20), "travel.matrix[0].minutes", "less than or equal"),
    ("matrix minutes past a day", _matrix("minutes", 1441), "travel.matrix[0].minutes", "1440"),
    ("matrix minutes 2.5", _matrix("minutes", 2.5), "travel.matrix[0].minutes", "valid integer"),
    ("matrix cost 1e300", _matrix("cost", 1e300), "travel.matrix[0].cost", "less than or equal to 10000"),
    (
        "cost per km 1e300",
        _set("travel.cost_per_km", {"car": 1e300}),
        "travel.cost_per_km.car",
        "less than or equal to 10",
    ),
    ("detour infinite", _set("travel.detour_factor", math.inf), "travel.detour_factor", "finite"),
    ("detour 1e400", _set("travel.detour_factor", float("1e400")), "travel.detour_factor", "finite"),
    ("detour 10", _set("travel.detour_factor", 10), "travel.detour_factor", "less than or equal to 3"),
    ("speed 0", _set("travel.speed_kmh", {"walk": 0}), "travel.speed_kmh.walk", "greater than or equal to 1"),
    ("speed 1e9", _set("travel.speed_kmh", {"car": 1e9}), "travel.speed_kmh.car", "less than or equal"),
    ("seed 2^31", _set("solver", {"seed": 2**31}), "solver.seed", "less than or equal to 2147483647"),
    ("seed 10^30", _set("solver", {"seed": 10**30}), "solver.seed", "less than or equal"),
    ("time limit NaN", _set("solver", {"time_limit_s": math.nan}), "solver.time_limit_s", "finite"),
    ("workers 1000", _set("solver", {"workers": 1000}), "solver.workers", "less than or equal to 64"),
    ("duration a string", _set("appointments.0.duration", "60"), "appointments[0].duration", "valid integer"),
    ("duration 60.0", _set("appointments.0.duration", 60.0), "appointments[0].duration", "valid integer"),
    ("duration two days", _set("appointments.0.duration", 2880), "appointments[0].duration", "1440"),
    ("rooms 10^9", _set("venues.1.rooms", 10**9), "venues[1].rooms", "less than or equal to 1000"),
    ("rooms a string", _set("venues.1.rooms", "2"), "venues[1].rooms", "valid integer"),
    ("weeks true", _set("horizon.weeks", True), "horizon.weeks", "valid integer"),
    ("slot 0", _set("horizon.slot_minutes", 0), "horizon.slot_minutes", "greater than or equal to 1"),
    (
        "limit minutes past a day",
        _set("clients.0.limits", {"max_session_minutes_per_day": 10**6}),
        "clients[0].limits.max_session_minutes_per_day",
        "less than or equal to 1440",
    ),
    (
        "needs_carer a string",
        _set("appointments.0.needs_carer", "yes"),
        "appointments[0].needs_carer",
        "bool",
    ),
    ("home_visits 1", _set("practitioners.0.home_visits", 1), "practitioners[0].home_visits", "bool"),
    ("latitude 91", _coordinates("clinic", 91, 0), "venues[1].lat", "less than or equal to 90"),
    ("latitude alone", _set("venues.1.lat", 51.5), "venues[1]", "give both lat and lon, or neither"),
    (
        "lat and lon swapped",
        _both([_coordinates("jo-home", 51.50, -0.12), _coordinates("clinic", -0.11, 51.52)]),
        "venues[1]",
        'km from venues[0] "jo-home"; every venue lies within 500 km',
    ),
    # Item 9: empty and blank names, roles and ids.
    ("empty role", _empty_role, "practitioners[0].role", "at least 1 character"),
    ("empty appointment role", _empty_role, "appointments[0].role", "at least 1 character"),
    ("blank role", _set("practitioners.0.role", "  "), "practitioners[0].role", '"  " is blank'),
    ("blank id", _set("clients.0.id", "   "), "clients[0].id", '"   " is blank'),
    (
        "id with spaces at its ends",
        _set("practitioners.0.id", " ana"),
        "practitioners[0].id",
        "starts or ends",
    ),
    ("id with a line break", _set("venues.1.id", "cli\nnic"), "venues[1].id", "control character U+000A"),
    ("name with a line break", _set("clients.0.name", "Jo\nSmith"), "clients[0].name", "U+000A"),
    ("blank name", _set("practitioners.0.name", "\t"), "practitioners[0].name", "is blank"),
    ("name with a NUL", _set("venues.1.name", "Cl\x00inic"), "venues[1].name", "U+0000"),
    (
        "routine named nothing",
        lambda d: client(d, "jo").update(
            routines=[{"name": "", "days": ["mon"], "start": "12:00", "end": "13:00"}]
        ),
        "clients[0].routines[0].name",
        "at least 1 character",
    ),
    (
        "lone surrogate",
        _set("description", "caf\ud800"),
        "description",
        "unable to parse raw data as a unicode string",
    ),
    ("bell in an address", _set("venues.1.address", "1 Rd\x07"), "venues[1].address", "U+0007"),
    (
        "day too short for a session",
        _both([_set("horizon.day_start", "12:00"), _set("horizon.day_end", "12:05")]),
        "appointments[0].duration",
        "60 min does not fit in the window 12:00-12:05",
    ),
    (
        "window wider than a short day",
        _both(
            [
                _set("horizon.day_start", "12:00"),
                _set("horizon.day_end", "12:30"),
                _set("appointments.0.window", {"earliest": "09:00", "latest": "17:00"}),
            ]
        ),
        "appointments[0].duration",
        "60 min does not fit in the window 09:00-17:00 within the day 12:00-12:30",
    ),
    (
        "no slot leaves room",
        _both(
            [
                _set("horizon.slot_minutes", 60),
                _set("appointments.0.duration", 45),
                _set("appointments.0.window", {"earliest": "12:10", "latest": "12:55"}),
            ]
        ),
        "appointments[0].duration",
        "from a start at a multiple of 60 min (horizon.slot_minutes)",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "location", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_out_of_range_input_is_located(mutation: Mutation, location: str, message: str) -> None:
    d = scenario_dict()
    mutation(d)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(d)
    found = [issue for issue in caught.value.issues if issue.location == location]
    assert found, f"no issue at {location}: {caught.value.issues}"
    assert any(message in issue.message for issue in found), found


EDGES: list[tuple[str, Mutation]] = [
    ("weights at their top", _set("weights", dict.fromkeys(("trips", "dropped_optional"), 1000))),
    ("an integer weight", _set("weights", {"trips": 0})),
    ("a day-long measured journey", _matrix("minutes", 1440)),
    ("the largest seed", _set("solver", {"seed": 2**31 - 1, "time_limit_s": 3600, "workers": 64})),
    ("the first Monday of the range", _set("horizon.start", "1970-01-05")),
    ("the last Monday of the range", _set("horizon.start", "2199-12-30")),
    (
        "repeat exactly five years",
        _both([_set("horizon.repeat_until", "2032-01-04"), _set("horizon.exclude_dates", ["2032-01-04"])]),
    ),
    ("a multi-line description", _set("description", "Line one\n\tline two\r\n")),
    ("a multi-line address", _set("venues.1.address", "1 North Rd\nLondon")),
    ("names in any script", _set("clients.0.name", "Zoë 陈 🙂")),
    ("UTC", _set("horizon.timezone", "UTC")),
    (
        "venues 400 km apart",
        _both([_coordinates("jo-home", 51.5, -0.12), _coordinates("clinic", 55.0, -2.0)]),
    ),
]


@pytest.mark.parametrize("mutation", [e[1] for e in EDGES], ids=[e[0] for e in EDGES])
def test_values_at_the_ends_of_their_ranges_are_accepted(mutation: Mutation) -> None:
    d = scenario_dict()
    mutation(d)
    load_scenario(d)


@pytest.mark.parametrize("text", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_non_finite_json_numbers_are_located(text: str) -> None:
    document = json.dumps(scenario_dict()).replace('"travel": {', f'"travel": {{"detour_factor": {text}, ', 1)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(document)
    assert [i.location for i in caught.value.issues] == ["travel.detour_factor"]


def test_nesting_too_deep_for_the_parser_is_an_input_error() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario('{"horizon": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert [str(i) for i in caught.value.issues] == ["arrays or objects are nested too deeply"]


def test_odd_unknown_keys_are_shown_escaped() -> None:
    d = scenario_dict()
    d["clients"][0]["bad\nkey"] = 1
    with pytest.raises(ScenarioError) as caught:
        load_scenario(d)
    (issue,) = caught.value.issues
    assert issue.location == 'clients[0]["bad\\nkey"]'
    assert issue.message == 'unknown field "bad\\nkey"'


def _write(tmp_path: Path, d: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "solve"])
@pytest.mark.parametrize("zone", ["Europe", "America", "Australia"])
def test_a_time_zone_folder_exits_2_with_a_location(tmp_path: Path, command: str, zone: str) -> None:
    d = scenario_dict()
    d["horizon"]["timezone"] = zone
    result = runner.invoke(app, [command, str(_write(tmp_path, d))])
    assert result.exit_code == 2, result.output
    assert f'horizon.timezone: "{zone}" is a region, not a time zone' in result.stderr


def test_validate_warns_of_an_unreachable_venue_and_one_off_feeds(tmp_path: Path) -> None:
    d = scenario_dict()
    d["venues"].append({"id": "annex", "name": "Annex", "kind": "clinic"})
    result = runner.invoke(app, ["validate", str(_write(tmp_path, d))])
    assert result.exit_code == 0, result.output
    assert (
        'warning: venues[3]: "annex" has no lat/lon and no travel.matrix entry: no journey to or from '
        "it can be known, so only sessions needing no journey can be held there"
    ) in result.stdout
    assert (
        "warning: horizon.repeat_until: not given: calendar feeds hold the pattern once "
        "(2027-01-04 to 2027-01-10), not week after week"
    ) in result.stdout


def test_no_warnings_for_a_repeating_scenario_whose_venues_are_all_reachable() -> None:
    d = scenario_dict()
    d["horizon"]["repeat_until"] = "2027-03-26"
    assert scenario_warnings(load_scenario(d)) == ()


def test_the_ranges_keep_the_objective_inside_64_bits() -> None:
    """The arithmetic of the bounds module's docstring, from the constants themselves."""
    per_unit = bounds.WEIGHT_MAX * SCALE
    per_penny = bounds.WEIGHT_MAX * 0.01 * SCALE
    road_km = 2 * bounds.VENUE_RADIUS_KM * bounds.DETOUR_FACTOR_MAX
    minutes = max(bounds.MATRIX_MINUTES_MAX, road_km / bounds.SPEED_KMH_MIN * 60)
    pence = max(bounds.MATRIX_COST_MAX, road_km * bounds.COST_PER_KM_MAX) * 100
    per_arc = minutes * per_unit + pence * per_penny + bounds.MINUTES_PER_DAY * per_unit
    assert per_arc <= 2.2e12
    assert 4_000_000 * per_arc < 2**63
