"""Storage arbitrage: a holder sells its stock only at what it expects the stock to fetch later.

The theory of storage (Working 1949; Williams & Wright 1991; Deaton & Laroque 1992; BEHAVIOUR.md
section 5): stock is sold when today's price is at or above the price expected later, less the
cost of carrying it until then; below it, holders keep their stock. A falling price trend,
extrapolated `producer_storage_trend_quarters` ahead, lowers what they expect, so a store bought
near the top is sold into the fall. Producers hold back what they can store below
`producer_storage_price_share` of it (trade.producer_storage; `controlled_storage_price_share`
under their own country's controls, engine/controlled_storage.py).

Buyers' and processors' stocks do not follow this rule: they draw what covers this turn's use
whatever the price. Holding that stock at 0.98 x the expected price was tried and not kept
(docs/mechanisms.md, "News: controls announced, and the first quarter").
"""

from __future__ import annotations

import numpy as np


def holding_price(state, settings, share) -> np.ndarray:
    """(C, M, S) the price below which holders keep their stock: `share` of the price they expect later."""
    falling = np.exp(settings.producer_storage_trend_quarters * np.minimum(state.price_trend, 0.0))
    return share * state.expected_price * falling
