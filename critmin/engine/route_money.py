"""What the spot exports' routes pay, in one compiled pass over the non-zero exports.

`trade.pay_for_goods` wants, from the exports at ascending flat (K, C, C) places: each importer's
tariff revenue (`np.bincount` by importer, entry after entry), each exporter's rent (the pairwise
sum of each (market, exporter) row's tonnes x margin, by `pairwise_sum.row_sums_into`, then added
row after row, as `np.bincount` of the row sums), and each route's tonnes x freight and tonnes x
risk (summed afterwards by `pairwise_sum.sparse_sum`). Each value is the same float operations in
the same order as the array code (tests/engine/test_market_batch.py holds it to the dense sums).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.pairwise_sum import row_sums_into


@nb.njit(cache=True, nogil=True)
def route_money(cells, tonnes, tariffs, risks, price, freight, revenue, rent, carried, hedged):
    """Add the routes' tariffs to `revenue` and the rows' rent to `rent` ((C,) each); fill `carried`, `hedged`

    A route's margin is `((price[k, j] - price[k, e]) - freight[e, j]) - tariff - risk` for market k,
    exporter e and importer j; its rent is tonnes x margin, `carried` tonnes x freight, `hedged`
    tonnes x risk.
    """
    n = freight.shape[1]
    rents = np.empty(len(cells))
    for i in range(len(cells)):
        row, j = cells[i] // n, cells[i] % n
        k, e = row // n, row % n
        margin = price[k, j] - price[k, e] - freight[e, j] - tariffs[i]
        margin -= risks[i]
        rents[i] = tonnes[i] * margin
        revenue[j] += tonnes[i] * tariffs[i]
        carried[i] = tonnes[i] * freight[e, j]
        hedged[i] = tonnes[i] * risks[i]
    row_rents = np.zeros(price.shape[0] * n)
    row_sums_into(cells, rents, n, row_rents)
    for i in range(len(cells)):
        row = cells[i] // n
        if i == 0 or cells[i - 1] // n != row:
            rent[row % n] += row_rents[row]
