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
from scheduler.schedule import read_schedule
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


def test_the_picture_finds_every_fault_of_todays_bookings(hughes: Any) -> None:
    # Version 2: Alfie never travels alone and Poppy is never left alone, so today's diaries
    # also send Alfie on journeys alone and leave Poppy or bring her along in her routines.
    kinds = [f.kind for f in hughes.findings]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "clash": 2,
        "journey": 5,
        "routine": 4,
        "overload": 1,
        "travels alone": 8,
        "companion": 2,
        "left alone": 1,
        "comes along": 4,
    }


def test_the_new_pattern_keeps_every_rule_and_brings_poppy_along(hughes: Any) -> None:
    assert "the new pattern keeps every rule" in " ".join(hughes.costs.reasons)
    assert hughes.companions


def test_the_picture_has_every_service_and_both_weeks(hughes: Any) -> None:
    assert [c.id for c in hughes.clients] == ["alfie", "poppy"]
    assert len(hughes.services) == 7
    assert len(hughes.today) == 7
    assert len(hughes.pattern) == 7
    trips = next(f for f in hughes.figures if f.kpi == "trips")
    assert (trips.before, trips.after, trips.saving) == (4, 1, 3)


def test_the_picture_does_not_hide_the_practitioners_travel_that_rose(hughes: Any) -> None:
    travel = next(f for f in hughes.figures if f.kpi == "practitioner_travel_minutes")
    assert (travel.before, travel.after, travel.worse) == (8, 88, True)
    assert travel in hughes.costs.figures
    assert "practitioners' travel 80 min more (x 0.5 = 40)" in " ".join(hughes.costs.reasons)
    text = to_markdown(hughes)
    assert "| practitioners' travel (minutes) | 8 | 88 | 80 min more (worse) |" in text
    assert "## Where the new pattern costs more, and why" in text


def test_one_client_alone() -> None:
    scenario = load_scenario(DATA / "household.json")
    poppy = whole_picture(scenario, client="poppy")
    assert [s.appointment for s in poppy.services] == ["poppy-hv"]
    assert poppy.pattern is None
    found = [(f.kind, f.where) for f in poppy.findings]
    assert ("routine", "poppy-hv occurrence 1, Mon 13:30-14:00") in found
    assert ("left alone", "poppy, Mon 13:27-16:36") in found
    assert {subject for _, subject in found} >= {"poppy, Mon 13:27-13:30"}


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
    assert "| trips to appointments | 4 | 1 | 3 fewer |" in text


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


# Where the new pattern costs more, and why


def picture_of(d: dict[str, Any], *sessions: dict[str, Any]) -> Any:
    """The whole picture of scenario ``d`` against a schedule of ``sessions``."""
    return whole_picture(load_scenario(d), read_schedule(schedule_dict(d, list(sessions))))


def at_home_today() -> dict[str, Any]:
    """Jo's therapy booked today at home on Monday at 10:00, with Sam (who escorts it)."""
    d = scenario_dict()
    appointment(d, "therapy")["needs_carer"] = True
    booked(d, "therapy", "mon", "10:00", "jo-home")
    return d


def test_moving_a_home_visit_to_the_clinic_costs_more_and_says_today_is_better() -> None:
    picture = picture_of(at_home_today(), session("therapy", "mon", "10:00", carer="sam"))
    worse = {row.kpi: row.change for row in picture.costs.figures}
    assert worse == {
        "trips": "1 more (worse)",
        "family_travel_minutes": "40 min more (worse)",
        "family_travel_cost": "3 more (worse)",
        "disruption": "1 more (worse)",
        "carer_away_minutes": "100 min more (worse)",
    }
    assert picture.costs.broken == ()
    assert picture.costs.reasons == (
        "By the scenario's weights (how much each figure counts), what got worse weighs 91: trips to "
        "appointments 1 more (x 30 = 30), family's travel to and from appointments 40 min more (x 1 = 40), "
        "cost of the family's travel 3 more (x 2 = 6) and sessions moved from today's bookings 1 more "
        "(x 15 = 15).",
        "By these weights today's bookings are better (30 against the new pattern's 121, lower is better): "
        "this pattern is not the best there is; solve again, for longer.",
        "A carer's time away from home is not weighed on its own: it grows with the trips, with waiting "
        "between appointments away from home, and with going along with a child who must not travel or "
        "be at home alone (rules 9 and 10).",
        "In the new pattern Sam is out longest on Mon, 09:40-11:20 (100 min), for Therapy.",
    )


