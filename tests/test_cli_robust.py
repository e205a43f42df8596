"""The command line as a user meets it: an engine failure is a message and exit 1, no answer is lost
to an output path that cannot be written, progress shows when piped, and the help reads right."""

from __future__ import annotations

import inspect
import json
import re
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scheduler.cli import EXIT_BROKEN, EXIT_INVALID, EXIT_OK, Engine, ProgressCallback, app
from scheduler.model import Scenario
from scheduler.schedule import read_schedule
from scheduler.solver import Progress, SolveResult, solve
from tests.builders import scenario_dict
from tests.test_calendar_support import expand_with_recurring_ical_events, scenario_doc, schedule_doc

runner = CliRunner()
DATA = Path(__file__).resolve().parent.parent / "data"
LIMITS = ["--time-limit", "5", "--workers", "1"]
COMMANDS = ("validate", "solve", "export", "report")


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario_dict()), encoding="utf-8")
    return path


def _failing_solve(
    scenario: Scenario,
    *,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    on_progress: ProgressCallback | None,
    stop: threading.Event | None,
    cluster: str | None,
) -> SolveResult:
    (routine,) = ["feed", "feed"]  # the fault of issue 11: two routines of one name
    raise AssertionError(routine)


def _reporting_solve(
    scenario: Scenario,
    *,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    on_progress: ProgressCallback | None,
    stop: threading.Event | None,
    cluster: str | None,
) -> SolveResult:
    """The real solve, after reporting progress as a large town does: elapsed only, then figures."""
    assert on_progress is not None
    for progress in (
        Progress(1.0, None, None, 0),
        Progress(2.0, None, None, 0),
        Progress(3.5, 412.5, 400.0, 1),
        Progress(4.0, 412.5, 400.0, 1),
        Progress(5.25, 405.0, 401.0, 2),
    ):
        on_progress(progress)
    return solve(scenario, time_limit=time_limit, workers=workers, seed=seed, stop=stop, cluster=cluster)


# Item 2: an exception in the solve thread


def test_an_exception_in_the_solve_thread_is_a_short_message_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(_scenario(tmp_path))], obj=Engine(solve=_failing_solve))
    assert result.exit_code == EXIT_BROKEN
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    message = result.stderr
    assert "scheduler solve failed: internal error (ValueError: too many values to unpack" in message
    assert "tests/test_cli_robust.py" in message
    assert "_failing_solve" in message
    assert "please report it" in message


# Item 3: outputs in folders that do not exist, and outputs that cannot be written


def test_solve_creates_the_output_folder(tmp_path: Path) -> None:
    output = tmp_path / "out" / "deeper" / "household.schedule.json"
    result = runner.invoke(app, ["solve", str(_scenario(tmp_path)), "-o", str(output), *LIMITS])
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(output.read_text(encoding="utf-8"))["status"] == "optimal"
    assert [p.name for p in output.parent.iterdir()] == ["household.schedule.json"]


@pytest.mark.parametrize("blocked", ["a directory", "under a file"])
def test_a_schedule_that_cannot_be_written_goes_to_stdout_and_exits_2(tmp_path: Path, blocked: str) -> None:
    if blocked == "a directory":
        output = tmp_path / "taken"
        output.mkdir()
    else:
        (tmp_path / "file").write_text("")
        output = tmp_path / "file" / "schedule.json"
    result = runner.invoke(app, ["solve", str(_scenario(tmp_path)), "-o", str(output), *LIMITS])
    assert result.exit_code == EXIT_INVALID
    assert f"cannot write the schedule to {output}" in result.stderr
    assert json.loads(result.stdout)["status"] == "optimal"
    assert "status: optimal" in result.stderr


def test_report_creates_its_folder_and_falls_back_to_stdout(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    output = tmp_path / "reports" / "household.md"
    result = runner.invoke(app, ["report", str(scenario), "-o", str(output)])
    assert result.exit_code == EXIT_OK, result.output
    assert output.read_text(encoding="utf-8").startswith("#")
    result = runner.invoke(app, ["report", str(scenario), "-o", str(tmp_path)])
    assert result.exit_code == EXIT_INVALID
    assert f"cannot write the report to {tmp_path}" in result.stderr
    assert result.stdout == output.read_text(encoding="utf-8")


def _calendar_inputs(tmp_path: Path) -> tuple[Path, Path]:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(scenario_doc()), encoding="utf-8")
    schedule = tmp_path / "schedule.json"
    schedule.write_text(schedule_doc().model_dump_json(by_alias=True), encoding="utf-8")
    return scenario, schedule


def test_export_creates_its_folder_and_says_when_it_cannot(tmp_path: Path) -> None:
    scenario, schedule = _calendar_inputs(tmp_path)
    feeds = tmp_path / "out" / "feeds"
    args = ["export", str(schedule), "--scenario", str(scenario), "--out"]
    assert runner.invoke(app, [*args, str(feeds)]).exit_code == EXIT_OK
    assert (feeds / "household-lee.ics").exists()
    result = runner.invoke(app, [*args, str(schedule)])
    assert result.exit_code == EXIT_INVALID
    assert f"cannot write the feeds to {schedule}" in result.stderr
    assert "Traceback" not in result.output


