"""Feeds for everything the scenario format allows: control characters in names and ids, ids and
household names longer than a file name may be, and dates at the ends of the calendar."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from scheduler.calendar import DateRangeError, FeedSet, render_feeds, vtimezone
from scheduler.calendar.directory import export_feeds
from scheduler.calendar.events import LAST_DATE
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from tests.test_calendar_support import (
    START,
    audience_sessions,
    expand_with_recurring_ical_events,
    expected_occurrences,
    scenario_doc,
    schedule_doc,
)

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MAX_NAME_BYTES = 255
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.~%-]+$")


def _render(document: dict[str, Any], schedule: dict[str, Any] | None = None) -> FeedSet:
    doc = schedule if schedule is not None else schedule_doc().model_dump(mode="json", by_alias=True)
    return render_feeds(load_scenario(document), read_schedule(doc), revisions=None, revised_at=AT)


def _content_lines(ics: bytes) -> list[bytes]:
    """The feed's content lines, unfolded."""
    return ics.replace(b"\r\n ", b"").split(b"\r\n")


# Control characters in names


@pytest.mark.parametrize("control", ["\n", "\r\n", "\r", "\t", "\x00", "\x07", "\x1b", "\x85", "\u2028"])
def test_control_characters_in_names_become_a_space_in_every_text_property(control: str) -> None:
    document = scenario_doc()
    document["clients"][0]["name"] = f"Amy{control}Lee"
    document["carers"][0]["name"] = f"Chris{control}Lee"
    document["practitioners"][0]["name"] = f"Ana{control}Ruiz"
    document["venues"][0]["name"] = f"East{control}Clinic"
    document["venues"][0]["address"] = f"3{control}East Lane"
    feeds = _render(document).feeds
    for key, ics in feeds.items():
        for line in _content_lines(ics):
            assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), (key, line)
    calendar = Calendar.from_ical(feeds["household-lee"])
    assert str(calendar["X-WR-CALNAME"]) == "Appointments – Amy Lee and Ben Lee"
    assert str(calendar["NAME"]) == "Appointments – Amy Lee and Ben Lee"
    slt = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("amy-slt-1@"))
    assert str(slt["SUMMARY"]) == "Speech and language therapy – Amy Lee"
    assert str(slt["LOCATION"]) == "East Clinic, 3 East Lane"
    assert str(slt["DESCRIPTION"]).splitlines() == [
        "Speech and language therapy for Amy Lee",
        "With: Ana Ruiz (speech and language therapist, NHS)",
        "Where: East Clinic, 3 East Lane",
        "Escort: Chris Lee",
        "Bring: the communication book",
    ]
    assert str(Calendar.from_ical(feeds["carer-dad"])["X-WR-CALNAME"]) == "Appointments to escort – Chris Lee"
    assert str(Calendar.from_ical(feeds["practitioner-slt-ana"])["NAME"]) == "Sessions – Ana Ruiz"
    assert str(Calendar.from_ical(feeds["venue-clinic-east"])["NAME"]) == "Sessions at East Clinic"


def test_control_characters_in_an_id_are_percent_encoded_in_its_uids() -> None:
    document = scenario_doc()
    document["appointments"][0]["id"] = "amy\rslt\x00"
    schedule = schedule_doc().model_dump(mode="json", by_alias=True)
    for session in schedule["sessions"]:
        if session["appointment"] == "amy-slt":
            session["appointment"] = "amy\rslt\x00"
    ics = _render(document, schedule).feeds["household-lee"]
    uids = {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(ics).walk("VEVENT")}
    assert "amy%0Dslt%00-1" in uids


# Long ids and household names as file names


def _long_ids(household: str, practitioner: str) -> dict[str, Any]:
    document = scenario_doc()
    for c in document["clients"]:
        c["household"] = household
    document["practitioners"][0]["id"] = practitioner
    for a in document["appointments"]:
        a["practitioners"] = [practitioner if p == "slt-ana" else p for p in a["practitioners"]]
    return document


def _long_schedule(practitioner: str) -> dict[str, Any]:
    schedule = schedule_doc().model_dump(mode="json", by_alias=True)
    for session in schedule["sessions"]:
        session["practitioners"] = [practitioner if p == "slt-ana" else p for p in session["practitioners"]]
    return schedule


@pytest.mark.parametrize(
    ("household", "practitioner"),
    [("h" * 360, "é" * 200), ("🏠" * 200, "🩺" * 200), ("ü" * 200, "x" * 200)],
)
def test_feed_files_of_long_ids_fit_a_file_name_and_stay_unique_and_stable(
    household: str, practitioner: str, tmp_path: Path
) -> None:
    document = _long_ids(household, practitioner)
    schedule = read_schedule(_long_schedule(practitioner))
    scenario = load_scenario(document)
    first = export_feeds(scenario, schedule, tmp_path / "feeds", revised_at=AT)
    names = [path.name for path in first.files]
    assert len(set(names)) == len(names) == len(list((tmp_path / "feeds").glob("*.ics")))
    for name in names:
        assert len(name.encode()) <= MAX_NAME_BYTES, name
        assert SAFE_NAME.match(name), name
    again = export_feeds(scenario, schedule, tmp_path / "feeds", revised_at=AT)
    assert [path.name for path in again.files] == names
    assert again.new_events == again.changed_events == 0
    assert not list((tmp_path / "feeds").glob(".*.partial"))


