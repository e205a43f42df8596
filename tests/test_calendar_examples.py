"""Every example in ``data/`` publishes feeds whose occurrences are exactly its schedule's sessions.

The schedule is today's bookings of the example (always available) and, when the solver
is installed, a solved one. Every feed is checked over the example's own horizon; the
example is also stretched to a year of repeats, so that the feeds cross both clock
changes, and its household feeds (which hold every session) are checked over that year.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scheduler.calendar import FeedOptions, render_feeds
from scheduler.contract.schedule import ScheduleDoc
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.schedule import read_schedule, session_to_doc, sessions_from_bookings
from tests.test_calendar_support import (
    ROOT,
    audience_sessions,
    expand_with_ical_js,
    expand_with_recurring_ical_events,
    expand_with_vobject,
    expected_occurrences,
    horizon_dates,
    node_with_ical_js,
)

EXAMPLES = sorted((ROOT / "data").glob("*.json"))
PUBLISHED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SOLVER_SECONDS = 5.0
SOLVER_MAX_APPOINTMENTS = 20
"""Larger examples are the solver's own benchmarks: their stored patterns (``data/known-good``) stand in."""


def _document(path: Path, span: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    if span == "a-year":
        start = date.fromisoformat(document["horizon"]["start"])
        document["horizon"]["repeat_until"] = (start + timedelta(weeks=52)).isoformat()
    return document


def _from_bookings(scenario: Scenario) -> ScheduleDoc:
    sessions = [session_to_doc(scenario, s) for s in sessions_from_bookings(scenario)]
    return ScheduleDoc(status="feasible", sessions=sessions)


def _check_with_two_parsers(document: dict[str, Any], schedule: ScheduleDoc, span: str) -> dict[str, bytes]:
    """Render every feed; expand all of them (or, over a year, the household ones) with two parsers."""
    feeds = render_feeds(load_scenario(document), schedule, revisions=None, revised_at=PUBLISHED).feeds
    first, last = horizon_dates(document)
    for key, ics in feeds.items():
        if span == "a-year" and not key.startswith("household-"):
            continue
        expected = expected_occurrences(document, audience_sessions(document, schedule, key))
        assert expand_with_recurring_ical_events(ics, first, last) == expected, key
        assert expand_with_vobject(ics) == expected, key
    return dict(feeds)


@pytest.mark.parametrize("span", ["as-given", "a-year"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_feeds_of_todays_bookings_match_them(path: Path, span: str) -> None:
    document = _document(path, span)
    schedule = _from_bookings(load_scenario(document))
    assert schedule.sessions, f"{path.name} has no current bookings to publish"
    _check_with_two_parsers(document, schedule, span)


@pytest.mark.node
@pytest.mark.skipif(node_with_ical_js() is None, reason="needs node and node_modules/ical.js (npm ci)")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_ical_js_reads_a_year_of_todays_bookings_at_zoneinfo_instants(path: Path, tmp_path: Path) -> None:
    document = _document(path, "a-year")
    schedule = _from_bookings(load_scenario(document))
    feeds = render_feeds(load_scenario(document), schedule, revisions=None, revised_at=PUBLISHED).feeds
    households = {key: tmp_path / f"{key}.ics" for key in feeds if key.startswith("household-")}
    for key, path in households.items():
        path.write_bytes(feeds[key])
    expanded = expand_with_ical_js(*households.values())
    for key, path in households.items():
        expected = expected_occurrences(document, audience_sessions(document, schedule, key))
        assert expanded[path] == expected, key


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_feeds_of_a_solved_schedule_match_it(path: Path) -> None:
    solver = pytest.importorskip("scheduler.solver")
    document = _document(path, "a-year")
    scenario = load_scenario(document)
    if len(document["appointments"]) > SOLVER_MAX_APPOINTMENTS:
        # Solving it is the benchmark's job: its stored rule-keeping pattern stands in.
        schedule = read_schedule(ROOT / "data" / "known-good" / f"{path.stem}.schedule.json")
    else:
        result = solver.solve(scenario, time_limit=SOLVER_SECONDS, workers=2)
        assert result.has_schedule, f"{path.name}: no pattern ({result.status}) in {SOLVER_SECONDS} s"
        schedule = result.to_doc(scenario)
    feeds = _check_with_two_parsers(document, schedule, "a-year")
    travel = render_feeds(
        scenario,
        schedule,
        revisions=None,
        revised_at=PUBLISHED,
        options=FeedOptions(travel=True),
    ).feeds
    assert set(travel) == set(feeds)
