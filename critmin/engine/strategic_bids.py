"""Government stockpile orders merged into the bids, last in their market, in one compiled pass.

The bids come sorted by market; the orders (a few) in the order they were given. The merge
gives the columns a stable sort by market of the bids followed by the orders gives
(`np.argsort(kind="stable")`, then a gather of each column), without sorting the bids again.
tests/engine/test_strategic_bids.py holds it to that array form.
"""

from __future__ import annotations

import numba as nb
import numpy as np


def merged(bids: tuple, orders: tuple) -> tuple:
    """(market, country, tonnes, price, owner): `bids` (by market), `orders` after their market's bids."""
    return _merged(*bids, *orders)  # numba types a tuple of arrays slowly: the columns one by one


@nb.njit(cache=True, nogil=True)
def _merged(
    market, country, tonnes, price, owner, extra, extra_country, extra_tonnes, extra_price, extra_owner
):
    """`merged` on the columns."""
    n, e = len(market), len(extra)
    order = np.argsort(extra, kind="mergesort")  # stable: orders of one market as given
    out_market, out_country, out_owner = (
        np.empty(n + e, market.dtype),
        np.empty(n + e, country.dtype),
        np.empty(n + e, owner.dtype),
    )
    out_tonnes, out_price = np.empty(n + e, tonnes.dtype), np.empty(n + e, price.dtype)
    i, j = 0, 0
    for w in range(n + e):
        if j >= e or (i < n and market[i] <= extra[order[j]]):
            out_market[w], out_country[w], out_owner[w] = market[i], country[i], owner[i]
            out_tonnes[w], out_price[w] = tonnes[i], price[i]
            i += 1
        else:
            k = order[j]
            out_market[w], out_country[w], out_owner[w] = extra[k], extra_country[k], extra_owner[k]
            out_tonnes[w], out_price[w] = extra_tonnes[k], extra_price[k]
            j += 1
    return out_market, out_country, out_tonnes, out_price, out_owner
