"""The clearing kernel's tables: the supplier x bidder planes padded with closed routes, and the queues.

The planes' rows (flow._tables) are padded to whole ``ROW_LANES`` with closed routes (cost and
room BIG, no flow), which no relaxation can take: the real part is the former table.

Members with capacity are grouped by their country's index and sorted by unit cost within
each group, equal costs in list order: the flow serves them in that order, so the state hashes
depend on it bit for bit. The reference below is the former form (each member shifted in from
the back of its group), run as plain Python on lists with many ties, empty members and the
demand-curve order the engine poses (prices rising within a country, then falling).
"""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine import flow

BIG = flow.BIG
"""A closed route's cost and room."""


@pytest.mark.parametrize("bidders", [1, 3, 8, 9, 17])
def test_bidder_rows_are_padded_with_closed_routes(bidders: int):
    rng = np.random.default_rng(bidders)
    n = bidders + 2
    rc = rng.integers(0, 50, (n, n)).astype(np.int64)
    fwd, lic = rng.random((n, n)) < 0.5, rng.random((n, n)) < 0.2
    fwd &= ~lic
    suppliers, who = np.array([0, 1]), np.arange(2, n)
    index = np.full(n, -1, np.int64)
    index[who] = np.arange(bidders)
    caps = rng.integers(1, 99, n).astype(np.int64)
    _, pair = flow._tables(rc, fwd, lic, suppliers, who, index, caps, caps)
    assert pair.shape == (5, 2, -(-bidders // flow.ROW_LANES) * flow.ROW_LANES)
    for s, i in enumerate(suppliers):
        for b, j in enumerate(who):
            open_ = fwd[i, j] or lic[i, j]
            assert pair[flow.COST, s, b] == (rc[i, j] if open_ else BIG)
            assert pair[flow.LICENSED, s, b] == lic[i, j]
            assert pair[flow.ROOM_FWD, s, b] == (rc[i, j] if fwd[i, j] else BIG)
            assert pair[flow.ROOM_LIC, s, b] == (rc[i, j] if lic[i, j] else BIG)
    pad = pair[:, :, bidders:]
    assert (pad[[flow.COST, flow.ROOM_FWD, flow.ROOM_LIC]] == BIG).all()
    assert (pad[[flow.LICENSED, flow.FLOW]] == 0).all() and (pair[flow.FLOW] == 0).all()


def former_queue(country, cap, cost, index, n_groups):
    """The former ``_queue``: counting sort by group, insertion sort from the back of each group."""
    counts = [0] * n_groups
    for k in range(country.size):
        if cap[k] > 0:
            counts[index[country[k]]] += 1
    ptr = np.cumsum([0, *counts])[:-1].tolist()
    end = list(ptr)
    rows: list[list[int]] = [[0] * sum(counts) for _ in range(3)]
    for k in range(country.size):
        if cap[k] > 0:
            g = index[country[k]]
            pos = end[g]
            while pos > ptr[g] and rows[2][pos - 1] > cost[k]:
                for row in rows:
                    row[pos] = row[pos - 1]
                pos -= 1
            rows[0][pos], rows[1][pos], rows[2][pos] = k, cap[k], cost[k]
            end[g] += 1
    return np.array(rows, np.int64).reshape(3, -1), np.array([ptr, end], np.int64).reshape(2, -1)


def members(rng: np.random.Generator, n: int, size: int, curve: bool) -> tuple:
    """(country, cap, cost, index, groups) of ``size`` members in ``n`` countries."""
    country = np.sort(rng.integers(0, n, size)) if curve else rng.integers(0, n, size)
    cap = np.where(rng.random(size) < 0.1, 0, rng.integers(1, 1000, size)).astype(np.int64)
    cost = rng.integers(-20, 20, size).astype(np.int64)
    if curve:  # within each country: costs falling (prices rising), then a short rising tail
        for c in np.unique(country):
            at = np.flatnonzero(country == c)
            head = at[: max(1, 3 * at.size // 4)]
            cost[head] = np.sort(cost[head])[::-1]
            cost[at[head.size :]] = np.sort(cost[at[head.size :]])
    has = np.zeros(n, np.bool_)
    has[country[cap > 0]] = True
    index = np.full(n, -1, np.int64)
    index[has] = np.arange(has.sum())
    return country.astype(np.int64), cap, cost, index, int(has.sum())


@pytest.mark.parametrize("curve", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_queues_are_the_former_insertion_sorts(seed: int, curve: bool):
    rng = np.random.default_rng(seed)
    for n, size in ((1, 0), (1, 1), (1, 30), (3, 50), (12, 250), (40, 400)):
        args = members(rng, n, size, curve)
        mem, grp = flow._queue(*args)
        old_mem, old_grp = former_queue(*args)
        np.testing.assert_array_equal(mem, old_mem)
        np.testing.assert_array_equal(grp, old_grp)
