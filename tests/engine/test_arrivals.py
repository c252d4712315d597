"""Licensed exports arriving from transit: nothing under way takes the short way, to the same bits."""

from __future__ import annotations

import copy

import numpy as np

from critmin.engine import controls
from critmin.engine.model import WorldModel

STOCKS = ("stockpile", "consumer_stock", "feed_stock")


def played_world():
    """world-2024 after two turns, with a few stocks at -0.0 (adding +0.0 makes them +0.0)."""
    model = WorldModel("world-2024", seed=1, record_hashes=False)
    model.run(2)
    for name in STOCKS:
        getattr(model.world.state, name).reshape(-1)[[0, 7, 99]] = -0.0
    return model.world


def bits(world) -> dict[str, bytes]:
    state = world.state
    arrays = {name: getattr(state, name) for name in (*STOCKS, "in_transit", "stockpile_in_transit")}
    return {name: array.tobytes() for name, array in {**arrays, "arrived": world.last.arrived}.items()}


def test_empty_pipelines_arrive_as_the_full_rule_would_bit_for_bit():
    world = played_world()
    assert not controls.busy(world.state.in_transit) and not controls.busy(world.state.stockpile_in_transit)
    short, full = copy.deepcopy(world), copy.deepcopy(world)
    controls.arrive_nothing(short)
    controls.arrive_held(full)
    assert bits(short) == bits(full)
    assert not np.signbit(short.state.stockpile.reshape(-1)[0])  # -0.0 + 0.0 is +0.0, as the full rule gives


def test_a_pipeline_holding_anything_but_plus_zero_is_busy():
    pipeline = np.zeros((3, 2, 2))
    assert not controls.busy(pipeline)
    pipeline[2, 1, 0] = -0.0
    assert controls.busy(pipeline)
    pipeline[2, 1, 0] = 5.0
    assert controls.busy(pipeline)


def test_goods_held_in_transit_arrive_and_the_pipeline_moves_on():
    world = played_world()
    state = world.state
    state.in_transit[0, 3, 2, 1] = 10.0
    state.stockpile_in_transit[0, 3, 2, 1] = 4.0
    state.in_transit[1, 5, 0, 0] = 7.0
    stockpile = state.stockpile[3, 2, 1]
    controls.arrive_in_transit(world)
    assert world.last.arrived[3, 2, 1] == 10.0
    assert state.stockpile[3, 2, 1] == stockpile + 4.0
    assert state.in_transit[0, 5, 0, 0] == 7.0 and not state.in_transit[1:].any()
