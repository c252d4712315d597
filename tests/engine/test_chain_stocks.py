"""Working stocks along the chain (engine/chain_stocks.py): held in a calm market, drawn in a cut."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from critmin.engine.chain_stocks import start_use
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import load_scenario, scenario_from_content


def without_working_stocks(name_or_path):
    """The same scenario with its commercial (working) stocks taken out."""
    scenario = load_scenario(name_or_path)
    content = copy.deepcopy(scenario.content)
    content["stocks"] = [stock for stock in content["stocks"] if stock.get("strategic", True)]
    assert len(content["stocks"]) < len(scenario.content["stocks"])
    return scenario_from_content(content, origin=f"{name_or_path} without working stocks")


def cobalt_working_tonnes(name: str, country: str, stage: str) -> float:
    """The scenario's commercial cobalt stock of `country` at `stage`."""
    stocks = load_scenario(name).content["stocks"]
    return sum(
        stock["tonnes"]
        for stock in stocks
        if not stock.get("strategic", True)
        and (stock["country"], stock["mineral"], stock["stage"]) == (country, "cobalt", stage)
    )


def test_working_stocks_are_placed_by_use_and_set_the_cover():
    """China's cobalt hydroxide stock goes to its refiners; its metal to users and processors by use."""
    model = WorldModel(load_scenario("drc-cobalt-2025"), seed=1)
    world = model.world
    china, m = world.index.country["CHN"], world.index.mineral["cobalt"]
    final, feed = start_use(world.state, world.constants)
    hydroxide = cobalt_working_tonnes("drc-cobalt-2025", "CHN", "mine")
    assert hydroxide > 0
    assert world.constants.working_cover[china, m, 0] == pytest.approx(hydroxide / feed[china, m, 0])
    assert world.constants.working_cover[china, m, 0] == pytest.approx(1.0, rel=0.05)  # 3 months
    bare = WorldModel(without_working_stocks("drc-cobalt-2025"), seed=1).world
    state, cover = world.state, world.constants.working_cover
    assert state.feed_stock[china, m, 0] - bare.state.feed_stock[china, m, 0] == pytest.approx(hydroxide)
    assert state.consumer_stock[china, m, 0] == bare.state.consumer_stock[china, m, 0]
    routine = world.settings.inventory_target_quarters
    assert state.inventory_target[china, m, 1] == pytest.approx(routine + cover[china, m, 1])
    assert final[china, m, 1] > 0 and cover[china, m, 1] > 0


def test_a_calm_world_keeps_its_working_stocks():
    """world-2024 with no shock: cobalt users still hold most of their working cover after two years."""
    model = WorldModel(load_scenario("world-2024"), seed=1)
    world = model.world
    m = world.index.mineral["cobalt"]
    cover = world.settings.inventory_target_quarters + world.constants.working_cover[:, m, 1]
    model.run(8)
    need = world.last.demand[:, m, 1]
    held = world.state.consumer_stock[:, m, 1].sum()
    assert held > 0.8 * (cover * need).sum()
    assert held < 1.5 * (cover * need).sum()
    price = world.state.price[:, m, 1] / world.constants.reference_price[m, 1]
    users = need > 0
    assert np.all(np.abs(price[users] - 1) <= 0.25)


def outside_cobalt_price(scenario, turns: int) -> np.ndarray:
    """The USA's refined cobalt price over reference, per turn."""
    model = WorldModel(scenario, seed=1)
    world = model.world
    usa, m = world.index.country["USA"], world.index.mineral["cobalt"]
    path = []
    for _ in range(turns):
        model.step()
        path.append(world.state.price[usa, m, 1] / world.constants.reference_price[m, 1])
    return np.array(path)


def test_working_stocks_buffer_the_drc_ban():
    """The DRC's ban: with the chain's stocks the outside price moves on the news but holds below
    1.5x for three quarters (seed 1: 1.05, 1.13, 1.09); without them it reaches the top of the
    demand curve by the third (1.25, 2.0, 20)."""
    with_stocks = outside_cobalt_price(load_scenario("drc-cobalt-2025"), 3)
    without = outside_cobalt_price(without_working_stocks("drc-cobalt-2025"), 3)
    assert np.all(with_stocks < 1.5)
    assert without[1] > 1.5 * with_stocks[1]
    assert without[2] > 10 * with_stocks[2]
