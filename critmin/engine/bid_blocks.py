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


def n_blocks(curves: Curves) -> int:
    """P: the K blocks of each curve, the restocking slices, essential, extra, routine feed and extra feed."""
    return 2 * len(curves.multiples) + curves.numbers[3] + 4


def kept_blocks(final: FinalLines, feed: FeedLines, stock_price: np.ndarray, curves: Curves) -> tuple:
    """(line, country, tonnes, price, block) of every block above 1e-9 t, in (L, C, P) order.

    Blocks: final curve, essential, restocking, extra; feed curve, routine, extra.
    """
    return _kept_blocks(final, feed, stock_price, curves, n_blocks(curves))


@nb.njit(cache=True, nogil=True)
def _kept_blocks(final, feed, stock_price, curves, n_blocks):
    """Each (line, country)'s blocks worked out in a row, the ones above 1e-9 t kept in order."""
    n_lines, n_countries = stock_price.shape
    room = n_lines * n_countries * n_blocks  # pages are touched only where written
    line, country = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.int64)
    block = np.empty(room, dtype=np.int64)
    tonnes, prices = np.empty(room), np.empty(room)
    row_tonnes, row_prices = np.empty(n_blocks), np.empty(n_blocks)
    first_feed, n = n_blocks - len(curves.multiples) - 2, 0
    for q in range(n_lines):
        for c in range(n_countries):
            _final_row(row_tonnes, row_prices, q, c, final, stock_price, curves)
            _feed_row(row_tonnes[first_feed:], row_prices[first_feed:], q, c, feed, stock_price, curves)
            for j in range(n_blocks):
                if row_tonnes[j] > 1e-9:
                    line[n], country[n], block[n] = q, c, j
                    tonnes[n], prices[n] = row_tonnes[j], row_prices[j]
                    n += 1
    return line[:n].copy(), country[:n].copy(), tonnes[:n].copy(), prices[:n].copy(), block[:n].copy()


@nb.njit(cache=True, nogil=True)
def _final_row(tonnes, prices, line, country, final, stock_price, curves):
    """A manufacturer's blocks on one line: its curve, the essential share, restocking slices, extra stock."""
    use, essential, need, stock, routine, extra, working, reference = final
    multiples, fractions = curves.multiples, curves.final
    quarters, price_multiple, yield_, blocks = curves.numbers
    k, ref = len(multiples), reference[line]
    u, e = use[line, country], essential[line, country]
    flexible = u * (1 - e)
    for j in range(k):
        tonnes[j], prices[j] = flexible * fractions[line, j], ref * multiples[j]
    tonnes[k], prices[k] = u * e, ref * multiples.max()
    gaps = (need[line, country], stock[line, country], routine[line, country])
    restock, cover = ref * price_multiple, working[line, country]
    for j in range(blocks):
        tonnes[k + 1 + j], prices[k + 1 + j] = restocking_slice(
            *gaps, restock, cover, j, blocks, quarters, yield_
        )
    tonnes[k + 1 + blocks], prices[k + 1 + blocks] = extra[line, country], stock_price[line, country]


@nb.njit(cache=True, nogil=True)
def _feed_row(tonnes, prices, line, country, feed, stock_price, curves):
    """A processor's blocks on one line: its feed curve, routine and extra feed, each capped at break-even."""
    use, routine, extra, reference, cap = feed
    multiples, fractions = curves.multiples, curves.feed
    price_multiple, k = curves.numbers[1], len(multiples)
    ref, most, u = reference[line, country], cap[line, country], use[line, country]
    for j in range(k):
        tonnes[j], prices[j] = u * fractions[j], np.minimum(ref * multiples[j], most)
    tonnes[k], prices[k] = routine[line, country], np.minimum(ref * price_multiple, most)
    tonnes[k + 1], prices[k + 1] = extra[line, country], np.minimum(stock_price[line, country], most)
