"""Golden feeds: real ``.ics`` files under ``tests/data/calendar/`` that rendering must reproduce exactly.

Each case directory holds the inputs (``scenario.json``, ``schedule.json``) and the feeds
they render to (``<key>.ics``, with journeys, first published at ``PUBLISHED``). After a
deliberate change to the feeds, regenerate them with
``CAREPATTERN_REGENERATE_FEEDS=1 .venv/bin/python -m pytest tests/test_calendar_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scheduler.calendar import FeedOptions, render_feeds
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from tests.test_calendar_support import (
    REPEAT_UNTIL,
    START,
    audience_sessions,
    expand_with_ical_js,
    expand_with_recurring_ical_events,
    expand_with_vobject,
    expected_occurrences,
    node_with_ical_js,
    scenario_doc,
    schedule_doc,
)

FIXTURES = Path(__file__).resolve().parent / "data" / "calendar"
PUBLISHED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CASES = {
    "lee-london": lambda: (scenario_doc("Europe/London"), schedule_doc()),
    "lee-sydney-fortnightly": lambda: (scenario_doc("Australia/Sydney", weeks=2), schedule_doc(weeks=2)),
}
REGENERATE = os.environ.get("CAREPATTERN_REGENERATE_FEEDS") == "1"


def _inputs(case: str) -> tuple[dict[str, Any], Any]:
    folder = FIXTURES / case
    if REGENERATE:
        document, schedule = CASES[case]()
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(folder / "scenario.json", document)
        _write_json(
            folder / "schedule.json", schedule.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        )
    document = json.loads((folder / "scenario.json").read_text())
    return document, read_schedule(folder / "schedule.json")


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _rendered(case: str) -> dict[str, bytes]:
    document, schedule = _inputs(case)
    feeds = render_feeds(
        load_scenario(document),
        schedule,
        revisions=None,
        revised_at=PUBLISHED,
        options=FeedOptions(travel=True),
    ).feeds
    if REGENERATE:
        for stale in (FIXTURES / case).glob("*.ics"):
            stale.unlink()
        for key, ics in feeds.items():
            (FIXTURES / case / f"{key}.ics").write_bytes(ics)
    return dict(feeds)


def _committed(case: str) -> dict[str, bytes]:
    return {path.stem: path.read_bytes() for path in sorted((FIXTURES / case).glob("*.ics"))}


@pytest.mark.parametrize("case", CASES)
def test_rendering_gives_the_committed_bytes(case: str) -> None:
    rendered, committed = _rendered(case), _committed(case)
    assert sorted(rendered) == sorted(committed)
    for key, ics in rendered.items():
        assert ics == committed[key], f"{case}/{key}.ics differs; regenerate if the change is meant"


@pytest.mark.parametrize("case", CASES)
def test_committed_feeds_expand_to_their_schedule_with_two_python_parsers(case: str) -> None:
    document, schedule = _inputs(case)
    for key, ics in _committed(case).items():
        expected = expected_occurrences(document, audience_sessions(document, schedule, key))
        by_rie = expand_with_recurring_ical_events(ics, START, REPEAT_UNTIL)
        assert [o for o in by_rie if "-travel-" not in o.name] == expected, key
        assert [o for o in expand_with_vobject(ics) if "-travel-" not in o.name] == expected, key


@pytest.mark.node
@pytest.mark.skipif(node_with_ical_js() is None, reason="needs node and node_modules/ical.js (npm ci)")
@pytest.mark.parametrize("case", CASES)
def test_committed_household_feed_expands_with_ical_js(case: str) -> None:
    document, schedule = _inputs(case)
    expected = expected_occurrences(document, audience_sessions(document, schedule, "household-lee"))
    feed = FIXTURES / case / "household-lee.ics"
    found = expand_with_ical_js(feed)[feed]
    assert [o for o in found if "-travel-" not in o.name] == expected
