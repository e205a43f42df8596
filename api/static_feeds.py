"""Feeds as static files for a reverse proxy: each active feed's bytes in ``<folder>/<token>.ics``.

Off unless the ``feed_files_dir`` setting names a folder. The app keeps serving every feed
itself; a proxy in front of it (``docs/deploy.md``) answers ``/feeds/<token>.ics`` from the
file when there is one and passes the request on to the app otherwise, so a missing file
costs speed, never an answer.

- Every write is atomic: a temporary file in the same folder, then :func:`os.replace`.
- A file's modification time is its feed's Last-Modified, so the ETag and Last-Modified nginx
  makes for the file are the app's own (:func:`api.publishing.etag_of`).
- A file is written after the database has committed the feed's new bytes, and removed
  before it commits a revocation, a rotation or a deletion: the proxy never serves what the
  app would refuse, and a failure in between leaves no file, so the app answers.

The database keeps only a token's digest, so the folder keeps its own index from digest to
token (``.tokens/<digest>``): the file names beside it tell the same.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from api.models import Feed
from api.publishing import PublishedFeed
from api.security import digest

log = logging.getLogger(__name__)

TOKEN = re.compile(r"[A-Za-z0-9_-]+")
"""What a feed token looks like (URL-safe base 64), and so a file name may be made of."""
INDEX = ".tokens"


class FeedFiles:
    """The folder of static feed files, and its index from token digest to token."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index = folder / INDEX

    def path(self, token: str) -> Path:
        """The file of the feed whose token is ``token``."""
        if TOKEN.fullmatch(token) is None:
            raise ValueError("a feed token is URL-safe base 64")
        return self.folder / f"{token}.ics"

    def published(self, feeds: Iterable[PublishedFeed]) -> None:
        """After a publish has committed: write each new feed's file, replace each changed one's."""
        for published in feeds:
            if published.token is not None:
                self.issued(published.feed, published.token)
            elif published.changed:
                token = self._token(published.feed.token_hash)
                if token is not None:
                    self._write(token, published.feed)

    def issued(self, feed: Feed, token: str) -> None:
        """After ``feed`` was given ``token`` and committed: remember the token and write the file."""
        try:
            self.index.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomically(self.index / feed.token_hash, token.encode("ascii"), mode=0o600)
        except OSError:
            log.exception("could not index the static file of feed %s; the app serves it", feed.id)
            return
        self._write(token, feed)

    def remove(self, token_hash: str) -> None:
        """Before a revocation, rotation or deletion commits: delete the token's file and index entry.

        Raises ``OSError`` when the file cannot be deleted, so the change is not committed while
        a proxy would still serve the file.
        """
        token = self._token(token_hash)
        if token is not None:
            self.path(token).unlink(missing_ok=True)
        (self.index / token_hash).unlink(missing_ok=True)

    def _token(self, token_hash: str) -> str | None:
        """The token whose digest is ``token_hash``, when this folder has its file."""
        try:
            token = (self.index / token_hash).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if TOKEN.fullmatch(token) is None or digest(token) != token_hash:
            log.warning("ignoring a corrupt index entry %s in %s", token_hash, self.index)
            return None
        return token

    def _write(self, token: str, feed: Feed) -> None:
        """Write (or replace) the token's file; on failure, leave no stale file for a proxy to serve."""
        path = self.path(token)
        try:
            _write_atomically(path, feed.content, mode=0o644, modified=feed.last_modified)
        except OSError:
            log.exception("could not write the static file of feed %s; the app serves it", feed.id)
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _write_atomically(path: Path, content: bytes, *, mode: int, modified: datetime | None = None) -> None:
    """Replace ``path`` by ``content`` in one step, with permissions ``mode``, modified at ``modified``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        os.chmod(temporary, mode)
        if modified is not None:
            seconds = modified.timestamp()
            os.utime(temporary, (seconds, seconds))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
