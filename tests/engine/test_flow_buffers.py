"""The turns' flows arrays reused once nothing holds them: all zeros again, never one still held."""

from __future__ import annotations

import threading

import numpy as np

from critmin.engine import flow_buffers

SHAPE = (3, 2, 5, 5)


def _written(routes: np.ndarray) -> np.ndarray:
    flows = flow_buffers.zeros(SHAPE)
    flows.reshape(-1)[routes] = np.arange(1.0, len(routes) + 1.0)
    return flows


def test_a_kept_array_nobody_holds_comes_back_cleared():
    routes = np.array([0, 7, 31, 149])
    flows = _written(routes)
    address = flows.ctypes.data
    flow_buffers.keep(flows, routes)
    del flows
    again = flow_buffers.zeros(SHAPE)
    assert again.ctypes.data == address
    assert again.shape == SHAPE and not again.any()


def test_an_array_still_held_is_not_handed_out():
    routes = np.array([3, 40])
    flows = _written(routes)
    flow_buffers.keep(flows, routes)
    held = flows.reshape(-1)[:10]  # a view holds the array too
    del flows
    fresh = flow_buffers.zeros(SHAPE)
    assert not np.shares_memory(fresh, held)
    assert held[3] == 1.0 and not fresh.any()


def test_only_arrays_it_handed_out_are_kept():
    flows = np.zeros(SHAPE)
    flows.reshape(-1)[5] = 2.0
    flow_buffers.keep(flows, np.array([5]))
    address = flows.ctypes.data
    del flows
    assert all(kept.ctypes.data != address for kept, _ in flow_buffers._kept)


def test_a_read_only_array_is_not_reused():
    routes = np.array([1])
    flows = _written(routes)
    flow_buffers.keep(flows, routes)
    flows.flags.writeable = False
    address = flows.ctypes.data
    del flows
    fresh = flow_buffers.zeros(SHAPE)
    assert fresh.ctypes.data != address and fresh.flags.writeable and not fresh.any()


def test_threads_taking_and_keeping_arrays_get_zeros_never_shared():
    routes = np.array([2, 9, 77])
    failures = []

    def turns() -> None:
        held = []
        for _ in range(300):
            flows = flow_buffers.zeros(SHAPE)
            if flows.any() or any(np.shares_memory(flows, other) for other in held):
                failures.append(flows.copy())
            flows.reshape(-1)[routes] = 1.0
            flow_buffers.keep(flows, routes)
            held = [*held[-1:], flows]  # a turn's flows read on while the next is made

    workers = [threading.Thread(target=turns) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
