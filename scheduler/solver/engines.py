"""Where groups' sub-solves run: in this process, in worker processes of this machine, or on
a Dask distributed cluster.

An :class:`Engine` runs a batch of independent :class:`~scheduler.solver.tasks.GroupTask`
and returns their answers in the batch's order. :class:`InProcess` runs them one after the
other here. :class:`LocalProcesses` runs them at once in worker processes of this machine,
one CP-SAT worker each, which a solve starts for proving its groups' bounds.
:class:`DaskEngine` runs them at once on a Dask cluster: a local cluster of
worker processes it starts itself, or a running cluster by its scheduler's address. Dask
was chosen over Ray because its scheduler is a plain Python process with nothing else to
install, it starts a local cluster in seconds, runs a task again elsewhere when the worker
running it dies, and reaches a remote cluster by a ``tcp://`` address.

The scenario and its options travel to each worker once (scattered); each task carries
only its group, the sessions it must work around and its settings.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait as wait_for
from typing import IO, Any, Protocol, TypeVar

from scheduler.errors import CarePatternError
from scheduler.solver.cpsat import STOP_POLL_S, SearchStatus
from scheduler.solver.tasks import Context, GroupAnswer, GroupTask, run_task

A = TypeVar("A")
STARTUP_TIMEOUT_S = 60.0
"""How long to wait for a cluster's scheduler and workers."""
ATTEMPTS = 2
"""Times an item is submitted when its result was lost with a worker (besides Dask's own retries)."""


class ClusterError(CarePatternError):
    """A cluster that cannot be reached or started; ``address`` is the one asked for."""

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        super().__init__(f"cannot use the cluster at {address}: {reason}")


class Engine(Protocol):
    """Runs batches of independent group tasks."""

    slots: int
    """How many tasks run at once: the size of a batch worth giving it."""
    threads_per_task: int
    """CP-SAT workers each task may use."""

    def map(self, function: Callable[..., A], items: Sequence[Any], stop: threading.Event) -> list[A | None]:
        """``function(context, item, stop)`` of each item, in their order; None for an item
        cut short by ``stop`` or whose workers kept dying."""
        ...

    def close(self) -> None:
        """Release what the engine holds (a local cluster is shut down)."""
        ...


def run_group_tasks(engine: Engine, tasks: Sequence[GroupTask], stop: threading.Event) -> list[GroupAnswer]:
    """The answers of ``tasks`` on ``engine``; a task cut short answers UNKNOWN."""
    answers = engine.map(run_task, tasks, stop)
    return [a or GroupAnswer(t.group, SearchStatus.UNKNOWN) for t, a in zip(tasks, answers, strict=True)]


class InProcess:
    """Tasks one after the other in this process, each with ``threads`` CP-SAT workers.

    ``slots`` only sets the batch size the decomposition forms, so that a run here can
    reproduce the batches of a cluster of that many workers."""

    def __init__(self, context: Context, *, threads: int, slots: int = 1) -> None:
        self.context = context
        self.slots = slots
        self.threads_per_task = threads

    def map(self, function: Callable[..., A], items: Sequence[Any], stop: threading.Event) -> list[A | None]:
        """Run each item here in turn (none once stopped)."""
        return [None if stop.is_set() else function(self.context, item, stop) for item in items]

    def close(self) -> None:
        """Nothing to release."""


