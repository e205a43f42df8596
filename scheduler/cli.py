"""The ``scheduler`` command line: validate, solve, export and report.

Exit codes: 0 all holds, 1 a rule is broken or no schedule exists, 2 the input is invalid
(every problem listed with its location). No input a user can give ends in a traceback.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape

from scheduler.analysis import to_html, to_markdown, whole_picture
from scheduler.calendar import FeedError, FeedOptions, NoScheduleError
from scheduler.calendar.directory import export_feeds
from scheduler.contract.schedule import ScheduleDoc
from scheduler.errors import InputError
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.schedule import read_schedule
from scheduler.solver import Progress, SolveResult, solve
from scheduler.validate import validate

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_INVALID = 2

app = typer.Typer(
    help="Lay out one rationalised weekly pattern of appointments, check it, and publish it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class ReportFormat(StrEnum):
    """Formats of ``scheduler report``."""

    markdown = "markdown"
    html = "html"
    json = "json"


ScenarioPath = Annotated[Path, typer.Argument(help="Scenario JSON file.", show_default=False)]


def fail_invalid(error: InputError) -> NoReturn:
    """Print every located problem of ``error`` to stderr and exit with code 2."""
    err.print(f"[bold red]invalid {error.document}[/]: {len(error.issues)} problem(s)")
    for issue in error.issues:
        err.print(f"  {issue}", markup=False)
    raise typer.Exit(EXIT_INVALID)


def read_scenario(path: Path) -> Scenario:
    """Load a scenario file, exiting with code 2 and located messages when it is invalid."""
    try:
        return load_scenario(path)
    except InputError as exc:
        fail_invalid(exc)


@app.command("validate")
def validate_command(
    scenario_path: ScenarioPath,
    schedule_path: Annotated[
        Path | None, typer.Argument(help="Schedule JSON file to check.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check a scenario and today's bookings, or a schedule: every rule, the objective and the KPIs.

    Exit 0 when all holds, 1 when the schedule breaks a rule, has none, or claims another
    objective, 2 when an input is invalid. Today's bookings' violations are information only.
    """
    scenario = read_scenario(scenario_path)
    try:
        schedule = None if schedule_path is None else read_schedule(schedule_path)
        report = validate(scenario, schedule)
    except InputError as exc:
        fail_invalid(exc)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        out.print(report.to_text(), markup=False)
    if schedule is None:
        return
    no_schedule = schedule.status not in ("optimal", "feasible")
    if no_schedule:
        err.print(
            f"the schedule's status is {schedule.status}: {schedule.explanation or 'no pattern'}",
            markup=False,
        )
    if no_schedule or not report.ok or report.objective_mismatches:
        raise typer.Exit(EXIT_BROKEN)


