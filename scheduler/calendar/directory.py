"""Feeds as files: a directory of ``<key>.ics`` files with the revision state beside them.

This is how the command line publishes (``scheduler export``): the revision state lives
in ``DIR/.revisions.json``, so exporting a re-planned schedule into the same directory
keeps every UID and raises SEQUENCE only for the sessions that moved.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scheduler.calendar.errors import RevisionStateError
from scheduler.calendar.render import FeedOptions, render_feeds
from scheduler.calendar.revisions import FeedRevisions
from scheduler.contract.schedule import ScheduleDoc
from scheduler.model import Scenario

REVISIONS_FILE = ".revisions.json"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the feed files, and how many events are new or changed (SEQUENCE raised)."""

    files: tuple[Path, ...]
    new_events: int
    changed_events: int


def export_feeds(
    scenario: Scenario,
    schedule: ScheduleDoc,
    directory: Path,
    *,
    revised_at: datetime,
    options: FeedOptions | None = None,
) -> ExportResult:
    """Write every feed of ``schedule`` to ``directory`` as ``<key>.ics`` and update its ``.revisions.json``.

    ``revised_at`` (aware) stamps new and changed events. Each file is replaced atomically,
    the revision state last, so an interrupted export is simply done again.
    """
    previous = read_revisions(directory / REVISIONS_FILE)
    feeds = render_feeds(scenario, schedule, revisions=previous, revised_at=revised_at, options=options)
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for key, data in feeds.feeds.items():
        path = directory / f"{key}.ics"
        _replace(path, data)
        files.append(path)
    state = json.dumps(feeds.revisions.to_json(), indent=2, sort_keys=True) + "\n"
    _replace(directory / REVISIONS_FILE, state.encode())
    before = previous.events if previous is not None else {}
    after = feeds.revisions.events
    return ExportResult(
        files=tuple(files),
        new_events=sum(1 for uid in after if uid not in before),
        changed_events=sum(1 for uid, r in after.items() if uid in before and before[uid] != r),
    )


def read_revisions(path: Path) -> FeedRevisions | None:
    """The revision state stored at ``path``, None when there is none yet."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RevisionStateError(str(path), None, f"not JSON ({exc})") from None
    return FeedRevisions.from_json(data)


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
