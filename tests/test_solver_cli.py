"""``scheduler solve``: exit 0 with a schedule that ``scheduler validate`` accepts, 1 with the reason
when there is no pattern, 2 with a located message when the scenario is invalid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.validate import validate
from tests.builders import (
    appointment,
    client,
    homes_without_a_journey_between_them,
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
