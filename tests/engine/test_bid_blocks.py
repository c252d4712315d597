"""The bid book's blocks (engine/bid_blocks.py) split each buyer's gaps along its curves and price them."""

from __future__ import annotations

import numpy as np

from critmin.engine import trade
from critmin.engine.model import WorldModel


def book_and_inputs(tiny) -> tuple:
    """A tiny world's third-turn bid book laid out (L, C, P): 0 t and no price where no block is kept."""
    model = WorldModel(tiny, seed=0)
    model.run(2)
    state, constants, settings = model.state, model.constants, model.settings
    lines = np.nonzero(constants.chain)
    book = trade.pose_bids(state, constants, settings, lines)
    line, country, kept_tonnes, kept_prices, block = book.entries
    shape = (len(lines[0]), len(state.price), len(book.owner))
    tonnes, prices = np.zeros(shape), np.full(shape, np.nan)
    tonnes[line, country, block], prices[line, country, block] = kept_tonnes, kept_prices
    cap = trade.break_even_feed_price(state, constants, settings)
    inputs = (
        trade.bid_curves(constants, settings, lines),
        trade.final_lines(state, constants, settings, lines),
        trade.feed_lines(state, constants, settings, lines, cap),
    )
    return book, tonnes, prices, inputs, settings


def test_the_blocks_split_the_gaps_along_the_curves(tiny):
    book, tonnes, _, (curves, final, feed), settings = book_and_inputs(tiny)
    k, blocks = len(curves.multiples), settings.convenience_yield_blocks
    curve, restocking, feed_curve = slice(0, k + 1), slice(k + 1, k + 1 + blocks), slice(-k - 2, -2)
    assert final.use.any() and feed.use.any() and final.routine.any() and (tonnes == 0).any()
    flexible = final.use * (1 - final.essential) * curves.final.sum(axis=1)[:, None]
    close = {"rtol": 1e-12, "atol": 1e-7}  # blocks of 1e-9 t or less are left out
    np.testing.assert_allclose(
        tonnes[..., curve].sum(axis=-1), flexible + final.use * final.essential, **close
    )
    np.testing.assert_allclose(tonnes[..., restocking].sum(axis=-1), final.routine, **close)
    np.testing.assert_allclose(tonnes[..., feed_curve].sum(axis=-1), feed.use * curves.feed.sum(), **close)
    single = np.stack([final.extra, feed.routine, feed.extra], -1)
    assert np.array_equal(tonnes[..., [k + 1 + blocks, -2, -1]], np.where(single > 1e-9, single, 0.0))
    owners = [trade.BUYER_FINAL] * (k + 1) + [trade.BUYER_STOCK] * (blocks + 1) + [trade.BUYER_FEED] * (k + 2)
    assert book.owner.tolist() == owners


def test_the_blocks_are_priced_along_the_curves_and_feed_never_above_break_even(tiny):
    _, tonnes, prices, (curves, final, feed), settings = book_and_inputs(tiny)
    k, blocks = len(curves.multiples), settings.convenience_yield_blocks
    kept = tonnes > 0
    curve_prices = np.broadcast_to(final.reference[:, None, None] * curves.multiples, prices[..., :k].shape)
    assert kept[..., :k].any() and np.array_equal(prices[..., :k][kept[..., :k]], curve_prices[kept[..., :k]])
    routine = np.broadcast_to(
        final.reference[:, None, None] * settings.inventory_price_multiple, tonnes.shape
    )
    restocking = kept[..., k + 1 : k + 1 + blocks]
    assert restocking.any()
    assert (prices[..., k + 1 : k + 1 + blocks][restocking] >= routine[..., :blocks][restocking]).all()
    feed_kept = kept[..., -k - 2 :]
    capped = np.broadcast_to(feed.cap[..., None], feed_kept.shape)
    assert feed_kept.any() and (prices[..., -k - 2 :][feed_kept] <= capped[feed_kept]).all()
