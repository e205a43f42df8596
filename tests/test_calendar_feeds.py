"""Calendar feeds: occurrences, recurrence, identity across renders and re-plans, content per audience."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from scheduler.calendar import (
    FeedOptions,
    FeedRevisions,
    FeedSet,
    NoScheduleError,
    RevisionStateError,
    StaleRevisionsError,
    UnknownFeedError,
    feed_keys,
    render_feed,
    render_feeds,
    revise,
    scenario_key,
)
from scheduler.contract.schedule import ScheduleDoc
from scheduler.errors import ScheduleError
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from tests.test_calendar_support import (
    EXCLUDED,
    HOME_ADDRESS,
    REPEAT_UNTIL,
    ROUTINE_NAME,
    START,
    TIMEZONES,
    audience_sessions,
    expand_with_ical_js,
    expand_with_recurring_ical_events,
    expand_with_vobject,
    expected_occurrences,
    node_with_ical_js,
    scenario_doc,
    schedule_doc,
)

FIRST_EXPORT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 8, 17, 45, 12, 345, tzinfo=UTC)
KEYS = (
    "household-lee",
    "client-amy",
    "client-ben",
    "carer-dad",
    "practitioner-slt-ana",
    "practitioner-ot-olu",
    "practitioner-physio-pat",
    "venue-clinic-east",
    "venue-school-elm",
)


def _export(
    document: dict[str, Any],
    schedule: ScheduleDoc,
    *,
    revisions: FeedRevisions | None = None,
    at: datetime = FIRST_EXPORT,
    travel: bool = False,
) -> FeedSet:
    scenario = load_scenario(document)
    return render_feeds(
        scenario, schedule, revisions=revisions, revised_at=at, options=FeedOptions(travel=travel)
    )


def _events(ics: bytes) -> dict[str, Any]:
    """The feed's VEVENTs by UID."""
    return {str(e["UID"]): e for e in Calendar.from_ical(ics).walk("VEVENT")}


def _by_name(ics: bytes) -> dict[str, Any]:
    """The feed's VEVENTs by the UID's left-hand side (``amy-slt-1``)."""
    return {uid.split("@")[0]: e for uid, e in _events(ics).items()}


