"""Feeds of a version-2 household: who comes along, journeys made together, going home between
stops, and reminders before leaving, read back with real parsers.

The inputs are the hand-made Hughes pattern of ``tests/data/households/`` that goes home
between stops on Wednesday (Mum takes Poppy to the health visitor, comes home for Poppy's
nap, then takes Alfie to occupational therapy with Poppy coming along). Its feeds, with
journeys and a 15-minute reminder, are committed under ``tests/data/calendar/hughes-going-home/``;
after a deliberate change regenerate them with
``CAREPATTERN_REGENERATE_FEEDS=1 .venv/bin/python -m pytest tests/test_calendar_households.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import recurring_ical_events
from icalendar import Calendar

from scheduler.calendar import FeedOptions, FeedRevisions, render_feeds
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from tests.solver_support import solve_checked
from tests.test_calendar_support import ROOT, expand_with_ical_js, node_with_ical_js

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = DATA / "households"
GOLDEN = DATA / "calendar" / "hughes-going-home"
PUBLISHED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 9, 18, 30, tzinfo=UTC)
OPTIONS = FeedOptions(travel=True, reminder_minutes=15)
WEDNESDAY, FRIDAY = date(2027, 1, 6), date(2027, 1, 8)
FIRST, LAST = date(2027, 1, 4), date(2027, 3, 26)
WEEKS = 11
"""Weeks the feeds show: 2027-01-04 to 2027-03-26, less half term (15-19 February)."""
BUS = "by public transport"
REGENERATE = os.environ.get("CAREPATTERN_REGENERATE_FEEDS") == "1"


def _feeds(
    schedule: str = "schedule-going-home.json",
    options: FeedOptions = OPTIONS,
    revisions: FeedRevisions | None = None,
    at: datetime = PUBLISHED,
) -> dict[str, bytes]:
    scenario = load_scenario(EXAMPLE / "scenario.json")
    rendered = render_feeds(
        scenario, read_schedule(EXAMPLE / schedule), revisions=revisions, revised_at=at, options=options
    )
    return dict(rendered.feeds)


def _events(ics: bytes) -> list[Any]:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def _day(ics: bytes, day: date) -> list[tuple[str, str]]:
    """The feed's occurrences on ``day`` as recurring-ical-events expands them: (start, summary)."""
    found = recurring_ical_events.of(Calendar.from_ical(ics)).at(day)
    return sorted((e["DTSTART"].dt.strftime("%H:%M"), str(e["SUMMARY"])) for e in found)


def _summary(ics: bytes, text: str) -> Any:
    (event,) = [e for e in _events(ics) if str(e["SUMMARY"]) == text]
    return event


def test_rendering_gives_the_committed_bytes() -> None:
    feeds = _feeds()
    if REGENERATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for stale in GOLDEN.glob("*.ics"):
            stale.unlink()
        for key, ics in feeds.items():
            (GOLDEN / f"{key}.ics").write_bytes(ics)
    committed = {path.stem: path.read_bytes() for path in sorted(GOLDEN.glob("*.ics"))}
    assert sorted(feeds) == sorted(committed)
    for key, ics in feeds.items():
        assert ics == committed[key], f"{key}.ics differs; regenerate if the change is meant"


def test_the_same_inputs_give_the_same_bytes_and_publishing_again_changes_nothing() -> None:
    scenario = load_scenario(EXAMPLE / "scenario.json")
    schedule = read_schedule(EXAMPLE / "schedule-going-home.json")
    first = render_feeds(scenario, schedule, revisions=None, revised_at=PUBLISHED, options=OPTIONS)
    assert dict(first.feeds) == _feeds()
    again = _feeds(revisions=first.revisions, at=LATER)
    assert again == dict(first.feeds)


def test_the_household_feed_shows_each_journey_made_together_once_and_who_comes_along() -> None:
    household = _feeds()["household-hughes"]
    assert _day(household, WEDNESDAY) == [
        ("13:47", f"Mum and Poppy: Leave home for Croyland Family Hub, 3 min {BUS}"),
        ("13:50", "Health visitor: weighing and feeding support – Poppy"),
        ("14:20", f"Mum and Poppy: Leave Croyland Family Hub for home, 3 min {BUS}"),
        ("16:09", f"Mum, Alfie and Poppy: Leave home for Nene Child Development Centre, 6 min {BUS}"),
        ("16:15", "Occupational therapy – Alfie (Poppy comes along)"),
        ("17:00", f"Mum, Alfie and Poppy: Leave Nene Child Development Centre for home, 6 min {BUS}"),
    ]
    session = _summary(household, "Occupational therapy – Alfie (Poppy comes along)")
    assert str(session["DESCRIPTION"]).splitlines()[3:] == [
        "Escort: Mum",
        "Poppy comes along with Mum",
        "Bring: Seating insert and writing slope",
    ]
    # Alfie is in school already: only Mum travels to his physiotherapy there.
    assert _day(household, FRIDAY) == [
        ("09:54", f"Mum: Leave home for Castlefields Primary School, 6 min {BUS}"),
        ("10:00", "Physiotherapy – Alfie"),
        ("10:45", f"Mum: Leave Castlefields Primary School for home, 6 min {BUS}"),
    ]


