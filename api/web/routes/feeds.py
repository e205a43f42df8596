"""Publishing and sharing: the feeds of a scenario, their webcal links and QR codes, rotate, revoke.

A feed's URL is a secret kept only as a digest, so its link is shown once: when publishing
issues it, or when the coordinator rotates the feed to get a new one.
"""

from __future__ import annotations

from typing import Any

import segno
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select

from api.deps import FeedFilesDep, ReadSessionDep, SessionDep, SettingsDep
from api.models import Feed, Scenario, Schedule
from api.publishing import feed_kind
from api.routes import feeds as feeds_api
from api.routes import schedules as schedules_api
from api.schemas import PublishOptions
from api.web.deps import CSRF_CHECKED, FormDep, PageError, UserDep, api_call, mine, render
from api.web.fetches import FetchLog
from api.web.forms import FormData
from api.web.session import WebUser
from api.web.week import household_name

router = APIRouter(include_in_schema=False)
KIND_ORDER = ("household", "client", "carer", "practitioner", "venue")


def webcal(url: str) -> str:
    """The ``webcal://`` form of a feed URL, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]


def qr_svg(text: str) -> Markup:
    """An inline SVG QR code of ``text`` with a title for screen readers."""
    code = segno.make(text, error="m")
    svg: str = code.svg_inline(scale=3, dark="#000", light="#fff", title="QR code of the calendar link")
    return Markup(svg)


def _kind_rank(key: str) -> int:
    kind = feed_kind(key)
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _names(document: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for kind, key in (
        ("client", "clients"),
        ("carer", "carers"),
        ("practitioner", "practitioners"),
        ("venue", "venues"),
    ):
        for item in document.get(key, []):
            names[f"{kind}-{item.get('id')}"] = item.get("name") or item.get("id", "")
    for client in document.get("clients", []):
        household = client.get("household") or client.get("id")
        names[f"household-{household}"] = household_name(household)
    return names


def _sharing_page(
    request: Request,
    session: ReadSessionDep,
    user: WebUser,
    scenario: Scenario,
    issued: dict[str, str],
    message: str | None = None,
) -> HTMLResponse:
    feeds = sorted(
        session.scalars(select(Feed).where(Feed.scenario_id == scenario.id)).all(),
        key=lambda f: (f.revoked_at is not None, _kind_rank(f.key), f.key),
    )
    fetches: FetchLog = request.app.state.web_fetches
    links = {
        fid: {"url": url, "webcal": webcal(url), "qr": qr_svg(webcal(url))} for fid, url in issued.items()
    }
    context = {
        "scenario": scenario,
        "feeds": feeds,
        "kind_of": feed_kind,
        "names": _names(scenario.document),
        "links": links,
        "message": message,
        "fetched": {f.id: fetches.last(f.token_hash) for f in feeds},
        "watching_since": fetches.since,
    }
    return render(request, "sharing.html", context, user)


@router.get("/scenarios/{scenario_id}/sharing")
def sharing_page(request: Request, scenario_id: str, session: ReadSessionDep, user: UserDep) -> HTMLResponse:
    """The scenario's calendar feeds: who each is for, when it last changed, rotate and revoke."""
    scenario = mine(session, Scenario, scenario_id, user, "scenario")
    return _sharing_page(request, session, user, scenario, {})


def publish_options(form: FormData) -> PublishOptions:
    """The publish form's options (``journeys``, ``reminder_minutes``); a 422 page naming a wrong one."""
    reminder = form.get("reminder_minutes", "").strip()
    try:
        minutes = int(reminder) if reminder else None
    except ValueError:
        raise PageError(422, f'reminder_minutes: "{reminder}" is not a whole number of minutes') from None
    try:
        return PublishOptions(journeys=form.get("journeys") == "true", reminder_minutes=minutes)
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg'][:1].lower()}{e['msg'][1:]}" for e in exc.errors())
        raise PageError(422, problems) from None


@router.post("/schedules/{schedule_id}/publish")
def publish(
    request: Request,
    schedule_id: str,
    session: ReadSessionDep,
    user: UserDep,
    form: FormDep,
    settings: SettingsDep,
    files: FeedFilesDep,
) -> HTMLResponse:
    """Publish a schedule to its scenario's feeds, with the form's journeys and reminder, and show
    the links issued now."""
    schedule = mine(session, Schedule, schedule_id, user, "schedule")
    options = publish_options(form)
    session.rollback()  # publishing writes in a transaction of its own; read what it wrote after
    result = api_call(
        schedules_api.publish_schedule,
        schedule_id=schedule.id,
        request=request,
        tenant=user.tenant,
        settings=settings,
        files=files,
        options=options,
    )
    issued = {f.id: f.url for f in result.feeds if f.url}
    scenario = mine(session, Scenario, schedule.scenario_id, user, "scenario")
    changed = sum(1 for f in result.feeds if f.changed)
    message = (
        f"Published: {len(result.feeds)} feeds, {changed} changed, {len(issued)} new links below. "
        "Feeds shared before keep their links and now show this pattern."
    )
    return _sharing_page(request, session, user, scenario, issued, message)


@router.post("/sharing/{feed_id}/rotate", dependencies=[CSRF_CHECKED])
def rotate(
    request: Request,
    feed_id: str,
    session: SessionDep,
    user: UserDep,
    settings: SettingsDep,
    files: FeedFilesDep,
) -> HTMLResponse:
    """Give a feed a new link (the old one stops working) and show it."""
    feed = mine(session, Feed, feed_id, user, "feed")
    issued = api_call(
        feeds_api.rotate_feed,
        feed_id=feed.id,
        session=session,
        tenant=user.tenant,
        settings=settings,
        files=files,
    )
    scenario = mine(session, Scenario, feed.scenario_id, user, "scenario")
    message = "New link issued below; the old link no longer works."
    return _sharing_page(request, session, user, scenario, {feed.id: issued.url or ""}, message)


@router.post("/sharing/{feed_id}/revoke", dependencies=[CSRF_CHECKED])
def revoke(feed_id: str, session: SessionDep, user: UserDep, files: FeedFilesDep) -> Response:
    """Revoke a feed: its link stops working."""
    feed = mine(session, Feed, feed_id, user, "feed")
    api_call(feeds_api.revoke_feed, feed_id=feed.id, session=session, tenant=user.tenant, files=files)
    return RedirectResponse(f"/scenarios/{feed.scenario_id}/sharing?revoked={feed.key}", status_code=303)
