"""Stockpile orders merged into the bids are the stable sort by market's columns, bit for bit."""

from __future__ import annotations

import numpy as np

from critmin.engine.strategic_bids import merged


def by_a_stable_sort(bids: tuple, orders: tuple) -> tuple:
    """What `trade.all_bids` did before the merge: bids then orders, stably sorted by market."""
    columns = tuple(np.concatenate([a, b]) for a, b in zip(bids, orders, strict=True))
    order = np.argsort(columns[0], kind="stable")
    return tuple(column[order] for column in columns)


def test_the_orders_come_last_in_their_market_as_given():
    rng = np.random.default_rng(13)
    n = 200
    bids = (
        np.sort(rng.integers(1, 9, n)),
        rng.integers(0, 7, n),
        rng.random(n),
        rng.random(n),
        rng.integers(0, 3, n),
    )
    for extra in (np.array([4]), np.array([5, 0, 5, 9, 4, 5]), np.array([], dtype=np.int64)):
        e = len(extra)
        orders = (extra, rng.integers(0, 7, e), rng.random(e), rng.random(e), np.full(e, 3))
        got, expected = merged(bids, orders), by_a_stable_sort(bids, orders)
        for column, want in zip(got, expected, strict=True):
            assert column.dtype == want.dtype and column.tobytes() == want.tobytes()
