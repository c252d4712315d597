"""What sellers give up, taken off their stocks sale by sale in one compiled loop.

The values of `np.subtract.at(stock, (country, mineral, stage), sold)` for each seller's own stock
over its own sales: each sale subtracted in the sales' order, as the ufunc's unbuffered loop does,
without its per-entry overhead or a mask and four gathers per seller.
"""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True, nogil=True)
def subtract_by_owner(stocks, country, mineral, stage, owner, sold):
    """stocks[owner[i]][country[i], mineral[i], stage[i]] -= sold[i] for each i in order (in place).

    `stocks` is a tuple of (C, M, S) arrays, one per owner.
    """
    for i in range(len(sold)):
        stocks[owner[i]][country[i], mineral[i], stage[i]] -= sold[i]
