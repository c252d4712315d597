"""Executors: where runs are played. One interface, two back ends.

- `LocalExecutor`: a pool of local processes (`concurrent.futures.ProcessPoolExecutor`,
  spawned, all cores by default). The run context is installed once per worker.
- `DaskExecutor`: a Dask distributed cluster, from a scheduler address or `local` (a
  `LocalCluster` on 127.0.0.1). The run context is scattered once to every worker.

Workers of both clear their markets in one thread (`CRITMIN_CLEAR_THREADS=1`, set in the
worker before it plays): N workers never start 2N threads.

Both hand out results as runs finish, keeping at most a few runs per worker in flight so that
memory stays flat however many runs there are. A run that raises is reported as a failure;
a broken pool or a lost cluster stops the batch.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pyarrow as pa

from critmin.engine.parallel_clearing import SETTING as CLEAR_THREADS
from critmin.research.design import Run
from critmin.research.parent_death import die_with_parent
from critmin.research.simulate import RunContext, install, simulate, simulate_and_free, simulate_installed

IN_FLIGHT_PER_SLOT = 2


def single_threaded() -> None:
    """Set this worker to clear its markets in its own thread (the batch already uses every core)."""
    os.environ[CLEAR_THREADS] = "1"


def install_worker(context: RunContext, parent_pid: int) -> None:
    """A local worker's set-up: it dies with the batch process, clears in one thread, keeps the context."""
    die_with_parent(parent_pid)
    single_threaded()
    install(context)


def simulate_single_threaded(context: RunContext, run: Run) -> pa.Table:
    """`simulate_and_free` on a Dask worker, set to clear in one thread first."""
    single_threaded()
    return simulate_and_free(context, run)


class ExecutorError(RuntimeError):
    """An executor that cannot start or has broken down (e.g. the scheduler cannot be reached)."""


