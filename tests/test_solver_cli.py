"""``scheduler solve``: exit 0 with a schedule that ``scheduler validate`` accepts, 1 with the reason
when there is no pattern, 2 with a located message when the scenario is invalid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.errors import UnsupportedScenarioError
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.solver import solve
from scheduler.validate import validate
from tests.builders import (
    appointment,
    client,
    homes_without_a_journey_between_them,
    household_dict,
    practitioner,
    scenario_dict,
)

runner = CliRunner()
SCHEDULER = Path(sys.executable).parent / "scheduler"
LIMITS = ["--time-limit", "5", "--workers", "1"]


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_solve_writes_a_schedule_that_validate_accepts(tmp_path: Path) -> None:
    # The installed console script, end to end, in a process of its own.
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2}
    scenario = write(tmp_path / "scenario.json", d)
    out = tmp_path / "schedule.json"
    solved = subprocess.run(
        [str(SCHEDULER), "solve", str(scenario), "-o", str(out), *LIMITS],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert solved.returncode == 0, solved.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "optimal"
    checked = subprocess.run(
        [str(SCHEDULER), "validate", str(scenario), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Schedule: every rule holds." in checked.stdout


def test_solve_prints_the_schedule_without_an_output_file(tmp_path: Path) -> None:
    d = scenario_dict()
    result = runner.invoke(app, ["solve", str(write(tmp_path / "s.json", d)), *LIMITS])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [s["appointment"] for s in document["sessions"]] == ["therapy"]
    assert document["objective"]["total"] == 30  # a home visit: one day (10) and Ana (20)
    report = validate(load_scenario(d), read_schedule(document))
    assert report.violations == ()
    assert report.objective_mismatches == ()


def test_solve_without_a_pattern_exits_1_and_explains_on_stderr(tmp_path: Path) -> None:
    d = scenario_dict()
    practitioner(d, "ana")["available"] = {"sat": [["09:00", "12:00"]]}
    appointment(d, "therapy")["window"] = {"days": ["mon", "tue"]}
    out = tmp_path / "schedule.json"
    result = runner.invoke(app, ["solve", str(write(tmp_path / "s.json", d)), "-o", str(out), *LIMITS])
    assert result.exit_code == 1
    assert "status: infeasible" in result.stderr
    assert "therapy" in result.stderr
    assert "Ana does not work on Monday" in result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["status"] == "infeasible"
    assert document["sessions"] == []


def test_solve_of_an_invalid_scenario_exits_2_with_the_location(tmp_path: Path) -> None:
    d = scenario_dict()
    client(d, "jo")["limits"] = {"max_sesions_per_day": 2}
    result = runner.invoke(app, ["solve", str(write(tmp_path / "s.json", d)), *LIMITS])
    assert result.exit_code == 2
    assert "clients[0].limits.max_sesions_per_day" in result.stderr
    assert result.stdout == ""


def test_solve_with_an_unknown_journey_ends_without_a_traceback(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.json", homes_without_a_journey_between_them())
    result = runner.invoke(app, ["solve", str(scenario), *LIMITS])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1)


def test_solve_plans_a_version_2_household_and_the_answer_validates(tmp_path: Path) -> None:
    out = tmp_path / "schedule.json"
    result = runner.invoke(
        app, ["solve", str(write(tmp_path / "s.json", household_dict())), "-o", str(out), *LIMITS]
    )
    assert result.exit_code == 0, result.stderr
    scenario = load_scenario(household_dict())
    assert validate(scenario, read_schedule(out)).violations == ()


def test_solve_refuses_a_flexible_routine_away_from_home_in_one_line(tmp_path: Path) -> None:
    d = household_dict()
    client(d, "jo")["routines"] = [
        {"name": "swim", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 30, "at": "school"}
    ]
    out = tmp_path / "schedule.json"
    result = runner.invoke(app, ["solve", str(write(tmp_path / "s.json", d)), "-o", str(out), *LIMITS])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        "cannot solve: clients[0].routines[0].at: the solver plans flexible routines at home"
    )
    assert not out.exists()


def test_the_solver_names_the_flexible_routine_it_does_not_plan() -> None:
    d = scenario_dict()
    client(d, "jo")["routines"] = [
        {"name": "feed", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 30, "at": "home"},
        {"name": "swim", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 30, "at": "school"},
    ]
    with pytest.raises(UnsupportedScenarioError) as refused:
        solve(load_scenario(d), time_limit=5, workers=1)
    assert refused.value.location == "clients[0].routines[1].at"


def test_supervised_routines_alone_are_solved() -> None:
    d = scenario_dict()
    client(d, "jo")["routines"] = [
        {
            "name": "nursery",
            "days": ["mon"],
            "start": "08:00",
            "end": "09:00",
            "at": "school",
            "supervised": True,
        },
        {"name": "rest", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 30},
    ]
    assert solve(load_scenario(d), time_limit=5, workers=1).status == "optimal"