class LocalProcesses:
    """Tasks at once in ``processes`` worker processes of this machine, one CP-SAT worker each.

    Two searches never share a process: CP-SAT 9.15 crashed (a segfault) once with two
    searches running in threads of one process. A worker that dies loses only the task it was
    running, which is run again once by a new worker. Workers are started with ``python -m
    scheduler.solver.worker`` (:mod:`scheduler.solver.worker`), not by :mod:`multiprocessing`,
    so that a caller's script is never imported again in them (a script without an ``if
    __name__ == "__main__"`` guard would run again there); they receive the solve's context
    once, when they start, and are killed at a stop and at :meth:`close`.
    """

    def __init__(self, context: Context, *, processes: int) -> None:
        self.slots = processes
        self.threads_per_task = 1
        self._context = pickle.dumps(context)
        self._workers: list[subprocess.Popen[bytes]] = []

    def _start(self, count: int) -> list[subprocess.Popen[bytes]]:
        """``count`` new workers, each given the context (they see this process's import path);
        all are started before any is written to, so that they import at once."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        command = [sys.executable, "-m", "scheduler.solver.worker"]
        workers = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
            for _ in range(count)
        ]
        for worker in workers:
            assert worker.stdin is not None
            with contextlib.suppress(OSError):  # it died at once: its first task finds out
                worker.stdin.write(self._context)
                worker.stdin.flush()
        return workers

    def map(self, function: Callable[..., A], items: Sequence[Any], stop: threading.Event) -> list[A | None]:
        """Run the items on the workers, one at a time each, until all are answered (or a
        stop, which kills the workers and answers None for the items not done); answers in
        order. An item whose worker died is run again once; any error raised by a task is
        raised here."""
        answers: list[A | None] = [None] * len(items)
        tries = [0] * len(items)
        queue = deque(range(len(items)))
        self._workers += self._start(min(self.slots, len(items)) - len(self._workers))
        running: dict[int, int] = {}
        """Worker (index in ``_workers``) -> the item it runs."""
        while queue or running:
            for w, worker in enumerate(self._workers):
                if w in running or not queue:
                    continue
                n = queue.popleft()
                tries[n] += 1
                try:
                    _send(worker, (function, items[n]))
                    running[w] = n
                except OSError:  # the worker had died
                    self._replace(w, n, tries[n], queue)
            outputs = {_output(self._workers[w]).fileno(): w for w in running}
            ready = wait_for(list(outputs), timeout=STOP_POLL_S)
            if stop.is_set():
                self.close()
                return answers
            for fd in ready:
                assert isinstance(fd, int)
                w = outputs[fd]
                n = running.pop(w)
                try:
                    done, answer = pickle.load(_output(self._workers[w]))
                except (EOFError, pickle.UnpicklingError):  # the worker died
                    self._replace(w, n, tries[n], queue)
                    continue
                if not done:
                    raise answer
                answers[n] = answer
        return answers

    def _replace(self, w: int, n: int, tries: int, queue: deque[int]) -> None:
        """A new worker in place of worker ``w``, which died running item ``n``; the item is
        queued again unless it has had its :data:`ATTEMPTS`."""
        _end(self._workers[w])
        (self._workers[w],) = self._start(1)
        if tries < ATTEMPTS:
            queue.append(n)

    def close(self) -> None:
        """Kill the workers (a task still running has no answer worth waiting for)."""
        for worker in self._workers:
            _end(worker)
        self._workers = []


def _end(worker: subprocess.Popen[bytes]) -> None:
    """Kill ``worker`` (if it still runs) and close its pipes."""
    worker.kill()
    worker.wait()
    for pipe in (worker.stdin, worker.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def _send(worker: subprocess.Popen[bytes], message: object) -> None:
    assert worker.stdin is not None
    pickle.dump(message, worker.stdin)
    worker.stdin.flush()


def _output(worker: subprocess.Popen[bytes]) -> IO[bytes]:
    assert worker.stdout is not None
    return worker.stdout


class DaskEngine:
    """Tasks at once on a Dask cluster, one CP-SAT worker each (one per core of a worker).

    ``address`` None starts a local cluster of ``workers`` processes; otherwise the engine
    connects to the scheduler at ``address`` and uses its workers. A task whose worker dies
    is run again on another (Dask retries it), so a lost worker costs time, not the solve.
    """

    def __init__(self, context: Context, *, workers: int, address: str | None = None) -> None:
        from distributed import Client, LocalCluster

        self._cluster: Any = None
        where = address or f"a local cluster of {workers} processes"
        try:
            if address is None:
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self._cluster, timeout=STARTUP_TIMEOUT_S)
            else:
                self.client = Client(address, timeout=STARTUP_TIMEOUT_S)
            self.slots = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
            self._context_value = context
            self._context = self._scatter()
        except (OSError, TimeoutError) as error:
            self.close()
            raise ClusterError(where, str(error) or type(error).__name__) from error
        except BaseException:
            self.close()
            raise
        self.threads_per_task = 1

    def _scatter(self) -> Any:
        """The context on every worker (a worker that dies takes only its own copy)."""
        [future] = self.client.scatter([self._context_value], broadcast=True, hash=False)
        return future

    def map(self, function: Callable[..., A], items: Sequence[Any], stop: threading.Event) -> list[A | None]:
        """Submit every item, wait for all (or a stop), answers in order. A stop cancels what
        has not finished (each task also ends by its own time limit); an item whose result
        was lost with its worker is submitted again, once, with the context scattered again if
        the cluster lost it too; one whose workers kept dying answers None; any other error in
        a task is raised here."""
        from distributed import KilledWorker

        answers: list[A | None] = [None] * len(items)
        pending = list(range(len(items)))
        for _ in range(ATTEMPTS):
            futures = {n: self.client.submit(function, self._context, items[n], pure=False) for n in pending}
            while not all(f.done() for f in futures.values()):
                if stop.wait(STOP_POLL_S):
                    self.client.cancel([f for f in futures.values() if not f.done()])
                    return answers
            for n, future in futures.items():
                if future.status == "finished":
                    answers[n] = future.result()
                elif future.status == "error":
                    with contextlib.suppress(KilledWorker):
                        future.result()
            pending = [n for n in pending if answers[n] is None]
            if not pending:
                break
            if self._context.status != "finished":
                self._context = self._scatter()
        return answers

    def close(self) -> None:
        """Disconnect; shut down a local cluster."""
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