class RunFailure:
    """A run that raised: its error as text (worker tracebacks stay on the worker)."""

    def __init__(self, error: BaseException) -> None:
        self.error = f"{type(error).__name__}: {error}"

    def __repr__(self) -> str:
        return f"RunFailure({self.error!r})"


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Executor(ABC):
    """Plays runs somewhere and yields them as they finish."""

    description = "executor"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    @abstractmethod
    def slots(self) -> int:
        """How many runs play at the same time."""

    @abstractmethod
    def start(self, context: RunContext) -> None:
        """Send the experiment's shared context to the workers."""

    @abstractmethod
    def submit(self, run: Run) -> Any:
        """Start one run; returns a future."""

    @abstractmethod
    def wait_any(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        """Block until at least one future is done; returns (done, not done)."""

    @abstractmethod
    def outcome(self, future: Any) -> pa.Table | RunFailure:
        """A finished future's table, or its failure; raises if the executor itself broke."""

    @abstractmethod
    def close(self) -> None:
        """Stop the workers (cancelling runs not yet started)."""

    def results(self, runs: Iterable[Run]) -> Iterator[tuple[Run, pa.Table | RunFailure]]:
        """Play `runs`, yielding (run, table or failure) in the order they finish."""
        queue, window = iter(runs), self.slots * IN_FLIGHT_PER_SLOT
        pending: dict[Any, Run] = {}
        while True:
            for run in queue:
                pending[self.submit(run)] = run
                if len(pending) >= window:
                    break
            if not pending:
                return
            done, _ = self.wait_any(set(pending))
            for future in [f for f in pending if f in done]:  # in submission order
                yield pending.pop(future), self.outcome(future)


class Finished:
    """A run already played (the inline executor's future)."""

    def __init__(self, value: pa.Table | RunFailure) -> None:
        self.value = value


class InlineExecutor(Executor):
    """Runs in the calling process, one at a time (for debugging, notebooks and tests)."""

    description = "inline (this process)"

    def __init__(self) -> None:
        self.context: RunContext | None = None

    @property
    def slots(self) -> int:
        """One run at a time."""
        return 1

    def start(self, context: RunContext) -> None:
        """Keep the context."""
        self.context = context

    def submit(self, run: Run) -> Any:
        """Play the run now; the 'future' holds its outcome."""
        assert self.context is not None, "start() the executor first"
        try:
            return Finished(simulate(self.context, run))
        except Exception as error:
            return Finished(RunFailure(error))

    def wait_any(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        """Everything submitted is already done."""
        return set(pending), set()

    def outcome(self, future: Any) -> pa.Table | RunFailure:
        """The outcome kept by submit."""
        return future.value

    def close(self) -> None:
        """Nothing to stop."""


class LocalExecutor(Executor):
    """Local worker processes (spawned: the same behaviour on Linux, macOS and Windows)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.pool: ProcessPoolExecutor | None = None
        self.description = f"local processes x {self.workers}"

    @property
    def slots(self) -> int:
        """One run per worker process."""
        return self.workers

    def start(self, context: RunContext) -> None:
        """Start the pool; each worker keeps the context."""
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=install_worker,
            initargs=(context, os.getpid()),
        )

    def submit(self, run: Run) -> Any:
        """Queue one run in the pool."""
        assert self.pool is not None, "start() the executor first"
        return self.pool.submit(simulate_installed, run)

    def wait_any(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        """concurrent.futures.wait for the first to finish."""
        done, not_done = wait(pending, return_when=FIRST_COMPLETED)
        return set(done), set(not_done)

    def outcome(self, future: Any) -> pa.Table | RunFailure:
        """The table, a failure, or BrokenProcessPool raised (a worker died)."""
        try:
            return future.result()
        except BrokenProcessPool:
            raise
        except Exception as error:
            return RunFailure(error)

    def close(self) -> None:
        """Cancel queued runs and stop the workers."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class DaskExecutor(Executor):
    """A Dask distributed cluster: a scheduler's address, `local`, or a cluster object.

    `local` starts a LocalCluster (closed with the executor); a cluster object, such as
    dask-jobqueue's `SLURMCluster`, stays the caller's to close.

    Workers of a remote cluster need critmin installed (the same version); they receive the
    scenario content from the client, so no file has to exist on their machines.
    """

    def __init__(self, address: Any = "local", workers: int | None = None, timeout_s: float = 15.0) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        try:
            if not isinstance(address, str):
                self.client = Client(address, timeout=timeout_s)
                address = type(address).__name__
            elif address == "local":
                self.cluster = LocalCluster(
                    n_workers=workers or default_workers(),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster, timeout=timeout_s)
            else:
                self.client = Client(address, timeout=timeout_s)
        except (OSError, TimeoutError) as error:
            self.close()
            raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self.context_future = None
        self.description = f"dask {address} ({self.slots} threads)"

    @property
    def slots(self) -> int:
        """Worker threads in the cluster (at least one)."""
        return max(1, sum(self.client.nthreads().values()))

    def start(self, context: RunContext) -> None:
        """Scatter the context to every worker once."""
        self.context_future = self.client.scatter(context, broadcast=True, hash=False)

    def submit(self, run: Run) -> Any:
        """Submit one run (not pure: every run is played even if asked twice)."""
        return self.client.submit(simulate_single_threaded, self.context_future, run, pure=False)

    def wait_any(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        """distributed.wait for the first to finish."""
        from distributed import wait as dask_wait

        done, not_done = dask_wait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(not_done)

    def outcome(self, future: Any) -> pa.Table | RunFailure:
        """The table or the failure; the future is released at once."""
        try:
            return future.result()
        except Exception as error:
            return RunFailure(error)
        finally:
            future.release()

    def close(self) -> None:
        """Close the client (and the local cluster, if this executor started one)."""
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(workers: int | None = None, dask: str | None = None) -> Executor:
    """The executor the command line asks for."""
    if dask:
        return DaskExecutor(dask, workers)
    return LocalExecutor(workers)
