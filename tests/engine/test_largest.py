"""The largest values of each row (engine/largest.py), held to np.argsort's stable order bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.largest import largest_columns
from critmin.engine.model import WorldModel
from critmin.engine.observe import WORLD_LINE_COUNTRIES, Largest


def by_sorting(rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The form replaced: each row sorted whole, descending, ties in column order."""
    columns = np.argsort(-rows, axis=-1, kind="stable")[:, :k]
    return columns, np.take_along_axis(rows, columns, axis=1)


def assert_as_sorted(rows: np.ndarray, k: int) -> None:
    columns, values = largest_columns(rows, k)
    expected_columns, expected_values = by_sorting(rows, k)
    assert columns.dtype == expected_columns.dtype and np.array_equal(columns, expected_columns)
    assert values.tobytes() == expected_values.tobytes()


@pytest.mark.parametrize("seed", range(20))
def test_rows_of_ties_signed_zeros_and_nan_come_in_the_sorted_order(seed):
    rng = np.random.default_rng(seed)
    shape = rng.integers(1, 60), rng.integers(1, 40)
    rows = rng.choice([0.0, -0.0, 1e-10, 1.0, 2.5, 3.0, -1.0, np.nan, np.inf, -np.inf], size=shape)
    assert_as_sorted(rows, WORLD_LINE_COUNTRIES)
    assert_as_sorted(rng.random(shape), WORLD_LINE_COUNTRIES)


def test_fewer_columns_than_wanted_lists_them_all():
    assert_as_sorted(np.array([[0.0, 2.0, 2.0], [np.nan, 1.0, 0.0]]), WORLD_LINE_COUNTRIES)


def test_the_world_lines_largest_countries_as_sorting_ranked_them():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    model.run(3)
    view = model.turn_view()
    m, s = np.nonzero(view.chain)
    figures = np.stack([view.capacity, view.last.exports, view.last.imports])[:, :, m, s].transpose(0, 2, 1)
    figures = np.ascontiguousarray(figures)
    top = Largest.of(figures)
    columns, values = by_sorting(figures.reshape(-1, figures.shape[-1]), WORLD_LINE_COUNTRIES)
    assert np.array_equal(top.columns, columns.reshape(top.columns.shape))
    assert top.values.tobytes() == values.reshape(top.values.shape).tobytes()
    assert top.positive.any()
