"""Every kind of bad scenario gets a ScenarioError whose issue points at the field, in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scheduler.errors import InputIssue, ScenarioError
from scheduler.loader import load_scenario, parse_scenario
from tests.builders import appointment, client, practitioner, scenario_dict, venue

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """A mutation that sets ``a.b[0].c`` to ``value``."""

    def mutate(d: dict[str, Any]) -> None:
        target: Any = d
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


def _routine(**fields: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        client(d, "jo")["routines"] = [
            {"name": "school", "days": ["mon"], "start": "09:00", "end": "15:00", **fields}
        ]

    return mutate


def _duplicate_practitioner(d: dict[str, Any]) -> None:
    d["practitioners"].append(dict(practitioner(d, "ana")))


def _home_of_kind_clinic(d: dict[str, Any]) -> None:
    client(d, "jo")["home"] = "clinic"


def _open_hours(hours: dict[str, Any]) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        venue(d, "clinic")["open"] = hours

    return mutate


CASES: list[tuple[str, Mutation, str, str]] = [
    ("time 25:00", _routine(start="25:00"), "clients[0].routines[0].start", '"25:00" is not a time of day'),
    (
        "time 9am",
        _routine(end="9am"),
        "clients[0].routines[0].end",
        '"9am" is not a time of day (expected "HH:MM")',
    ),
    (
        "routine ends before it starts",
        _routine(start="15:00", end="09:00"),
        "clients[0].routines[0]",
        'the routine ends ("09:00") before it starts ("15:00")',
    ),
    (
        "opening hours end before they start",
        _open_hours({"mon": [["17:00", "09:00"]]}),
        "venues[1].open.mon[0]",
        '["17:00", "09:00"] ends before it starts',
    ),
    (
        "unknown day in hours",
        _open_hours({"mnday": [["09:00", "17:00"]]}),
        "venues[1].open.mnday",
        "\"mnday\" is not one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'",
    ),
    (
        "misspelt limit",
        _set("clients.0.limits", {"max_sesions_per_day": 2}),
        "clients[0].limits.max_sesions_per_day",
        'unknown field "max_sesions_per_day"; did you mean "max_sessions_per_day"?',
    ),
    (
        "wrong type",
        _set("appointments.0.duration", "an hour"),
        "appointments[0].duration",
        'input should be a valid integer (got "an hour")',
    ),
    ("missing required", _drop("appointments"), "appointments", "required field is missing"),
    (
        "unknown practitioner",
        _set("appointments.0.practitioners", ["anna"]),
        "appointments[0].practitioners[0]",
        'no practitioner "anna"; did you mean "ana"?',
    ),
    (
        "unknown client",
        _set("appointments.0.client", "joe"),
        "appointments[0].client",
        'no client "joe"; did you mean "jo"?',
    ),
    (
        "unknown venue",
        _set("appointments.0.venues", ["clinc"]),
        "appointments[0].venues[0]",
        'no venue "clinc"',
    ),
    (
        "duplicate id",
        _duplicate_practitioner,
        "practitioners[2].id",
        '"ana" is already the id of practitioners[0]',
    ),
    (
        "home not a home",
        _home_of_kind_clinic,
        "clients[0].home",
        'venue "clinic" is of kind clinic, not home',
    ),
    (
        "fortnightly in a one-week pattern",
        _set("appointments.0.frequency", {"every_weeks": 2}),
        "appointments[0].frequency.every_weeks",
        "every_weeks 2 needs a pattern of 2 weeks (horizon.weeks is 1)",
    ),
    (
        "per_week beyond the window's days",
        lambda d: appointment(d, "therapy").update(
            frequency={"per_week": 3}, window={"days": ["mon", "tue"]}
        ),
        "appointments[0].frequency.per_week",
        "3 sessions a week on days 1 or more apart cannot fit in the window's days (mon tue)",
    ),
    (
        "unknown time zone",
        _set("horizon.timezone", "Europe/Londn"),
        "horizon.timezone",
        '"Europe/Londn" is not an IANA',
    ),
    (
        "start not a Monday",
        _set("horizon.start", "2027-01-05"),
        "horizon.start",
        "2027-01-05 is a Tuesday; the pattern starts on a Monday",
    ),
    (
        "role no practitioner has",
        lambda d: appointment(d, "therapy").update(practitioners=[], role="therapyst"),
        "appointments[0].role",
        'no practitioner has the role "therapyst"; did you mean "therapist"?',
    ),
    (
        "window ends before it starts",
        _set("appointments.0.window", {"earliest": "16:00", "latest": "10:00"}),
        "appointments[0].window",
        'the window ends ("10:00") before it starts ("16:00")',
    ),
    (
        "day_end before day_start",
        _set("horizon.day_end", "07:00"),
        "horizon",
        'day_end "07:00" is not after day_start "08:00"',
    ),
    (
        "duration longer than the window",
        _set("appointments.0.window", {"earliest": "09:00", "latest": "09:30"}),
        "appointments[0].duration",
        "60 min does not fit in the window 09:00-09:30",
    ),
    (
        "booking in week 2 of a one-week pattern",
        _set("appointments.0.current", [{"week": 2, "day": "mon", "start": "10:00", "venue": "clinic"}]),
        "appointments[0].current[0].week",
        "week 2 is outside a 1-week pattern",
    ),
    (
        "needs a carer the client does not have",
        lambda d: (appointment(d, "therapy").update(needs_carer=True), client(d, "jo").update(carers=[])),
        "appointments[0].needs_carer",
        'client "jo" has no carers',
    ),
    ("no venues at all", _set("venues", []), "venues", "list should have at least 1 item after validation"),
    (
        "supervision misspelt",
        _set("clients.0.supervision", "alway"),
        "clients[0].supervision",
        """"alway" is not one of 'none', 'escort' or 'always'; did you mean "always"?""",
    ),
    (
        "supervised flexible routine",
        _routine(duration=30, supervised=True),
        "clients[0].routines[0].supervised",
        "applies to fixed routines only",
    ),
    (
        "supervised is a boolean",
        _routine(supervised="yes"),
        "clients[0].routines[0].supervised",
        "valid boolean",
    ),
    (
        "a flexible routine at no venue",
        _routine(duration=30, at="hom"),
        "clients[0].routines[0].at",
        'no venue "hom"; did you mean "home"?',
    ),
    (
        "accompanying_minutes weight out of range",
        _set("weights", {"accompanying_minutes": 1001}),
        "weights.accompanying_minutes",
        "less than or equal to 1000",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "location", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_located(mutation: Mutation, location: str, message: str) -> None:
    d = scenario_dict()
    mutation(d)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(d)
    found = [issue for issue in caught.value.issues if issue.location == location]
    assert found, f"no issue at {location}: {caught.value.issues}"
    assert any(message in issue.message for issue in found), found


def test_every_problem_is_reported_at_once() -> None:
    d = scenario_dict()
    client(d, "jo")["routines"] = [{"name": "nap", "days": ["mon"], "start": "25:00", "end": "14:00"}]
    client(d, "jo")["limits"] = {"max_sesions_per_day": 1}
    with pytest.raises(ScenarioError) as caught:
        load_scenario(d)
    locations = {issue.location for issue in caught.value.issues}
    assert locations == {"clients[0].routines[0].start", "clients[0].limits.max_sesions_per_day"}


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("", InputIssue("", "the document is empty")),
        (
            '{"horizon": 3,}',
            InputIssue(
                "line 1 column 15", "not valid JSON: Expecting property name enclosed in double quotes"
            ),
        ),
        ("[1, 2]", InputIssue("", "expected a JSON object, got list")),
        ('{"a": 1, "a": 2}', InputIssue("", 'the key "a" appears twice in one object')),
        (b"\xff\xfe{", InputIssue("", "not UTF-8 text (byte 0)")),
    ],
)
def test_documents_that_are_not_a_json_object(text: str | bytes, issue: InputIssue) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text if isinstance(text, bytes) or text.startswith(("{", "[")) else text.encode())
    assert caught.value.issues == (issue,)


def test_an_empty_object_lists_every_required_field() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario({})
    assert {i.location for i in caught.value.issues} == {"horizon", "venues", "clients", "appointments"}
    assert {i.message for i in caught.value.issues} == {"required field is missing"}


def test_a_missing_file_is_an_input_error(tmp_path: Any) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "nowhere.json")
    (issue,) = caught.value.issues
    assert issue.location.endswith("nowhere.json")
    assert issue.message == "cannot read the file: No such file or directory"


def test_a_valid_scenario_becomes_integer_minutes_and_indices() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["window"] = {"days": ["tue", "thu"], "earliest": "09:30"}
    appointment(d, "therapy")["current"] = [{"day": "tue", "start": "10:00", "venue": "home"}]
    s = load_scenario(d)
    (therapy,) = s.appointments
    assert therapy.window_days == frozenset({1, 3})
    assert (therapy.earliest, therapy.latest) == (9 * 60 + 30, 18 * 60)  # latest defaults to day_end
    assert therapy.venues == (1, 2, 0)  # "home" is Jo's home, venue 0
    assert therapy.current[0].venue == 0
    assert therapy.current[0].week is None  # a booking without a week stands in every week
    assert s.weights.trips == 30.0  # the documented default


def test_version_2_fields_and_their_defaults() -> None:
    d = scenario_dict()
    version_1 = load_scenario(d)
    assert version_1.clients[0].supervision == "none"
    assert version_1.weights.accompanying_minutes == 0.5
    client(d, "jo").update(
        supervision="escort",
        routines=[
            {
                "name": "nursery",
                "days": ["mon"],
                "start": "09:00",
                "end": "12:00",
                "at": "school",
                "supervised": True,
            },
            {"name": "feed", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 30, "at": "home"},
            {"name": "rest", "days": ["mon"], "start": "15:00", "end": "17:00", "duration": 45},
        ],
    )
    d["weights"] = {"accompanying_minutes": 2}
    s = load_scenario(d)
    nursery, feed, rest = s.clients[0].routines
    assert s.clients[0].supervision == "escort"
    assert (nursery.supervised, nursery.place) == (True, s.venue_index["school"])
    assert (feed.supervised, feed.place) == (False, s.venue_index["jo-home"])
    assert rest.place is None  # anywhere the client is free
    assert s.weights.accompanying_minutes == 2