@pytest.fixture(params=TIMEZONES)
def tzid(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# Occurrences, read back by three parsers


def test_every_audience_has_a_feed_and_a_home_has_none() -> None:
    assert feed_keys(load_scenario(scenario_doc())) == KEYS
    assert tuple(_export(scenario_doc(), schedule_doc()).feeds) == KEYS


def test_recurring_ical_events_expands_each_feed_to_its_sessions(tzid: str) -> None:
    document, schedule = scenario_doc(tzid), schedule_doc()
    feeds = _export(document, schedule).feeds
    for key, ics in feeds.items():
        expected = expected_occurrences(document, audience_sessions(document, schedule, key))
        assert expand_with_recurring_ical_events(ics, START, REPEAT_UNTIL) == expected, key


def test_vobject_expands_each_feed_to_its_sessions(tzid: str) -> None:
    document, schedule = scenario_doc(tzid), schedule_doc()
    feeds = _export(document, schedule).feeds
    for key, ics in feeds.items():
        expected = expected_occurrences(document, audience_sessions(document, schedule, key))
        assert expand_with_vobject(ics) == expected, key


@pytest.mark.node
@pytest.mark.skipif(node_with_ical_js() is None, reason="needs node and node_modules/ical.js (npm ci)")
def test_ical_js_expands_each_feed_to_its_sessions_at_zoneinfo_instants(tzid: str, tmp_path: Path) -> None:
    document, schedule = scenario_doc(tzid), schedule_doc()
    feeds = _export(document, schedule).feeds
    paths = {key: tmp_path / f"{key}.ics" for key in feeds}
    for key, path in paths.items():
        path.write_bytes(feeds[key])
    expanded = expand_with_ical_js(*paths.values())
    for key, path in paths.items():
        expected = expected_occurrences(document, audience_sessions(document, schedule, key))
        assert expanded[path] == expected, key


def test_sessions_keep_their_wall_clock_hour_across_both_clock_changes(tzid: str) -> None:
    feeds = _export(scenario_doc(tzid), schedule_doc()).feeds
    occurrences = [
        o
        for o in expand_with_recurring_ical_events(feeds["client-amy"], START, REPEAT_UNTIL)
        if o.name == "amy-slt-1"
    ]
    assert {(o.start.hour, o.start.minute) for o in occurrences} == {(15, 30)}
    offsets = [o.start - o.utc.replace(tzinfo=None) for o in occurrences]
    changes = [later for earlier, later in itertools.pairwise(offsets) if earlier != later]
    assert len(changes) == 2


# Recurrence


def test_until_is_utc_and_every_exdate_is_a_generated_start(tzid: str) -> None:
    feeds = _export(scenario_doc(tzid), schedule_doc()).feeds
    exdates_seen = 0
    for event in _events(feeds["household-lee"]).values():
        start = event["DTSTART"].dt
        rule = event["RRULE"]
        (until,) = rule["UNTIL"]
        assert until.utcoffset() == timedelta(0)
        assert rule.to_ical().decode().split("UNTIL=")[1].split(";")[0].endswith("Z")
        generated = set(rrulestr(rule.to_ical().decode(), dtstart=start))
        exdates = [d.dt for prop in _as_list(event.get("EXDATE")) for d in prop.dts]
        assert all(d in generated and d.tzinfo == start.tzinfo for d in exdates)
        assert max(generated).astimezone(UTC) == until
        exdates_seen += len(exdates)
    assert exdates_seen == 2


def test_excluded_first_and_last_dates_move_dtstart_and_until() -> None:
    events = _by_name(_export(scenario_doc(), schedule_doc()).feeds["client-amy"])
    monday = events["amy-slt-1"]
    assert monday["DTSTART"].dt.date() == START + timedelta(weeks=1)
    assert monday["RRULE"]["UNTIL"][0].date() == REPEAT_UNTIL - timedelta(weeks=1)
    assert [d.dt.date() for d in monday["EXDATE"].dts] == [date(2027, 2, 15)]
    assert [d.dt.date() for d in events["amy-ot-1"]["EXDATE"].dts] == [date(2027, 4, 7)]


def test_rrule_is_weekly_on_the_sessions_day() -> None:
    events = _by_name(_export(scenario_doc(), schedule_doc()).feeds["client-ben"])
    assert events["ben-physio-1"]["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20271214T093000Z;BYDAY=TU"


def test_two_week_pattern_repeats_every_other_week(tzid: str) -> None:
    document, schedule = scenario_doc(tzid, weeks=2), schedule_doc(weeks=2)
    feeds = _export(document, schedule).feeds
    for event in _events(feeds["household-lee"]).values():
        assert event["RRULE"]["INTERVAL"] == [2]
    expected = expected_occurrences(document, schedule.sessions)
    assert expand_with_recurring_ical_events(feeds["household-lee"], START, REPEAT_UNTIL) == expected
    assert expand_with_vobject(feeds["household-lee"]) == expected


def test_without_repeat_until_the_feed_holds_the_patterns_weeks_as_single_events() -> None:
    document = scenario_doc(weeks=2, repeat_until=None, exclude_dates=[date(2027, 1, 13)])
    schedule = schedule_doc(weeks=2)
    ics = _export(document, schedule).feeds["household-lee"]
    events = _events(ics)
    assert all("RRULE" not in e and "EXDATE" not in e for e in events.values())
    assert len(events) == len(schedule.sessions) - 1
    expected = expected_occurrences(document, schedule.sessions)
    assert expand_with_recurring_ical_events(ics, START, START + timedelta(weeks=2)) == expected
    assert expand_with_vobject(ics) == expected


# Identity and updates


def test_the_same_schedule_renders_to_the_same_bytes_at_any_later_time() -> None:
    first = _export(scenario_doc(), schedule_doc())
    again = _export(scenario_doc(), schedule_doc(), revisions=first.revisions, at=LATER)
    assert again.feeds == first.feeds
    assert again.revisions == first.revisions
    assert _export(scenario_doc(), schedule_doc()).feeds == first.feeds
    for event in _events(first.feeds["household-lee"]).values():
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == FIRST_EXPORT
        assert event["SEQUENCE"] == 0


def test_a_replan_keeps_every_uid_and_raises_sequence_only_where_time_day_or_venue_changed() -> None:
    first = _export(scenario_doc(), schedule_doc())
    moved = schedule_doc(
        moves={("amy-slt", 1): ("tue", "15:30", "16:15"), ("ben-physio", 2): ("thu", "16:45", "17:30")}
    )
    replanned = _export(
        scenario_doc(), _with_venue(moved, "amy-ot", "clinic-east"), revisions=first.revisions, at=LATER
    )
    before, after = _by_name(first.feeds["household-lee"]), _by_name(replanned.feeds["household-lee"])
    assert {str(e["UID"]) for e in before.values()} == {str(e["UID"]) for e in after.values()}
    changed = {name for name in after if after[name]["SEQUENCE"] > before[name]["SEQUENCE"]}
    assert changed == {"amy-slt-1", "ben-physio-2", "amy-ot-1"}
    for name, event in after.items():
        stamp = LATER.replace(microsecond=0) if name in changed else FIRST_EXPORT
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == stamp
    assert after["ben-physio-1"].to_ical() == before["ben-physio-1"].to_ical()
    assert after["amy-slt-1"]["DTSTART"].dt.weekday() == 1


def test_sequence_rises_again_on_each_further_change_and_not_on_a_repeat() -> None:
    first = _export(scenario_doc(), schedule_doc())
    second = _export(
        scenario_doc(),
        schedule_doc(moves={("amy-slt", 1): ("tue", "15:30", "16:15")}),
        revisions=first.revisions,
    )
    third = _export(scenario_doc(), schedule_doc(), revisions=second.revisions, at=LATER)
    fourth = _export(scenario_doc(), schedule_doc(), revisions=third.revisions, at=LATER + timedelta(days=1))
    sequences = [
        _by_name(f.feeds["client-amy"])["amy-slt-1"]["SEQUENCE"] for f in (first, second, third, fourth)
    ]
    assert sequences == [0, 1, 2, 2]
    assert fourth.feeds == third.feeds


def test_uids_name_appointment_and_occurrence_and_hold_no_secret() -> None:
    scenario = load_scenario(scenario_doc())
    feeds = _export(scenario_doc(), schedule_doc()).feeds
    key = scenario_key(scenario)
    assert set(_events(feeds["household-lee"])) == {
        f"{name}@{key}.carepattern" for name in ("amy-slt-1", "amy-ot-1", "ben-physio-1", "ben-physio-2")
    }
    assert scenario_key(load_scenario(scenario_doc())) == key
    assert scenario_key(load_scenario(scenario_doc("America/New_York"))) != key
    named = render_feeds(
        scenario,
        schedule_doc(),
        revisions=None,
        revised_at=FIRST_EXPORT,
        options=FeedOptions(calendar_key="lee"),
    )
    assert "amy-slt-1@lee.carepattern" in _events(named.feeds["client-amy"])


def test_render_feed_serves_each_feed_exactly_as_render_feeds_writes_it() -> None:
    scenario, schedule = load_scenario(scenario_doc()), schedule_doc()
    revisions = revise(scenario, schedule, None, at=FIRST_EXPORT)
    feeds = render_feeds(scenario, schedule, revisions=None, revised_at=FIRST_EXPORT).feeds
    for key in feed_keys(scenario):
        assert render_feed(scenario, schedule, key, revisions=revisions) == feeds[key]


def test_render_feed_refuses_revisions_of_another_schedule() -> None:
    scenario = load_scenario(scenario_doc())
    revisions = revise(scenario, schedule_doc(), None, at=FIRST_EXPORT)
    moved = schedule_doc(moves={("amy-ot", 1): ("fri", "16:00", "17:00")})
    with pytest.raises(StaleRevisionsError) as raised:
        render_feed(scenario, moved, "client-amy", revisions=revisions)
    assert [uid.split("@")[0] for uid in raised.value.uids] == ["amy-ot-1"]


def test_render_feed_names_the_feeds_there_are_for_an_unknown_key() -> None:
    scenario = load_scenario(scenario_doc())
    revisions = revise(scenario, schedule_doc(), None, at=FIRST_EXPORT)
    with pytest.raises(UnknownFeedError) as raised:
        render_feed(scenario, schedule_doc(), "client-amie", revisions=revisions)
    assert raised.value.key == "client-amie"
    assert raised.value.available == KEYS


def test_a_schedule_without_a_pattern_is_not_published() -> None:
    scenario = load_scenario(scenario_doc())
    infeasible = read_schedule({"status": "infeasible", "explanation": "Ana is away"})
    with pytest.raises(NoScheduleError, match="Ana is away") as raised:
        render_feeds(scenario, infeasible, revisions=None, revised_at=FIRST_EXPORT)
    assert raised.value.status == "infeasible"


def test_revision_state_is_plain_json_and_reads_back() -> None:
    revisions = _export(scenario_doc(), schedule_doc()).revisions
    data = revisions.to_json()
    assert data["format"] == 1
    entry = next(iter(data["events"].values()))
    assert entry == {"sequence": 0, "signature": entry["signature"], "modified": "2026-12-01T09:00:00Z"}
    assert FeedRevisions.from_json(data) == revisions


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"format": 2, "events": {}}, "format"),
        ({"format": 1, "events": []}, "events"),
        (
            {
                "format": 1,
                "events": {"a@b": {"sequence": -1, "signature": "x", "modified": "2027-01-01T00:00:00Z"}},
            },
            "events['a@b'].sequence",
        ),
        (
            {"format": 1, "events": {"a@b": {"sequence": 0, "signature": "x", "modified": "yesterday"}}},
            "events['a@b'].modified",
        ),
    ],
)
def test_unreadable_revision_state_is_located(data: object, location: str) -> None:
    with pytest.raises(RevisionStateError) as raised:
        FeedRevisions.from_json(data)
    assert raised.value.location == location


