"""Producers' compiled response to margins is the array rules', bit for bit (engine/capacity_response.py)."""

from __future__ import annotations

import numpy as np

from critmin.engine import capacity_response, dynamics
from tests.engine.bits import same_bits


def by_the_array_rules(state, constants, settings) -> np.ndarray:
    """What `capacity.respond_to_margins` did before the compiled passes: three rules on one Margins."""
    margins = dynamics.Margins(state, constants)
    dynamics.adjust_utilisation(state, constants, settings, margins)
    dynamics.close_capacity(state, constants, settings, margins)
    return dynamics.investment_orders(state, constants, settings, margins)


def assert_the_same_response(state, constants, settings) -> None:
    arrays, compiled = state.copy(), state.copy()
    orders = by_the_array_rules(arrays, constants, settings)
    with np.errstate(invalid="ignore"):
        assert same_bits(capacity_response.respond(compiled, constants, settings), orders)
    assert same_bits(compiled.utilisation, arrays.utilisation)
    assert same_bits(compiled.capacity, arrays.capacity)
    assert compiled.utilisation is not state.utilisation  # a new array, as np.where made


def test_a_played_worlds_response_is_the_array_rules(world_2024):
    assert_the_same_response(world_2024.state, world_2024.constants, world_2024.settings)


def test_dear_prices_order_capacity_and_cheap_ones_close_it(world_2024):
    state, constants, settings = world_2024.state.copy(), world_2024.constants, world_2024.settings
    state.long_run_price *= 3.0
    state.utilisation = np.maximum(state.utilisation, state.normal_utilisation)
    assert by_the_array_rules(state.copy(), constants, settings).any()
    assert_the_same_response(state, constants, settings)
    state.expected_price *= 0.2
    closing = state.copy()
    dynamics.close_capacity(closing, constants, settings)
    assert (closing.capacity < state.capacity).any()
    assert_the_same_response(state, constants, settings)


def test_odd_values_keep_numpys_rules(world_2024):
    state, constants, settings = world_2024.state.copy(), world_2024.constants, world_2024.settings
    rng = np.random.default_rng(7)
    shape = state.price.shape
    for name in ("expected_price", "long_run_price", "unit_cost", "utilisation", "capacity"):
        values = getattr(state, name) * rng.lognormal(0, 1, shape)
        values[rng.random(shape) < 0.1] = 0.0
        values[rng.random(shape) < 0.02] = -0.0
        values[rng.random(shape) < 0.01] = np.nan
        values[rng.random(shape) < 0.01] = np.inf
        setattr(state, name, values)
    state.construction[rng.random(state.construction.shape) < 0.01] = -0.0
    state.construction[3, 0, 0, 0] = np.nan
    with np.errstate(all="ignore"):  # NaN and inf on purpose: numpy's own rules warn of them
        assert_the_same_response(state, constants, settings)


def test_a_state_read_through_views_responds_by_the_array_rules(world_2024):
    arrays, compiled = world_2024.state.copy(), world_2024.state.copy()
    compiled.capacity = np.asfortranarray(compiled.capacity)  # not C-contiguous: the array rules
    orders = by_the_array_rules(arrays, world_2024.constants, world_2024.settings)
    assert same_bits(capacity_response.respond(compiled, world_2024.constants, world_2024.settings), orders)
    assert same_bits(np.ascontiguousarray(compiled.capacity), arrays.capacity)
    assert same_bits(compiled.utilisation, arrays.utilisation)
