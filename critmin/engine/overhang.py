"""Squeezed processors sell their overhang: output beyond the store fetches what buyers pay.

A processor's reservation price is its conversion cost plus its feed at today's price
(`trade.offer_prices`). When feed is scarce its own bids set that feed price, at break-even on its
output price (`trade.break_even_feed_price`), so the reservation is the output price itself and
any price level sustains itself while unsold output piles up. Output already made is sunk: a
squeezed processor (its feed at break-even and above the feed's reference price) offers what it
cannot store at `overhang_price_share` of the expected price, lower by that share again for each
quarter of running output it holds beyond the store (the supply of storage: holding more costs
more, Working 1949, Brennan 1958), never above its reservation price; that ask is also the
floor of the price it holds its store out for (`trade.producer_storage`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.state import WorldState

AT_BREAK_EVEN = 0.99  # a feed price within 1% of processors' break-even counts as set by their bids


def squeezed(state: WorldState, reference: np.ndarray, feed_cap: np.ndarray) -> np.ndarray:
    """(C, M, S) processors whose scarce feed is priced at their break-even (False at the mine).

    `feed_cap` is (C, M, S) the most processors of stage s+1 pay for stage-s feed.
    """
    return _squeezed(state.price, reference, feed_cap)


@nb.njit(cache=True, nogil=True)
def _squeezed(price, reference, feed_cap) -> np.ndarray:
    """`squeezed` cell by cell: the feed (stage s-1) at break-even and above its reference."""
    out = np.zeros(price.shape, dtype=np.bool_)
    n_countries, n_minerals, n_stages = price.shape
    for c in range(n_countries):
        for m in range(n_minerals):
            for s in range(1, n_stages):
                feed = price[c, m, s - 1]
                out[c, m, s] = feed >= AT_BREAK_EVEN * feed_cap[c, m, s - 1] and feed > reference[m, s - 1]
    return out


def overhang_price(
    state: WorldState, settings, reservation: np.ndarray, storable: np.ndarray, squeeze: np.ndarray
) -> np.ndarray:
    """(C, M, S) producers' reservation prices with squeezed processors' overhang price.

    The reservation price, except for `squeeze`d processors: `overhang_price_share` of the
    expected price to the power 1 + the quarters of running output held beyond the store.
    Worked out at the squeezed cells only (a few), each as on the whole array.
    """
    cells = np.flatnonzero(squeeze)

    def at(values: np.ndarray) -> np.ndarray:
        return values.reshape(-1)[cells]

    running = state.running(cells)
    overhang = np.maximum(at(state.producer_stock) - at(storable), 0.0)
    quarters = np.divide(overhang, running, out=np.zeros_like(overhang), where=running > 0)
    ask = at(state.expected_price) * settings.overhang_price_share ** (1.0 + quarters)
    prices = reservation.copy()
    prices.reshape(-1)[cells] = np.minimum(at(reservation), ask)
    return prices
