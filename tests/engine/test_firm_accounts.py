"""Firms' margins worked out on the (firm, country) rows that hold a share, bit for bit as the full einsum."""

from __future__ import annotations

import numpy as np

from critmin.engine.firm_accounts import owned_margin
from critmin.engine.model import WorldModel


def _rows(shares: np.ndarray) -> np.ndarray:
    return np.flatnonzero(shares.reshape(shares.shape[0] * shares.shape[1], -1).any(axis=1))


def test_owned_margin_is_the_full_einsum_bit_for_bit():
    rng = np.random.default_rng(7)
    for _ in range(150):
        f, c, m, s = (int(n) for n in rng.integers(1, [12, 40, 35, 4], endpoint=True))
        shares = rng.random((f, c, m, s)) * (rng.random((f, c, m, s)) < 0.2)
        margin = rng.normal(size=(c, m, s)) * 10 ** rng.uniform(-3, 6, size=(c, m, s))
        full = np.einsum("fcms,cms->fc", shares, margin)
        rows = _rows(shares)
        extra = np.union1d(rows, rng.integers(0, f * c, 3))  # rows of zeros as well: +0.0, as in full
        for among in (rows, extra):
            assert np.array_equal(owned_margin(shares, among, margin).view(np.uint64), full.view(np.uint64))


def test_the_worlds_share_rows_follow_its_shares():
    model = WorldModel("world-2024", seed=0)
    world = model.world
    assert np.array_equal(world.firm_share_rows(), _rows(world.firm_shares))
    lent = world.lent_firm_shares()
    at = (0, world.index.country["ROW"], 0, 0)
    world.set_firm_share(at, 0.25)
    assert lent[at] == 0.0 and world.firm_shares[at] == 0.25
    assert np.array_equal(world.firm_share_rows(), _rows(world.firm_shares))
    world.firm_shares = np.zeros_like(world.firm_shares)  # a new array: its rows found again
    assert len(world.firm_share_rows()) == 0
    model.run(3)
    assert set(_rows(world.firm_shares)) <= set(world.firm_share_rows())