# Content for each audience


def test_family_feeds_say_what_who_and_where() -> None:
    events = _by_name(_export(scenario_doc(), schedule_doc()).feeds["household-lee"])
    slt = events["amy-slt-1"]
    assert str(slt["SUMMARY"]) == "Speech and language therapy – Amy Lee"
    assert str(slt["DESCRIPTION"]).splitlines() == [
        "Speech and language therapy for Amy Lee",
        "With: Ana Ruiz (speech and language therapist, NHS)",
        "Where: East Clinic, 3 East Lane",
        "Escort: Chris Lee",
        "Bring: the communication book",
    ]
    assert str(slt["LOCATION"]) == "East Clinic, 3 East Lane"
    assert (slt["GEO"].latitude, slt["GEO"].longitude) == (51.53, -0.05)
    assert str(events["amy-ot-1"]["LOCATION"]) == f"Lee home, {HOME_ADDRESS}"


def test_practitioner_and_venue_feeds_show_initials_and_id_only() -> None:
    feeds = _export(scenario_doc(), schedule_doc(), travel=True).feeds
    for key in KEYS[4:]:
        text = _unfolded(feeds[key])
        for private in ("Amy Lee", "Ben Lee", "Chris Lee", ROUTINE_NAME, "Bring", "Escort", "Leave"):
            assert private not in text, (key, private)
    physio = _by_name(feeds["practitioner-physio-pat"])["ben-physio-1"]
    assert str(physio["SUMMARY"]) == "Physiotherapy – BL (ben)"
    assert (
        str(_by_name(feeds["venue-clinic-east"])["amy-slt-1"]["SUMMARY"])
        == "Speech and language therapy – AL (amy)"
    )


