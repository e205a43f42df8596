"""``scheduler export``: feeds and revision state in a directory, re-export after a re-plan, exit codes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from scheduler.cli import EXIT_BROKEN, EXIT_INVALID, EXIT_OK, app
from scheduler.contract.schedule import ScheduleDoc
from tests.test_calendar_feeds import KEYS
from tests.test_calendar_support import scenario_doc, schedule_doc

runner = CliRunner()


def _write(tmp_path: Path, schedule: ScheduleDoc | dict[str, object], name: str = "schedule.json") -> Path:
    data = schedule.model_dump(mode="json", by_alias=True) if isinstance(schedule, ScheduleDoc) else schedule
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def _export(tmp_path: Path, schedule: Path, *extra: str) -> tuple[int, str, str]:
    scenario = tmp_path / "scenario.json"
    if not scenario.exists():
        scenario.write_text(json.dumps(scenario_doc()))
    args = ["export", str(schedule), "--scenario", str(scenario), "--out", str(tmp_path / "feeds"), *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def _sequence(feed: Path, name: str) -> int:
    for event in Calendar.from_ical(feed.read_bytes()).walk("VEVENT"):
        if str(event["UID"]).startswith(f"{name}@"):
            return int(event["SEQUENCE"])
    raise AssertionError(f"{name} not in {feed}")


def test_export_writes_one_feed_per_audience_and_the_revision_state(tmp_path: Path) -> None:
    code, stdout, _ = _export(
        tmp_path, _write(tmp_path, schedule_doc()), "--revised-at", "2026-12-01T09:00:00Z"
    )
    assert code == EXIT_OK
    feeds = tmp_path / "feeds"
    assert sorted(p.name for p in feeds.glob("*.ics")) == sorted(f"{key}.ics" for key in KEYS)
    state = json.loads((feeds / ".revisions.json").read_text())
    assert {entry["modified"] for entry in state["events"].values()} == {"2026-12-01T09:00:00Z"}
    assert "9 feeds; 9 new and 0 changed events" in stdout


def test_reexport_after_a_replan_raises_sequence_of_the_moved_session_only(tmp_path: Path) -> None:
    _export(tmp_path, _write(tmp_path, schedule_doc()), "--revised-at", "2026-12-01T09:00:00Z")
    first = (tmp_path / "feeds" / "household-lee.ics").read_bytes()
    same, _, _ = _export(tmp_path, _write(tmp_path, schedule_doc()), "--revised-at", "2026-12-05T09:00:00Z")
    assert same == EXIT_OK
    assert (tmp_path / "feeds" / "household-lee.ics").read_bytes() == first
    moved = schedule_doc(moves={("amy-ot", 1): ("fri", "16:00", "17:00")})
    code, stdout, _ = _export(tmp_path, _write(tmp_path, moved), "--revised-at", "2026-12-08T09:00:00+01:00")
    assert code == EXIT_OK
    assert "0 new and 1 changed events" in stdout
    household = tmp_path / "feeds" / "household-lee.ics"
    assert _sequence(household, "amy-ot-1") == 1
    assert _sequence(household, "amy-slt-1") == 0
    assert b"DTSTAMP:20261208T080000Z" in household.read_bytes()


def test_travel_is_an_option(tmp_path: Path) -> None:
    schedule = _write(tmp_path, schedule_doc())
    _export(tmp_path, schedule)
    assert b"Leave home for" not in (tmp_path / "feeds" / "client-amy.ics").read_bytes()
    _export(tmp_path, schedule, "--travel")
    assert b"Leave home for" in (tmp_path / "feeds" / "client-amy.ics").read_bytes()


def test_reminder_puts_an_alarm_before_leaving_and_is_checked(tmp_path: Path) -> None:
    schedule = _write(tmp_path, schedule_doc())
    code, _, _ = _export(tmp_path, schedule, "--travel", "--reminder", "20")
    assert code == EXIT_OK
    household = Calendar.from_ical((tmp_path / "feeds" / "household-lee.ics").read_bytes())
    reminded = {
        str(e["SUMMARY"]): e.walk("VALARM")[0]["TRIGGER"].dt
        for e in household.walk("VEVENT")
        if e.walk("VALARM")
    }
    assert reminded["Amy Lee: Leave home for East Clinic, 25 min by public transport"] == timedelta(
        minutes=-20
    )
    assert "Occupational therapy – Amy Lee" in reminded  # a home visit: no journey to remind of
    assert "Speech and language therapy – Amy Lee" not in reminded  # its journey reminds instead
    for wrong in ("1441", "-1", "soon"):
        code, _, stderr = _export(tmp_path, schedule, "--reminder", wrong)
        assert code == EXIT_INVALID
        assert "Invalid value for '--reminder'" in " ".join(stderr.split())


def test_an_infeasible_schedule_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    code, _, stderr = _export(
        tmp_path, _write(tmp_path, {"status": "infeasible", "explanation": "Ana is away"})
    )
    assert code == EXIT_BROKEN
    assert "Ana is away" in stderr
    assert not (tmp_path / "feeds").exists()


def test_a_schedule_of_another_scenario_exits_2_with_located_problems(tmp_path: Path) -> None:
    data = schedule_doc().model_dump(mode="json", by_alias=True)
    data["sessions"][0]["appointment"] = "amy-slp"
    code, _, stderr = _export(tmp_path, _write(tmp_path, data))
    assert code == EXIT_INVALID
    assert 'sessions[0].appointment: no appointment "amy-slp"; did you mean "amy-slt"?' in stderr


def test_bad_revision_time_and_bad_revision_state_exit_2(tmp_path: Path) -> None:
    schedule = _write(tmp_path, schedule_doc())
    code, _, stderr = _export(tmp_path, schedule, "--revised-at", "next tuesday")
    assert code == EXIT_INVALID
    assert "--revised-at" in stderr
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / ".revisions.json").write_text("{not json")
    code, _, stderr = _export(tmp_path, schedule)
    assert code == EXIT_INVALID
    assert ".revisions.json" in stderr