def test_each_persons_feed_names_who_they_travel_with() -> None:
    feeds = _feeds()
    assert _day(feeds["client-poppy"], WEDNESDAY) == [
        ("13:47", f"Leave home for Croyland Family Hub with Mum, 3 min {BUS}"),
        ("13:50", "Health visitor: weighing and feeding support – Poppy"),
        ("14:20", f"Leave Croyland Family Hub for home with Mum, 3 min {BUS}"),
        ("16:09", f"Leave home for Nene Child Development Centre with Mum and Alfie, 6 min {BUS}"),
        ("16:15", "Coming along with Mum: Occupational therapy – Alfie"),
        ("17:00", f"Leave Nene Child Development Centre for home with Mum and Alfie, 6 min {BUS}"),
    ]
    assert [summary for _, summary in _day(feeds["carer-mum"], WEDNESDAY)] == [
        f"Leave home for Croyland Family Hub with Poppy, 3 min {BUS}",
        "Health visitor: weighing and feeding support – Poppy",
        f"Leave Croyland Family Hub for home with Poppy, 3 min {BUS}",
        f"Leave home for Nene Child Development Centre with Alfie and Poppy, 6 min {BUS}",
        "Occupational therapy – Alfie (Poppy comes along)",
        f"Leave Nene Child Development Centre for home with Alfie and Poppy, 6 min {BUS}",
    ]
    along = _summary(feeds["client-poppy"], "Coming along with Mum: Occupational therapy – Alfie")
    assert str(along["DESCRIPTION"]).splitlines() == [
        "Poppy comes along with Mum to Occupational therapy for Alfie",
        "Where: Nene Child Development Centre, Irthlingborough Road, Wellingborough NN8 1LP",
    ]
    assert str(along["UID"]).startswith("alfie-ot-1-along-poppy@")


def test_a_companions_stop_recurs_with_the_session_and_stays_out_of_other_feeds() -> None:
    feeds = _feeds()

    def dates(ics: bytes, summary: str) -> list[date]:
        found = recurring_ical_events.of(Calendar.from_ical(ics)).between(FIRST, LAST + timedelta(days=1))
        return sorted(e["DTSTART"].dt.date() for e in found if str(e["SUMMARY"]) == summary)

    session = dates(feeds["household-hughes"], "Occupational therapy – Alfie (Poppy comes along)")
    assert len(session) == WEEKS
    assert dates(feeds["client-poppy"], "Coming along with Mum: Occupational therapy – Alfie") == session
    for key, ics in feeds.items():
        if key != "client-poppy":
            assert not any("-along-" in str(e["UID"]) for e in _events(ics)), key
    for key in ("practitioner-ot-grace", "venue-cdc-nene"):
        assert b"Poppy" not in feeds[key], key


def test_every_event_of_every_feed_recurs_each_week_but_half_term() -> None:
    empty = set()
    for key, ics in _feeds().items():
        found = recurring_ical_events.of(Calendar.from_ical(ics)).between(FIRST, LAST + timedelta(days=1))
        per_uid: dict[str, int] = {}
        for event in found:
            per_uid[str(event["UID"])] = per_uid.get(str(event["UID"]), 0) + 1
        assert set(per_uid.values()) <= {WEEKS}, key
        if not per_uid:
            empty.add(key)
    assert empty == {"carer-dad", "venue-nursery-acorns"}  # Dad escorts nothing; nothing is held at nursery


def _alarms(ics: bytes) -> dict[str, list[Any]]:
    return {str(e["SUMMARY"]): e.walk("VALARM") for e in _events(ics) if e.walk("VALARM")}


