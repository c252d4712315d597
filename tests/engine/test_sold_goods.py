"""Sales taken off stocks in one compiled loop (engine/sold_goods.py), as np.subtract.at takes them."""

from __future__ import annotations

import numpy as np

from critmin.engine.sold_goods import subtract_at


def test_subtract_at_is_numpys_ufunc_at_bit_for_bit_with_repeated_positions():
    rng = np.random.default_rng(5)
    stock = rng.lognormal(3, 2, (6, 4, 3))
    country, mineral, stage = rng.integers(0, 6, 500), rng.integers(0, 4, 500), rng.integers(0, 3, 500)
    sold = rng.lognormal(1, 3, 500)
    expected = stock.copy()
    np.subtract.at(expected, (country, mineral, stage), sold)
    subtract_at(stock, country, mineral, stage, sold)
    assert stock.tobytes() == expected.tobytes()
    assert (expected < 0).any()  # some positions sold more than they held: nothing clamped here
