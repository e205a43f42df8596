"""Publishing a schedule: render every feed of its scenario and store the bytes behind stable URLs.

A scenario has at most one active feed per key (``household-smith``, ``practitioner-slt-ana``
...). Publishing renders all of them with the scenario's stored revision state, so a feed
URL issued before keeps serving the newest pattern with the same UIDs and a higher
SEQUENCE where an event changed. Keys seen for the first time (or whose feed was revoked)
get a new URL; a key that the new schedule no longer has serves an empty calendar.
Rendering (:func:`render`) reads no database and may take a while for a long horizon, so
it runs before the write transaction that stores the result (:func:`store`); a store
finds out when another publish of the scenario came in between.

A feed's ETag is made the way nginx makes one for a static file, from its Last-Modified and
its length (:func:`etag_of`), so that a proxy serving the feed's static file
(:mod:`api.static_feeds`) answers with the app's own validators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Feed, Scenario, Schedule, utcnow
from api.schemas import PublishOptions
from api.security import digest, new_secret
from scheduler.calendar import FeedOptions, FeedRevisions, render_feeds
from scheduler.calendar.render import PRODID
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule


@dataclass(frozen=True)
class PublishedFeed:
    """A feed after publishing: its row, its URL token when newly issued, and whether it changed."""

    feed: Feed
    token: str | None
    changed: bool


def etag_of(content: bytes, last_modified: datetime) -> str:
    """A feed's strong validator, without quotes: hex Unix seconds of its Last-Modified, ``-``, hex length.

    It is nginx's ETag of a static file modified at ``last_modified``. It is strong because a
    feed's Last-Modified moves on by at least a second whenever its bytes change (:func:`store`).
    """
    return f"{int(last_modified.timestamp()):x}-{len(content):x}"


def feed_kind(key: str) -> str:
    """``"practitioner-slt-ana"`` -> ``"practitioner"``."""
    return key.split("-", 1)[0]


@dataclass(frozen=True)
class Rendering:
    """Every feed of a schedule's scenario, rendered from the calendar state ``based_on``."""

    schedule_id: str
    scenario_id: str
    based_on: dict[str, Any] | None
    feeds: dict[str, bytes]
    revisions: dict[str, Any]


def render(schedule: Schedule, scenario_row: Scenario, options: PublishOptions) -> Rendering:
    """Render ``schedule``'s feeds on the scenario's stored calendar state; touches no database.

    This is the long part of publishing, so it runs before any write transaction opens.
    Raises the calendar's ``FeedError``s.
    """
    state = scenario_row.calendar_state
    rendered = render_feeds(
        load_scenario(schedule.scenario_document),
        read_schedule(schedule.document),
        revisions=FeedRevisions.from_json(state) if state else None,
        revised_at=schedule.created_at,
        options=FeedOptions(
            travel=options.journeys, reminder_minutes=options.reminder_minutes, calendar_key=scenario_row.id
        ),
    )
    return Rendering(schedule.id, scenario_row.id, state, dict(rendered.feeds), rendered.revisions.to_json())


def store(session: Session, rendering: Rendering) -> list[PublishedFeed] | None:
    """Store a rendering in the caller's (write) transaction; None, writing nothing, when the
    scenario's feeds were published from another calendar state since it was rendered."""
    scenario_row = session.get_one(Scenario, rendering.scenario_id, with_for_update=True)
    if scenario_row.calendar_state != rendering.based_on:
        return None
    schedule = session.get_one(Schedule, rendering.schedule_id)
    now = utcnow().replace(microsecond=0)
    active = _active_feeds(session, scenario_row.id)
    contents = dict(rendering.feeds)
    for key in active.keys() - contents.keys():
        contents[key] = empty_calendar(key)
    published = [
        _store(session, schedule, active.get(key), key, content, now)
        for key, content in sorted(contents.items())
    ]
    scenario_row.calendar_state = rendering.revisions
    schedule.published_at = now
    return published


def issue_token(feed: Feed) -> str:
    """Give ``feed`` a fresh capability token and return it (only its digest is stored)."""
    token = new_secret()
    feed.token_hash = digest(token)
    return token


def empty_calendar(key: str) -> bytes:
    """A valid calendar with no events, for a feed whose subject left the schedule."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", key)
    return bytes(calendar.to_ical())


def _active_feeds(session: Session, scenario_id: str) -> Mapping[str, Feed]:
    feeds = session.scalars(
        select(Feed).where(Feed.scenario_id == scenario_id, Feed.revoked_at.is_(None))
    ).all()
    return {feed.key: feed for feed in feeds}


def _store(
    session: Session, schedule: Schedule, feed: Feed | None, key: str, content: bytes, now: datetime
) -> PublishedFeed:
    """Update the key's active feed, or issue a new one with its own token.

    A changed feed's Last-Modified is now, or a second after the last change if that is later,
    so that its ETag changes too.
    """
    if feed is not None:
        changed = feed.content != content
        if changed:
            feed.content, feed.last_modified = content, max(now, feed.last_modified + timedelta(seconds=1))
        feed.etag = etag_of(feed.content, feed.last_modified)
        feed.schedule_id = schedule.id
        return PublishedFeed(feed, None, changed)
    feed = Feed(
        tenant_id=schedule.tenant_id,
        scenario_id=schedule.scenario_id,
        key=key,
        schedule_id=schedule.id,
        content=content,
        etag=etag_of(content, now),
        last_modified=now,
        created_at=now,
    )
    token = issue_token(feed)
    session.add(feed)
    session.flush()
    return PublishedFeed(feed, token, True)
