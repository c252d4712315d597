"""The bid book's blocks (engine/bid_blocks.py) split each buyer's gaps along its curves and price them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from critmin.engine import bid_blocks as bb
from critmin.engine import trade
from critmin.engine.chain_stocks import routine_cover
from critmin.engine.dynamics import stock_bid_price, stock_gaps
from critmin.engine.model import WorldModel
from critmin.engine.state import feed_need


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
        bb.bid_inputs(state, constants, settings, lines, cap),
        constants.reference_price[lines],
    )
    return book, tonnes, prices, inputs, settings


def test_the_blocks_split_the_gaps_along_the_curves(tiny):
    book, tonnes, _, (curves, gaps, _), settings = book_and_inputs(tiny)
    k, blocks = len(curves.multiples), settings.convenience_yield_blocks
    curve, restocking, feed_curve = slice(0, k + 1), slice(k + 1, k + 1 + blocks), slice(-k - 2, -2)
    use, essential, feed_use = gaps[bb.USE], gaps[bb.ESSENTIAL], gaps[bb.FEED_USE]
    assert use.any() and feed_use.any() and gaps[bb.ROUTINE].any() and (tonnes == 0).any()
    flexible = use * (1 - essential) * curves.final.sum(axis=1)[:, None]
    close = {"rtol": 1e-12, "atol": 1e-7}  # blocks of 1e-9 t or less are left out
    np.testing.assert_allclose(tonnes[..., curve].sum(axis=-1), flexible + use * essential, **close)
    np.testing.assert_allclose(tonnes[..., restocking].sum(axis=-1), gaps[bb.ROUTINE], **close)
    np.testing.assert_allclose(tonnes[..., feed_curve].sum(axis=-1), feed_use * curves.feed.sum(), **close)
    single = np.stack([gaps[bb.EXTRA], gaps[bb.FEED_ROUTINE], gaps[bb.FEED_EXTRA]], -1)
    assert np.array_equal(tonnes[..., [k + 1 + blocks, -2, -1]], np.where(single > 1e-9, single, 0.0))
    owners = [trade.BUYER_FINAL] * (k + 1) + [trade.BUYER_STOCK] * (blocks + 1) + [trade.BUYER_FEED] * (k + 2)
    assert book.owner.tolist() == owners


def test_the_blocks_are_priced_along_the_curves_and_feed_never_above_break_even(tiny):
    _, tonnes, prices, (curves, gaps, reference), settings = book_and_inputs(tiny)
    k, blocks = len(curves.multiples), settings.convenience_yield_blocks
    kept = tonnes > 0
    curve_prices = np.broadcast_to(reference[:, None, None] * curves.multiples, prices[..., :k].shape)
    assert kept[..., :k].any() and np.array_equal(prices[..., :k][kept[..., :k]], curve_prices[kept[..., :k]])
    routine = np.broadcast_to(reference[:, None, None] * settings.inventory_price_multiple, tonnes.shape)
    restocking = kept[..., k + 1 : k + 1 + blocks]
    assert restocking.any()
    assert (prices[..., k + 1 : k + 1 + blocks][restocking] >= routine[..., :blocks][restocking]).all()
    feed_kept = kept[..., -k - 2 :]
    capped = np.broadcast_to(gaps[bb.FEED_CAP][..., None], feed_kept.shape)
    assert feed_kept.any() and (prices[..., -k - 2 :][feed_kept] <= capped[feed_kept]).all()


def array_rules(state, constants, settings, lines, cap) -> dict:
    """The (L, C) inputs of the blocks by the engine's array rules on the full (C, M, S) shape."""
    on = lambda values: trade.on_lines(values, lines)  # noqa: E731
    need, feed, cover = (
        on(trade.final_need(state)),
        on(feed_need(state, constants)),
        on(routine_cover(constants, settings)),
    )
    stock, feed_stock, target = on(state.consumer_stock), on(state.feed_stock), on(state.inventory_target)
    rules = dict(zip((bb.USE, bb.ROUTINE, bb.EXTRA), stock_gaps(need, stock, target, cover), strict=True))
    rules.update(
        zip(
            (bb.FEED_USE, bb.FEED_ROUTINE, bb.FEED_EXTRA),
            stock_gaps(feed, feed_stock, target, cover),
            strict=True,
        )
    )
    rules.update({bb.ESSENTIAL: on(trade.essential_share(state)), bb.NEED: need, bb.STOCK: stock})
    working = np.broadcast_to(on(constants.working_cover), need.shape)
    rules.update({bb.WORKING: working, bb.STOCK_PRICE: on(stock_bid_price(state, constants, settings))})
    return rules | {bb.FEED_CAP: on(cap)}