def test_export_of_dates_the_feeds_cannot_carry_exits_2_with_the_location(tmp_path: Path) -> None:
    scenario, schedule = _calendar_inputs(tmp_path)
    document = scenario_doc()
    document["horizon"]["repeat_until"] = "9999-12-31"
    scenario.write_text(json.dumps(document), encoding="utf-8")
    args = ["export", str(schedule), "--scenario", str(scenario), "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_INVALID
    assert "horizon.repeat_until: 9999-12-31 is outside the years" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00+05:00"])
def test_a_revision_time_outside_the_calendar_in_utc_is_an_invalid_option(
    tmp_path: Path, moment: str
) -> None:
    scenario, schedule = _calendar_inputs(tmp_path)
    args = ["export", str(schedule), "--scenario", str(scenario), "--out", str(tmp_path / "feeds")]
    result = runner.invoke(app, [*args, "--revised-at", moment])
    assert result.exit_code == EXIT_INVALID
    assert f'--revised-at "{moment}" is outside years 1 to 9999 in UTC' in result.stderr


# Progress when stderr is not a terminal


def test_piped_progress_prints_a_line_per_change_with_objective_bound_and_gap(tmp_path: Path) -> None:
    engine = Engine(solve=_reporting_solve)
    result = runner.invoke(app, ["solve", str(_scenario(tmp_path)), *LIMITS], obj=engine)
    assert result.exit_code == EXIT_OK, result.output
    lines = [line for line in result.stderr.splitlines() if re.match(r"\s*\d+\.\d s of 5 s", line)]
    assert lines == [
        "  1.0 s of 5 s",
        "  3.5 s of 5 s  best 412.50  bound 400.00  gap 3.0 %  (1 patterns)",
        "  5.2 s of 5 s  best 405.00  bound 401.00  gap 1.0 %  (2 patterns)",
    ]
    json.loads(result.stdout)


def test_quiet_solve_prints_no_progress(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["solve", str(_scenario(tmp_path)), "-q", *LIMITS], obj=Engine(solve=_reporting_solve)
    )
    assert result.exit_code == EXIT_OK
    assert result.stderr == ""


# Help


def _help(args: list[str], columns: int) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": str(columns)}, terminal_width=columns)
    assert result.exit_code == EXIT_OK
    return result.stdout


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_no_value_for_flags_and_fits_80_columns(command: str | None) -> None:
    text = _help([command] if command else [], 80)
    assert "<bool>" not in text
    assert "--help " in text
    assert max(len(line) for line in text.splitlines()) <= 80


@pytest.mark.parametrize("command", COMMANDS)
def test_help_wraps_each_paragraph_as_a_whole(command: str) -> None:
    # On a wide terminal each paragraph of the command's docstring is one line of help.
    docstring = _docstring(command)
    text = _help([command], 1000)
    for paragraph in docstring.split("\n\n"):
        assert " ".join(paragraph.split()) in text, paragraph


def _docstring(command: str) -> str:
    from scheduler import cli

    function: Any = {
        "validate": cli.validate_command,
        "solve": cli.solve_command,
        "export": cli.export,
        "report": cli.report,
    }[command]
    return inspect.cleandoc(function.__doc__ or "")


# The README's command line, as a new user runs it, and a subscriber reading the feed


def test_the_readmes_command_line_from_a_fresh_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = str(DATA / "household.json")
    schedule = "out/household.schedule.json"
    steps = [
        ["validate", scenario],
        ["solve", scenario, "-o", schedule, "--time-limit", "20", "--workers", "1"],
        ["validate", scenario, schedule],
        ["export", schedule, "--scenario", scenario, "--out", "out/feeds"],
        ["report", scenario, schedule, "-o", "out/report.md"],
    ]
    for args in steps:
        result = runner.invoke(app, args)
        assert result.exit_code == EXIT_OK, (args, result.output)
    document = read_schedule(Path(schedule))
    feed = (Path("out/feeds") / "household-hughes.ics").read_bytes()
    horizon = json.loads((DATA / "household.json").read_text(encoding="utf-8"))["horizon"]
    first, last = date.fromisoformat(horizon["start"]), date.fromisoformat(horizon["repeat_until"])
    excluded = {date.fromisoformat(d) for d in horizon["exclude_dates"]}
    found = expand_with_recurring_ical_events(feed, first, last)
    weeks = [first + timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]
    expected = sorted(
        (f"{s.appointment}-{s.occurrence}", day + timedelta(days=s.date.weekday()))
        for s in document.sessions
        for day in weeks
        if day + timedelta(days=s.date.weekday()) <= last
        and day + timedelta(days=s.date.weekday()) not in excluded
    )
    assert expected
    assert sorted((o.name, o.start.date()) for o in found) == expected
    assert "Alfie" in Path("out/report.md").read_text(encoding="utf-8")
