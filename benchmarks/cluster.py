"""Benchmark: how much faster a Dask cluster runs a town's group sub-solves than one process.

Every group of a generated town is bounded on its own (the decomposition's bound phase:
independent tasks, most of which end proven well before their limit, so that every engine
does nearly the same work); the table prints the wall seconds of one process (one CP-SAT
worker) and of a local cluster of 1, 2, ... worker processes, and the speed-up against the
one process. The cluster's start-up is timed apart. Figures, not pass/fail.

    .venv/bin/python -m benchmarks.cluster --households 500 --workers 1 2
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Sequence

from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.solver.cpsat import Budget
from scheduler.solver.decompose import client_groups
from scheduler.solver.engines import DaskEngine, Engine, InProcess, run_group_tasks
from scheduler.solver.presolve import presolve
from scheduler.solver.tasks import Context, GroupTask, TaskKind
from scheduler.travel import Travel


def bound_every_group(engine: Engine, context: Context, seconds: float) -> float:
    """Wall seconds for ``engine`` to bound every group of the context's scenario."""
    groups = client_groups(context.scenario)
    tasks = [
        GroupTask(n, frozenset(group), TaskKind.BOUND, seconds, seed=0, workers=1)
        for n, group in enumerate(groups)
    ]
    started = time.monotonic()
    for first in range(0, len(tasks), engine.slots * 4):
        run_group_tasks(engine, tasks[first : first + engine.slots * 4], threading.Event())
    return time.monotonic() - started


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Cluster sizes to time.")
    parser.add_argument("--seconds", type=float, default=2.0, help="Wall limit of each sub-solve.")
    args = parser.parse_args(argv)
    scenario = load_scenario(generate_town(args.households, seed=args.seed))
    travel = Travel(scenario)
    context = Context(scenario, presolve(scenario, travel, Budget.starting_now(600)), travel)
    groups = len(client_groups(scenario))
    print(f"town of {args.households} households: {groups} groups, {len(scenario.appointments)} appointments")
    one = bound_every_group(InProcess(context, threads=1), context, args.seconds)
    print(f"{'engine':<28}{'start s':>8}{'wall s':>8}{'speed-up':>10}")
    print(f"{'one process, 1 thread':<28}{0:>8.1f}{one:>8.1f}{1:>10.2f}")
    for n in args.workers:
        started = time.monotonic()
        engine = DaskEngine(context, workers=n)
        start_up = time.monotonic() - started
        try:
            wall = bound_every_group(engine, context, args.seconds)
        finally:
            engine.close()
        print(
            f"{f'local cluster, {n} processes':<28}{start_up:>8.1f}{wall:>8.1f}{one / wall:>10.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
