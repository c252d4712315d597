"""Clearing a large batch on several threads: byte-identical to one serial call, and its setting."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from critmin.core.console import UserError
from critmin.engine import flow, parallel_clearing, trade
from critmin.engine.bench_worlds import copies_of_the_countries
from critmin.engine.market import clear_flat, flat_batch, random_problem
from critmin.engine.model import WorldModel
from critmin.research import executors


@pytest.fixture(scope="module")
def batch_4x() -> tuple:
    """The kernel batch of the second turn of world-2024 with four copies of every country."""
    seen: list[tuple] = []
    model = WorldModel(copies_of_the_countries("world-2024", 4), seed=0, record_hashes=False)
    original = trade.clear_flat
    trade.clear_flat = lambda batch: (seen.append(batch), original(batch))[1]
    try:
        model.run(2)
    finally:
        trade.clear_flat = original
    return seen[-1]


def random_batch(seed: int, markets: int) -> tuple:
    """A flat batch of random markets of 20-90 countries."""
    rng = np.random.default_rng(seed)
    return flat_batch([random_problem(rng, int(rng.integers(20, 91))) for _ in range(markets)])[0]


def assert_identical(serial: tuple, threaded: tuple) -> None:
    """Flows, prices, sold, bought, welfare, feasible and status equal bit for bit."""
    assert len(serial) == len(threaded) == 7
    for one, other in zip(serial, threaded, strict=True):
        assert one.dtype == other.dtype and one.shape == other.shape
        assert one.tobytes() == other.tobytes()


def test_the_4x_world_batch_is_large_and_clears_byte_identical_on_threads(batch_4x):
    work = parallel_clearing.market_work(batch_4x)
    assert work.sum() >= parallel_clearing.PARALLEL_WORK, "the 4x world's batch goes parallel"
    serial = flow.clear_batch(*batch_4x)
    for threads in (1, 2, 3):
        assert_identical(serial, parallel_clearing.clear_in_parallel(batch_4x, work, threads))


@pytest.mark.parametrize("seed", range(4))
def test_random_large_batches_clear_byte_identical_on_threads(seed):
    batch = random_batch(seed, 30)
    work = parallel_clearing.market_work(batch)
    assert_identical(flow.clear_batch(*batch), parallel_clearing.clear_in_parallel(batch, work, 2))


def test_clear_flat_takes_the_threads_for_a_large_batch(batch_4x, monkeypatch):
    monkeypatch.setenv(parallel_clearing.SETTING, "2")
    calls = []
    threaded = parallel_clearing.clear_in_parallel
    monkeypatch.setattr(parallel_clearing, "clear_in_parallel", lambda *a: (calls.append(a), threaded(*a))[1])
    before = parallel_clearing.large_batches[2]
    results = clear_flat(batch_4x)
    assert len(calls) == 1 and parallel_clearing.large_batches[2] == before + 1
    serial = flow.clear_batch(*batch_4x)
    for one, other in zip(serial, results, strict=False):
        assert one.tobytes() == other.tobytes()


def test_a_small_batch_and_one_thread_stay_serial(batch_4x, monkeypatch):
    def refuse(*args):
        raise AssertionError("cleared on threads")

    monkeypatch.setattr(parallel_clearing, "clear_in_parallel", refuse)
    monkeypatch.setenv(parallel_clearing.SETTING, "2")
    small = random_batch(0, 3)
    assert parallel_clearing.market_work(small).sum() < parallel_clearing.PARALLEL_WORK
    assert_identical(flow.clear_batch(*small), parallel_clearing.clear_batch(small))
    monkeypatch.setenv(parallel_clearing.SETTING, "1")
    assert_identical(flow.clear_batch(*batch_4x), parallel_clearing.clear_batch(batch_4x))


def test_the_setting_reads_auto_or_a_whole_number():
    assert parallel_clearing.threads_of(None) is None and parallel_clearing.threads_of(" Auto ") is None
    assert parallel_clearing.threads_of("1") == 1 and parallel_clearing.threads_of("3") == 3


def test_auto_splits_only_with_a_core_to_spare(monkeypatch):
    monkeypatch.setenv(parallel_clearing.SETTING, "auto")
    monkeypatch.setattr(parallel_clearing, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallel_clearing, "machine_load", lambda: 1.2)
    assert parallel_clearing.clear_threads() == parallel_clearing.AUTO_THREADS
    monkeypatch.setattr(parallel_clearing, "machine_load", lambda: 1.6)
    assert parallel_clearing.clear_threads() == 1, "a busy machine clears in one thread"
    monkeypatch.setattr(parallel_clearing, "usable_cores", lambda: 1)
    monkeypatch.setattr(parallel_clearing, "machine_load", lambda: 0.0)
    assert parallel_clearing.clear_threads() == 1, "one usable core clears in one thread"
    monkeypatch.setenv(parallel_clearing.SETTING, "2")
    monkeypatch.setattr(parallel_clearing, "machine_load", lambda: 9.0)
    assert parallel_clearing.clear_threads() == 2, "a number asked for is used whatever the load"


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_setting_is_a_clear_error(value, monkeypatch, cli):
    with pytest.raises(UserError, match="CRITMIN_CLEAR_THREADS must be 'auto' or a whole number >= 1"):
        parallel_clearing.threads_of(value)
    monkeypatch.setenv(parallel_clearing.SETTING, value)
    code, _, stderr = cli("bench", "--turns", "1", "--rl-steps", "0")
    assert code == 2
    assert "CRITMIN_CLEAR_THREADS must be" in stderr and "Traceback" not in stderr


def test_a_market_that_fails_on_a_thread_names_the_market(batch_4x, monkeypatch):
    kernel = flow.clear_range

    def seventh_fails(*args):
        kernel(*args)
        first, results = args[-3], args[-1]
        if first == 7:
            results[-1][7] = flow.NO_CONVERGENCE

    monkeypatch.setenv(parallel_clearing.SETTING, "2")
    monkeypatch.setattr(flow, "clear_range", seventh_fails)
    with pytest.raises(RuntimeError, match=r"^market 7 failed to clear: prices did not converge"):
        clear_flat(batch_4x)


def test_an_error_on_a_pool_thread_is_raised_in_the_caller(batch_4x, monkeypatch):
    kernel, pool_claimed = flow.clear_range, threading.Event()

    def fails_on_the_pool(*args):
        if threading.current_thread() is threading.main_thread():
            assert pool_claimed.wait(30), "the pool thread claims a market"
            kernel(*args)
        else:
            pool_claimed.set()
            raise ZeroDivisionError("on the pool thread")

    monkeypatch.setattr(flow, "clear_range", fails_on_the_pool)
    with pytest.raises(ZeroDivisionError, match="on the pool thread"):
        parallel_clearing.clear_in_parallel(batch_4x, parallel_clearing.market_work(batch_4x), 2)


def test_batch_workers_clear_in_one_thread(monkeypatch):
    """The process pool's initializer and what Dask workers run both set the setting to 1 first."""
    monkeypatch.setattr(executors, "die_with_parent", lambda pid: None)
    monkeypatch.setattr(executors, "install", lambda context: None)
    monkeypatch.setattr(executors, "simulate_and_free", lambda _, run: parallel_clearing.clear_threads())
    monkeypatch.setenv(parallel_clearing.SETTING, "2")
    executors.install_worker(None, 0)
    assert parallel_clearing.clear_threads() == 1
    monkeypatch.setenv(parallel_clearing.SETTING, "2")
    assert executors.simulate_single_threaded(None, None) == 1
