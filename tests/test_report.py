"""The whole picture: duplication, overload and gaps present and absent, conversations, the
dis-integration of today's bookings, its Markdown and HTML, and ``scheduler report``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scheduler.analysis import (
    find_duplications,
    find_gaps,
    find_overloads,
    to_html,
    to_markdown,
    whole_picture,
)
from scheduler.cli import app
from scheduler.loader import load_scenario
from scheduler.solver import solve
from tests.builders import add_appointment, appointment, scenario_dict, schedule_dict, session

DATA = Path(__file__).resolve().parent.parent / "data"
runner = CliRunner()


def ana(d: dict[str, Any]) -> dict[str, Any]:
    """Practitioner Ana of the builders' scenario (to tweak in place)."""
    return next(p for p in d["practitioners"] if p["id"] == "ana")


def booked(d: dict[str, Any], appointment_id: str, day: str, start: str, venue: str = "clinic") -> None:
    """Give ``appointment_id`` today's booking at ``day`` ``start`` at ``venue``."""
    appointment(d, appointment_id)["current"] = [{"day": day, "start": start, "venue": venue}]


def two_services(first: str, second: str, **second_fields: Any) -> dict[str, Any]:
    """Jo's therapy (with Ana, agency NHS) giving ``first``, and ``therapy-2`` giving ``second``."""
    d = scenario_dict()
    appointment(d, "therapy").update(service=first, agency="NHS")
    add_appointment(d, "therapy-2", service=second, **{"agency": "NHS", **second_fields})
    return d


# Duplication


def duplications_of(d: dict[str, Any]) -> list[Any]:
    scenario = load_scenario(d)
    return list(find_duplications(scenario, scenario.appointments))


def test_one_service_from_two_agencies_and_practitioners_is_a_possible_duplication() -> None:
    d = two_services("therapy", "therapy", practitioners=["bo"], agency="Council")
    [dup] = duplications_of(d)
    assert dup.client == "Jo"
    assert dup.service == "therapy"
    assert dup.appointments == ("therapy", "therapy-2")
    assert dup.agencies == ("Council", "NHS")
    assert dup.providers == ("Ana", "Bo")


def test_one_service_from_two_practitioners_of_one_agency_is_a_possible_duplication() -> None:
    d = two_services("Speech and language", "speech  and LANGUAGE", practitioners=["bo"])
    [dup] = duplications_of(d)
    assert dup.agencies == ("NHS",)
    assert dup.providers == ("Ana", "Bo")


def test_a_role_pool_and_a_named_practitioner_for_one_service_are_a_possible_duplication() -> None:
    d = two_services("therapy", "therapy", practitioners=[], role="therapist")
    [dup] = duplications_of(d)
    assert dup.providers == ("Ana", "any therapist")


@pytest.mark.parametrize(
    ("first", "second", "fields"),
    [
        ("therapy", "therapy", {}),
        ("therapy", "speech", {"practitioners": ["bo"], "agency": "Council"}),
        (None, None, {"practitioners": ["bo"]}),
    ],
    ids=["same practitioner and agency", "different services", "no service"],
)
def test_no_duplication(first: str | None, second: str | None, fields: dict[str, Any]) -> None:
    assert duplications_of(two_services(first, second, **fields)) == []  # type: ignore[arg-type]


# Overload


def overloads_of(d: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {o.practitioner: o.reasons for o in find_overloads(load_scenario(d))}


def two_sessions_for_ana_on_monday() -> dict[str, Any]:
    d = two_services("therapy", "speech")
    booked(d, "therapy", "mon", "10:00")
    booked(d, "therapy-2", "mon", "14:00")
    return d


def test_more_sessions_than_the_daily_limit_is_overload() -> None:
    d = two_sessions_for_ana_on_monday()
    ana(d)["limits"] = {"max_sessions_per_day": 1}
    assert overloads_of(d) == {"ana": ("Ana has 2 sessions on Mon; the limit is 1 a day",)}


def test_more_hours_booked_than_available_is_overload() -> None:
    d = two_sessions_for_ana_on_monday()
    ana(d)["available"] = {"mon": [["09:00", "12:00"]]}
    ana(d)["busy"] = [{"day": "mon", "start": "08:00", "end": "10:00", "label": "team meeting"}]
    assert overloads_of(d) == {}
    ana(d)["busy"][0]["end"] = "10:30"
    [reason] = overloads_of(d)["ana"]
    assert reason == "Ana is booked for 2 h but available for 1.5 h in the 1-week pattern"


def test_a_booking_in_two_places_at_once_is_overload() -> None:
    d = two_services("therapy", "speech")
    booked(d, "therapy", "mon", "10:00")
    booked(d, "therapy-2", "mon", "10:30", venue="school")
    assert "ana" in overloads_of(d)


def test_no_overload_within_limits_and_hours() -> None:
    d = two_sessions_for_ana_on_monday()
    ana(d)["limits"] = {"max_sessions_per_day": 2, "max_session_minutes_per_day": 120}
    ana(d)["available"] = {"mon": [["09:00", "17:00"]]}
    assert overloads_of(d) == {}
    assert overloads_of(scenario_dict()) == {}


# Gaps


def gaps_of(d: dict[str, Any]) -> list[str]:
    scenario = load_scenario(d)
    return [gap.need for gap in find_gaps(scenario, scenario.clients)]


def test_a_need_no_appointment_meets_is_a_gap() -> None:
    d = two_services("Therapy", "speech")
    d["clients"][0]["needs"] = ["therapy", "social care", "speech"]
    assert gaps_of(d) == ["social care"]


def test_no_gap_when_every_need_is_met_or_none_is_recorded() -> None:
    d = two_services("therapy", "speech")
    assert gaps_of(d) == []
    d["clients"][0]["needs"] = ["therapy", "speech"]
    assert gaps_of(d) == []


# Conversations


def conversations_of(d: dict[str, Any]) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(c.first, c.second): c.reasons for c in whole_picture(load_scenario(d)).conversations}


