"""Every buyer's bid blocks on the traded lines, laid out (line, country, block) in one compiled pass.

What each block bids is `trade.pose_bids`' to say (manufacturers' demand curve, its essential
share, routine restocking, extra stock; processors' feed curve, routine feed and extra feed);
its inputs come in as (L, C) arrays of the traded lines. Each (line, country)'s P blocks are
worked out in a row and those above 1e-9 t kept, in (line, country, block) order, the order the
markets read them in: no (L, C, k) temporaries, no (L, C, P) book laid side by side and scanned.
Each value is the same float operations in the same order as the array code before it, so the
bids are bit for bit the same.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from critmin.engine.convenience_yield import restocking_slice


class Curves(NamedTuple):
    """The demand curves' price multiples and the share of demand bid at each, and the restocking slices."""

    multiples: np.ndarray  # (K,) of the reference price
    final: np.ndarray  # (L, K) manufacturers' shares at each multiple, by the line's mineral
    feed: np.ndarray  # (K,) processors' shares
    numbers: tuple  # (inventory_target_quarters, inventory_price_multiple, convenience_yield, blocks)


class FinalLines(NamedTuple):
    """Manufacturers' (L, C) gaps and what prices them (`stock_gaps`, `restocking_slice`)."""

    use: np.ndarray
    essential: np.ndarray  # share of use that is essential
    need: np.ndarray
    stock: np.ndarray
    routine: np.ndarray
    extra: np.ndarray
    working: np.ndarray  # the chain's working cover, quarters
    reference: np.ndarray  # (L,) reference price, USD/kg


class FeedLines(NamedTuple):
    """Processors' (L, C) gaps, their reference price for feed and their break-even cap."""

    use: np.ndarray
    routine: np.ndarray
    extra: np.ndarray
    reference: np.ndarray
    cap: np.ndarray


USE, ESSENTIAL, NEED, STOCK, ROUTINE, EXTRA, WORKING, STOCK_PRICE = range(8)
FEED_USE, FEED_ROUTINE, FEED_EXTRA, FEED_REFERENCE, FEED_CAP = range(8, 13)
"""Rows of the (13, L, C) inputs: `FinalLines`' (L, C) fields, the stock bid price, `FeedLines`'."""


def kept_blocks(final: FinalLines, feed: FeedLines, stock_price: np.ndarray, curves: Curves) -> tuple:
    """(line, country, tonnes, price, block) of every block above 1e-9 t, in (L, C, P) order.

    Blocks: final curve, essential, restocking, extra; feed curve, routine, extra. The inputs
    go in as plain arrays and numbers (numba types a tuple of arrays slowly).
    """
    columns = np.stack([*final[:7], stock_price, *feed])
    quarters, price_multiple, yield_, blocks = curves.numbers
    curve_arrays = (final.reference, curves.multiples, curves.final, curves.feed)
    return _kept_blocks(columns, *curve_arrays, quarters, price_multiple, yield_, blocks)


@nb.njit(cache=True, nogil=True)
def _kept_blocks(
    columns, reference, multiples, final_shares, feed_shares, quarters, price_multiple, yield_, blocks
):
    """Each (line, country)'s blocks worked out in a row, the ones above 1e-9 t kept in order.

    Use, routine and extra gaps are >= 0, as are the curves' shares: a buyer or a part of its
    blocks on gaps of 0 t has no block above 0 t, and is not worked out.
    """
    n_lines, n_countries = columns.shape[1:]
    k = len(multiples)
    first_feed = k + blocks + 2
    n_blocks = first_feed + k + 2
    room = n_lines * n_countries * n_blocks  # pages are touched only where written
    line, country = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.int64)
    block = np.empty(room, dtype=np.int64)
    tonnes, prices = np.empty(room), np.empty(room)
    row_tonnes, row_prices = np.empty(n_blocks), np.empty(n_blocks)
    numbers = (quarters, price_multiple, yield_, blocks)
    n = 0
    for q in range(n_lines):
        for c in range(n_countries):
            gaps = columns[:, q, c]
            buying = gaps[USE] > 0 or gaps[ROUTINE] > 0 or gaps[EXTRA] > 0  # else no block above 0 t
            if buying:
                _final_row(row_tonnes, row_prices, gaps, reference[q], multiples, final_shares[q], numbers)
            feeding = gaps[FEED_USE] > 0 or gaps[FEED_ROUTINE] > 0 or gaps[FEED_EXTRA] > 0
            if feeding:
                _feed_row(
                    row_tonnes[first_feed:],
                    row_prices[first_feed:],
                    gaps,
                    multiples,
                    feed_shares,
                    price_multiple,
                )
            for j in range(0 if buying else first_feed, n_blocks if feeding else first_feed):
                if row_tonnes[j] > 1e-9:
                    line[n], country[n], block[n] = q, c, j
                    tonnes[n], prices[n] = row_tonnes[j], row_prices[j]
                    n += 1
    return line[:n].copy(), country[:n].copy(), tonnes[:n].copy(), prices[:n].copy(), block[:n].copy()


@nb.njit(cache=True, nogil=True)
def _final_row(tonnes, prices, gaps, ref, multiples, shares, numbers):
    """A manufacturer's blocks on one line: its curve, the essential share, restocking slices, extra stock.

    Without use or routine restocking those blocks are 0 t (their prices left unworked).
    """
    quarters, price_multiple, yield_, blocks = numbers
    k, u, e = len(multiples), gaps[USE], gaps[ESSENTIAL]
    if u > 0:
        flexible = u * (1 - e)
        for j in range(k):
            tonnes[j], prices[j] = flexible * shares[j], ref * multiples[j]
        tonnes[k], prices[k] = u * e, ref * multiples.max()
    else:
        for j in range(k + 1):
            tonnes[j] = 0.0
    restock = ref * price_multiple
    for j in range(blocks):
        if gaps[ROUTINE] > 0:
            tonnes[k + 1 + j], prices[k + 1 + j] = restocking_slice(
                gaps[NEED], gaps[STOCK], gaps[ROUTINE], restock, gaps[WORKING], j, blocks, quarters, yield_
            )
        else:
            tonnes[k + 1 + j] = 0.0
    tonnes[k + 1 + blocks], prices[k + 1 + blocks] = gaps[EXTRA], gaps[STOCK_PRICE]


@nb.njit(cache=True, nogil=True)
def _feed_row(tonnes, prices, gaps, multiples, shares, price_multiple):
    """A processor's blocks on one line: its feed curve, routine and extra feed, each capped at break-even.

    Without use its curve's blocks are 0 t (their prices left unworked).
    """
    k, u = len(multiples), gaps[FEED_USE]
    ref, most = gaps[FEED_REFERENCE], gaps[FEED_CAP]
    for j in range(k):
        if u > 0:
            tonnes[j], prices[j] = u * shares[j], np.minimum(ref * multiples[j], most)
        else:
            tonnes[j] = 0.0
    tonnes[k], prices[k] = gaps[FEED_ROUTINE], np.minimum(ref * price_multiple, most)
    tonnes[k + 1], prices[k + 1] = gaps[FEED_EXTRA], np.minimum(gaps[STOCK_PRICE], most)
