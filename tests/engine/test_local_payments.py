"""Buyers pay sellers at local prices in one compiled loop: the values of the bincount rule, bit for bit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from critmin.engine import trade
from critmin.engine.market_batch import Entries


def random_entries(rng: np.random.Generator, size: int, owners: int, shape: tuple[int, int, int]) -> Entries:
    """`size` entries on random lines of a (C, M, S) world, owners in range(owners), in random order."""
    country, mineral, stage = (rng.integers(0, extent, size) for extent in shape)
    at = np.ravel_multi_index((country, mineral, stage), shape)
    return Entries(country, mineral, stage, rng.integers(0, owners, size), rng.lognormal(3, 2, size), at)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_local_payments_are_the_bincounts_of_the_entries_money(seed):
    rng = np.random.default_rng(seed)
    shape, money = (12, 5, 3), trade.USD_M_PER_TONNE_USD_PER_KG
    sales, purchases = random_entries(rng, 400, 2, shape), random_entries(rng, 700, 4, shape)
    n = shape[0]
    state = SimpleNamespace(
        price=rng.lognormal(2, 1, shape), industry=rng.normal(0, 50, n), treasury=rng.normal(0, 50, n)
    )
    industry, treasury = state.industry.copy(), state.treasury.copy()
    revenue = sales.tonnes * state.price.take(sales.at) * money
    paid = np.bincount(sales.country + n * (sales.owner != trade.SELLER_PRODUCER), revenue, minlength=2 * n)
    industry += paid[:n]
    treasury += paid[n:]
    cost = purchases.tonnes * state.price.take(purchases.at) * money
    paid = np.bincount(
        purchases.country + n * (purchases.owner == trade.BUYER_STRATEGIC), cost, minlength=2 * n
    )
    industry -= paid[:n]
    treasury -= paid[n:]
    trade.pay_at_local_prices(state, sales, purchases)
    assert state.industry.tobytes() == industry.tobytes() and state.treasury.tobytes() == treasury.tobytes()
