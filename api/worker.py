"""One solve in a worker process of its own, so that a crash or a runaway model ends that job only.

The service starts a process per job from a fork server (:func:`solve_context`) and talks to
it through a queue and an event: the child sends :class:`~scheduler.solver.result.Progress`
reports and then one :class:`Answer` or one :class:`Failure`; the parent sets the event to
stop the search. The child's address space is capped (``RLIMIT_AS``), so a model that grows
past the limit fails with ``MemoryError`` (or dies) instead of taking the machine's memory.

:func:`describe_exit` puts a child's death (a signal, an exit code) into words for the job.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any, Protocol

from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.solver.result import Progress, SolveResult, Status

PRELOAD = ["api.cli", "api.worker", "scheduler.solver"]
"""Modules the fork server imports once, so that each job's process starts without importing them.

A worker process runs the program's main script again before the job (Python 3.11's fork
server never preloads ``__main__``); for ``scheduler-api`` that script imports ``api.cli``
and with it the whole service, seconds per job on a busy machine unless it is preloaded."""


class SolveFunction(Protocol):
    """The engine's :func:`scheduler.solver.solve`, or a double of it.

    It runs in the worker process, so it must be a module-level function (picklable by name).
    """

    def __call__(
        self,
        scenario: Scenario,
        *,
        time_limit: float | None = None,
        workers: int | None = None,
        seed: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
        cluster: str | None = None,
    ) -> SolveResult:
        """Solve ``scenario``."""
        ...


@dataclass(frozen=True)
class Task:
    """What a worker process solves, and how."""

    document: dict[str, Any]
    time_limit: float
    workers: int
    seed: int
    memory_limit_bytes: int
    cluster: str | None
    """A running Dask cluster's address for a large scenario's groups; None: this process."""
    solve: SolveFunction | None
    """None: the engine's solver."""


@dataclass(frozen=True)
class Answer:
    """A finished solve: its outcome and the contract's schedule document."""

    status: Status
    objective: float | None
    bound: float | None
    runtime: float
    explanation: str | None
    schedule: dict[str, Any]


@dataclass(frozen=True)
class Failure:
    """A solve that raised; ``reason`` is said in words."""

    reason: str


Message = Progress | Answer | Failure


def solve_context() -> ForkServerContext:
    """The multiprocessing context of worker processes: a fork server that has the engine imported."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def run(task: Task, messages: Queue[Message], stop: Event) -> None:
    """The worker process's body: cap memory, solve, send progress and then the answer or failure."""
    limit_memory(task.memory_limit_bytes)
    searching = threading.Event()
    threading.Thread(target=_relay, args=(stop, searching), daemon=True).start()
    try:
        messages.put(_solve(task, messages.put, searching))
    except MemoryError:
        messages.put(
            Failure(f"the solve ran out of memory (the limit is {size_text(task.memory_limit_bytes)})")
        )
    except Exception as exc:
        messages.put(Failure(f"the solve failed: {type(exc).__name__}: {exc}"))
    finally:
        messages.close()
        messages.join_thread()


def _relay(stop: Event, searching: threading.Event) -> None:
    """Set the solver's own stop event when the service sets the shared one."""
    stop.wait()
    searching.set()


def _solve(task: Task, report: Callable[[Progress], None], stop: threading.Event) -> Answer:
    scenario = load_scenario(task.document)
    solve = task.solve or engine_solve()
    result = solve(
        scenario,
        time_limit=task.time_limit,
        workers=task.workers,
        seed=task.seed,
        on_progress=report,
        stop=stop,
        cluster=task.cluster,
    )
    return Answer(
        status=result.status,
        objective=result.objective,
        bound=result.bound,
        runtime=result.runtime,
        explanation=result.explanation,
        schedule=result.to_doc(scenario).model_dump(mode="json", by_alias=True),
    )


def engine_solve() -> SolveFunction:
    """The engine's solver."""
    from scheduler.solver import solve

    return solve


def limit_memory(limit_bytes: int) -> None:
    """Cap this process's address space at ``limit_bytes`` (never above a lower hard limit)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit_bytes = min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))


def size_text(size: int) -> str:
    """``4294967296`` -> ``"4 GiB"``, ``805306368`` -> ``"768 MiB"``."""
    if size >= 2**30:
        value = size / 2**30
        return f"{value:.0f} GiB" if value == round(value) else f"{value:.1f} GiB"
    return f"{size / 2**20:.0f} MiB"


def describe_exit(exitcode: int | None, memory_limit_bytes: int) -> str:
    """Why a worker process ended without an answer, in words."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        words = signal.strsignal(number) or name
        hint = ""
        if number in (signal.SIGKILL, signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
            hint = f"; it may have run past its memory limit of {size_text(memory_limit_bytes)}"
        return f"the solver process crashed ({name}: {words}){hint}"
    return f"the solver process ended without an answer (exit code {exitcode})"
