"""Every buyer's bid blocks on the traded lines, laid out (line, country, block) in one compiled pass.

What each block bids is `trade.pose_bids`' to say (manufacturers' demand curve, its essential
share, routine restocking, extra stock; processors' feed curve, routine feed and extra feed).
The pass works out each (line, country)'s inputs from the state's (C, M, S) arrays on the spot,
then its P blocks in a row, and keeps those above 1e-9 t, in (line, country, block) order, the
order the markets read them in: no (L, C) or (L, C, k) temporaries, no book scanned.
The inputs restate, on one cell, the array rules the rest of the engine reads on the full
shape: `trade.final_need` and `trade.essential_share`, `dynamics.stock_gaps` (manufacturers'
and processors' gaps), `dynamics.stock_bid_price` and `state.feed_need`; and they work out
processors' reference price for feed: the feed's reference price scaled by their output's
price over its reference, clipped to [0.05, 50] (the feed's own reference where no stage follows).
Each value is the same float operations in the same order as those rules (a sum over sectors
from 0, sector by sector, as numpy's sum over the first axis), so the bids are bit for bit the
same; tests/engine/test_bid_blocks.py holds the inputs to the array rules.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from critmin.engine.convenience_yield import restocking_slice
from critmin.engine.numpy_scalars import maximum, minimum


class Curves(NamedTuple):
    """The demand curves' price multiples and the share of demand bid at each, and the restocking slices."""

    multiples: np.ndarray  # (K,) of the reference price
    final: np.ndarray  # (L, K) manufacturers' shares at each multiple, by the line's mineral
    feed: np.ndarray  # (K,) processors' shares
    numbers: tuple  # (inventory_target_quarters, inventory_price_multiple, convenience_yield, blocks)


USE, ESSENTIAL, NEED, STOCK, ROUTINE, EXTRA, WORKING, STOCK_PRICE = range(8)
FEED_USE, FEED_ROUTINE, FEED_EXTRA, FEED_REFERENCE, FEED_CAP = range(8, 13)
N_INPUTS = 13
"""A (line, country)'s inputs: manufacturers' gaps and prices, the stock bid price, processors'."""


def kept_blocks(state, constants, settings, lines: tuple, cap: np.ndarray, curves: Curves) -> tuple:
    """(line, country, tonnes, price, block) of every block above 1e-9 t, in (L, C, P) order.

    Blocks: final curve, essential, restocking, extra; feed curve, routine, extra. `cap` is the
    (C, M, S) break-even feed price. The inputs go in as plain arrays and numbers (numba types
    a tuple of arrays slowly).
    """
    columns = bid_inputs(state, constants, settings, lines, cap)
    quarters, price_multiple, yield_, blocks = curves.numbers
    curve_arrays = (constants.reference_price[lines], curves.multiples, curves.final, curves.feed)
    return _kept_blocks(columns, *curve_arrays, quarters, price_multiple, yield_, blocks)


def bid_inputs(state, constants, settings, lines: tuple, cap: np.ndarray) -> np.ndarray:
    """(13, L, C) each (line, country)'s inputs to its blocks, worked out in one compiled pass."""
    quarters, price_multiple = (
        float(settings.inventory_target_quarters),
        float(settings.inventory_price_multiple),
    )
    numbers = (quarters, price_multiple, float(settings.inventory_bid_premium))
    return _bid_inputs(
        *lines, *numbers, float(max(settings.demand_price_multiples)), *state_arrays(state, constants, cap)
    )


def state_arrays(state, constants, cap: np.ndarray) -> tuple:
    """The arrays the inputs are worked out from, in `_bid_inputs`' order (working cover as (C, M, S))."""
    working = np.broadcast_to(constants.working_cover, state.price.shape)
    return (
        *(state.final_demand, state.essential_share, state.demand_shock, state.demand_noise),
        *(state.intensity, state.substitution, state.consumer_stock, state.feed_stock),
        *(state.inventory_target, working, state.capacity, state.utilisation, state.disruption),
        *(state.price, state.expected_price, state.news_market, state.price_trend, cap),
        *(constants.reference_price, constants.yield_share, constants.chain),
    )


