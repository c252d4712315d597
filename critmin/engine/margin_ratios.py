"""Producers' margin ratios (`dynamics.margin_ratio`) line by line in one compiled loop.

Each value is the numpy rule's, operation for operation: the feed cost (the stage before's
price over the yield, times 1.0 on the chain and 0.0 off it; 0 at mines), capped at the
line's break-even where asked (numpy's minimum and maximum, NaN kept), the cash cost, and
price / cost where the cost is > 0, else price / reference where that is > 0, else 1.
Numpy's division rules (inf, NaN, no error) apply to both, so the ratios are the same bits.
"""

from __future__ import annotations

import numba as nb

from critmin.engine.numpy_scalars import maximum, minimum


@nb.njit(cache=True, nogil=True, error_model="numpy")
def margin_ratios(prices, unit_cost, yields, on_chain, reference, break_even, out):
    """(C, M, S) `out`: output value over cash cost at `prices`; `on_chain`: the (M, S) chain as 1.0 / 0.0."""
    n_countries, n_minerals, n_stages = prices.shape
    for c in range(n_countries):
        for m in range(n_minerals):
            for s in range(n_stages):
                price = prices[c, m, s]
                feed = prices[c, m, s - 1] / yields[m, s] * on_chain[m, s - 1] if s > 0 else 0.0
                if break_even:
                    feed = minimum(feed, maximum(price - unit_cost[c, m, s], 0.0))
                cost = unit_cost[c, m, s] + feed
                if cost > 0:
                    out[c, m, s] = price / cost
                else:
                    out[c, m, s] = price / reference[m, s] if reference[m, s] > 0 else 1.0
