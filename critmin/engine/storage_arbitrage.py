"""Storage arbitrage: a holder sells its stock only at what it expects the stock to fetch later.

The theory of storage (Working 1949; Williams & Wright 1991; Deaton & Laroque 1992; BEHAVIOUR.md
section 5): stock is sold when today's price is at or above the price expected later, less the
cost of carrying it until then; below it, holders keep their stock. A falling price trend,
extrapolated `producer_storage_trend_quarters` ahead, lowers what they expect, so a store bought
near the top is sold into the fall. Producers hold back what they can store below
`producer_storage_price_share` of it (trade.producer_storage; `controlled_storage_price_share`
under their own country's controls, engine/controlled_storage.py).

Buyers and processors follow it while a control is known (engine/forecast.py): they draw the
stock that covers this turn's use only at 1 - `storage_carrying_cost` of the price they expect,
and below it buy the use and keep the stock. Without a known control they draw it whatever the
price (holding it against a moving average held plateaus up: docs/mechanisms.md, "News").
"""

from __future__ import annotations

import numpy as np


def holding_price(state, settings, share) -> np.ndarray:
    """(C, M, S) the price below which holders keep their stock: `share` of the price they expect later."""
    falling = np.exp(settings.producer_storage_trend_quarters * np.minimum(state.price_trend, 0.0))
    return share * state.expected_price * falling


def held_use_bid(need: np.ndarray, stock: np.ndarray, state, settings) -> tuple[np.ndarray, np.ndarray]:
    """(C, M, S) tonnes of this turn's use a holder's stock covers while a cut is known, and their bid.

    The holder buys that use in the market rather than draw its stock while the price stays
    below 1 - `storage_carrying_cost` of the price it forecasts (none where no cut is known).
    """
    covered = np.where(state.known_cut > 0, np.minimum(need, np.maximum(stock, 0.0)), 0.0)
    return covered, holding_price(state, settings, 1.0 - settings.storage_carrying_cost)
