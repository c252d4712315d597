"""Traders' forecast knows a control stands (engine/forecast.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from critmin.engine import forecast
from critmin.engine.model import WorldModel
from critmin.engine.storage_arbitrage import held_use_bid
from critmin.scenarios.schema import MarketSettings

SETTINGS = MarketSettings(supply_elasticity=0.5, forecast_persistence=0.9, forecast_horizon_quarters=2)
CONSTANTS = SimpleNamespace(demand_elasticity=np.array([-0.5]))  # |e_d| + e_s = 1


def state(price: float, expected: float) -> SimpleNamespace:
    """One market (1 country, 1 mineral, 1 stage) with no cut known."""
    return SimpleNamespace(
        price=np.full((1, 1, 1), price),
        expected_price=np.full((1, 1, 1), expected),
        known_cut=np.zeros((1, 1, 1)),
        cut_anchor=np.zeros((1, 1, 1)),
        price_trend=np.zeros((1, 1, 1)),
    )


def test_news_lifts_the_expectation_by_the_incidence_rule_and_is_remembered():
    market = state(price=10.0, expected=12.0)
    expected = forecast.hear_cut(market, CONSTANTS, SETTINGS, np.full((1, 1, 1), 0.3))
    assert expected[0, 0, 0] == pytest.approx(12.0 * 1.3)
    assert market.cut_anchor[0, 0, 0] == 12.0
    market.expected_price = expected
    forecast.hear_cut(market, CONSTANTS, SETTINGS, np.full((1, 1, 1), 0.1))  # a smaller cut later
    assert market.known_cut[0, 0, 0] == 0.3  # the largest cut heard
    assert market.cut_anchor[0, 0, 0] == 12.0  # the price before the first news
    assert forecast.known_price(market, CONSTANTS, SETTINGS)[0, 0, 0] == pytest.approx(15.6)


def test_while_a_cut_is_known_the_expectation_reverts_to_the_known_price_not_to_the_price():
    market = state(price=10.0, expected=10.0)
    market.known_cut[:], market.cut_anchor[:] = 0.5, 10.0  # known price 15
    persistence = (0.9 + 0.81) / 2
    moving_average = np.full((1, 1, 1), 10.0)
    assert forecast.forecast(market, CONSTANTS, SETTINGS, moving_average)[0, 0, 0] == pytest.approx(
        15 + persistence * (10 - 15)
    )
    market.price[:] = 30.0  # a spike as stocks run out: expected to fall back
    assert forecast.forecast(market, CONSTANTS, SETTINGS, moving_average)[0, 0, 0] == pytest.approx(
        15 + persistence * (30 - 15)
    )
    market.known_cut[:] = 0.0  # no cut known: the moving average
    assert forecast.forecast(market, CONSTANTS, SETTINGS, moving_average)[0, 0, 0] == 10.0


def test_a_cut_is_forgotten_when_no_control_on_its_mineral_stands():
    market = state(price=10.0, expected=10.0)
    market.known_cut, market.cut_anchor = np.full((1, 2, 1), 0.5), np.full((1, 2, 1), 10.0)
    forecast.forget_cuts(market, np.array([True, False]))
    assert market.known_cut[0, :, 0].tolist() == [0.5, 0.0]
    assert market.cut_anchor[0, :, 0].tolist() == [10.0, 0.0]


def test_buyers_hold_the_stock_covering_their_use_only_while_a_cut_is_known():
    market = state(price=10.0, expected=20.0)
    settings = MarketSettings(storage_carrying_cost=0.02, producer_storage_trend_quarters=4.0)
    need, stock = np.full((1, 1, 1), 5.0), np.full((1, 1, 1), 3.0)
    tonnes, price = held_use_bid(need, stock, market, settings)
    assert tonnes[0, 0, 0] == 0.0
    market.known_cut[:] = 0.4
    tonnes, price = held_use_bid(need, stock, market, settings)
    assert tonnes[0, 0, 0] == 3.0  # what the stock covers, bought instead of drawn
    assert price[0, 0, 0] == pytest.approx(0.98 * 20.0)


def test_the_drc_ban_is_known_for_as_long_as_a_control_on_cobalt_stands():
    """The DRC's 2025 ban and quotas: outside buyers know the cut on every turn of the scenario."""
    model = WorldModel("drc-cobalt-2025", seed=1, record_hashes=False)
    world = model.world
    usa, m = world.index.country["USA"], world.index.mineral["cobalt"]
    refined = world.index.stage["refined"]
    known = []
    for _ in range(4):
        model.step()
        known.append(forecast.known_price(world.state, world.constants, world.settings)[usa, m, refined])
    assert world.state.known_cut[usa, m, refined] > 0.5  # the ban took most of the supply outside
    assert known == pytest.approx([known[0]] * 4)  # one known price from the news on
    assert world.state.expected_price[usa, m, refined] > world.constants.reference_price[m, refined] * 1.2
