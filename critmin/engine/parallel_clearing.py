"""A large batch of markets cleared on more than one core: Python threads over the nogil kernel.

Each market clears on its own and :func:`flow.clear_range` writes only its markets' parts of
the outputs, so threads that clear disjoint sets of markets into the same arrays give
byte-identical results to one serial call. The calling thread and the threads of a small
persistent pool each claim the next market, largest first by an estimate of its work (offers x
bids), until none is left; the calling thread then waits, blocked (no spinning), for the
markets still being cleared. A pool thread that does not get a core claims little or nothing,
and the calling thread clears the rest.

Only a batch whose estimated work reaches ``PARALLEL_WORK`` is split (world-2024's markets,
about 0.2 M, stay serial; the world with four copies of every country, about 3.4 M, is split).

The setting: the environment variable ``CRITMIN_CLEAR_THREADS``, read at each clearing.
``auto`` (the default): ``AUTO_THREADS`` threads when this process may use that many cores
(``os.sched_getaffinity``) and the machine has a core to spare (its one-minute load average
below the usable cores minus ``SPARE_CORE``), else one: on a machine other work keeps busy a
second thread gets no core of its own and only adds hand-offs. A whole number N >= 1: N threads
for every large batch, whatever the load (1: always serial, in the calling thread). Batch
runs set it to 1 in their workers (:mod:`critmin.research.executors`), so N worker processes
never start 2N threads.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from critmin.engine import flow

SETTING = "CRITMIN_CLEAR_THREADS"
AUTO_THREADS = 2
"""Threads of ``auto`` on a machine with a core to spare: measured on two cores; more must be asked for."""
SPARE_CORE = 0.5
"""``auto`` splits a batch while the one-minute load average is below the usable cores minus this."""
PARALLEL_WORK = 1_000_000
"""Least estimated work (offers x bids, summed over the markets) that is cleared in parallel."""

large_batches: Counter[int] = Counter()
"""Large batches cleared in this process, by the threads they were cleared on (for the bench)."""
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@functools.cache
def threads_of(value: str | None) -> int | None:
    """The threads a value of ``CRITMIN_CLEAR_THREADS`` asks for; None for ``auto`` (or no value).

    Raises:
        UserError: if the value is neither ``auto`` nor a whole number >= 1.

    """
    text = (value or "auto").strip().lower()
    if text == "auto":
        return None
    if not text.isdigit() or int(text) < 1:
        from critmin.core.console import UserError

        raise UserError(f"{SETTING} must be 'auto' or a whole number >= 1, got {value!r}")
    return int(text)


def clear_threads() -> int:
    """Threads a large batch is cleared on now, as ``CRITMIN_CLEAR_THREADS`` and the load set it."""
    asked = threads_of(os.environ.get(SETTING))
    if asked is not None:
        return asked
    cores = usable_cores()
    if cores < AUTO_THREADS or machine_load() >= cores - SPARE_CORE:
        return 1
    return AUTO_THREADS


def machine_load() -> float:
    """The machine's one-minute load average (0 where the system does not tell it)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        return 0.0


def market_work(args: tuple) -> np.ndarray:
    """(K,) estimated work of each market of a flat batch: its offers x its bids."""
    offers_at, bids_at = args[1][0], args[2][0]
    return np.diff(offers_at) * np.diff(bids_at)


def clear_batch(args: tuple) -> tuple[np.ndarray, ...]:
    """:func:`flow.clear_batch` of a flat batch, on several threads when it is large."""
    work = market_work(args)
    if work.size < 2 or work.sum() < PARALLEL_WORK:
        return flow.clear_batch(*args)
    threads = min(clear_threads(), work.size)
    large_batches[threads] += 1
    if threads < 2:
        return flow.clear_batch(*args)
    return clear_in_parallel(args, work, threads)


def clear_in_parallel(args: tuple, work: np.ndarray, threads: int) -> tuple[np.ndarray, ...]:
    """Clear every market of ``args`` on ``threads`` threads, this one included.

    Each thread claims the next market, largest estimated ``work`` first, until none is left;
    this thread then waits (blocked) for the markets the others still clear. A thread the
    machine's load keeps from starting claims nothing and is not waited for.
    """
    results = flow.empty_results(*args)
    claims = Claims(np.argsort(-work, kind="stable").tolist())

    def clear_claimed() -> None:
        while (k := claims.claim()) is not None:
            try:
                flow.clear_range(*args, k, k + 1, results)
            except BaseException as error:
                claims.failed = error
                raise
            finally:
                claims.done()

    for _ in range(threads - 1):
        thread_pool(threads - 1).submit(clear_claimed)
    clear_claimed()
    claims.wait()
    return results


class Claims:
    """The markets of one parallel clearing: which is next, how many are being cleared, an error."""

    def __init__(self, order: list[int]) -> None:
        self.order, self.next, self.busy = order, 0, 0
        self.failed: BaseException | None = None
        self.changed = threading.Condition(threading.Lock())

    def claim(self) -> int | None:
        """The next market to clear (None: all are claimed, or one has failed)."""
        with self.changed:
            if self.next == len(self.order) or self.failed is not None:
                return None
            self.next, self.busy = self.next + 1, self.busy + 1
            return self.order[self.next - 1]

    def done(self) -> None:
        """A claimed market is cleared (or has failed)."""
        with self.changed:
            self.busy -= 1
            self.changed.notify_all()

    def wait(self) -> None:
        """Block until every claimed market is cleared; raise the error a thread met, if any."""
        with self.changed:
            self.changed.wait_for(lambda: self.busy == 0)
        if self.failed is not None:
            raise self.failed


def thread_pool(helpers: int) -> ThreadPoolExecutor:
    """The persistent pool, with at least ``helpers`` threads (made again, larger, when asked)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < helpers:
            old, _pool = _pool, ThreadPoolExecutor(max_workers=helpers, thread_name_prefix="clearing")
            _pool_size = helpers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def _forget_pool() -> None:
    """A forked child has none of its parent's threads: it makes its own pool when it needs one."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_forget_pool)
