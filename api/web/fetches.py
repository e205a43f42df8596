"""Which feeds calendar apps fetched lately, as this process saw it.

A middleware watches the public ``/feeds/{token}.ics`` answers: a 200 or 304 records the
time under the token's digest (the feed row's ``token_hash``), so the sharing page can say
which feeds are being read and which were never subscribed to. The record lives in the
serving process: it starts empty when the service starts, and the page says since when.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.models import utcnow
from api.security import digest

FEED_PATH = re.compile(r"^/feeds/([^/]+)\.ics$")


class FetchLog:
    """The last successful fetch of each feed, by token digest, since :attr:`since`."""

    def __init__(self) -> None:
        self.since = utcnow()
        self._last: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def record(self, token_hash: str) -> None:
        """A calendar app fetched the feed with this token digest now."""
        with self._lock:
            self._last[token_hash] = utcnow()

    def last(self, token_hash: str) -> datetime | None:
        """When the feed with this token digest was last fetched, or None."""
        with self._lock:
            return self._last.get(token_hash)


class FetchWatcher:
    """ASGI middleware recording successful feed fetches in a :class:`FetchLog`."""

    def __init__(self, app: ASGIApp, log: FetchLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; note a 200 or 304 answer to a feed URL."""
        found = FEED_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if found is None or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        token = found.group(1)

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                self.log.record(digest(token))
            await send(message)

        await self.app(scope, receive, watching)
