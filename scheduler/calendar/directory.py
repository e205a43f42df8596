"""Feeds as files: a directory of ``<key>.ics`` files with the revision state beside them.

This is how the command line publishes (``scheduler export``): the revision state lives
in ``DIR/.revisions.json``, so exporting a re-planned schedule into the same directory
keeps every UID and raises SEQUENCE only for the sessions that moved. File names are the
feed keys (see :func:`feed_file_name`) unless a key is too long for a file system or
differs from another only in letter case.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scheduler.calendar.errors import RevisionStateError
from scheduler.calendar.render import FeedOptions, render_feeds
from scheduler.calendar.revisions import FeedRevisions
from scheduler.contract.schedule import ScheduleDoc
from scheduler.files import write_atomically
from scheduler.model import Scenario

REVISIONS_FILE = ".revisions.json"
SUFFIX = ".ics"
STEM_BYTES = 200
"""A key up to this long is the file's stem as it is; a longer one is cut and given a digest.

File systems allow 255 bytes a name. The cut stem of a longer key (nearly this much of
it, ``~`` and :data:`DIGEST_CHARS` hex digits) is longer than this, so it never equals a
kept key."""
DIGEST_CHARS = 20


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
    """Write every feed of ``schedule`` to ``directory`` and update its ``.revisions.json``.

    Each feed goes to ``<key>.ics`` (see :func:`feed_file_names`). ``revised_at`` (aware)
    stamps new and changed events. Each file is replaced atomically, the revision state
    last, so an interrupted export is simply done again.
    """
    previous = read_revisions(directory / REVISIONS_FILE)
    feeds = render_feeds(scenario, schedule, revisions=previous, revised_at=revised_at, options=options)
    names = feed_file_names(feeds.feeds)
    files = []
    for key, data in feeds.feeds.items():
        path = directory / names[key]
        write_atomically(path, data)
        files.append(path)
    state = json.dumps(feeds.revisions.to_json(), indent=2, sort_keys=True) + "\n"
    write_atomically(directory / REVISIONS_FILE, state.encode())
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


def feed_file_names(keys: Iterable[str]) -> dict[str, str]:
    """The file name of each feed key: ``"<key>.ics"``, or a cut key and digest where that cannot serve.

    Keys are percent-encoded ASCII (:attr:`scheduler.calendar.content.Audience.key`), so
    every name is made of letters, digits and ``-._~%`` and is at most 225 bytes long.
    A key longer than :data:`STEM_BYTES`, or one that equals another but for letter case
    (one file on macOS and Windows), gets :func:`cut_name`. Names depend only on the keys:
    the same feeds are written to the same files on every export.
    """
    keys = list(keys)
    folded = Counter(key.casefold() for key in keys)
    return {
        key: (cut_name(key) if len(key) > STEM_BYTES or folded[key.casefold()] > 1 else key) + SUFFIX
        for key in keys
    }


def cut_name(key: str) -> str:
    """The stem of a feed file for ``key``: its first :data:`STEM_BYTES` characters, whole
    percent-escapes only, then ``~`` and a digest of the whole key in lower-case hex."""
    stem = key[:STEM_BYTES]
    escape = stem.rfind("%", len(stem) - 2)
    if escape != -1:
        stem = stem[:escape]
    digest = hashlib.sha256(key.encode()).hexdigest()[:DIGEST_CHARS]
    return f"{stem}~{digest}"
