"""Storage arbitrage: a holder uses or sells its stock only at what it expects the stock to fetch later.

The theory of storage (Working 1949; Williams & Wright 1991; Deaton & Laroque 1992; BEHAVIOUR.md
section 5): stock is drawn when today's price is at or above the price expected later, less the
cost of carrying the stock until then; below it, holders keep their stock. A falling price trend,
extrapolated `producer_storage_trend_quarters` ahead, lowers what they expect (a store bought near
the top is sold into the fall).

One rule for every holder:

- producers hold back what they can store below `producer_storage_price_share` of it
  (trade.producer_storage; `controlled_storage_price_share` under their own country's controls);
- manufacturers and processors draw the stock they hold against this turn's use only at
  1 - `storage_carrying_cost` of it: below that they buy the use in the market and keep the
  stock. So news that lifts the expected price (engine/announcements.py) lifts today's price at
  once, and stock held through the first quarter is there to cap the later spike.
"""

from __future__ import annotations

import numpy as np


def holding_price(state, settings, share) -> np.ndarray:
    """(C, M, S) the price below which holders keep their stock: `share` of the price they expect."""
    falling = np.exp(settings.producer_storage_trend_quarters * np.minimum(state.price_trend, 0.0))
    return share * state.expected_price * falling


def held_use_bid(need: np.ndarray, stock: np.ndarray, state, settings) -> tuple[np.ndarray, np.ndarray]:
    """(C, M, S) tonnes of this turn's use the holder's stock covers, and the price it buys them at instead.

    The holder buys that use in the market rather than draw the stock while the price stays below
    1 - `storage_carrying_cost` of what it expects the stock to fetch later.
    """
    covered = np.minimum(need, np.maximum(stock, 0.0))
    return covered, holding_price(state, settings, 1.0 - settings.storage_carrying_cost)
