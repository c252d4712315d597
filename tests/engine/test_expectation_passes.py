"""The account phase's compiled expectations and inventory targets are the array rules', bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine import dynamics, expectation_passes
from critmin.engine.model import WorldModel

MOVED = ("expected_price", "long_run_price", "price_trend", "inventory_target", "supply_risk")


@pytest.fixture(scope="module")
def played():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    model.run(5)
    return model.world


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """The same bits, but for NaN's sign and payload (which the compiler may take from either operand)."""
    if a.shape != b.shape or a.dtype != b.dtype or not (np.isnan(a) == np.isnan(b)).all():
        return False
    return a[~np.isnan(a)].tobytes() == b[~np.isnan(b)].tobytes()


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


def test_a_played_worlds_update_is_the_array_rules(played):
    last = played.last
    assert (last.shortage > 0).any()
    assert_the_same_update(
        played.state, played.constants, played.settings, played.price_before, last.shortage, last.demand
    )


def test_a_working_cover_of_zero_and_odd_values_keep_numpys_rules(played):
    state, settings = played.state.copy(), played.settings
    constants = type(played.constants)(**{**vars(played.constants), "working_cover": 0.0})
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
    previous = played.price_before * rng.lognormal(0, 1, shape)
    previous[0, 0, 0], previous[1, 1, 1] = 0.0, np.nan
    need = played.last.demand.copy()
    need[rng.random(shape) < 0.1] = 0.0
    short = need * rng.random(shape)
    short[2, 2, 0] = np.nan
    with np.errstate(all="ignore"):
        assert_the_same_update(state, constants, settings, previous, short, need)
        assert_the_same_update(state, played.constants, settings, previous, short, need)


def test_a_state_written_through_views_is_updated_by_the_array_rules(played):
    constants, settings, last = played.constants, played.settings, played.last
    arrays, compiled = played.state.copy(), played.state.copy()
    compiled.inventory_target = np.asfortranarray(
        compiled.inventory_target
    )  # not C-contiguous: the array rules
    by_the_array_rules(arrays, constants, settings, played.price_before, last.shortage, last.demand)
    expectation_passes.update(compiled, constants, settings, played.price_before, last.shortage, last.demand)
    for name in MOVED:
        assert same_bits(np.ascontiguousarray(getattr(compiled, name)), getattr(arrays, name)), name
