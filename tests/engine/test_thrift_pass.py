"""The compiled thrift is the array rule's, bit for bit (engine/thrift_pass.py)."""

from __future__ import annotations

import numpy as np

from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine import dynamics
from tests.engine.bits import same_bits_but_nan as same_bits


def odd(values: np.ndarray, rng) -> np.ndarray:
    """`values` scaled at random, with zeros, negative zeros, NaN and infinities among them."""
    values = values * rng.lognormal(0, 1, values.shape)
    for share, value in ((0.1, 0.0), (0.02, -0.0), (0.01, np.nan), (0.01, np.inf)):
        values[rng.random(values.shape) < share] = value
    return values


def states(world_2024):
    state, rng = world_2024.state.copy(), np.random.default_rng(5)
    yield world_2024.state
    for name in (
        "final_demand",
        "demand_growth",
        "intensity",
        "substitution",
        "consumer_stock",
        "expected_price",
    ):
        setattr(state, name, odd(getattr(state, name), rng))
    state.demand_shock, state.demand_noise = odd(state.demand_shock, rng), odd(state.demand_noise, rng)
    yield state


def array_thrift(state, constants, settings) -> np.ndarray:
    """What `dynamics.thrift` did before the compiled pass: the new intensity."""
    ratio = dynamics.price_ratio(state.expected_price, constants)
    span = max(settings.thrifting_full_price_multiple - settings.thrifting_price_threshold, 1e-9)
    pressure = np.clip((ratio - settings.thrifting_price_threshold) / span, 0.0, 1.0)
    cut = settings.thrifting_max_per_year / TURNS_PER_YEAR * pressure
    recovery = np.where(pressure > 0, 0.0, settings.thrifting_recovery_per_year / TURNS_PER_YEAR)
    intensity = state.intensity * (1 - cut) + recovery * (1 - state.intensity)
    np.clip(intensity, settings.thrifting_floor, 1.0, out=intensity)
    return intensity


def test_thrift_is_the_array_rule(world_2024):
    for state in states(world_2024):
        for prices in (1.0, 3.0):  # at today's prices, and dear enough to thrift
            state = state.copy()
            state.expected_price = state.expected_price * prices
            with np.errstate(all="ignore"):
                intensity = array_thrift(state, world_2024.constants, world_2024.settings)
                dynamics.thrift(state, world_2024.constants, world_2024.settings)
            assert same_bits(state.intensity, intensity)
    assert (intensity < 1.0).any()
