"""``scheduler validate``: exit 0 when all holds, 1 when a rule is broken, 2 when an input is invalid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from scheduler.cli import app
from tests.builders import appointment, scenario_dict, schedule_dict, session

runner = CliRunner()


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def scenario_file(tmp_path: Path, d: dict[str, Any] | None = None) -> Path:
    return write(tmp_path / "scenario.json", scenario_dict() if d is None else d)


def schedule_file(tmp_path: Path, sessions: list[dict[str, Any]], **fields: Any) -> Path:
    return write(tmp_path / "schedule.json", schedule_dict(scenario_dict(), sessions, **fields))


def test_scenario_alone(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path))])
    assert result.exit_code == 0
    assert "Today's bookings: none given." in result.stdout


def test_scenario_with_todays_bookings_reports_their_violations_but_passes(tmp_path: Path) -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [{"name": "nap", "days": ["mon"], "start": "12:30", "end": "14:00"}]
    appointment(d, "therapy")["current"] = [{"day": "mon", "start": "13:00", "venue": "home"}]
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path, d))])
    assert result.exit_code == 0
    assert "Today's bookings: 1 rule violation(s)" in result.stdout
    assert (
        "rule 4 routine: therapy occurrence 1, Mon 13:00-14:00: overlaps Jo's nap 12:30-14:00"
        in result.stdout
    )
    # A home visit: 10 x 1 day + 20 x 1 person.
    assert "Today's bookings objective: total 30" in result.stdout


def test_valid_schedule(tmp_path: Path) -> None:
    schedule = schedule_file(tmp_path, [session("therapy", "mon", "10:00")], objective={"total": 106})
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path)), str(schedule)])
    assert result.exit_code == 0, result.output
    assert "Schedule: every rule holds." in result.stdout
    assert "Objective (recomputed): total 106" in result.stdout
    assert "jo: trips 1, appointment_days 1, family_travel_minutes 40" in result.stdout


def test_broken_schedule(tmp_path: Path) -> None:
    schedule = schedule_file(
        tmp_path, [session("therapy", "mon", "10:00"), session("therapy", "tue", "10:00")]
    )
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path)), str(schedule)])
    assert result.exit_code == 1
    assert "rule 1 frequency: therapy: Jo's Therapy needs 1 session a week, has 2" in result.stdout


def test_claimed_objective_mismatch(tmp_path: Path) -> None:
    schedule = schedule_file(tmp_path, [session("therapy", "mon", "10:00")], objective={"total": 90})
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path)), str(schedule)])
    assert result.exit_code == 1
    assert (
        "Objective MISMATCH with what the schedule claims:\n  total: claimed 90, recomputed 106"
        in result.stdout
    )


def test_no_schedule_in_the_document(tmp_path: Path) -> None:
    schedule = schedule_file(tmp_path, [], status="infeasible", explanation="Ana is never free")
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path)), str(schedule)])
    assert result.exit_code == 1
    assert "the schedule's status is infeasible: Ana is never free" in result.stderr


def test_json_report(tmp_path: Path) -> None:
    schedule = schedule_file(tmp_path, [session("therapy", "mon", "10:03")])
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path)), str(schedule), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["violations"] == [
        {
            "rule": 2,
            "code": "slot",
            "subject": "therapy",
            "where": "therapy occurrence 1, Mon 10:03-11:03",
            "message": "starts at 10:03, not on a 5-minute slot",
        }
    ]


def test_invalid_scenario(tmp_path: Path) -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [{"name": "nap", "days": ["mon"], "start": "25:00", "end": "26:00"}]
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path, d))])
    assert result.exit_code == 2
    assert "clients[0].routines[0].start" in result.stderr


def test_invalid_json(tmp_path: Path) -> None:
    broken = tmp_path / "scenario.json"
    broken.write_text('{"horizon": ', encoding="utf-8")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2
    assert "invalid scenario" in result.stderr


def test_schedule_with_unknown_ids(tmp_path: Path) -> None:
    schedule = schedule_file(tmp_path, [session("therapy", "mon", "10:00", "clinc")])
    result = runner.invoke(app, ["validate", str(scenario_file(tmp_path)), str(schedule)])
    assert result.exit_code == 2
    assert 'sessions[0].venue: no venue "clinc"; did you mean "clinic"?' in result.stderr


def test_python_dash_m(tmp_path: Path) -> None:
    schedule = schedule_file(tmp_path, [session("therapy", "mon", "10:00")])
    command = [sys.executable, "-m", "scheduler", "validate", str(scenario_file(tmp_path)), str(schedule)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Schedule: every rule holds." in result.stdout