def test_long_ids_that_share_their_first_200_characters_get_different_files(tmp_path: Path) -> None:
    document = _long_ids("lee", "p" * 199 + "a")
    document["practitioners"][1]["id"] = "p" * 199 + "b"
    for a in document["appointments"]:
        a["practitioners"] = ["p" * 199 + "b" if p == "ot-olu" else p for p in a["practitioners"]]
    schedule = _long_schedule("p" * 199 + "a")
    for session in schedule["sessions"]:
        session["practitioners"] = ["p" * 199 + "b" if p == "ot-olu" else p for p in session["practitioners"]]
    result = export_feeds(load_scenario(document), read_schedule(schedule), tmp_path, revised_at=AT)
    practitioner_files = [p.name for p in result.files if p.name.startswith("practitioner-ppp")]
    assert len(set(practitioner_files)) == 2


def test_ids_that_differ_only_in_case_get_files_apart_on_any_file_system(tmp_path: Path) -> None:
    document = _long_ids("lee", "Ana")
    document["practitioners"][1]["id"] = "ana"
    for a in document["appointments"]:
        a["practitioners"] = ["ana" if p == "ot-olu" else p for p in a["practitioners"]]
    schedule = _long_schedule("Ana")
    for session in schedule["sessions"]:
        session["practitioners"] = ["ana" if p == "ot-olu" else p for p in session["practitioners"]]
    result = export_feeds(load_scenario(document), read_schedule(schedule), tmp_path, revised_at=AT)
    folded = [p.name.casefold() for p in result.files]
    assert len(set(folded)) == len(folded)
    assert "client-amy.ics" in {p.name for p in result.files}


# Dates at the ends of the calendar


def _redated(start: date, repeat_until: date | None, tzid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    document = scenario_doc(tzid, repeat_until=repeat_until, exclude_dates=[])
    document["horizon"]["start"] = start.isoformat()
    schedule = schedule_doc().model_dump(mode="json", by_alias=True)
    for session in schedule["sessions"]:
        session["date"] = (date.fromisoformat(session["date"]) - START + start).isoformat()
    return document, schedule


@pytest.mark.parametrize(
    ("start", "repeat_until", "location"),
    [
        (date(2027, 1, 4), date(9999, 12, 31), "horizon.repeat_until"),
        (date(2027, 1, 4), date(2127, 1, 5), "horizon.repeat_until"),
        (date(1, 1, 1), None, "horizon.start"),
        (date(1, 1, 1), date(9999, 12, 31), "horizon.start"),
        (date(1969, 12, 29), None, "horizon.start"),
        (date(9999, 12, 27), None, "horizon.start"),
        (date(9990, 12, 31), None, "horizon.start"),
    ],
)
@pytest.mark.parametrize("tzid", ["Australia/Sydney", "America/New_York", "UTC"])
def test_dates_the_feeds_cannot_carry_are_a_located_date_range_error(
    start: date, repeat_until: date | None, location: str, tzid: str
) -> None:
    document, schedule = _redated(start, repeat_until, tzid)
    with pytest.raises(DateRangeError) as raised:
        _render(document, schedule)
    assert raised.value.location == location
    assert location in str(raised.value)


@pytest.mark.parametrize(
    ("start", "repeat_until"),
    [
        (date(1970, 1, 5), date(1970, 3, 30)),
        (date(9990, 12, 24), LAST_DATE),
        (date(2027, 1, 4), date(2027, 1, 4) + timedelta(days=36524)),
    ],
)
@pytest.mark.parametrize("tzid", ["Australia/Sydney", "America/New_York", "Pacific/Kiritimati"])
def test_dates_at_the_ends_of_the_range_publish_every_occurrence(
    start: date, repeat_until: date, tzid: str
) -> None:
    document, schedule = _redated(start, repeat_until, tzid)
    feeds = _render(document, schedule).feeds
    sessions = audience_sessions(document, read_schedule(schedule), "client-amy")
    expected = [o for o in expected_occurrences(document, sessions) if o.start.year == start.year]
    found = expand_with_recurring_ical_events(feeds["client-amy"], start, date(start.year, 12, 31))
    assert found == expected


def test_a_vtimezone_outside_its_years_is_a_date_range_error() -> None:
    for years in (range(1, 2), range(2027, 10000)):
        with pytest.raises(DateRangeError):
            vtimezone("Australia/Sydney", years)


def test_redated_schedules_are_still_the_test_schedule() -> None:
    # The helper only moves dates: same sessions, same feeds as the unmoved schedule.
    document, schedule = _redated(START, date(2027, 12, 20), "Europe/London")
    reference = scenario_doc("Europe/London", exclude_dates=[])
    assert _render(document, copy.deepcopy(schedule)).feeds == _render(reference).feeds
