"""The doctrines' per-reading masks from one compiled pass each (agents/row_masks.py) are the array
rules' booleans, on played readings and on figures with zeros, negatives and NaN."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.agents import row_masks
from critmin.agents.reading import FIGURE
from critmin.engine.bench_worlds import copies_of_the_countries
from critmin.engine.model import WorldModel


def short_as_arrays(figures, release_at_shortage):
    stockpile, shortage = figures[..., FIGURE["stockpile"]], figures[..., FIGURE["shortage"]]
    demand, imports = figures[..., FIGURE["demand"]], figures[..., FIGURE["imports"]]
    need = np.where(demand > 0, demand, imports)
    short = (stockpile > 1e-6) & (shortage > 0) & (need > 0)
    return short & (shortage > release_at_shortage * need)


def leveraged_as_arrays(figures, capacity_share, ores, processed, min_share):
    exports, capacity = figures[:, ores, FIGURE["exports"]], figures[..., FIGURE["capacity"]]
    leveraged = (exports > 0) & (capacity_share[:, ores] >= min_share)
    return leveraged & (capacity[:, processed] < 0.5 * capacity[:, ores])


def unprocessed_as_arrays(figures, ores, processed):
    capacity = figures[..., FIGURE["capacity"]]
    return (capacity[:, ores] > 0) & (capacity[:, processed] < 0.25 * capacity[:, ores])


def assert_masks_as_arrays(figures, capacity_share, ores, processed) -> None:
    for release in (0.0, 0.05, 0.3):
        expected = short_as_arrays(figures, release)
        assert np.array_equal(row_masks.short_with_stock(figures, release), expected)
    for share in (0.1, 0.3):
        expected = leveraged_as_arrays(figures, capacity_share, ores, processed, share)
        assert np.array_equal(row_masks.leveraged(figures, capacity_share, ores, processed, share), expected)
    assert np.array_equal(
        row_masks.unprocessed(figures, ores, processed), unprocessed_as_arrays(figures, ores, processed)
    )


@pytest.mark.parametrize("copies", [1, 4])
def test_a_played_readings_masks_are_the_array_rules(copies):
    world = "world-2024" if copies == 1 else copies_of_the_countries("world-2024", copies)
    model = WorldModel(world, seed=0, record_hashes=False)
    for _ in range(4 if copies == 1 else 2):
        model.step()
        reading = model.reading()
        rows, seen = reading.rows, reading.seen
        assert_masks_as_arrays(rows.figures, rows.capacity_share, seen.ores, seen.processed)


def test_zeros_negatives_and_nan_compare_as_numpy_compares_them():
    rng = np.random.default_rng(11)
    figures = rng.choice([0.0, -0.0, 1e-7, 1e-6, 0.5, 2.0, -1.0, np.nan], size=(20, 12, len(FIGURE)))
    capacity_share = rng.choice([0.0, 0.1, 0.3, 0.9, np.nan], size=(20, 12))
    ores, processed = np.array([0, 3, 6, 9]), np.array([1, 4, 7, 10])
    assert_masks_as_arrays(figures, capacity_share, ores, processed)