def test_a_reminder_comes_before_leaving_or_before_a_session_reached_without_a_journey() -> None:
    feeds = _feeds()
    assert sorted(_alarms(feeds["household-hughes"])) == [
        f"Mum and Poppy: Leave home for Croyland Family Hub, 3 min {BUS}",
        f"Mum, Alfie and Poppy: Leave home for Nene Child Development Centre, 6 min {BUS}",
        f"Mum: Leave home for Castlefields Primary School, 6 min {BUS}",
    ]
    assert sorted(_alarms(feeds["client-alfie"])) == [
        f"Leave home for Nene Child Development Centre with Mum and Poppy, 6 min {BUS}",
        "Physiotherapy – Alfie",  # he is in school: no journey of his to remind of
    ]
    for key, ics in feeds.items():
        for summary, alarms in _alarms(ics).items():
            (alarm,) = alarms
            assert str(alarm["ACTION"]) == "DISPLAY"
            assert str(alarm["DESCRIPTION"]) == summary
            assert alarm["TRIGGER"].dt == timedelta(minutes=-15)
            assert "RELATED" not in alarm["TRIGGER"].params, key
        assert key.split("-")[0] in ("household", "client", "carer") or b"VALARM" not in ics, key


def test_without_journeys_the_sessions_remind_and_without_minutes_nothing_does() -> None:
    sessions_only = _feeds(options=FeedOptions(reminder_minutes=90))["household-hughes"]
    assert {summary: alarms[0]["TRIGGER"].dt for summary, alarms in _alarms(sessions_only).items()} == {
        "Health visitor: weighing and feeding support – Poppy": timedelta(minutes=-90),
        "Occupational therapy – Alfie (Poppy comes along)": timedelta(minutes=-90),
        "Physiotherapy – Alfie": timedelta(minutes=-90),
    }
    assert b"TRIGGER:-PT1H30M\r\n" in sessions_only
    assert all(b"VALARM" not in ics for ics in _feeds(options=FeedOptions(travel=True)).values())
    at_the_time = _feeds(options=FeedOptions(reminder_minutes=0))["client-poppy"]
    assert {alarms[0]["TRIGGER"].dt for alarms in _alarms(at_the_time).values()} == {timedelta(0)}


@pytest.mark.parametrize("minutes", [-1, 1441])
def test_a_reminder_outside_a_day_before_is_refused(minutes: int) -> None:
    with pytest.raises(ValueError, match=f"reminder_minutes {minutes} is not from 0 to 1440"):
        FeedOptions(reminder_minutes=minutes)


def test_the_school_run_and_the_afternoon_at_home_have_no_journey_event() -> None:
    # schedule.json: Alfie comes home from school at 15:15 (the family's own arrangement),
    # rests, and leaves again at 16:09 with Mum and Poppy.
    alfie = _feeds("schedule.json")["client-alfie"]
    assert _day(alfie, WEDNESDAY) == [
        ("16:09", f"Leave home for Nene Child Development Centre with Mum and Poppy, 6 min {BUS}"),
        ("16:15", "Occupational therapy – Alfie (Poppy comes along)"),
        ("17:00", f"Leave Nene Child Development Centre for home with Mum and Poppy, 6 min {BUS}"),
    ]


@pytest.mark.node
@pytest.mark.skipif(node_with_ical_js() is None, reason="needs node and node_modules/ical.js (npm ci)")
def test_ical_js_reads_the_committed_household_and_companion_feeds() -> None:
    paths = [GOLDEN / "household-hughes.ics", GOLDEN / "client-poppy.ics"]
    expanded = expand_with_ical_js(*paths)
    for path in paths:
        by_rie = recurring_ical_events.of(Calendar.from_ical(path.read_bytes())).between(
            FIRST, LAST + timedelta(days=1)
        )
        expected = sorted((str(e["UID"]).split("@")[0], e["DTSTART"].dt.astimezone(UTC)) for e in by_rie)
        assert sorted((o.name, o.utc) for o in expanded[path]) == expected, path.name


def test_the_household_examples_feeds_show_no_supervised_child_travelling_without_a_carer() -> None:
    # The solved pattern brings Alfie home from school for home visits: that is the school run,
    # which the plan does not arrange, not a bus journey of his alone.
    document = json.loads((ROOT / "data" / "household.json").read_text(encoding="utf-8"))
    scenario = load_scenario(document)
    solved = solve_checked(document, time_limit=10)
    feeds = render_feeds(scenario, solved.doc, revisions=None, revised_at=PUBLISHED, options=OPTIONS).feeds
    carers = [c.name for c in scenario.carers]
    supervised = [c.name for c in scenario.clients if c.supervision != "none"]
    summaries = [str(e["SUMMARY"]) for e in _events(feeds["household-hughes"])]
    journeys = [summary for summary in summaries if ": Leave " in summary]
    assert journeys
    for summary in journeys:
        party = summary.split(": Leave ")[0]
        if any(name in party for name in supervised):
            assert any(name in party for name in carers), summary
