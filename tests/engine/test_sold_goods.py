"""Sales taken off stocks in one compiled loop (engine/sold_goods.py), as np.subtract.at takes them."""

from __future__ import annotations

import numpy as np

from critmin.engine.sold_goods import subtract_by_owner


def test_each_owners_sales_come_off_its_stock_as_numpys_ufunc_at_takes_them_bit_for_bit():
    rng = np.random.default_rng(6)
    stocks = (rng.lognormal(3, 2, (6, 4, 3)), rng.lognormal(3, 2, (6, 4, 3)))
    country, mineral, stage = rng.integers(0, 6, 500), rng.integers(0, 4, 500), rng.integers(0, 3, 500)
    owner, sold = rng.integers(0, 2, 500), rng.lognormal(1, 3, 500)
    expected = [stock.copy() for stock in stocks]
    for seller, stock in enumerate(expected):
        mine = owner == seller
        np.subtract.at(stock, (country[mine], mineral[mine], stage[mine]), sold[mine])
    subtract_by_owner(stocks, country, mineral, stage, owner, sold)
    assert [stock.tobytes() for stock in stocks] == [stock.tobytes() for stock in expected]
    assert all(
        (stock < 0).any() for stock in expected
    )  # some positions sold more than they held: nothing clamped here
