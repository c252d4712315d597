"""What the spot exports' routes pay, in one compiled pass over the non-zero exports.

`trade.pay_for_goods` wants, from the exports at ascending flat (K, C, C) places: each importer's
tariff revenue (`np.bincount` by importer, entry after entry), each exporter's rent (the pairwise
sum of each (market, exporter) row's tonnes x margin, then added row after row, as
`np.bincount` of the row sums), and each route's tonnes x freight and tonnes x risk (summed
afterwards by `pairwise_sum.sparse_sum`). Each value is the same float operations in the same
order as the array code (tests/engine/test_market_batch.py holds it to the dense sums).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.pairwise_sum import dense_pairwise


@nb.njit(cache=True, nogil=True)
def route_money(cells, tonnes, tariffs, risks, price, freight, revenue, rent, carried, hedged):
    """Add the routes' tariffs to `revenue` and the rows' rent to `rent` ((C,) each); fill `carried`, `hedged`

    A route's margin is `((price[k, j] - price[k, e]) - freight[e, j]) - tariff - risk` for market k,
    exporter e and importer j; its rent is tonnes x margin, `carried` tonnes x freight, `hedged`
    tonnes x risk.
    """
    n = freight.shape[1]
    row_values = np.zeros(n)
    frames, lefts = np.zeros((64, 3), dtype=np.int64), np.zeros(64)
    first = 0
    while first < len(cells):
        row = cells[first] // n
        k, e = row // n, row % n
        last = first
        while last < len(cells) and cells[last] // n == row:
            j = cells[last] % n
            margin = price[k, j] - price[k, e] - freight[e, j] - tariffs[last]
            margin -= risks[last]
            row_values[j] = tonnes[last] * margin
            revenue[j] += tonnes[last] * tariffs[last]
            carried[last] = tonnes[last] * freight[e, j]
            hedged[last] = tonnes[last] * risks[last]
            last += 1
        rent[e] += 0.0 + dense_pairwise(row_values, n, frames, lefts)
        for q in range(first, last):
            row_values[cells[q] % n] = 0.0
        first = last
