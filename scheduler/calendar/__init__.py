"""Calendar feeds: the schedule as iCalendar subscriptions for families, carers, practitioners and venues.

One feed per audience (``household-<id>``, ``client-<id>``, ``carer-<id>``,
``practitioner-<id>``, ``venue-<id>``); each session is one weekly recurring event in the
scenario's time zone, with a rule-based VTIMEZONE every client reads alike, a UID that
survives re-solves and a SEQUENCE that rises when its time, day or venue changes. Family
feeds also show a companion's stop at a session and, as options (:class:`FeedOptions`),
the journeys to and from it and a reminder before leaving.

Publish a schedule with :func:`render_feeds` (every feed plus the revision state to
store), or, serving one feed at a time, :func:`revise` once per new schedule and
:func:`render_feed` per request.
"""

from scheduler.calendar.errors import (
    DateRangeError,
    FeedError,
    NoScheduleError,
    RevisionStateError,
    StaleRevisionsError,
    TimezoneRuleError,
    UnknownFeedError,
)
from scheduler.calendar.events import scenario_key
from scheduler.calendar.render import (
    MAX_REMINDER_MINUTES,
    FeedOptions,
    FeedSet,
    feed_keys,
    render_feed,
    render_feeds,
    revise,
)
from scheduler.calendar.revisions import FeedRevisions, Revision
from scheduler.calendar.vtimezone import vtimezone

__all__ = [
    "MAX_REMINDER_MINUTES",
    "DateRangeError",
    "FeedError",
    "FeedOptions",
    "FeedRevisions",
    "FeedSet",
    "NoScheduleError",
    "Revision",
    "RevisionStateError",
    "StaleRevisionsError",
    "TimezoneRuleError",
    "UnknownFeedError",
    "feed_keys",
    "render_feed",
    "render_feeds",
    "revise",
    "scenario_key",
    "vtimezone",
]
