"""Bounds proven in worker processes (:class:`~scheduler.solver.engines.LocalProcesses`): the
same answers as in this process, a worker that dies loses only its task, an error in a task
reaches the caller, a stop kills the workers at once, and a caller's script without a main
guard is not run again in them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.solver.cpsat import Budget, SearchStatus
from scheduler.solver.decompose import Decomposition, client_groups
from scheduler.solver.engines import Engine, InProcess, LocalProcesses, run_group_tasks
from scheduler.solver.presolve import presolve
from scheduler.solver.tasks import Context, GroupTask, TaskKind, run_task
from scheduler.travel import Travel

REPOSITORY = Path(__file__).resolve().parent.parent


def small_town() -> Context:
    scenario = load_scenario(generate_town(3, seed=4))
    travel = Travel(scenario)
    return Context(scenario, presolve(scenario, travel, Budget.starting_now(60)), travel)


# Task functions run in the workers: module level, so that they are pickled by name.


def doubled(context: Context, item: int, stop: threading.Event | None) -> int:
    return 2 * item


def crash_on_minus_one(context: Context, item: int, stop: threading.Event | None) -> int:
    if item == -1:
        os.kill(os.getpid(), signal.SIGSEGV)
    return item


def refuse(context: Context, item: int, stop: threading.Event | None) -> int:
    raise ValueError(f"no {item}")


def sleep_long(context: Context, item: int, stop: threading.Event | None) -> int:
    time.sleep(60)
    return item


@pytest.fixture
def context() -> Context:
    return small_town()


def test_worker_processes_prove_each_group_as_this_process_does(context: Context) -> None:
    groups = client_groups(context.scenario)
    tasks = [
        GroupTask(gi, frozenset(group), TaskKind.BOUND, seconds=60, seed=0, workers=1)
        for gi, group in enumerate(groups)
    ]
    stop = threading.Event()
    here = run_group_tasks(InProcess(context, threads=1), tasks, stop)
    processes = LocalProcesses(context, processes=2)
    try:
        there = run_group_tasks(processes, tasks, stop)
    finally:
        processes.close()
    assert all(a.status is SearchStatus.OPTIMAL for a in here)
    assert [(a.group, a.status, a.bound) for a in there] == [(a.group, a.status, a.bound) for a in here]


def test_the_bound_proven_in_worker_processes_is_the_bound_proven_here(context: Context) -> None:
    def bound(engine: Engine) -> float | None:
        dec = Decomposition(
            context.scenario,
            context.presolved,
            context.travel,
            Budget.starting_now(120),
            InProcess(context, threads=1),
            seed=0,
            report=lambda: None,
            bound_engine=engine,
        )
        try:
            return dec.lower_bound(seconds=100)
        finally:
            engine.close()

    here = bound(InProcess(context, threads=1))
    assert here is not None
    assert here > 0
    assert bound(LocalProcesses(context, processes=2)) == pytest.approx(here)


def test_a_task_queued_past_its_end_answers_unknown_at_once(context: Context) -> None:
    group = frozenset(client_groups(context.scenario)[0])
    late = GroupTask(0, group, TaskKind.BOUND, seconds=60, seed=0, workers=1, ends_by=time.time() - 1)
    started = time.monotonic()
    answer = run_task(context, late)
    assert answer.status is SearchStatus.UNKNOWN
    assert answer.bound is None
    assert time.monotonic() - started < 1


def test_a_worker_that_dies_loses_its_task_and_the_others_are_answered(context: Context) -> None:
    processes = LocalProcesses(context, processes=2)
    try:
        answers = processes.map(crash_on_minus_one, [1, -1, 3, 4], threading.Event())
        again = processes.map(doubled, [5, 6], threading.Event())
    finally:
        processes.close()
    assert answers == [1, None, 3, 4]
    assert again == [10, 12]


def test_an_error_in_a_task_is_raised_to_the_caller(context: Context) -> None:
    processes = LocalProcesses(context, processes=2)
    try:
        with pytest.raises(ValueError, match="no 7"):
            processes.map(refuse, [7], threading.Event())
    finally:
        processes.close()


def test_a_stop_kills_the_workers_and_answers_none(context: Context) -> None:
    processes = LocalProcesses(context, processes=2)
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    answers = processes.map(sleep_long, [1, 2, 3], stop)
    assert answers == [None, None, None]
    assert time.monotonic() - started < 10
    processes.close()


def test_a_script_without_a_main_guard_solves_once(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            """
            from scheduler.generate import generate_town
            from scheduler.loader import load_scenario
            from scheduler.solver import Method, solve

            town = load_scenario(generate_town(3, seed=4))
            result = solve(town, time_limit=20, workers=2, method=Method.GROUPS)
            print("solved", result.status)
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("solved") == 1
    assert run.stdout.strip() in ("solved optimal", "solved feasible")
