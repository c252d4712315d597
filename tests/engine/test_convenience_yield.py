"""Buyers' routine restocking is dearer the emptier their stock (engine/convenience_yield.py)."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.convenience_yield import restocking_slice
from critmin.scenarios.schema import MarketSettings

SETTINGS = MarketSettings(convenience_yield=0.1, convenience_yield_blocks=4, inventory_target_quarters=0.5)


def bids(stock: float, routine: float, need: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """The restocking slices (tonnes, prices) of a buyer using `need` tonnes a quarter, routine price 10."""
    blocks, quarters = SETTINGS.convenience_yield_blocks, SETTINGS.inventory_target_quarters
    slices = [
        restocking_slice(need, stock, routine, 10.0, 0.0, j, blocks, quarters, SETTINGS.convenience_yield)
        for j in range(blocks)
    ]
    return tuple(np.array(side) for side in zip(*slices, strict=True))


def test_an_empty_stock_pays_up_to_the_yield_for_its_first_tonnes_and_less_for_its_last():
    tonnes, prices = bids(stock=100.0, routine=50.0)  # all used this turn: cover of 50 t is empty
    assert tonnes.sum() == pytest.approx(50.0)
    assert prices == pytest.approx(10.0 * (1 + 0.1 * np.array([0.875, 0.625, 0.375, 0.125])))
    assert np.all(np.diff(prices) < 0)


def test_a_stock_at_its_cover_adds_nothing_to_the_routine_price():
    tonnes, prices = bids(stock=150.0, routine=0.0)
    assert tonnes.sum() == 0.0
    assert prices == pytest.approx(10.0)


def test_a_half_empty_stock_pays_less_than_an_empty_one():
    _, empty = bids(stock=100.0, routine=50.0)
    _, half = bids(stock=125.0, routine=25.0)
    assert half.max() < empty.max()
    assert half.min() > 10.0


def test_no_use_means_no_premium():
    _, prices = bids(stock=0.0, routine=0.0, need=0.0)
    assert prices == pytest.approx(10.0)
