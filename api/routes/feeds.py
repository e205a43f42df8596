"""Feeds: the coordinator's list and revocation, and the public ``/feeds/{token}.ics`` calendars.

A feed URL carries a capability token: whoever has it may read that one calendar, with no
other authentication. Answers carry a strong ETag and Last-Modified and revalidate with
304, so calendar apps that poll cost one indexed lookup and no body.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from sqlalchemy import func, select

from api.deps import FeedFilesDep, PageDep, ReadSessionDep, SessionDep, SettingsDep, TenantDep
from api.models import Feed, utcnow
from api.publishing import feed_kind, issue_token
from api.routes.common import INVALID, NOT_FOUND, UNAUTHORIZED, owned
from api.schemas import FeedPublic, IssuedFeed, Page
from api.security import digest, same_digest
from api.settings import Settings

router = APIRouter(prefix="/v1/feeds", tags=["feeds"], responses=UNAUTHORIZED)
public_router = APIRouter(tags=["calendar feeds"])

CALENDAR_TYPE = "text/calendar; charset=utf-8"
FEED_HEADERS = {
    "Cache-Control": "private, no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def feed_public(feed: Feed) -> FeedPublic:
    """The API's view of a feed (without its URL)."""
    return FeedPublic(
        id=feed.id,
        scenario_id=feed.scenario_id,
        key=feed.key,
        kind=feed_kind(feed.key),
        schedule_id=feed.schedule_id,
        etag=f'"{feed.etag}"',
        last_modified=feed.last_modified,
        created_at=feed.created_at,
        revoked_at=feed.revoked_at,
    )


def issued_feed(feed: Feed, settings: Settings, token: str | None, *, changed: bool) -> IssuedFeed:
    """A feed with its URL when ``token`` was just issued."""
    return IssuedFeed(
        **feed_public(feed).model_dump(),
        url=None if token is None else settings.feed_url(token),
        changed=changed,
    )


@router.get("", response_model=Page[FeedPublic], responses=INVALID)
def list_feeds(
    session: ReadSessionDep,
    tenant: TenantDep,
    page: PageDep,
    scenario_id: Annotated[str | None, Query(description="Only this scenario's feeds.")] = None,
    revoked: Annotated[bool, Query(description="Include revoked feeds.")] = False,
) -> dict[str, Any]:
    """Your organisation's feeds (URLs are secrets, shown only when issued)."""
    limit, offset = page
    where = [Feed.tenant_id == tenant.id]
    if scenario_id is not None:
        where.append(Feed.scenario_id == scenario_id)
    if not revoked:
        where.append(Feed.revoked_at.is_(None))
    total = session.scalar(select(func.count()).select_from(Feed).where(*where))
    feeds = session.scalars(
        select(Feed).where(*where).order_by(Feed.scenario_id, Feed.key, Feed.id).limit(limit).offset(offset)
    ).all()
    return {"items": [feed_public(f) for f in feeds], "total": total or 0, "limit": limit, "offset": offset}


@router.get("/{feed_id}", response_model=FeedPublic, responses=NOT_FOUND)
def get_feed(feed_id: str, session: ReadSessionDep, tenant: TenantDep) -> FeedPublic:
    """One feed."""
    return feed_public(owned(session, Feed, feed_id, tenant, "feed"))


@router.delete("/{feed_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def revoke_feed(feed_id: str, session: SessionDep, tenant: TenantDep, files: FeedFilesDep) -> None:
    """Revoke a feed: its URL answers 404 from now on. The next publish issues a new URL for its key."""
    feed = owned(session, Feed, feed_id, tenant, "feed")
    if feed.revoked_at is None:
        if files is not None:
            files.remove(feed.token_hash)
        feed.revoked_at = utcnow()
        session.commit()


@router.post("/{feed_id}/rotate", response_model=IssuedFeed, responses=NOT_FOUND)
def rotate_feed(
    feed_id: str, session: SessionDep, tenant: TenantDep, settings: SettingsDep, files: FeedFilesDep
) -> IssuedFeed:
    """Give a feed a new URL and retire the old one (for a URL that leaked or was lost)."""
    feed = owned(session, Feed, feed_id, tenant, "feed")
    if feed.revoked_at is not None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f'feed "{feed_id}" is revoked')
    if files is not None:
        files.remove(feed.token_hash)
    token = issue_token(feed)
    session.commit()
    if files is not None:
        files.issued(feed, token)
    return issued_feed(feed, settings, token, changed=False)


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _not_modified(feed: Feed, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 conditional GET: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")}
        return "*" in tags or feed.etag in tags
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and feed.last_modified <= since
    return False


@public_router.head("/feeds/{token}.ics", include_in_schema=False)
@public_router.get(
    "/feeds/{token}.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The iCalendar feed."},
        304: {"description": "Not modified since the ETag or date the client holds."},
        404: {"description": "No such feed, or it was revoked."},
    },
)
def get_calendar(
    token: str,
    session: ReadSessionDep,
    if_none_match: Annotated[str | None, Header()] = None,
    if_modified_since: Annotated[str | None, Header()] = None,
) -> Response:
    """A feed's calendar (text/calendar); no authentication: the token in the URL is the capability."""
    feed = session.scalar(select(Feed).where(Feed.token_hash == digest(token), Feed.revoked_at.is_(None)))
    if feed is None or not same_digest(feed.token_hash, token):
        return Response(status_code=404, content="no such calendar feed\n", media_type="text/plain")
    headers = {
        **FEED_HEADERS,
        "ETag": f'"{feed.etag}"',
        "Last-Modified": _http_date(feed.last_modified),
    }
    if _not_modified(feed, if_none_match, if_modified_since):
        return Response(status_code=304, headers=headers)
    return Response(content=feed.content, media_type=CALENDAR_TYPE, headers=headers)
