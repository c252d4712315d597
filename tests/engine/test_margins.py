"""Producers' margins worked out once a turn are the per-call rules' values, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine import dynamics
from critmin.engine.model import WorldModel
from tests.engine.bits import same_bits


@pytest.fixture(scope="module")
def played():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    model.run(3)
    return model.world


def test_the_quotient_is_numpys_masked_division_bit_for_bit():
    rng = np.random.default_rng(3)
    numerator = rng.normal(size=(5, 4, 3))
    denominator = np.where(rng.random((5, 4, 3)) < 0.3, 0.0, rng.normal(size=(5, 4, 3)))
    denominator[0, 0, 0] = np.nan
    otherwise = rng.normal(size=(5, 4, 3))
    masked = np.divide(numerator, denominator, out=otherwise.copy(), where=denominator > 0)
    assert same_bits(dynamics.quotient_or(numerator, denominator, otherwise), masked)
    ones = np.divide(numerator, denominator[:1], out=np.ones_like(numerator), where=denominator[:1] > 0)
    assert same_bits(dynamics.quotient_or(numerator, denominator[:1], 1.0), ones)


def array_margin_ratio(prices, unit_cost, constants, break_even):
    """The margin ratio as array code: feed cost by stage slices, masked divisions."""
    feed = np.zeros_like(prices)
    with np.errstate(divide="ignore", invalid="ignore"):
        feed[:, :, 1:] = (
            prices[:, :, :-1] / constants.yield_share[None, :, 1:] * constants.chain[None, :, :-1]
        )
    if break_even:
        feed = np.minimum(feed, np.maximum(prices - unit_cost, 0.0))
    cost = unit_cost + feed
    reference = constants.reference_price[None]
    ratio = np.divide(prices, reference, out=np.ones_like(prices), where=reference > 0)
    return np.divide(prices, cost, out=ratio, where=cost > 0)


def test_the_margin_ratio_is_the_array_rules_bit_for_bit(played):
    state, constants = played.state, played.constants
    rng = np.random.default_rng(4)
    odd = state.expected_price * rng.lognormal(0, 1, state.price.shape)
    odd[rng.random(odd.shape) < 0.1] = 0.0
    odd[0, 0, 1], odd[1, 1, 0] = np.nan, np.inf
    for prices in (state.price, state.expected_price * 1.7, odd):
        for break_even in (False, True):
            expected = array_margin_ratio(prices, state.unit_cost, constants, break_even)
            assert same_bits(dynamics.margin_ratio(prices, state, constants, break_even), expected)
    assert np.isnan(expected).any() and (expected == 1.0).any()  # NaN kept, reference ratios where no cost


def test_margins_kept_for_a_state_are_the_ones_worked_out_afresh(played):
    state, constants, settings = played.state, played.constants, played.settings
    margins = dynamics.Margins(state, constants)
    for prices in (state.expected_price, state.long_run_price, state.price):
        assert same_bits(margins.relative(prices), dynamics.relative_margin(prices, state, constants))
        for break_even in (False, True):
            afresh = dynamics.cost_cover(prices, state, constants, break_even)
            assert same_bits(margins.cover(prices, break_even), afresh)
    target = dynamics.target_utilisation(state, constants, settings)
    assert same_bits(dynamics.target_utilisation(state, constants, settings, margins), target)
    assert np.isfinite(target).all() and (target >= 0).all()
