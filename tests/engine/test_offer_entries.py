"""The offers laid out by one compiled pass are the (L, 3, C) array form's, bit for bit."""

from __future__ import annotations

import numpy as np

from critmin.engine.offer_entries import offer_entries
from critmin.engine.trade import SELLER_PRODUCER, SELLER_STOCKPILE


def by_the_array_form(lines, stock, storable, release, reservation, held) -> tuple:
    """What `trade.all_offers` laid out before the pass: (L, 3, C) tonnes and prices, kept above 1e-9 t."""
    blocks = (stock - storable, storable, release)
    tonnes = np.stack([block[:, lines[0], lines[1]].T for block in blocks], axis=1)
    prices = np.zeros_like(tonnes)
    prices[:, 0], prices[:, 1] = reservation[:, lines[0], lines[1]].T, held[:, lines[0], lines[1]].T
    keep = tonnes > 1e-9
    market, block, country = np.unravel_index(np.flatnonzero(keep), keep.shape)
    owner = np.where(block == 2, SELLER_STOCKPILE, SELLER_PRODUCER)
    return market, country, tonnes[keep], prices[keep], owner


def test_the_offers_are_the_array_forms():
    rng = np.random.default_rng(12)
    shape = (9, 5, 3)
    chain = rng.random(shape[1:]) < 0.7
    lines = np.nonzero(chain)
    stock = np.where(rng.random(shape) < 0.3, 0.0, rng.lognormal(0, 2, shape))
    storable = np.minimum(stock, np.where(rng.random(shape) < 0.5, 1e-10, rng.lognormal(0, 2, shape)))
    release = np.where(rng.random(shape) < 0.8, 0.0, rng.lognormal(0, 1, shape))
    reservation, held = rng.lognormal(0, 1, shape), rng.lognormal(0, 1, shape)
    reservation[0, 0, 0], held[1, 1, 1] = np.nan, np.inf
    arrays = (stock, storable, release, reservation, held)
    got = offer_entries(*lines, *arrays, np.array([SELLER_PRODUCER, SELLER_STOCKPILE]))
    expected = by_the_array_form(lines, *arrays)
    assert len(got[0]) > 20 and (expected[4] == SELLER_STOCKPILE).any()
    for column, want in zip(got, expected, strict=True):
        assert column.dtype == want.dtype and column.tobytes() == want.tobytes()
