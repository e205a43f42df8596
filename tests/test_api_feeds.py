"""Publishing and calendar feeds: URLs, conditional GET, revocation, rotation, re-publication."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from api import publishing
from api.logs import RedactFeedTokens, redact
from scheduler.model import PersonKind, Scenario
from scheduler.schedule import sessions_from_bookings
from scheduler.solver import SolveResult
from scheduler.solver.result import Itinerary, Leg
from scheduler.travel import Travel
from tests.test_api_helpers import (
    Api,
    create_scenario,
    feed_path,
    keep_current,
    moved,
    published,
    running_api,
    settings_for,
    solved,
    tiny,
)

KEYS = {"household-a", "client-ava", "carer-dad", "practitioner-ot-bo", "venue-clinic"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with running_api(settings_for(tmp_path), solve=keep_current) as running:
        yield running


def publish_tiny(api: Api, document: dict[str, object] | None = None) -> tuple[str, dict[str, str]]:
    """Create, solve and publish; returns the scenario id and the feed URL of each key."""
    scenario_id = create_scenario(api, document)
    result = published(api, solved(api, scenario_id)["schedule_id"])
    return scenario_id, {feed["key"]: feed["url"] for feed in result["feeds"]}


def events_of(body: bytes) -> dict[str, tuple[int, str]]:
    """UID -> (SEQUENCE, DTSTART) of every event in a calendar."""
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): (int(e.get("SEQUENCE", 0)), e.start.isoformat()) for e in calendar.events}


def test_publish_issues_a_feed_for_every_household_person_and_venue(api: Api) -> None:
    _, urls = publish_tiny(api)
    assert set(urls) >= KEYS
    for url in urls.values():
        assert re.fullmatch(r"http://feeds\.test/feeds/[A-Za-z0-9_-]{43}\.ics", url)


def test_feed_is_a_calendar_with_validators_and_no_attachment(api: Api) -> None:
    _, urls = publish_tiny(api)
    response = api.client.get(feed_path(urls["household-a"]), headers={"accept": ""})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["last-modified"].endswith(" GMT")
    modified = parsedate_to_datetime(response.headers["last-modified"])
    assert response.headers["etag"] == f'"{int(modified.timestamp()):x}-{len(response.content):x}"'
    assert "attachment" not in response.headers.get("content-disposition", "")
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert len(events_of(response.content)) == 1


def test_if_none_match_and_if_modified_since_give_304(api: Api) -> None:
    _, urls = publish_tiny(api)
    path = feed_path(urls["client-ava"])
    first = api.client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in (
        {"if-none-match": etag},
        {"if-none-match": f'W/{etag}, "other"'},
        {"if-modified-since": modified},
    ):
        response = api.client.get(path, headers=headers)
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag
    assert api.client.get(path, headers={"if-none-match": '"stale"'}).status_code == 200
    assert (
        api.client.get(path, headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code
        == 200
    )
    assert api.client.get(path, headers={"if-modified-since": "yesterday"}).status_code == 200
    assert (
        api.client.get(path, headers={"if-none-match": '"stale"', "if-modified-since": modified}).status_code
        == 200
    )


def test_head_answers_headers_only(api: Api) -> None:
    _, urls = publish_tiny(api)
    response = api.client.head(feed_path(urls["venue-clinic"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.content == b""


def test_unknown_and_revoked_feeds_are_404(api: Api) -> None:
    _, urls = publish_tiny(api)
    assert api.client.get("/feeds/not-a-token.ics").status_code == 404
    feeds = api.client.get("/v1/feeds", headers=api.auth).json()["items"]
    carer = next(f for f in feeds if f["key"] == "carer-dad")
    assert api.client.delete(f"/v1/feeds/{carer['id']}", headers=api.auth).status_code == 204
    assert api.client.get(feed_path(urls["carer-dad"])).status_code == 404
    assert api.client.get(feed_path(urls["client-ava"])).status_code == 200
    listed = api.client.get("/v1/feeds", headers=api.auth).json()
    assert "carer-dad" not in {f["key"] for f in listed["items"]}
    with_revoked = api.client.get("/v1/feeds?revoked=true", headers=api.auth).json()
    assert with_revoked["total"] == listed["total"] + 1


def test_republishing_gives_a_revoked_key_a_new_url(api: Api) -> None:
    scenario_id, urls = publish_tiny(api)
    feeds = api.client.get("/v1/feeds", headers=api.auth).json()["items"]
    carer = next(f for f in feeds if f["key"] == "carer-dad")
    api.client.delete(f"/v1/feeds/{carer['id']}", headers=api.auth)
    again = published(api, solved(api, scenario_id)["schedule_id"])
    issued = {f["key"]: f["url"] for f in again["feeds"] if f["url"]}
    assert set(issued) == {"carer-dad"}
    assert issued["carer-dad"] != urls["carer-dad"]
    assert api.client.get(feed_path(issued["carer-dad"])).status_code == 200


def test_rotate_replaces_the_url(api: Api) -> None:
    _, urls = publish_tiny(api)
    feeds = api.client.get("/v1/feeds", headers=api.auth).json()["items"]
    client = next(f for f in feeds if f["key"] == "client-ava")
    rotated = api.client.post(f"/v1/feeds/{client['id']}/rotate", headers=api.auth).json()
    assert api.client.get(feed_path(urls["client-ava"])).status_code == 404
    assert api.client.get(feed_path(rotated["url"])).status_code == 200
    assert api.client.get(f"/v1/feeds/{client['id']}", headers=api.auth).json()["revoked_at"] is None


def test_same_url_serves_the_new_pattern_after_resolve_and_republish(api: Api) -> None:
    scenario_id, urls = publish_tiny(api)
    path = feed_path(urls["household-a"])
    before = api.client.get(path)
    api.client.put(f"/v1/scenarios/{scenario_id}", json=moved(tiny(), "mon", "14:00"), headers=api.auth)
    again = published(api, solved(api, scenario_id)["schedule_id"])
    household = next(f for f in again["feeds"] if f["key"] == "household-a")
    assert household["url"] is None
    assert household["changed"] is True
    after = api.client.get(path)
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert api.client.get(path, headers={"if-none-match": before.headers["etag"]}).status_code == 200
    old, new = events_of(before.content), events_of(after.content)
    assert old.keys() == new.keys()
    [uid] = old
    assert new[uid][0] == old[uid][0] + 1
    assert new[uid][1] != old[uid][1]


def test_a_change_within_the_same_second_moves_last_modified_on(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publishing, "utcnow", lambda: datetime(2027, 1, 4, 9, 0, 0, 250_000, tzinfo=UTC))
    scenario_id, urls = publish_tiny(api)
    path = feed_path(urls["household-a"])
    before = api.client.get(path)
    api.client.put(f"/v1/scenarios/{scenario_id}", json=moved(tiny(), "mon", "14:00"), headers=api.auth)
    published(api, solved(api, scenario_id)["schedule_id"])
    after = api.client.get(path)
    assert after.content != before.content
    assert after.headers["last-modified"] == "Mon, 04 Jan 2027 09:00:01 GMT"
    assert after.headers["etag"] != before.headers["etag"]
    assert (
        api.client.get(path, headers={"if-modified-since": before.headers["last-modified"]}).status_code
        == 200
    )


def test_republishing_the_same_schedule_changes_nothing(api: Api) -> None:
    scenario_id, urls = publish_tiny(api)
    path = feed_path(urls["client-ava"])
    first = api.client.get(path)
    schedule_id = api.client.get(f"/v1/jobs?scenario_id={scenario_id}", headers=api.auth).json()["items"][0][
        "schedule_id"
    ]
    again = published(api, schedule_id)
    assert not any(f["changed"] for f in again["feeds"])
    second = api.client.get(path)
    assert second.content == first.content
    assert second.headers["last-modified"] == first.headers["last-modified"]


def test_publish_without_a_pattern_is_409(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path)) as api:
        document = tiny()
        document["appointments"][0]["window"] = {"days": ["wed"]}
        document["appointments"][0]["current"] = []
        job = solved(api, create_scenario(api, document))
        schedule = api.client.get(f"/v1/schedules/{job['schedule_id']}", headers=api.auth).json()
        assert schedule["document"]["status"] == "infeasible"
        response = api.client.post(f"/v1/schedules/{job['schedule_id']}/publish", headers=api.auth)
        assert response.status_code == 409
        assert api.client.get("/v1/feeds", headers=api.auth).json()["total"] == 0


def test_feeds_of_another_tenant_are_404(api: Api) -> None:
    publish_tiny(api)
    feed = api.client.get("/v1/feeds", headers=api.auth).json()["items"][0]
    other = {"Authorization": f"Bearer {api.new_key('globex')}"}
    assert api.client.get("/v1/feeds", headers=other).json()["total"] == 0
    assert api.client.get(f"/v1/feeds/{feed['id']}", headers=other).status_code == 404
    assert api.client.delete(f"/v1/feeds/{feed['id']}", headers=other).status_code == 404
    assert api.client.post(f"/v1/feeds/{feed['id']}/rotate", headers=other).status_code == 404
    assert api.client.get(f"/v1/feeds/{feed['id']}", headers=api.auth).status_code == 200


def test_unknown_schedule_and_feed_are_404(api: Api) -> None:
    for method, path in (
        ("get", "/v1/schedules/nope"),
        ("post", "/v1/schedules/nope/publish"),
        ("get", "/v1/feeds/nope"),
        ("delete", "/v1/feeds/nope"),
        ("post", "/v1/feeds/nope/rotate"),
    ):
        response = api.client.request(method, path, headers=api.auth)
        assert response.status_code == 404, path
        assert response.json()["detail"].startswith("no ")


def test_feed_list_shows_no_urls(api: Api) -> None:
    _, urls = publish_tiny(api)
    listed = api.client.get("/v1/feeds", headers=api.auth).text
    for url in urls.values():
        assert url.rsplit("/", 1)[1].removesuffix(".ics") not in listed


def test_access_log_redacts_feed_tokens() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/feeds/SECRETtoken_123.ics?x=1", "1.1", 200),
        None,
    )
    assert RedactFeedTokens().filter(record)
    assert "SECRET" not in record.getMessage()
    assert "/feeds/<redacted>" in record.getMessage()
    assert redact("GET /v1/feeds/abc") == "GET /v1/feeds/abc"


def test_last_modified_is_an_http_date(api: Api) -> None:
    _, urls = publish_tiny(api)
    feed = api.client.get("/v1/feeds", headers=api.auth).json()["items"][0]
    response = api.client.get(feed_path(urls[feed["key"]]))
    from datetime import datetime

    moment = datetime.fromisoformat(feed["last_modified"])
    assert response.headers["last-modified"] == format_datetime(moment, usegmt=True)


def test_feed_tokens_are_stored_as_hashes(api: Api, tmp_path: Path) -> None:
    _, urls = publish_tiny(api)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("api.sqlite*"))
    for url in urls.values():
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert token.encode() not in raw


def test_a_feed_whose_subject_left_serves_an_empty_calendar(api: Api) -> None:
    scenario_id, urls = publish_tiny(api)
    document = tiny()
    document["carers"] = []
    document["clients"][0]["carers"] = []
    document["appointments"][0]["needs_carer"] = False
    api.client.put(f"/v1/scenarios/{scenario_id}", json=document, headers=api.auth)
    again = published(api, solved(api, scenario_id)["schedule_id"])
    carer = next(f for f in again["feeds"] if f["key"] == "carer-dad")
    assert carer["changed"] is True
    response = api.client.get(feed_path(urls["carer-dad"]))
    assert response.status_code == 200
    assert events_of(response.content) == {}
    assert len(events_of(api.client.get(feed_path(urls["household-a"])).content)) == 1


def together(scenario: Scenario, **_: Any) -> SolveResult:
    """A solver double: today's bookings, each client going there and back with the session's carer
    (module-level: solves run in worker processes)."""
    sessions = sessions_from_bookings(scenario)
    travel = Travel(scenario)
    itineraries = []
    for s in sessions:
        client = scenario.appointments[s.appointment].client
        home = scenario.clients[client].home
        minutes = travel.minutes(home, s.venue, "public")
        legs = (
            Leg(home, s.venue, s.start - minutes, s.start, minutes, 0, "public"),
            Leg(s.venue, home, s.end, s.end + minutes, minutes, 0, "public"),
        )
        people: list[tuple[PersonKind, int]] = [("client", client)]
        if s.carer is not None:
            people.append(("carer", s.carer))
        itineraries.extend(Itinerary(kind, index, s.week, s.day, legs) for kind, index in people)
    return SolveResult("feasible", 1.0, 1.0, 0.01, sessions=sessions, itineraries=tuple(itineraries))


def test_publish_options_add_journeys_and_reminders_to_family_feeds(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path), solve=together) as api:
        scenario_id, urls = publish_tiny(api)
        plain = {key: Calendar.from_ical(api.client.get(feed_path(url)).content) for key, url in urls.items()}
        assert [str(e["SUMMARY"]) for e in plain["household-a"].walk("VEVENT")] == [
            "Occupational therapy – Ava"
        ]
        assert not any(c.walk("VALARM") for c in plain.values())
        options = {"journeys": True, "reminder_minutes": 30}
        schedule_id = solved(api, scenario_id)["schedule_id"]
        response = api.client.post(f"/v1/schedules/{schedule_id}/publish", headers=api.auth, json=options)
        assert response.status_code == 200, response.text
        feeds = {key: Calendar.from_ical(api.client.get(feed_path(url)).content) for key, url in urls.items()}
    household = [(str(e["SUMMARY"]), e.walk("VALARM")) for e in feeds["household-a"].walk("VEVENT")]
    assert [summary for summary, _ in household] == [
        "Dad and Ava: Leave home for Clinic, 7 min by public transport",
        "Occupational therapy – Ava",
        "Dad and Ava: Leave Clinic for home, 7 min by public transport",
    ]
    ((_, (alarm,)), (_, none), (_, after)) = household
    assert (str(alarm["ACTION"]), alarm["TRIGGER"].dt) == ("DISPLAY", timedelta(minutes=-30))
    assert none == after == []
    assert not feeds["practitioner-ot-bo"].walk("VALARM")
    assert len(feeds["carer-dad"].walk("VEVENT")) == 3


@pytest.mark.parametrize(
    ("body", "location", "message"),
    [
        ({"reminder_minutes": 1441}, "body.reminder_minutes", "input should be less than or equal to 1440"),
        ({"reminder_minutes": -5}, "body.reminder_minutes", "input should be greater than or equal to 0"),
        ({"reminder_minutes": 15.5}, "body.reminder_minutes", "input should be a valid integer"),
        ({"reminder_minutes": "15"}, "body.reminder_minutes", "input should be a valid integer"),
        ({"journeys": "yes"}, "body.journeys", "input should be a valid boolean"),
        ({"journey": True}, "body.journey", "extra inputs are not permitted"),
    ],
)
def test_wrong_publish_options_are_located_422s(
    api: Api, body: dict[str, object], location: str, message: str
) -> None:
    schedule_id = solved(api, create_scenario(api))["schedule_id"]
    response = api.client.post(f"/v1/schedules/{schedule_id}/publish", headers=api.auth, json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": location, "msg": message}]}
    assert api.client.get("/v1/feeds", headers=api.auth).json()["total"] == 0