def test_a_duplicated_service_suggests_a_conversation() -> None:
    d = two_services("therapy", "therapy", practitioners=["bo"], agency="Council")
    assert conversations_of(d) == {("Ana", "Bo"): ("both give therapy to Jo: one joint programme?",)}


@pytest.mark.parametrize(
    ("start", "venue", "why"),
    [("10:30", "clinic", "overlap on Mon"), ("11:05", "school", "leave no time to travel on Mon")],
)
def test_clashing_bookings_suggest_a_conversation(start: str, venue: str, why: str) -> None:
    d = two_services("therapy", "speech", practitioners=["bo"])
    booked(d, "therapy", "mon", "10:00")
    booked(d, "therapy-2", "mon", start, venue)
    assert conversations_of(d) == {("Ana", "Bo"): (f"therapy and therapy-2 {why}",)}


def test_bookings_with_time_to_travel_suggest_no_conversation() -> None:
    d = two_services("therapy", "speech", practitioners=["bo"])
    booked(d, "therapy", "mon", "10:00")
    booked(d, "therapy-2", "mon", "11:15", "school")
    assert conversations_of(d) == {}


# The picture of the Hughes household


@pytest.fixture(scope="module")
def hughes() -> Any:
    scenario = load_scenario(DATA / "household.json")
    result = solve(scenario, time_limit=20, workers=1)
    return whole_picture(scenario, result, household="hughes")


def test_the_picture_finds_the_eleven_faults_of_todays_bookings(hughes: Any) -> None:
    kinds = [f.kind for f in hughes.findings]
    assert len(kinds) == 11
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "clash": 2,
        "journey": 4,
        "routine": 4,
        "overload": 1,
    }


def test_the_picture_has_every_service_and_both_weeks(hughes: Any) -> None:
    assert [c.id for c in hughes.clients] == ["alfie", "poppy"]
    assert len(hughes.services) == 7
    assert len(hughes.today) == 7
    assert len(hughes.pattern) == 7
    trips = next(f for f in hughes.figures if f.kpi == "trips")
    assert (trips.before, trips.after, trips.saving) == (4, 1, 3)


def test_one_client_alone() -> None:
    scenario = load_scenario(DATA / "household.json")
    poppy = whole_picture(scenario, client="poppy")
    assert [s.appointment for s in poppy.services] == ["poppy-hv"]
    assert poppy.pattern is None
    assert [(f.kind, f.where) for f in poppy.findings] == [
        ("routine", "poppy-hv occurrence 1, Mon 13:30-14:00")
    ]


def test_unknown_client_or_household() -> None:
    scenario = load_scenario(DATA / "household.json")
    with pytest.raises(ValueError, match='no client "alfy"; did you mean "alfie"'):
        whole_picture(scenario, client="alfy")
    with pytest.raises(ValueError, match='no household "hugh"'):
        whole_picture(scenario, household="hugh")
    with pytest.raises(ValueError, match="not both"):
        whole_picture(scenario, client="alfie", household="hughes")


# Rendering and the command


def test_markdown_has_every_section(hughes: Any) -> None:
    text = to_markdown(hughes)
    assert text.startswith("# The whole picture: The Hughes family, Wellingborough")
    for title in ("Every service around them", "What the new pattern saves", "Dis-integration", "gaps"):
        assert title in text
    assert "| trips | 4 | 1 | 3 |" in text


def test_html_escapes_what_users_wrote() -> None:
    d = two_services("therapy", "therapy", practitioners=["bo"], agency="<b>Council</b> & co")
    d["clients"][0]["name"] = "Jo <script>"
    page = to_html(whole_picture(load_scenario(d)))
    assert "<script>" not in page
    assert "Jo &lt;script&gt;" in page
    assert "&lt;b&gt;Council&lt;/b&gt; &amp; co" in page


def test_report_command(tmp_path: Path) -> None:
    d = two_services("therapy", "therapy", practitioners=["bo"], agency="Council")
    booked(d, "therapy", "mon", "10:00")
    scenario_path = tmp_path / "scenario.json"
    scenario_path.write_text(json.dumps(d))
    schedule = schedule_dict(
        d,
        [
            session("therapy", "tue", "10:00", "jo-home"),
            session("therapy-2", "tue", "12:00", "jo-home", practitioners=("bo",)),
        ],
    )
    schedule_path = tmp_path / "schedule.json"
    schedule_path.write_text(json.dumps(schedule))
    result = runner.invoke(app, ["report", str(scenario_path), str(schedule_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["appointment"] for d in data["pattern"]] == ["therapy", "therapy-2"]
    assert data["duplications"][0]["providers"] == ["Ana", "Bo"]
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(scenario_path), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_report_command_with_an_unknown_household(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(DATA / "household.json"), "--household", "hugh"])
    assert result.exit_code == 2
    assert 'no household "hugh"' in result.stderr


def test_report_command_with_a_schedule_of_another_scenario(tmp_path: Path) -> None:
    d = scenario_dict()
    scenario_path = tmp_path / "scenario.json"
    scenario_path.write_text(json.dumps(d))
    schedule_path = tmp_path / "schedule.json"
    schedule_path.write_text(json.dumps(schedule_dict(d, [session("therapi", "tue", "10:00")])))
    result = runner.invoke(app, ["report", str(scenario_path), str(schedule_path)])
    assert result.exit_code == 2
    assert 'no appointment "therapi"' in result.stderr
