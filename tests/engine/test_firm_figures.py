"""The turn view's firm figures from one compiled pass (engine/firm_figures.py) are the array rules'
figures bit for bit: margins, margin shares, import shares and need value."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from critmin.core.units import usd_m
from critmin.engine.bench_worlds import copies_of_the_countries, ten_times_the_firms
from critmin.engine.firm_accounts import unit_margin
from critmin.engine.firm_figures import firm_figures
from critmin.engine.model import WorldModel
from critmin.engine.state import feed_need
from critmin.engine.trade import final_need


def array_figures(state, constants, imported, domestic):
    """The four figures as views.firm_arrays worked them out with numpy."""
    received = imported + domestic
    price = state.long_run_price
    margin = unit_margin(price, state, constants)
    return (
        margin,
        np.divide(margin, price, out=np.zeros_like(margin), where=price > 0),
        np.divide(imported, received, out=np.zeros_like(received), where=received > 0),
        usd_m(final_need(state) + feed_need(state, constants), constants.reference_price[None]),
    )


def assert_same_bytes(got, expected) -> None:
    for a, b in zip(got, expected, strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("world", ["world-2024", "4x", "10x firms"])
def test_a_played_worlds_firm_figures_are_the_array_rules_every_turn(world):
    scenario = {
        "4x": lambda: copies_of_the_countries("world-2024", 4),
        "10x firms": lambda: ten_times_the_firms("world-2024"),
    }
    model = WorldModel(scenario[world]() if world in scenario else world, seed=0, record_hashes=False)
    for _ in range(4 if world == "world-2024" else 2):
        model.step()
        world_ = model.world
        recent, domestic = world_.recent_supply
        inputs = (world_.state, world_.constants, recent.imports(), domestic)
        assert_same_bytes(firm_figures(*inputs), array_figures(*inputs))


def test_zeros_negatives_and_nan_are_worked_out_as_numpy_does():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    state, constants = model.world.state, model.world.constants
    rng = np.random.default_rng(3)
    shape = state.long_run_price.shape

    def mixed(scale: float) -> np.ndarray:
        values = rng.normal(0, scale, shape)
        values[rng.random(shape) < 0.2] = 0.0
        values[rng.random(shape) < 0.05] = -0.0
        values[rng.random(shape) < 0.02] = np.nan
        return values

    state = replace(state, long_run_price=mixed(10.0), unit_cost=mixed(5.0), utilisation=mixed(1.0))
    imported, domestic = mixed(100.0), mixed(100.0)
    with np.errstate(all="ignore"):
        expected = array_figures(state, constants, imported, domestic)
    assert_same_bytes(firm_figures(state, constants, imported, domestic), expected)
