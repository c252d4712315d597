"""Convenience yield: buyers pay more to restock the further their stock lies below its cover.

The theory of storage (Working 1949; Deaton & Laroque 1992; BEHAVIOUR.md 1b: convenience yield is
non-linear in stocks): a stock is worth more to its holder the scarcer it is. Buyers' routine
restocking is bid in `convenience_yield_blocks` slices, each at the routine price times
(1 + `convenience_yield` x the shortfall of cover at the slice's midpoint), so a drawdown of
buyers' stocks moves the price before the stock runs out, and a full stock adds nothing.
"""

from __future__ import annotations

import numpy as np


def restocking_bids(need, stock, routine, price, settings, working=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Routine restocking as (..., blocks) tonnes and prices, dearer the emptier the stock.

    `need` is this turn's use, `stock` the stock before it, `routine` the tonnes that restore
    routine cover (`inventory_target_quarters` of use, plus the chain's `working` cover in
    quarters), `price` the routine price.
    """
    blocks = settings.convenience_yield_blocks
    cover = (need * (settings.inventory_target_quarters + working))[..., None]
    left = np.maximum(stock - need, 0.0)[..., None]
    midpoint = left + routine[..., None] * (np.arange(blocks) + 0.5) / blocks
    filled = np.divide(midpoint, cover, out=np.ones_like(midpoint), where=cover > 0)
    shortfall = np.clip(1.0 - filled, 0.0, 1.0)
    tonnes = np.broadcast_to(routine[..., None] / blocks, midpoint.shape)
    return tonnes, price[..., None] * (1.0 + settings.convenience_yield * shortfall)
