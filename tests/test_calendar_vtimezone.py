"""The rule-based VTIMEZONE: its rules, evaluated on their own and by ical.js, give zoneinfo's offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from scheduler.calendar import TimezoneRuleError, vtimezone
from tests.test_calendar_support import expand_with_ical_js, node_with_ical_js, offset_at, vtimezone_onsets

YEARS = range(2027, 2029)
ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata")
DST_ZONES = ZONES[:3]


def _calendar_with(tzid: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//carepattern tests//EN")
    calendar.add("version", "2.0")
    calendar.add_component(vtimezone(tzid, YEARS))
    return bytes(calendar.to_ical())


def _hours(years: range) -> list[datetime]:
    first = datetime(years.start, 1, 1, tzinfo=UTC)
    return [
        first + timedelta(hours=h)
        for h in range(int((datetime(years.stop, 1, 1, tzinfo=UTC) - first) / timedelta(hours=1)))
    ]


@pytest.mark.parametrize("tzid", ZONES)
def test_rules_give_zoneinfo_offsets_every_hour_of_two_years(tzid: str) -> None:
    onsets = vtimezone_onsets(_calendar_with(tzid), tzid, YEARS.stop - 1)
    zone = ZoneInfo(tzid)
    wrong = [t for t in _hours(YEARS) if offset_at(onsets, t) != t.astimezone(zone).utcoffset()]
    assert wrong == []


@pytest.mark.parametrize("tzid", DST_ZONES)
def test_one_standard_and_one_daylight_block_with_yearly_rules_and_no_rdates(tzid: str) -> None:
    (component,) = Calendar.from_ical(_calendar_with(tzid)).walk("VTIMEZONE")
    blocks = {block.name: block for block in component.subcomponents}
    assert sorted(blocks) == ["DAYLIGHT", "STANDARD"]
    for block in blocks.values():
        assert "RDATE" not in block
        rule = block["RRULE"]
        assert rule["FREQ"] == ["YEARLY"]
        assert len(rule["BYMONTH"]) == 1
        assert len(rule["BYDAY"]) == 1
    assert blocks["DAYLIGHT"]["TZOFFSETTO"].td > blocks["STANDARD"]["TZOFFSETTO"].td


@pytest.mark.parametrize(
    ("tzid", "daylight_rule", "standard_rule"),
    [
        ("Europe/London", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
        ("America/New_York", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
        ("Australia/Sydney", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"),
    ],
)
def test_rules_are_the_published_ones(tzid: str, daylight_rule: str, standard_rule: str) -> None:
    (component,) = Calendar.from_ical(_calendar_with(tzid)).walk("VTIMEZONE")
    rules = {block.name: block["RRULE"].to_ical().decode() for block in component.subcomponents}
    assert rules == {"DAYLIGHT": daylight_rule, "STANDARD": standard_rule}


def test_zone_without_clock_changes_has_one_standard_block() -> None:
    (component,) = Calendar.from_ical(_calendar_with("Asia/Kolkata")).walk("VTIMEZONE")
    (block,) = component.subcomponents
    assert block.name == "STANDARD"
    assert "RRULE" not in block
    assert block["TZOFFSETFROM"].td == block["TZOFFSETTO"].td == timedelta(hours=5, minutes=30)


def test_zone_that_stopped_changing_its_clocks_is_refused_with_its_changes() -> None:
    with pytest.raises(TimezoneRuleError) as raised:
        vtimezone("America/Sao_Paulo", range(2019, 2020))
    assert raised.value.tzid == "America/Sao_Paulo"
    assert raised.value.transitions == (datetime(2019, 2, 17, 2, tzinfo=UTC),)
    assert "twice a year" in str(raised.value)


def test_clock_changes_without_a_weekday_rule_are_refused() -> None:
    with pytest.raises(TimezoneRuleError, match="no weekday-of-month rule") as raised:
        vtimezone("Africa/Casablanca", range(2027, 2029))
    assert len(raised.value.transitions) == 4


@pytest.mark.node
@pytest.mark.skipif(node_with_ical_js() is None, reason="needs node and node_modules/ical.js (npm ci)")
@pytest.mark.parametrize("tzid", ZONES)
def test_ical_js_reads_the_vtimezone_as_zoneinfo_every_day_of_two_years(tzid: str, tmp_path: Path) -> None:
    """A daily event at 12:00 local for two years: ical.js's UTC instants come from the VTIMEZONE alone."""
    zone = ZoneInfo(tzid)
    calendar = Calendar.from_ical(_calendar_with(tzid))
    event = Event()
    event.add("uid", "noon@tests")
    event.add("dtstamp", datetime(2027, 1, 1, tzinfo=UTC))
    event.add("dtstart", datetime(2027, 1, 1, 12, tzinfo=zone))
    event.add("dtend", datetime(2027, 1, 1, 13, tzinfo=zone))
    event.add("rrule", {"freq": "daily", "count": 731})
    calendar.add_component(event)
    path = tmp_path / "noon.ics"
    path.write_bytes(calendar.to_ical())
    occurrences = expand_with_ical_js(path)[path]
    assert len(occurrences) == 731
    assert [o.utc for o in occurrences] == [o.start.replace(tzinfo=zone).astimezone(UTC) for o in occurrences]
    assert {o.start.hour for o in occurrences} == {12}