def test_a_home_address_reaches_only_the_family_and_the_visiting_practitioner() -> None:
    feeds = _export(scenario_doc(), schedule_doc(), travel=True).feeds
    with_address = {key for key, ics in feeds.items() if HOME_ADDRESS in _unfolded(ics)}
    family = {"household-lee", "client-amy", "client-ben", "carer-dad"}
    assert with_address == family | {"practitioner-ot-olu"}
    visit = _by_name(feeds["practitioner-ot-olu"])["amy-ot-1"]
    assert str(visit["LOCATION"]) == f"Lee home, {HOME_ADDRESS}"


def test_calendar_properties_and_no_url() -> None:
    for key, ics in _export(scenario_doc(), schedule_doc()).feeds.items():
        calendar = Calendar.from_ical(ics)
        assert str(calendar["PRODID"]) == "-//carepattern//Appointment feeds 1.0//EN"
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
        assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics
        assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in ics
        assert b"://" not in ics, key
        assert b"\r\nURL" not in ics
        assert b"\r\nSOURCE" not in ics
        assert [c["TZID"] for c in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    names = {
        key: str(Calendar.from_ical(ics)["NAME"])
        for key, ics in _export(scenario_doc(), schedule_doc()).feeds.items()
    }
    assert names["household-lee"] == "Appointments – Amy Lee and Ben Lee"
    assert names["practitioner-slt-ana"] == "Sessions – Ana Ruiz"
    assert names["venue-clinic-east"] == "Sessions at East Clinic"


def test_every_tzid_used_has_its_vtimezone(tzid: str) -> None:
    for ics in _export(scenario_doc(tzid), schedule_doc(), travel=True).feeds.values():
        calendar = Calendar.from_ical(ics)
        defined = {str(c["TZID"]) for c in calendar.walk("VTIMEZONE")}
        used = {
            prop.params["TZID"]
            for event in calendar.walk("VEVENT")
            for name in ("DTSTART", "DTEND", "EXDATE")
            for prop in _as_list(event.get(name))
        }
        assert used <= defined == {tzid}


# Travel legs


def test_journeys_to_and_from_sessions_are_events_in_family_feeds_when_asked() -> None:
    document, schedule = scenario_doc(), schedule_doc()
    plain = _export(document, schedule).feeds
    feeds = _export(document, schedule, travel=True).feeds
    household = _by_name(feeds["household-lee"])
    journeys = {name: str(e["SUMMARY"]) for name, e in household.items() if "travel" in name}
    by_bus = "25 min by public transport"
    assert journeys == {
        "amy-slt-1-travel-to-client-amy": f"Amy Lee: Leave home for East Clinic, {by_bus}",
        "amy-slt-1-travel-to-carer-dad": "Chris Lee: Leave home for East Clinic, 25 min by car",
        "amy-slt-1-travel-from-client-amy": f"Amy Lee: Leave East Clinic for home, {by_bus}",
        "ben-physio-2-travel-to-client-ben": f"Ben Lee: Leave home for East Clinic, {by_bus}",
        "ben-physio-2-travel-from-client-ben": f"Ben Lee: Leave East Clinic for home, {by_bus}",
    }
    carer = {name: str(e["SUMMARY"]) for name, e in _by_name(feeds["carer-dad"]).items() if "travel" in name}
    assert carer == {"amy-slt-1-travel-to-carer-dad": "Leave home for East Clinic, 25 min by car"}
    assert not any("travel" in name for name in _by_name(feeds["client-amy"]) if "ben" in name)
    assert all("travel" not in uid for ics in plain.values() for uid in _events(ics))
    leave = household["amy-slt-1-travel-to-client-amy"]
    assert (leave["DTSTART"].dt.hour, leave["DTSTART"].dt.minute, leave["DTEND"].dt.minute) == (15, 0, 25)


def test_journeys_recur_on_their_sessions_dates() -> None:
    ics = _export(scenario_doc(), schedule_doc(), travel=True).feeds["client-amy"]
    occurrences = expand_with_recurring_ical_events(ics, START, REPEAT_UNTIL)
    session_dates = [o.start.date() for o in occurrences if o.name == "amy-slt-1"]
    leave_dates = [o.start.date() for o in occurrences if o.name == "amy-slt-1-travel-to-client-amy"]
    assert leave_dates == session_dates
    assert len(session_dates) == 51 - len([d for d in EXCLUDED if d.weekday() == 0])


def _with_venue(schedule: ScheduleDoc, appointment: str, venue: str) -> ScheduleDoc:
    data = schedule.model_dump(mode="json", by_alias=True)
    for session in data["sessions"]:
        if session["appointment"] == appointment:
            session["venue"] = venue
    return read_schedule(data)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unfolded(ics: bytes) -> str:
    """The feed's text with folded lines joined and escapes undone, for searching."""
    text = ics.decode().replace("\r\n ", "")
    return text.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n")


def test_an_occurrence_named_twice_is_a_located_schedule_error() -> None:
    data = schedule_doc().model_dump(mode="json", by_alias=True)
    data["sessions"][3]["occurrence"] = 1
    with pytest.raises(ScheduleError) as raised:
        _export(scenario_doc(), read_schedule(data))
    assert [str(issue) for issue in raised.value.issues] == [
        "sessions[3].occurrence: ben-physio occurrence 1 is also sessions[2]"
    ]


def test_a_journey_to_an_unknown_venue_is_a_located_schedule_error() -> None:
    data = schedule_doc().model_dump(mode="json", by_alias=True)
    data["itineraries"][0]["legs"][0]["to"] = "clinic-est"
    with pytest.raises(ScheduleError) as raised:
        _export(scenario_doc(), read_schedule(data))
    assert [str(issue) for issue in raised.value.issues] == [
        'itineraries[0].legs[0].to: no venue "clinic-est"; did you mean "clinic-east"?'
    ]


def test_refresh_interval_is_written_as_a_duration_and_must_be_positive() -> None:
    scenario = load_scenario(scenario_doc())
    options = FeedOptions(refresh_interval=timedelta(hours=6))
    feeds = render_feeds(
        scenario, schedule_doc(), revisions=None, revised_at=FIRST_EXPORT, options=options
    ).feeds
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\nX-PUBLISHED-TTL:PT6H\r\n" in feeds["client-amy"]
    with pytest.raises(ValueError, match="not a positive duration"):
        FeedOptions(refresh_interval=timedelta(0))


def test_a_journey_home_for_a_home_visit_says_home() -> None:
    data = schedule_doc().model_dump(mode="json", by_alias=True)
    leg = {"from": "school-elm", "to": "home-lee", "depart": "15:30", "arrive": "15:45", "minutes": 15}
    data["itineraries"].append({"person": "amy", "week": 1, "day": "wed", "legs": [leg]})
    feeds = _export(scenario_doc(), read_schedule(data), travel=True).feeds
    journey = _by_name(feeds["client-amy"])["amy-ot-1-travel-to-client-amy"]
    assert str(journey["SUMMARY"]) == "Leave Elm School for home, 15 min by public transport"
    assert str(journey["LOCATION"]) == "Elm School, Elm Road"


def test_going_home_between_two_sessions_at_one_venue_gives_each_its_own_journeys() -> None:
    data = schedule_doc(moves={("ben-physio", 1): ("thu", "10:00", "10:45")}).model_dump(
        mode="json", by_alias=True
    )
    first = next(s for s in data["sessions"] if (s["appointment"], s["occurrence"]) == ("ben-physio", 1))
    first["venue"] = "clinic-east"

    def leg(origin: str, to: str, depart: str, arrive: str) -> dict[str, object]:
        return {"from": origin, "to": to, "depart": depart, "arrive": arrive, "minutes": 25}

    (thursday,) = [i for i in data["itineraries"] if (i["person"], i["day"]) == ("ben", "thu")]
    thursday["legs"] = [
        leg("home-lee", "clinic-east", "09:35", "10:00"),
        leg("clinic-east", "home-lee", "10:45", "11:10"),
        leg("home-lee", "clinic-east", "16:05", "16:30"),
        leg("clinic-east", "home-lee", "17:15", "17:40"),
    ]
    ben = _by_name(_export(scenario_doc(), read_schedule(data), travel=True).feeds["client-ben"])
    starts = {name: e["DTSTART"].dt.strftime("%H:%M") for name, e in ben.items() if "travel" in name}
    assert starts == {
        "ben-physio-1-travel-to-client-ben": "09:35",
        "ben-physio-1-travel-from-client-ben": "10:45",
        "ben-physio-2-travel-to-client-ben": "16:05",
        "ben-physio-2-travel-from-client-ben": "17:15",
    }
    assert str(ben["ben-physio-2-travel-to-client-ben"]["SUMMARY"]) == (
        "Leave home for East Clinic, 25 min by public transport"
    )
