"""News of a control reaches buyers on the first turn and down the chain (announcements.py)."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.announcements import down_the_chain
from critmin.engine.exports import known_supply, start_supply
from critmin.engine.model import WorldModel
from critmin.engine.route_exports import RouteExports
from critmin.engine.state import feed_need
from critmin.engine.trade import final_need


def test_a_control_on_the_first_turn_is_news_to_its_buyers():
    """China's bismuth licence strikes on turn 0: buyers abroad learn it before the market clears.

    Its news is the refused share of China's exports (1 - 0.62) times China's share of the supply
    outside China, as the start's trade has it (`exports.start_supply`).
    """
    model = WorldModel("china-five-metals-2025", seed=1, record_hashes=False)
    world = model.world
    usa, china = world.index.country["USA"], world.index.country["CHN"]
    m = world.index.mineral["bismuth"]
    routes, home = known_supply(world)
    outside = np.arange(len(world.index.countries)) != china
    supply = routes.imports()[:, m, 0] + home[:, m, 0]
    chinas_share = routes.row(m, 0, china)[outside].sum() / supply[outside].sum()
    model.step()
    assert 0.5 < chinas_share < 0.8
    assert world.state.news_market[usa, m, 0] == pytest.approx((1 - 0.62) * chinas_share, rel=0.01)
    assert world.state.news_market[china, m, 0] == 0.0  # the exporter's own market is not cut
    assert world.state.price[usa, m, 0] > world.constants.reference_price[m, 0]


def test_the_start_supply_balances_each_line():
    """Before any trade: imports come from the surplus countries, each uses its own output first."""
    model = WorldModel("drc-cobalt-2025", seed=1, record_hashes=False)
    state, constants = model.world.state, model.world.constants
    exports, home = start_supply(state, constants)
    use = final_need(state) + feed_need(state, constants)
    output = state.running()
    imported = exports.sum(axis=0).transpose(2, 0, 1)
    shipped = exports.sum(axis=3)
    assert np.all(home <= output + 1e-9) and np.all(home <= use + 1e-9)
    assert np.all(shipped <= np.maximum(output - use, 0.0) + 1e-6)
    assert np.all(imported <= np.maximum(use - output, 0.0) + 1e-6)
    assert np.all(np.diagonal(exports, axis1=0, axis2=3) == 0.0)


def feed_cut_line():
    """Country 0 refines with feed cut by 75%; it makes 80 of the 100 t of refined the world buys."""
    exposure = np.zeros((3, 1, 3))
    exposure[0, 0, 0] = 0.75
    recent = np.zeros((3, 1, 3, 3))
    recent[0, 0, 1, 1] = 50.0  # country 0 ships 50 t of refined to country 1
    domestic = np.zeros((3, 1, 3))
    domestic[0, 0, 1] = 30.0  # and uses 30 t at home
    domestic[2, 0, 1] = 20.0  # country 2 refines 20 t from its own feed, not cut
    routes = RouteExports.of_flows(recent.transpose(1, 2, 0, 3))  # (M, S, C_exporter, C_importer)
    return exposure, routes, domestic


def test_a_cut_of_processors_feed_moves_the_market_of_what_they_make():
    """Country 0's refining (80 of the 100 t) loses 75% of its feed: every market hears 0.6."""
    exposure, routes, domestic = feed_cut_line()
    everyone = np.ones((3, 1), dtype=bool)
    market = down_the_chain(exposure, np.zeros_like(exposure), everyone, routes, domestic)
    assert np.allclose(market[:, 0, 1], 0.75 * 80 / 100)
    assert np.all(market[:, 0, 0] == 0.0)  # the feed's own market is the control's to move
    assert np.all(exposure[1:, 0, 1] == 0.0)  # buyers' own exposure is not touched


def test_the_exporters_own_market_hears_no_cut_down_the_chain():
    """The same line, country 2 the exporter: the cut counts over the 80 t the control reaches.

    As for the cut itself (`news_exposure`): China's refined gallium market does not hear the cut
    of the crude gallium its own licence keeps from refiners abroad, nor dilute it.
    """
    exposure, routes, domestic = feed_cut_line()
    reached = np.array([[True], [True], [False]])
    market = down_the_chain(exposure, np.zeros_like(exposure), reached, routes, domestic)
    assert np.allclose(market[:2, 0, 1], 0.75 * 80 / 80)
    assert market[2, 0, 1] == 0.0
