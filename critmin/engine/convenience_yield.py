"""Convenience yield: buyers pay more to restock the further their stock lies below its cover.

The theory of storage (Working 1949; Deaton & Laroque 1992; BEHAVIOUR.md 1b: convenience yield is
non-linear in stocks): a stock is worth more to its holder the scarcer it is. Buyers' routine
restocking is bid in `convenience_yield_blocks` slices, each at the routine price times
(1 + `convenience_yield` x the shortfall of cover at the slice's midpoint), so a drawdown of
buyers' stocks moves the price before the stock runs out, and a full stock adds nothing.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def restocking_slice(need, stock, routine, price, working, block, blocks, quarters, yield_) -> tuple:
    """(tonnes, price) of routine restocking slice `block` of `blocks`, dearer the emptier the stock.

    `need` is this turn's use, `stock` the stock before it, `routine` the tonnes that restore
    routine cover (`quarters`, the market's `inventory_target_quarters` of use, plus the chain's
    `working` cover in quarters), `price` the routine price, `yield_` the convenience yield.
    """
    cover = need * (quarters + working)
    left = np.maximum(stock - need, 0.0)
    midpoint = left + routine * (block + 0.5) / blocks
    filled = midpoint / cover if cover > 0 else 1.0
    shortfall = np.minimum(np.maximum(1.0 - filled, 0.0), 1.0)
    return routine / blocks, price * (1.0 + yield_ * shortfall)
