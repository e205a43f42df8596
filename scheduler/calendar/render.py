"""Writing the feeds: one VCALENDAR per audience, byte-for-byte reproducible.

Rendering is a pure function of the scenario, the schedule, the stored revisions and the
options: no clock is read, so the same inputs give the same bytes. Publishing a new
schedule is two steps, :func:`revise` (the new revision state, to store) then
:func:`render_feed` for each request, or both at once with :func:`render_feeds`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone
from icalendar.prop import vDuration

from scheduler.calendar.content import Audience, audiences, calendar_name, event_text, includes
from scheduler.calendar.errors import NoScheduleError, StaleRevisionsError, UnknownFeedError
from scheduler.calendar.events import FeedEvent, feed_events
from scheduler.calendar.revisions import FeedRevisions, Revision, stale_uids, update_revisions
from scheduler.calendar.vtimezone import WEEKDAY_CODES, vtimezone
from scheduler.clock import date_of
from scheduler.contract.schedule import ScheduleDoc
from scheduler.model import Horizon, Scenario

PRODID = "-//carepattern//Appointment feeds 1.0//EN"
MAX_REMINDER_MINUTES = 1440
"""A reminder comes at most a day before: further ahead it reminds nobody of the day's journey."""


@dataclass(frozen=True)
class FeedOptions:
    """How the feeds are written.

    ``travel``: family feeds also show each journey to and from a session as its own event.
    ``reminder_minutes``: family feeds' events carry a reminder (VALARM) this many minutes
    (0 to :data:`MAX_REMINDER_MINUTES`) before leaving: on each journey that leaves for a
    session, and on each session the feed shows no such journey to (a home visit, or
    without ``travel``); None: no reminders. ``calendar_key``: the right-hand side of UIDs
    (default: a digest of the scenario's time zone, start and appointment ids); pass a
    stable name to keep UIDs across edits of those. ``refresh_interval``: how often
    subscribers should fetch the feed again.
    """

    travel: bool = False
    reminder_minutes: int | None = None
    calendar_key: str | None = None
    refresh_interval: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.refresh_interval <= timedelta(0):
            raise ValueError(f"refresh_interval {self.refresh_interval} is not a positive duration")
        minutes = self.reminder_minutes
        if minutes is not None and not 0 <= minutes <= MAX_REMINDER_MINUTES:
            raise ValueError(f"reminder_minutes {minutes} is not from 0 to {MAX_REMINDER_MINUTES}")


@dataclass(frozen=True)
class FeedSet:
    """Every feed of a schedule by key (``"household-smith"``: ``.ics`` bytes) and the revisions to store."""

    feeds: Mapping[str, bytes]
    revisions: FeedRevisions = field(default_factory=FeedRevisions)


def feed_keys(scenario: Scenario) -> tuple[str, ...]:
    """The keys of every feed of ``scenario``: households, clients, carers, practitioners, venues."""
    return tuple(a.key for a in audiences(scenario))


def revise(
    scenario: Scenario,
    schedule: ScheduleDoc,
    previous: FeedRevisions | None,
    *,
    at: datetime,
    options: FeedOptions | None = None,
) -> FeedRevisions:
    """The revision state after publishing ``schedule`` at ``at`` (aware; the schedule's creation time).

    Events whose time, day, venue or dates changed since ``previous`` get SEQUENCE + 1 and
    ``at`` as DTSTAMP and LAST-MODIFIED; the rest keep theirs. Raises :class:`NoScheduleError`
    for a schedule without a pattern and :class:`scheduler.errors.ScheduleError` for one
    that does not refer to ``scenario``.
    """
    return update_revisions(_events(scenario, schedule, options or FeedOptions()), previous, at)


def render_feed(
    scenario: Scenario,
    schedule: ScheduleDoc,
    key: str,
    *,
    revisions: FeedRevisions,
    options: FeedOptions | None = None,
) -> bytes:
    """The ``.ics`` bytes of the feed ``key`` (see :func:`feed_keys`), with the stored ``revisions``.

    Raises :class:`UnknownFeedError` for a key that names no feed and
    :class:`StaleRevisionsError` when ``revisions`` were not brought up to date with
    :func:`revise` for this schedule.
    """
    options = options or FeedOptions()
    by_key = {a.key: a for a in audiences(scenario)}
    if key not in by_key:
        raise UnknownFeedError(key, by_key)
    events = _events(scenario, schedule, options)
    _check_revisions(events, revisions)
    calendar = _calendar(scenario, by_key[key], events, revisions, options, _vtimezone(scenario.horizon))
    return bytes(calendar.to_ical())


