"""What sellers give up, taken off their stocks sale by sale in one compiled loop.

The values of `np.subtract.at(stock, (country, mineral, stage), sold)`: each sale subtracted in
the sales' order, as the ufunc's unbuffered loop does, without its per-entry overhead.
"""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True, nogil=True)
def subtract_at(stock, country, mineral, stage, sold):
    """stock[country[i], mineral[i], stage[i]] -= sold[i] for each i in order (in place)."""
    for i in range(len(sold)):
        stock[country[i], mineral[i], stage[i]] -= sold[i]