@app.command("solve")
def solve_command(
    scenario_path: ScenarioPath,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the schedule JSON here (default: stdout).")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", min=0.1, help="Seconds (default: the scenario's).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=0, help="Search threads; 0: all cores.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Random seed.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")] = False,
) -> None:
    """Lay out the best weekly pattern; Ctrl-C stops early and keeps the best pattern so far.

    Exit 0 with a pattern (optimal or feasible), 1 when there is none (infeasible, with the
    reason, or timeout), 2 when the scenario is invalid.
    """
    scenario = read_scenario(scenario_path)
    result = _solve_with_progress(scenario, time_limit, workers, seed, quiet)
    document = result.to_doc(scenario)
    text = json.dumps(document.model_dump(mode="json", by_alias=True), indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    if not quiet:
        err.print(summary_text(document), markup=False)
    if not result.has_schedule:
        raise typer.Exit(EXIT_BROKEN)


def _solve_with_progress(
    scenario: Scenario, time_limit: float | None, workers: int | None, seed: int | None, quiet: bool
) -> SolveResult:
    """Solve in a worker thread so that Ctrl-C can stop the search and keep its best pattern."""
    stop = threading.Event()
    box: list[SolveResult] = []
    limit = time_limit if time_limit is not None else scenario.solver.time_limit_s
    with Live(console=err, transient=True, refresh_per_second=4, redirect_stdout=False) as live:

        def show(progress: Progress) -> None:
            if not quiet:
                live.update(progress_line(progress, limit))

        def run() -> None:
            box.append(
                solve(
                    scenario, time_limit=time_limit, workers=workers, seed=seed, on_progress=show, stop=stop
                )
            )

        worker = threading.Thread(target=run, name="solve", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.25)
        except KeyboardInterrupt:
            stop.set()
            err.print("stopping: keeping the best pattern found so far")
            worker.join()
    return box[0]


def progress_line(progress: Progress, limit: float) -> str:
    """``12.3 s of 30 s  best 412.5  bound 400.0  gap 3.0 %  (7 patterns)``."""
    parts = [f"{progress.elapsed:5.1f} s of {limit:g} s"]
    if progress.objective is not None:
        parts.append(f"best {progress.objective:.2f}")
    if progress.bound is not None:
        parts.append(f"bound {progress.bound:.2f}")
    if progress.objective and progress.bound is not None:
        parts.append(f"gap {100 * max(0.0, progress.objective - progress.bound) / progress.objective:.1f} %")
    if progress.solutions:
        parts.append(f"({progress.solutions} patterns)")
    return "  ".join(parts)


def summary_text(document: ScheduleDoc) -> str:
    """Status, objective with bound and gap, each term, and trips and travel against today."""
    o = document.objective
    lines = [f"status: {document.status}  ({document.solve_seconds:.1f} s)"]
    if o.total is not None:
        gap = "" if o.gap is None else f"  gap {100 * o.gap:.2f} %"
        bound = "" if o.bound is None else f"  bound {o.bound:.2f}"
        lines.append(f"objective: {o.total:.2f}{bound}{gap}")
        lines.extend(f"  {term}: {value:.2f}" for term, value in o.components.items() if value)
    totals = {"trips": [0.0, 0.0], "family_travel_minutes": [0.0, 0.0]}
    for kpis in document.kpis.values():
        for figure, pair in totals.items():
            pair[1] += float(getattr(kpis, figure))
            if kpis.before is not None:
                pair[0] += float(kpis.before.get(figure, 0.0))
    if document.kpis:
        for figure, (before, after) in totals.items():
            lines.append(f"{figure}: {after:g} (today {before:g})")
    if document.sessions:
        lines.append(f"sessions: {len(document.sessions)}; dropped optional: {len(document.dropped)}")
    if document.explanation:
        lines.append(document.explanation)
    return "\n".join(lines)


@app.command()
def export(
    schedule: Annotated[Path, typer.Argument(help="Schedule JSON file to publish.", show_default=False)],
    scenario: Annotated[
        Path, typer.Option("--scenario", help="Scenario JSON file the schedule is for.", show_default=False)
    ],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out", help="Directory for the .ics feeds and their .revisions.json.", show_default=False
        ),
    ],
    travel: Annotated[
        bool, typer.Option("--travel", help="Family feeds also show journeys as events.")
    ] = False,
    revised_at: Annotated[
        str | None,
        typer.Option(
            "--revised-at",
            help="Time of this revision, ISO 8601 (UTC when no offset); default: the schedule file's mtime.",
            show_default=False,
        ),
    ] = None,
    calendar_key: Annotated[
        str | None,
        typer.Option("--calendar-key", help="Right-hand side of UIDs; default: a digest of the scenario."),
    ] = None,
) -> None:
    """Write one iCalendar feed per household, client, carer, practitioner and venue into --out."""
    model = read_scenario(scenario)
    try:
        document = read_schedule(schedule)
    except InputError as exc:
        fail_invalid(exc)
    moment = _revision_time(revised_at, schedule)
    options = FeedOptions(travel=travel, calendar_key=calendar_key)
    try:
        result = export_feeds(model, document, out_dir, revised_at=moment, options=options)
    except InputError as exc:
        fail_invalid(exc)
    except NoScheduleError as exc:
        err.print(f"[bold red]nothing to export[/]: {escape(str(exc))}")
        raise typer.Exit(EXIT_BROKEN) from None
    except FeedError as exc:
        err.print(f"[bold red]cannot export[/]: {escape(str(exc))}")
        raise typer.Exit(EXIT_INVALID) from None
    for path in result.files:
        out.print(str(path), markup=False)
    out.print(
        f"{len(result.files)} feeds; {result.new_events} new and {result.changed_events} changed events",
        markup=False,
    )


def _revision_time(text: str | None, schedule: Path) -> datetime:
    """``--revised-at`` as an aware time, else the schedule file's modification time (UTC, whole seconds)."""
    if text is None:
        return datetime.fromtimestamp(int(schedule.stat().st_mtime), UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        err.print(f'[bold red]invalid option[/]: --revised-at "{escape(text)}" is not an ISO 8601 time')
        raise typer.Exit(EXIT_INVALID) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@app.command()
def report(
    scenario_path: ScenarioPath,
    schedule_path: Annotated[
        Path | None, typer.Argument(help="Schedule JSON file: the new pattern.", show_default=False)
    ] = None,
    client: Annotated[str | None, typer.Option("--client", help="Only this client.")] = None,
    household: Annotated[str | None, typer.Option("--household", help="Only this household.")] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="markdown, html or json.")
    ] = ReportFormat.markdown,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report here (default: stdout).")
    ] = None,
) -> None:
    """The whole picture of a client, a household or everyone: services, today's bookings against the
    new pattern, what today's bookings get wrong, and overload, duplication and gaps for agencies.

    Exit 0 with the report, 2 when an input is invalid or names no client or household of it.
    """
    scenario = read_scenario(scenario_path)
    try:
        schedule = None if schedule_path is None else read_schedule(schedule_path)
    except InputError as exc:
        fail_invalid(exc)
    if schedule is not None and schedule.status not in ("optimal", "feasible"):
        err.print(
            f"the schedule's status is {schedule.status}: reporting today's bookings only", markup=False
        )
        schedule = None
    try:
        picture = whole_picture(scenario, schedule, client=client, household=household)
    except InputError as exc:
        fail_invalid(exc)
    except ValueError as exc:
        err.print(f"[bold red]invalid option[/]: {escape(str(exc))}")
        raise typer.Exit(EXIT_INVALID) from None
    if output_format is ReportFormat.json:
        text = json.dumps(picture.to_dict(), indent=2)
    else:
        text = to_html(picture) if output_format is ReportFormat.html else to_markdown(picture)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    """Entry point of the ``scheduler`` console script."""
    app()
