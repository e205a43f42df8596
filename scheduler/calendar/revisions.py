"""Revision state of published events: SEQUENCE, what it was computed from, and when it changed.

Calendar clients decide whether an event they already hold has changed by its UID,
SEQUENCE and DTSTAMP. The state kept here makes those stable: an event whose time, day,
venue and dates are unchanged keeps its SEQUENCE and timestamps, so the same schedule
renders to the same bytes; a changed one gets SEQUENCE + 1 and the new revision time.

The state is plain JSON (``FeedRevisions.to_json()``)::

    {"format": 1,
     "events": {"jonny-slt-1@3f2a9c1b7d4e.carepattern":
                  {"sequence": 2, "signature": "9a0c7e5b1d2f3a4b", "modified": "2027-01-11T08:00:00Z"}}}

Events that disappear from a schedule keep their entry, so one that comes back later
continues its SEQUENCE instead of starting again at 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scheduler.calendar.errors import RevisionStateError
from scheduler.calendar.events import FeedEvent

FORMAT = 1
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Revision:
    """One event's revision: SEQUENCE, the signature it was computed for, and when it last changed (UTC)."""

    sequence: int
    signature: str
    modified: datetime


@dataclass(frozen=True)
class FeedRevisions:
    """Revisions by UID: the state a publisher stores between renders (see the module docstring)."""

    events: Mapping[str, Revision] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON-serialisable form, UIDs sorted."""
        return {
            "format": FORMAT,
            "events": {
                uid: {
                    "sequence": r.sequence,
                    "signature": r.signature,
                    "modified": r.modified.strftime(TIMESTAMP_FORMAT),
                }
                for uid, r in sorted(self.events.items())
            },
        }

    @classmethod
    def from_json(cls, data: object) -> FeedRevisions:
        """Read the form written by :meth:`to_json`; raises :class:`RevisionStateError` with the location."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else data
            raise RevisionStateError("format", found, f"expected format {FORMAT}")
        events = data.get("events")
        if not isinstance(events, dict):
            raise RevisionStateError("events", events, "expected an object keyed by UID")
        return cls({str(uid): _read_revision(f"events[{uid!r}]", entry) for uid, entry in events.items()})


def update_revisions(
    events: Iterable[FeedEvent], previous: FeedRevisions | None, at: datetime
) -> FeedRevisions:
    """The revisions after publishing ``events`` at ``at`` (an aware datetime), given the ``previous`` state.

    New events start at SEQUENCE 0; changed ones (another signature) get SEQUENCE + 1; both
    take ``at`` as their modification time (never earlier than the stored one). Unchanged
    events keep their revision exactly.
    """
    if at.tzinfo is None:
        raise ValueError(f"revision time {at.isoformat()} has no time zone")
    moment = at.astimezone(UTC).replace(microsecond=0)
    stored = dict(previous.events) if previous is not None else {}
    for event in events:
        before = stored.get(event.uid)
        if before is None:
            stored[event.uid] = Revision(0, event.signature, moment)
        elif before.signature != event.signature:
            stored[event.uid] = Revision(before.sequence + 1, event.signature, max(moment, before.modified))
    return FeedRevisions(stored)


def stale_uids(events: Iterable[FeedEvent], revisions: FeedRevisions) -> list[str]:
    """UIDs of ``events`` whose stored revision is missing or was computed for another signature."""
    return [
        e.uid
        for e in events
        if e.uid not in revisions.events or revisions.events[e.uid].signature != e.signature
    ]


def _read_revision(where: str, entry: object) -> Revision:
    if not isinstance(entry, dict):
        raise RevisionStateError(where, entry, "expected an object")
    sequence, signature, modified = entry.get("sequence"), entry.get("signature"), entry.get("modified")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise RevisionStateError(f"{where}.sequence", sequence, "expected a whole number >= 0")
    if not isinstance(signature, str):
        raise RevisionStateError(f"{where}.signature", signature, "expected a string")
    try:
        moment = datetime.strptime(str(modified), TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise RevisionStateError(f"{where}.modified", modified, "expected YYYY-MM-DDTHH:MM:SSZ") from None
    return Revision(sequence, signature, moment)