@nb.njit(cache=True, nogil=True)
def _bid_inputs(line_mineral, line_stage, quarters, price_multiple, premium, top, *world):
    """(13, L, C) the rules of the module docstring on each (line, country)."""
    final_demand, essential, shock, noise, intensity, substitution = world[:6]
    consumer_stock, feed_stock, target, working, capacity, utilisation, disruption = world[6:13]
    price, expected, news, trend, cap, reference, yield_share, chain = world[13:]
    n_stages = chain.shape[1]
    out = np.empty((N_INPUTS, len(line_mineral), shock.shape[0]))
    for q in range(len(line_mineral)):
        m, s = line_mineral[q], line_stage[q]
        follows = s + 1 < n_stages and chain[m, s + 1]  # processors of the next stage buy feed here
        for c in range(shock.shape[0]):
            fd_total, weighted = 0.0, 0.0  # numpy's sum over axis 0: from 0, sector by sector
            for sector in range(final_demand.shape[0]):
                fd_total += final_demand[sector, c, m, s]
                weighted += final_demand[sector, c, m, s] * essential[sector, c, m, s]
            need = fd_total * (shock[c, m] * noise[c, m]) * intensity[c, m, s] * (1 - substitution[c, m, s])
            cover = quarters + working[c, m, s]
            gaps = _stock_gaps(need, consumer_stock[c, m, s], target[c, m, s], cover)
            out[USE, q, c], out[ROUTINE, q, c], out[EXTRA, q, c] = gaps
            out[ESSENTIAL, q, c] = weighted / fd_total if fd_total > 0 else 0.0
            out[NEED, q, c], out[STOCK, q, c], out[WORKING, q, c] = (
                need,
                consumer_stock[c, m, s],
                working[c, m, s],
            )
            anchor = (price[c, m, s], expected[c, m, s], news[c, m, s], trend[c, m, s], reference[m, s])
            out[STOCK_PRICE, q, c] = _stock_price(*anchor, price_multiple, premium, top)
            feed, ratio = 0.0, 1.0  # no stage follows: no feed need, the reference price
            if s + 1 < n_stages:
                running = capacity[c, m, s + 1] * utilisation[c, m, s + 1] * (1 - disruption[c, m, s + 1])
                feed = running / yield_share[m, s + 1] * (1.0 if chain[m, s + 1] else 0.0)
                ratio = price[c, m, s + 1] / reference[m, s + 1] if reference[m, s + 1] > 0 else 1.0
            gaps = _stock_gaps(feed, feed_stock[c, m, s], target[c, m, s], cover)
            out[FEED_USE, q, c], out[FEED_ROUTINE, q, c], out[FEED_EXTRA, q, c] = gaps
            scaled = reference[m, s] * minimum(maximum(ratio, 0.05), 50.0)
            out[FEED_REFERENCE, q, c], out[FEED_CAP, q, c] = (
                scaled if follows else reference[m, s],
                cap[c, m, s],
            )
    return out


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
    line, country, block = (
        np.empty(room, dtype=np.int64),
        np.empty(room, dtype=np.int64),
        np.empty(room, dtype=np.int64),
    )
    tonnes, prices = np.empty(room), np.empty(room)
    n = 0
    row_tonnes, row_prices = np.empty(n_blocks), np.empty(n_blocks)
    numbers = (quarters, price_multiple, yield_, blocks)
    for q in range(n_lines):
        for c in range(n_countries):
            gaps = columns[:, q, c]
            buying = gaps[USE] > 0 or gaps[ROUTINE] > 0 or gaps[EXTRA] > 0  # else no block above 0 t
            if buying:
                _final_row(row_tonnes, row_prices, gaps, reference[q], multiples, final_shares[q], numbers)
            feeding = gaps[FEED_USE] > 0 or gaps[FEED_ROUTINE] > 0 or gaps[FEED_EXTRA] > 0
            if feeding:
                feed_row = (row_tonnes[first_feed:], row_prices[first_feed:])
                _feed_row(*feed_row, gaps, multiples, feed_shares, price_multiple)
            for j in range(0 if buying else first_feed, n_blocks if feeding else first_feed):
                if row_tonnes[j] > 1e-9:
                    line[n], country[n], block[n] = q, c, j
                    tonnes[n], prices[n] = row_tonnes[j], row_prices[j]
                    n += 1
    return line[:n], country[:n], tonnes[:n], prices[:n], block[:n]


@nb.njit(cache=True, nogil=True)
def _stock_gaps(need, stock, target, base) -> tuple:
    """`dynamics.stock_gaps` of one cell: use lacking, routine restocking, extra stock."""
    use = maximum(need - stock, 0.0)
    routine_total = maximum(need * (1 + minimum(target, base)) - stock, 0.0)
    wanted_total = maximum(need * (1 + target) - stock, 0.0)
    return use, routine_total - use, maximum(wanted_total - routine_total, 0.0)


@nb.njit(cache=True, nogil=True)
def _stock_price(price, expected, news, trend, reference, price_multiple, premium, top) -> float:
    """`dynamics.stock_bid_price` of one cell."""
    anchor = maximum(price, reference * price_multiple)
    if news > 0:
        anchor = maximum(anchor, expected)
    return minimum(anchor * (1 + premium * maximum(trend, 0.0)), reference * top)


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