def test_the_inputs_are_the_engines_array_rules_bit_for_bit(tiny):
    """Gaps, need, essential share, stock bid price and cap worked out cell by cell, as the array rules do.

    Over six turns, then with news on some lines, falling trends, shocks, and a working cover, then none.
    """
    model = WorldModel(tiny, seed=3)
    state, constants, settings = model.state, model.constants, model.settings
    every = tuple(axis.ravel() for axis in np.indices(constants.chain.shape))
    rng = np.random.default_rng(4)
    seen = np.zeros(bb.N_INPUTS, dtype=bool)
    for turn in range(8):
        if turn < 6:
            model.step()
        else:
            state.news_market = np.where(
                rng.random(state.price.shape) < 0.5, rng.random(state.price.shape), 0.0
            )
            state.expected_price = state.price * rng.uniform(0.5, 2.0, state.price.shape)
            state.price_trend = rng.normal(0.0, 0.2, state.price.shape)
            state.demand_shock = rng.uniform(0.5, 1.5, state.demand_shock.shape)
            state.disruption = np.where(rng.random(state.price.shape) < 0.3, 1.0, 0.0)
            state.inventory_target = state.inventory_target * rng.uniform(0.2, 4.0, state.price.shape)
            cover = rng.uniform(0.0, 1.0, state.price.shape) if turn == 6 else 0.0  # a float: none at all
            model.constants = constants = replace(constants, working_cover=cover)
        for lines in (np.nonzero(constants.chain), every):
            cap = trade.break_even_feed_price(state, constants, settings)
            got = bb.bid_inputs(state, constants, settings, lines, cap)
            for row, expected in array_rules(state, constants, settings, lines, cap).items():
                assert got[row].tobytes() == np.ascontiguousarray(expected, dtype=float).tobytes(), row
            seen |= (got > 0).any(axis=(1, 2))
    assert seen.all()  # every input above 0 somewhere: no gap checked only at 0


def test_the_feed_reference_scales_each_lines_reference_by_its_output_price(tiny):
    """On every line: the reference price times the next stage's price over its reference, clipped
    to [0.05, 50], where the chain goes on; the reference price itself at a chain's end."""
    model = WorldModel(tiny, seed=0)
    model.run(2)
    state, constants, settings = model.state, model.constants, model.settings
    state.price[0] *= 200.0  # the first country's ratios above the clip
    lines = tuple(axis.ravel() for axis in np.indices(constants.chain.shape))
    cap = trade.break_even_feed_price(state, constants, settings)
    got = bb.bid_inputs(state, constants, settings, lines, cap)[bb.FEED_REFERENCE]
    n_stages = constants.chain.shape[1]
    for k, (m, s) in enumerate(zip(*lines, strict=True)):
        reference = constants.reference_price[m, s]
        if s + 1 < n_stages and constants.chain[m, s + 1]:
            ratio = state.price[:, m, s + 1] / constants.reference_price[m, s + 1]
            assert np.array_equal(got[k], reference * np.clip(ratio, 0.05, 50.0))
        else:
            assert np.array_equal(got[k], np.full(len(state.price), reference))
    assert (got[:, 0] == 50.0 * constants.reference_price[lines]).any()


def test_the_break_even_feed_price_is_its_array_form_bit_for_bit(tiny):
    """Cell by cell as the whole-array rule: news, equal prices, margins below 0, the chain's end."""
    model = WorldModel(tiny, seed=0)
    model.run(2)
    state, constants, settings = model.state, model.constants, model.settings
    rng = np.random.default_rng(6)
    shape = state.price.shape
    state.news_market = np.where(rng.random(shape) < 0.5, rng.random(shape), 0.0)
    state.expected_price = np.where(
        rng.random(shape) < 0.3, state.price, state.price * rng.uniform(0.5, 2, shape)
    )
    state.unit_cost = state.unit_cost * np.where(rng.random(shape) < 0.4, 1000.0, 1.0)  # margins below 0
    output = np.where(state.news_market > 0, np.maximum(state.price, state.expected_price), state.price)
    margin = output[:, :, 1:] - (1.0 - settings.processor_idle_cost_share) * state.unit_cost[:, :, 1:]
    expected = np.full(shape, np.inf)
    paid = np.maximum(margin * constants.yield_share[None, :, 1:], 0.0)
    expected[:, :, :-1] = np.where(constants.chain[None, :, 1:], paid, np.inf)
    got = trade.break_even_feed_price(state, constants, settings)
    assert got.tobytes() == expected.tobytes()
    assert (got == 0.0).any() and (np.isfinite(got) & (got > 0)).any() and np.isinf(got).any()