def render_feeds(
    scenario: Scenario,
    schedule: ScheduleDoc,
    *,
    revisions: FeedRevisions | None,
    revised_at: datetime,
    options: FeedOptions | None = None,
) -> FeedSet:
    """Every feed of ``schedule`` and the revision state to store: :func:`revise` then each feed.

    ``revised_at`` (aware) stamps the events that are new or changed since ``revisions``
    (None on the first export).
    """
    options = options or FeedOptions()
    events = _events(scenario, schedule, options)
    updated = update_revisions(events, revisions, revised_at)
    timezone = _vtimezone(scenario.horizon)
    feeds = {
        audience.key: bytes(_calendar(scenario, audience, events, updated, options, timezone).to_ical())
        for audience in audiences(scenario)
    }
    return FeedSet(feeds, updated)


def _events(scenario: Scenario, schedule: ScheduleDoc, options: FeedOptions) -> tuple[FeedEvent, ...]:
    if schedule.status not in ("optimal", "feasible"):
        raise NoScheduleError(schedule.status, schedule.explanation)
    return feed_events(scenario, schedule, options.calendar_key)


def _check_revisions(events: Iterable[FeedEvent], revisions: FeedRevisions) -> None:
    stale = stale_uids(events, revisions)
    if stale:
        raise StaleRevisionsError(stale)


def _vtimezone(horizon: Horizon) -> Timezone:
    """The rule-based VTIMEZONE for every year from the pattern's start to its last repeat."""
    last = horizon.repeat_until or date_of(horizon.start, horizon.weeks - 1, 6)
    return vtimezone(horizon.timezone, range(horizon.start.year, max(last.year, horizon.start.year) + 1))


def _calendar(
    scenario: Scenario,
    audience: Audience,
    events: Iterable[FeedEvent],
    revisions: FeedRevisions,
    options: FeedOptions,
    timezone: Timezone,
) -> Calendar:
    name = calendar_name(scenario, audience)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", scenario.horizon.timezone)
    calendar.add("refresh-interval", vDuration(options.refresh_interval), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(options.refresh_interval))
    calendar.add_component(timezone)
    zone = ZoneInfo(scenario.horizon.timezone)
    chosen = sorted(
        (e for e in events if includes(scenario, audience, e, options.travel)),
        key=lambda e: (e.recurrence.first, e.end, e.uid),
    )
    reminded = _reminded(audience, chosen) if options.reminder_minutes is not None else set()
    for event in chosen:
        vevent = _vevent(scenario, audience, event, revisions.events[event.uid], zone)
        if options.reminder_minutes is not None and event.uid in reminded:
            vevent.add_component(_alarm(str(vevent["SUMMARY"]), options.reminder_minutes))
        calendar.add_component(vevent)
    return calendar


def _reminded(audience: Audience, events: Sequence[FeedEvent]) -> set[str]:
    """UIDs of the events of a family feed that remind: each journey leaving for a session, and
    each session (or companion's stop) that the feed shows no such journey to."""
    if not audience.is_family:
        return set()
    journeys = [e for e in events if e.leg is not None and e.leg.direction == "to"]
    reached = {e.session for e in journeys}
    stays = [e for e in events if e.leg is None and e.session not in reached]
    return {e.uid for e in (*journeys, *stays)}


def _alarm(summary: str, minutes: int) -> Alarm:
    """A display reminder ``minutes`` before the event starts, with the event's summary as its text."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -timedelta(minutes=minutes))
    return alarm


def _vevent(
    scenario: Scenario, audience: Audience, event: FeedEvent, revision: Revision, zone: ZoneInfo
) -> Event:
    text = event_text(scenario, audience, event)
    recurrence = event.recurrence
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", revision.modified)
    vevent.add("last-modified", revision.modified)
    vevent.add("sequence", revision.sequence)
    vevent.add("dtstart", recurrence.first.replace(tzinfo=zone))
    vevent.add("dtend", (recurrence.first + timedelta(minutes=event.end - event.start)).replace(tzinfo=zone))
    if recurrence.repeats:
        vevent.add(
            "rrule",
            _weekly_rule(recurrence.first, recurrence.last.replace(tzinfo=zone), recurrence.interval_weeks),
        )
    for excluded in recurrence.excluded:
        vevent.add("exdate", excluded.replace(tzinfo=zone))
    vevent.add("summary", text.summary)
    vevent.add("description", text.description)
    vevent.add("location", text.location)
    if text.geo is not None:
        vevent.add("geo", text.geo)
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def _weekly_rule(first: datetime, last: datetime, interval: int) -> dict[str, object]:
    """``FREQ=WEEKLY[;INTERVAL=2];BYDAY=..;UNTIL=<last start in UTC>``."""
    rule: dict[str, object] = {"freq": "weekly"}
    if interval > 1:
        rule["interval"] = interval
    rule["byday"] = WEEKDAY_CODES[first.weekday()]
    rule["until"] = last.astimezone(UTC)
    return rule
