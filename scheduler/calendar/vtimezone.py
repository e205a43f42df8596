"""Rule-based VTIMEZONE components, written from the zoneinfo database.

``icalendar``'s ``Calendar.add_missing_timezones()`` writes a VTIMEZONE as a list of RDATEs
(one per clock change). Outlook and ical.js (Thunderbird) mis-read those, so the feeds carry
the classic form every client understands: one STANDARD and one DAYLIGHT block, each with a
yearly RRULE (``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU``), or a single STANDARD block for a zone
without clock changes. The rules are derived from the zone's actual clock changes in the
years the feed covers and checked against every one of them, so a zone whose changes do
not follow a "n-th (or last) weekday of a month" rule raises :class:`TimezoneRuleError`
instead of publishing wrong times.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from scheduler.calendar.errors import DateRangeError, TimezoneRuleError

RULE_EPOCH = 1970
"""Year of each rule block's DTSTART, as Outlook and most publishers write it."""

DISAMBIGUATION_YEARS = 7
"""Years after the feed used to tell "4th Sunday" from "last Sunday" (7 weekday alignments)."""

LAST_YEAR = 9990
"""The last year a VTIMEZONE is written for: the years read after it, and a time in UTC,
stay inside the dates Python can represent."""

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LAST = -1


@dataclass(frozen=True)
class Transition:
    """One clock change: the UTC instant, the offsets before and after, the name after."""

    utc: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str

    @property
    def is_daylight(self) -> bool:
        """True for the change to the larger offset (summer time)."""
        return self.offset_to > self.offset_from

    @property
    def local(self) -> datetime:
        """The naive wall-clock time of the change, read on the clock before it."""
        return (self.utc + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True, order=True)
