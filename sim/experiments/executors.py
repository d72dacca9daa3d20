"""Where chunks run: in this process, in a local process pool, or on a Dask cluster.

All three go through :func:`execute`: tasks are submitted a few at a time per worker, and
each result is handed to ``on_result`` as soon as it arrives, so memory stays flat however
many runs there are. Local and Dask differ only in how a task is submitted and awaited.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, Literal

from sim.experiments import pool_server
from sim.experiments.worker import ChunkResult, Task, run_chunk

Executor = Literal["serial", "local", "dask"]
IN_FLIGHT_PER_WORKER = 2


def default_workers() -> int:
    """Worker processes to use by default: the machine's cores."""
    return os.cpu_count() or 1


def execute(
    tasks: Iterable[Task],
    on_result: Callable[[ChunkResult], None],
    *,
    executor: Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
) -> None:
    """Run every task with the chosen executor, passing each result to ``on_result``."""
    with session(executor, workers, scheduler) as run:
        run(tasks, on_result)


@contextmanager
def session(
    executor: Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    fn: Callable[[Any], Any] = run_chunk,
) -> Iterator[Callable[[Iterable[Any], Callable[[Any], None]], None]]:
    """Workers kept for several rounds of tasks: yields ``run(tasks, on_result)``.

    Each round applies ``fn`` (a module-level function, so that workers can import it) to every
    task and hands each result to ``on_result`` as it arrives.
    """
    workers = workers or default_workers()
    if executor == "serial":

        def run_serial(tasks: Iterable[Any], on_result: Callable[[Any], None]) -> None:
            for task in tasks:
                on_result(fn(task))

        yield run_serial
        return
    backend = _local if executor == "local" else _dask
    with backend(workers, scheduler, fn) as (submit, wait_first):

        def run(tasks: Iterable[Any], on_result: Callable[[Any], None]) -> None:
            _pipeline(iter(tasks), submit, wait_first, workers * IN_FLIGHT_PER_WORKER, on_result)

        yield run


def _pipeline(
    tasks: Iterator[Task],
    submit: Callable[[Task], Any],
    wait_first: Callable[[set], tuple[set, set]],
    window: int,
    on_result: Callable[[ChunkResult], None],
) -> None:
    """Keep ``window`` tasks in flight; hand over results in the order they finish.

    On Ctrl-C, tasks not yet started are cancelled, and those running or finished are waited
    for and handed over; then the interrupt goes on.
    """
    pending = {submit(t) for t in islice(tasks, window)}
    finished: set = set()  # done, not yet handed over
    try:
        while pending:
            finished, pending = wait_first(pending)
            count = len(finished)
            while finished:
                on_result(finished.pop().result())
            pending |= {submit(t) for t in islice(tasks, count)}
    except KeyboardInterrupt:
        running = finished | {f for f in pending if not f.cancel()}
        while running:
            done, running = wait_first(running)
            for future in done:
                if not future.cancelled() and future.exception() is None:
                    on_result(future.result())
        raise


@contextmanager
def _local(workers: int, scheduler: str | None, fn: Callable[[Any], Any]):
    # forkserver: workers fork from a clean single-threaded server that has the model loaded,
    # never from this (possibly multi-threaded) process.
    pool_server.start()
    context = mp.get_context("forkserver")
    with cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_ignore_interrupt
    ) as pool:

        def wait_first(pending: set) -> tuple[set, set]:
            done, rest = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            return set(done), set(rest)

        def submit(task: Any) -> cf.Future:
            # A submit may start a worker; a Ctrl-C while the pool waits for the new worker's
            # pid would leave that worker unknown to the pool, never joined: it would then
            # fail to rebuild the pool's locks, removed at exit, and print a traceback.
            with _ctrl_c_held():
                return pool.submit(fn, task)

        yield submit, wait_first


@contextmanager
def _ctrl_c_held():
    """Hold a Ctrl-C that comes during the block; raise it when the block ends (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops them after their running chunk."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _dask(workers: int, scheduler: str | None, fn: Callable[[Any], Any]):
    from distributed import Client, LocalCluster, wait

    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:

        def wait_first(pending: set) -> tuple[set, set]:
            done, rest = wait(list(pending), return_when="FIRST_COMPLETED")
            return set(done), set(rest)

        yield (lambda task: client.submit(fn, task, pure=False)), wait_first
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
