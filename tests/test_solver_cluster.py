"""Large scenarios on a Dask cluster: a local cluster of two worker processes lays out small
towns as one process would, keeps going when a worker dies, and stops when asked.

The cluster is started once for the module (it takes a few seconds); each solve reaches it
by its scheduler's address, as ``scheduler solve --cluster tcp://...`` does.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from benchmarks.run import side_by_side
from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.solver import Method, Progress
from scheduler.solver.cpsat import Budget
from scheduler.solver.decompose import Decomposition, components
from scheduler.solver.engines import DaskEngine, Engine, InProcess
from scheduler.solver.presolve import presolve
from scheduler.solver.tasks import Context
from scheduler.travel import Travel
from tests.solver_support import solve_checked
from tests.test_api_helpers import create_scenario, running_api, settings_for, wait_for_job


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as running:
        yield running


def laid_out(context: Context, engine: Engine) -> dict[int, tuple[tuple[int, int], ...]]:
    """Each group's placement after construction and improvement with time to spare, so that
    every sub-solve ends by itself (proven) rather than by the clock."""
    dec = Decomposition(
        context.scenario,
        context.presolved,
        context.travel,
        Budget.starting_now(300),
        engine,
        seed=0,
        report=lambda: None,
    )
    try:
        assert dec.construct(until=dec.budget.clock() + 200)
        dec.improve(until=dec.budget.clock() + 20)
    finally:
        engine.close()
    return {gi: placement.choice for gi, placement in dec.placed.items()}


def test_two_worker_processes_lay_out_a_town_as_one_process_does(cluster: LocalCluster) -> None:
    scenario = load_scenario(generate_town(3, seed=4))
    travel = Travel(scenario)
    context = Context(scenario, presolve(scenario, travel, Budget.starting_now(60)), travel)
    here = laid_out(context, InProcess(context, threads=1, slots=2))
    there = laid_out(context, DaskEngine(context, workers=2, address=cluster.scheduler_address))
    assert there == here


def test_a_town_solved_on_the_cluster_validates(cluster: LocalCluster) -> None:
    solved = solve_checked(
        generate_town(3, seed=4), time_limit=10, method=Method.GROUPS, cluster=cluster.scheduler_address
    )
    assert solved.result.has_schedule, solved.explanation


def test_a_worker_killed_mid_solve_loses_its_task_not_the_solve(cluster: LocalCluster) -> None:
    with Client(cluster.scheduler_address) as client:
        pids = sorted(client.run(os.getpid).values())
    killed: list[int] = []

    def kill_one_worker(progress: Progress) -> None:
        if not killed and progress.objective is None and progress.bound is None:
            killed.append(pids[0])
            os.kill(pids[0], signal.SIGKILL)  # the nanny starts another; its task runs again

    solved = solve_checked(
        generate_town(3, seed=4),
        time_limit=60,
        method=Method.GROUPS,
        cluster=cluster.scheduler_address,
        on_progress=kill_one_worker,
    )
    assert killed
    assert solved.result.has_schedule, solved.explanation


def test_a_stop_during_a_distributed_solve_is_honoured(cluster: LocalCluster) -> None:
    stop = threading.Event()
    stopped_at: list[float] = []

    def stop_at_the_first_placement(progress: Progress) -> None:
        if progress.objective is None and progress.bound is None and not stop.is_set():
            stopped_at.append(time.monotonic())
            stop.set()

    solved = solve_checked(
        generate_town(5, seed=1),
        time_limit=120,
        method=Method.GROUPS,
        cluster=cluster.scheduler_address,
        on_progress=stop_at_the_first_placement,
        stop=stop,
    )
    assert stop.is_set()
    assert solved.status in ("timeout", "feasible")
    assert time.monotonic() - stopped_at[0] < 10


def test_an_api_job_on_a_large_scenario_runs_on_the_cluster(cluster: LocalCluster, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, cluster=cluster.scheduler_address, max_time_limit_s=20)
    with running_api(settings) as api:
        scenario_id = create_scenario(api, generate_town(5, seed=1))
        job = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth).json()
        done = wait_for_job(api, job["id"], until=lambda j: j["status"] in ("done", "failed", "cancelled"))
    assert done["status"] == "done", done
    assert done["outcome"] in ("optimal", "feasible"), done
    with Client(cluster.scheduler_address) as client:
        prefixes = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert "run_task" in prefixes


def test_towns_that_share_nobody_are_laid_out_each_by_one_worker(cluster: LocalCluster) -> None:
    county = side_by_side([generate_town(2, seed=4), generate_town(2, seed=6)])
    scenario = load_scenario(county)
    travel = Travel(scenario)
    sets = components(scenario, presolve(scenario, travel, Budget.starting_now(60)))
    assert [len(groups) for groups in sets] == [2, 2]
    solved = solve_checked(county, time_limit=20, method=Method.GROUPS, cluster=cluster.scheduler_address)
    assert solved.result.has_schedule, solved.explanation
    with Client(cluster.scheduler_address) as client:
        prefixes = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert "run_component" in prefixes