def test_what_costs_more_is_weighed_against_what_it_saves() -> None:
    d = scenario_dict()
    ana(d)["base"] = "clinic"
    booked(d, "therapy", "mon", "10:00")
    picture = picture_of(d, session("therapy", "mon", "10:00", "jo-home"))
    assert [row.kpi for row in picture.costs.figures] == ["disruption", "practitioner_travel_minutes"]
    assert picture.costs.reasons == (
        "By the scenario's weights (how much each figure counts), what got worse weighs 35: sessions moved "
        "from today's bookings 1 more (x 15 = 15) and practitioners' travel 40 min more (x 0.5 = 20).",
        "What got better weighs 76: trips to appointments 1 fewer (x 30 = 30), family's travel to and from "
        "appointments 40 min less (x 1 = 40) and cost of the family's travel 3 less (x 2 = 6).",
        "The savings outweigh the costs: in all the new pattern scores 65 against today's 106 (lower is "
        "better).",
    )
    d["weights"] = {"practitioner_travel_minutes": 0}
    unweighed = picture_of(d, session("therapy", "mon", "10:00", "jo-home")).costs.reasons
    assert (
        "The scenario's weights do not count practitioners' travel (weight 0), so the search does not try "
        "to keep it down."
    ) in unweighed


def test_todays_bookings_that_break_rules_are_named_counted_and_shown() -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {"name": "school", "days": ["mon", "tue"], "start": "09:00", "end": "15:00", "at": "school"}
    ]
    booked(d, "therapy", "mon", "10:00")
    picture = picture_of(d, session("therapy", "tue", "16:00"))
    assert [(b.rule, b.count) for b in picture.costs.broken] == [(4, 1)]
    reasons = picture.costs.reasons
    assert reasons[:2] == (
        "Today's bookings break rules once, so today's figures are of a week that cannot happen as booked; "
        "the new pattern keeps every rule. Broken today:",
        "Rule 4 (routines), once: therapy occurrence 1, Mon 10:00-11:00: overlaps Jo's school 09:00-15:00",
    )
    assert reasons[-1].startswith("By the weights alone today's bookings look better (")
    assert reasons[-1].endswith("but they break the rules above, which the new pattern keeps.")


def test_a_pattern_that_breaks_rules_too_is_said_so() -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {"name": "school", "days": ["mon", "tue"], "start": "09:00", "end": "15:00", "at": "school"}
    ]
    booked(d, "therapy", "mon", "10:00")
    picture = picture_of(d, session("therapy", "tue", "10:00"))
    assert picture.costs.pattern_broken == 1
    assert "the new pattern breaks rules too (once)" in picture.costs.reasons[0]


def test_nothing_costs_more_when_the_pattern_keeps_todays_bookings() -> None:
    picture = picture_of(at_home_today(), session("therapy", "mon", "10:00", "jo-home", carer="sam"))
    assert picture.costs.figures == ()
    assert picture.costs.reasons == ()
    assert "Nothing costs more than today: every figure is the same or better." in to_markdown(picture)


def test_the_picture_as_json_has_changes_in_words_and_why() -> None:
    data = picture_of(at_home_today(), session("therapy", "mon", "10:00", carer="sam")).to_dict()
    sam = next(row for row in data["figures"] if row["carer"] == "sam")
    assert sam == {
        "kpi": "carer_away_minutes",
        "label": "Sam's time away from home",
        "before": 0,
        "after": 100,
        "carer": "sam",
        "unit": "minutes",
        "saving": -100,
        "change": "100 min more (worse)",
        "worse": True,
    }
    assert [w["kpi"] for w in data["costs"]["costs"]] == [
        "trips",
        "family_travel_minutes",
        "family_travel_cost",
        "disruption",
    ]
    assert data["costs"]["costs"][0] == {"kpi": "trips", "carer": None, "weight": 30, "points": 30}
    json.dumps(data)
