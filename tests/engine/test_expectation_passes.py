"""The account phase's compiled expectations and inventory targets are the array rules', bit for bit."""

from __future__ import annotations

import numpy as np

from critmin.engine import dynamics, expectation_passes
from tests.engine.bits import same_bits_but_nan as same_bits

MOVED = ("expected_price", "long_run_price", "price_trend", "inventory_target", "supply_risk")


def by_the_array_rules(state, constants, settings, previous, short, need) -> None:
    """What the account phase did before the compiled passes."""
    dynamics.update_expectations(state, settings, previous)
    shortage_share = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
    dynamics.update_inventory_targets(state, constants, settings, shortage_share)


def assert_the_same_update(state, constants, settings, previous, short, need) -> None:
    arrays, compiled = state.copy(), state.copy()
    by_the_array_rules(arrays, constants, settings, previous, short, need)
    expectation_passes.update(compiled, constants, settings, previous, short, need)
    for name in MOVED:
        assert same_bits(getattr(compiled, name), getattr(arrays, name)), name
    assert compiled.supply_risk is not state.supply_risk  # a new array, as the rule made


def test_a_played_worlds_update_is_the_array_rules(world_2024):
    last = world_2024.last
    assert (last.shortage > 0).any()
    world = world_2024
    assert_the_same_update(
        world.state, world.constants, world.settings, world.price_before, last.shortage, last.demand
    )


def test_a_working_cover_of_zero_and_odd_values_keep_numpys_rules(world_2024):
    state, settings = world_2024.state.copy(), world_2024.settings
    constants = type(world_2024.constants)(**{**vars(world_2024.constants), "working_cover": 0.0})
    rng = np.random.default_rng(11)
    shape = state.price.shape
    odd = {}
    for name in (
        "price",
        "expected_price",
        "long_run_price",
        "control_exposure",
        "news_exposure",
        "price_trend",
    ):
        values = getattr(state, name) * rng.lognormal(0, 1, shape) + (name == "price_trend") * rng.normal(
            size=shape
        )
        values[rng.random(shape) < 0.1] = 0.0
        values[rng.random(shape) < 0.02] = -0.0
        values[rng.random(shape) < 0.01] = np.nan
        values[rng.random(shape) < 0.01] = np.inf
        setattr(state, name, values)
        odd[name] = values
    previous = world_2024.price_before * rng.lognormal(0, 1, shape)
    previous[0, 0, 0], previous[1, 1, 1] = 0.0, np.nan
    need = world_2024.last.demand.copy()
    need[rng.random(shape) < 0.1] = 0.0
    short = need * rng.random(shape)
    short[2, 2, 0] = np.nan
    with np.errstate(all="ignore"):
        assert_the_same_update(state, constants, settings, previous, short, need)
        assert_the_same_update(state, world_2024.constants, settings, previous, short, need)


def test_a_state_written_through_views_is_updated_by_the_array_rules(world_2024):
    constants, settings, last = world_2024.constants, world_2024.settings, world_2024.last
    arrays, compiled = world_2024.state.copy(), world_2024.state.copy()
    compiled.inventory_target = np.asfortranarray(
        compiled.inventory_target
    )  # not C-contiguous: the array rules
    before = world_2024.price_before
    by_the_array_rules(arrays, constants, settings, before, last.shortage, last.demand)
    expectation_passes.update(compiled, constants, settings, before, last.shortage, last.demand)
    for name in MOVED:
        assert same_bits(np.ascontiguousarray(getattr(compiled, name)), getattr(arrays, name)), name
