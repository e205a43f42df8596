"""The ``scheduler`` command line: validate, solve, export and report.

Exit codes: 0 all holds, 1 a rule is broken or no schedule exists (or the engine itself
failed: a bug to report), 2 the input is invalid (every problem listed with its location)
or an output cannot be written. No input a user can give ends in a traceback, and no
answer is lost: a schedule or report that cannot be written goes to stdout instead.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Protocol

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.exceptions import TyperException

from scheduler.analysis import to_html, to_markdown, whole_picture
from scheduler.calendar import MAX_REMINDER_MINUTES, FeedError, FeedOptions, NoScheduleError
from scheduler.calendar.directory import export_feeds
from scheduler.contract.schedule import ScheduleDoc
from scheduler.errors import InputError, UnsupportedScenarioError
from scheduler.files import write_text_atomically
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.schedule import read_schedule
from scheduler.solver import LOCAL_CLUSTER, Progress, SolveResult, solve
from scheduler.validate import validate

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_INVALID = 2

PACKAGE_ROOT = Path(__file__).resolve().parent.parent

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ProgressCallback = Callable[[Progress], None]


class SolveFunction(Protocol):
    """The signature of :func:`scheduler.solver.solve` as the ``solve`` command calls it."""

    def __call__(
        self,
        scenario: Scenario,
        *,
        time_limit: float | None,
        workers: int | None,
        seed: int | None,
        on_progress: ProgressCallback | None,
        stop: threading.Event | None,
        cluster: str | None,
    ) -> SolveResult: ...


@dataclass(frozen=True)
class Engine:
    """What the commands run. The default is the real engine; a caller (a test) passes another as
    the context object: ``CliRunner().invoke(app, args, obj=Engine(solve=...))``."""

    solve: SolveFunction = solve


def _engine(ctx: typer.Context) -> Engine:
    return ctx.obj if isinstance(ctx.obj, Engine) else Engine()


def engine_failure(command: str, exc: BaseException) -> str:
    """The message for an unexpected exception: what and where, in one line, and whom to tell."""
    place = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        frame = frames[-1]
        path = Path(frame.filename)
        shown = path.relative_to(PACKAGE_ROOT) if path.is_relative_to(PACKAGE_ROOT) else path.name
        place = f" at {shown}:{frame.lineno} in {frame.name}"
    reason = " ".join(str(exc).split())
    return (
        f"scheduler {command} failed: internal error ({type(exc).__name__}: {reason}{place}). "
        "This is a bug in carepattern, not a fault of your input: please report it with this "
        "message and the input files."
    )


def _unwrapped(text: str | None) -> str | None:
    """Help text with each paragraph on one line, for the terminal to wrap at its own width."""
    if text is None:
        return None
    return "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(text).split("\n\n"))


def _plain_flags(params: list[Any]) -> list[Any]:
    """Flags (``--json``, ``--help``) show no value type: they take none (Typer shows ``<bool>``)."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    """A command whose help reads right: paragraphs wrap as a whole, flags take no value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _unwrapped(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_flags(super().get_params(ctx))


class _Group(TyperGroup):
    """The ``scheduler`` command: its help reads like each command's, and an unexpected exception in
    any command ends as :func:`engine_failure` and exit 1, never a traceback."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_flags(super().get_params(ctx))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except Exception as exc:
            command = ctx.invoked_subcommand or ctx.command_path
            err.print(engine_failure(command, exc), markup=False)
            raise typer.Exit(EXIT_BROKEN) from None


app = typer.Typer(
    cls=_Group,
    help="Lay out one rationalised weekly pattern of appointments, check it, and publish it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class ReportFormat(StrEnum):
    """Formats of ``scheduler report``."""

    markdown = "markdown"
    html = "html"
    json = "json"


ScenarioPath = Annotated[
    Path, typer.Argument(metavar="SCENARIO", help="Scenario JSON file.", show_default=False)
]


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


@app.command("validate", cls=_Command)
def validate_command(
    scenario_path: ScenarioPath,
    schedule_path: Annotated[
        Path | None,
        typer.Argument(metavar="SCHEDULE", help="Schedule JSON file to check.", show_default=False),
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


@app.command("solve", cls=_Command)
def solve_command(
    ctx: typer.Context,
    scenario_path: ScenarioPath,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the schedule JSON here (default: stdout).", show_default=False
        ),
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", min=0.1, help="Seconds (default: the scenario's).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=0, help="Search threads; 0: all cores.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Random seed.")] = None,
    cluster: Annotated[
        str,
        typer.Option(
            "--cluster",
            help="Where a large scenario's groups are solved: local (a Dask cluster of --workers "
            "processes), a running cluster's address (tcp://host:8786), or none (this process).",
        ),
    ] = LOCAL_CLUSTER,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")] = False,
) -> None:
    """Lay out the best weekly pattern; Ctrl-C stops early and keeps the best pattern so far.

    Progress (elapsed, best objective, bound, gap) goes to stderr: a live line on a terminal,
    a plain line per improvement otherwise. Exit 0 with a pattern (optimal or feasible), 1
    when there is none (infeasible, with the reason, or timeout), 2 when the scenario is
    invalid or the output cannot be written (the schedule then goes to stdout).
    """
    scenario = read_scenario(scenario_path)
    limit = time_limit if time_limit is not None else scenario.solver.time_limit_s
    try:
        with progress_display(limit, quiet) as show:
            where = None if cluster == "none" else cluster
            result = solve_in_thread(_engine(ctx).solve, scenario, time_limit, workers, seed, where, show)
    except UnsupportedScenarioError as exc:
        err.print(f"cannot solve: {exc}", markup=False)
        raise typer.Exit(EXIT_BROKEN) from None
    document = result.to_doc(scenario)
    text = json.dumps(document.model_dump(mode="json", by_alias=True), indent=2)
    written = write_output(output, text, "the schedule")
    if not quiet:
        err.print(summary_text(document), markup=False)
    if not written:
        raise typer.Exit(EXIT_INVALID)
    if not result.has_schedule:
        raise typer.Exit(EXIT_BROKEN)


def solve_in_thread(
    solver: SolveFunction,
    scenario: Scenario,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    cluster: str | None,
    on_progress: ProgressCallback,
) -> SolveResult:
    """Solve in a worker thread so that Ctrl-C can stop the search and keep its best pattern.

    An exception in the worker is raised again here, in the caller's thread.
    """
    stop = threading.Event()
    results: list[SolveResult] = []
    failures: list[Exception] = []

    def run() -> None:
        try:
            results.append(
                solver(
                    scenario,
                    time_limit=time_limit,
                    workers=workers,
                    seed=seed,
                    on_progress=on_progress,
                    stop=stop,
                    cluster=cluster,
                )
            )
        except Exception as exc:
            failures.append(exc)

    worker = threading.Thread(target=run, name="solve", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.25)
    except KeyboardInterrupt:
        stop.set()
        err.print("stopping: keeping the best pattern found so far")
        worker.join()
    if failures:
        raise failures[0]
    return results[0]


@contextlib.contextmanager
def progress_display(limit: float, quiet: bool) -> Iterator[ProgressCallback]:
    """The solve's progress reporter: a live line on a terminal, a plain line per change when
    stderr is a file or a pipe, nothing when ``quiet``."""
    if quiet:
        yield _ignore
    elif err.is_terminal:
        with Live(console=err, transient=True, refresh_per_second=4, redirect_stdout=False) as live:
            yield lambda progress: live.update(progress_line(progress, limit))
    else:
        shown: list[tuple[float | None, float | None]] = []

        def plain(progress: Progress) -> None:
            figures = (progress.objective, progress.bound)
            if not shown or shown[-1] != figures:
                shown.append(figures)
                err.print(progress_line(progress, limit), markup=False)

        yield plain


def _ignore(progress: Progress) -> None:
    """A progress reporter that shows nothing."""


def write_output(path: Path | None, text: str, what: str) -> bool:
    """Write ``text`` to ``path``, or to stdout when ``path`` is None.

    When the file cannot be written, say where and why on stderr and print ``text`` to
    stdout instead, so the answer is not lost; return False then.
    """
    if path is None:
        typer.echo(text)
        return True
    try:
        write_text_atomically(path, text + "\n")
    except OSError as exc:
        err.print(
            f"[bold red]cannot write {what}[/] to {escape(str(path))}: {escape(_os_reason(exc))}; "
            f"{what} follows on stdout instead"
        )
        typer.echo(text)
        return False
    return True


def _os_reason(exc: OSError) -> str:
    """``Permission denied``, naming the file concerned when it is not the one asked for."""
    reason = exc.strerror or str(exc)
    return f"{reason} ({exc.filename})" if exc.filename else reason


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


@app.command(cls=_Command)
def export(
    schedule: Annotated[
        Path, typer.Argument(metavar="SCHEDULE", help="Schedule JSON file to publish.", show_default=False)
    ],
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
    reminder: Annotated[
        int | None,
        typer.Option(
            "--reminder",
            metavar="MINUTES",
            min=0,
            max=MAX_REMINDER_MINUTES,
            help="Family feeds remind this many minutes before leaving (before a session the feed "
            "shows no journey to); default: no reminders.",
            show_default=False,
        ),
    ] = None,
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
    """Write one iCalendar feed per household, client, carer, practitioner and venue into --out.

    Exit 0 with the feeds written, 1 when the schedule has no pattern to publish, 2 when an
    input is invalid, its dates cannot be published, or --out cannot be written.
    """
    model = read_scenario(scenario)
    try:
        document = read_schedule(schedule)
    except InputError as exc:
        fail_invalid(exc)
    moment = _revision_time(revised_at, schedule)
    options = FeedOptions(travel=travel, reminder_minutes=reminder, calendar_key=calendar_key)
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
    except OSError as exc:
        err.print(f"[bold red]cannot write the feeds[/] to {escape(str(out_dir))}: {escape(_os_reason(exc))}")
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
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        shown = escape(text)
        err.print(f'[bold red]invalid option[/]: --revised-at "{shown}" is outside years 1 to 9999 in UTC')
        raise typer.Exit(EXIT_INVALID) from None


@app.command(cls=_Command)
def report(
    scenario_path: ScenarioPath,
    schedule_path: Annotated[
        Path | None,
        typer.Argument(metavar="SCHEDULE", help="Schedule JSON file: the new pattern.", show_default=False),
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

    Exit 0 with the report, 2 when an input is invalid or names no client or household of it,
    or the output cannot be written (the report then goes to stdout).
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
    if not write_output(output, text, "the report"):
        raise typer.Exit(EXIT_INVALID)


def main() -> None:
    """Entry point of the ``scheduler`` console script."""
    app()