class YearlyRule:
    """A clock change on the ``nth`` (``LAST`` = -1) ``weekday`` of ``month`` at ``at`` local time."""

    month: int
    nth: int
    weekday: int
    at: time
    offset_from: timedelta
    offset_to: timedelta
    name: str

    @property
    def is_daylight(self) -> bool:
        """True for the change to the larger offset (summer time)."""
        return self.offset_to > self.offset_from

    def date_in(self, year: int) -> date:
        """The date of the change in ``year``."""
        first_weekday, days_in_month = gregorian.monthrange(year, self.month)
        first = 1 + (self.weekday - first_weekday) % 7
        day = first + 7 * (self.nth - 1) if self.nth != LAST else first + 7 * ((days_in_month - first) // 7)
        return date(year, self.month, day)

    def onset_in(self, year: int) -> datetime:
        """The naive local wall-clock time of the change in ``year``."""
        return datetime.combine(self.date_in(year), self.at)

    def by_day(self) -> str:
        """The RRULE ``BYDAY`` value: ``"-1SU"``, ``"2SU"``."""
        return f"{self.nth}{WEEKDAY_CODES[self.weekday]}"


def vtimezone(tzid: str, years: range) -> Timezone:
    """The rule-based VTIMEZONE of IANA zone ``tzid``, exact for every clock change in ``years``.

    Raises :class:`TimezoneRuleError` when the zone's changes in ``years`` cannot be written
    as one yearly STANDARD and one yearly DAYLIGHT rule, :class:`DateRangeError` for years
    outside :data:`RULE_EPOCH` to :data:`LAST_YEAR`.
    """
    for year in (years.start, years.stop - 1):
        if not RULE_EPOCH <= year <= LAST_YEAR:
            raise DateRangeError(
                "years", date(year, 1, 1), f"a VTIMEZONE covers years {RULE_EPOCH} to {LAST_YEAR}"
            )
    zone = ZoneInfo(tzid)
    component = Timezone()
    component.add("tzid", tzid)
    rules = yearly_rules(zone, tzid, years)
    if not rules:
        component.add_component(_fixed_block(zone, years.start))
    for rule in rules:
        component.add_component(_rule_block(rule))
    return component


def yearly_rules(zone: ZoneInfo, tzid: str, years: range) -> tuple[YearlyRule, ...]:
    """The zone's two yearly rules (standard first), or ``()`` when its clock never changes in ``years``."""
    changes = {year: transitions_in(zone, year) for year in years}
    everything = [t for year in years for t in changes[year]]
    if not everything:
        return ()
    if any(sorted(t.is_daylight for t in changes[year]) != [False, True] for year in years):
        raise TimezoneRuleError(
            tzid, years, (t.utc for t in everything), "the clocks do not change twice a year"
        )
    rules = []
    for daylight in (False, True):
        candidates = _shared_candidates([t for t in everything if t.is_daylight == daylight])
        if not candidates:
            raise TimezoneRuleError(
                tzid, years, (t.utc for t in everything), "the clock changes follow no weekday-of-month rule"
            )
        rules.append(_narrowed(zone, candidates, years.stop, daylight))
    return tuple(rules)


def transitions_in(zone: ZoneInfo, year: int) -> list[Transition]:
    """The zone's clock changes whose local date (on the clock before the change) falls in ``year``."""
    found = []
    moment = datetime(year - 1, 12, 31, tzinfo=UTC)
    end = datetime(year + 1, 1, 2, tzinfo=UTC)
    while moment < end:
        after = moment + timedelta(days=1)
        if _offset(zone, moment) != _offset(zone, after):
            change = _find_change(zone, moment, after)
            if change.local.year == year:
                found.append(change)
        moment = after
    return found


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _find_change(zone: ZoneInfo, before: datetime, after: datetime) -> Transition:
    """The first minute in ``(before, after]`` with ``after``'s offset, by bisection."""
    low, high = before, after
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            middle = low + timedelta(minutes=1)
        if _offset(zone, middle) == _offset(zone, low):
            low = middle
        else:
            high = middle
    local = high.astimezone(zone)
    return Transition(high, _offset(zone, low), _offset(zone, high), local.tzname() or "")


def _candidates(change: Transition) -> set[YearlyRule]:
    """Every weekday-of-month rule that puts a change on ``change``'s local date and time."""
    local = change.local
    days_in_month = gregorian.monthrange(local.year, local.month)[1]
    orders = {LAST} if local.day + 7 > days_in_month else set()
    if local.day <= 28:
        orders.add((local.day - 1) // 7 + 1)
    return {
        YearlyRule(
            local.month, nth, local.weekday(), local.time(), change.offset_from, change.offset_to, change.name
        )
        for nth in orders
    }


def _shared_candidates(changes: list[Transition]) -> set[YearlyRule]:
    """The rules that fit every one of ``changes``."""
    shared = _candidates(changes[0])
    for change in changes[1:]:
        shared &= _candidates(change)
    return shared


def _narrowed(zone: ZoneInfo, candidates: set[YearlyRule], after_year: int, daylight: bool) -> YearlyRule:
    """One rule of ``candidates``, narrowed by the zone's changes in the years after the feed.

    Every candidate is exact for the feed's years; later years only choose among them
    (stopping where none fits any more). If several remain, "last weekday" wins.
    """
    for year in range(after_year, after_year + DISAMBIGUATION_YEARS):
        if len(candidates) == 1:
            break
        later = [t for t in transitions_in(zone, year) if t.is_daylight == daylight]
        narrower = candidates & _shared_candidates(later) if later else set()
        if not narrower:
            break
        candidates = narrower
    return min(candidates)


def _rule_block(rule: YearlyRule) -> TimezoneStandard | TimezoneDaylight:
    block = TimezoneDaylight() if rule.is_daylight else TimezoneStandard()
    block.add("tzname", rule.name)
    block.add("tzoffsetfrom", rule.offset_from)
    block.add("tzoffsetto", rule.offset_to)
    block.add("dtstart", rule.onset_in(RULE_EPOCH))
    block.add("rrule", {"freq": "yearly", "bymonth": rule.month, "byday": rule.by_day()})
    return block


def _fixed_block(zone: ZoneInfo, year: int) -> TimezoneStandard:
    noon = datetime(year, 1, 1, 12, tzinfo=UTC).astimezone(zone)
    offset = noon.utcoffset()
    assert offset is not None
    block = TimezoneStandard()
    block.add("tzname", noon.tzname() or "")
    block.add("tzoffsetfrom", offset)
    block.add("tzoffsetto", offset)
    block.add("dtstart", datetime(RULE_EPOCH, 1, 1))
    return block
