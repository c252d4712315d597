"""The largest values of each row (engine/largest.py), held to np.argsort's stable order bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.largest import largest_columns
from critmin.engine.model import WorldModel
from critmin.engine.observe import WORLD_LINE_COUNTRIES, Largest, WorldLines, world_lines


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


def stacked_shares(top: Largest, figure: int, totals: np.ndarray) -> np.ndarray:
    """Largest.shares as it was: the listed cells found by np.nonzero, then scattered."""
    shares = np.zeros((top.countries, top.positive.shape[1]))
    k, j = np.nonzero(top.positive[figure] & (totals[:, None] > 0))
    shares[top.columns[figure][k, j], k] = top.values[figure][k, j] / totals[k]
    return shares


@pytest.mark.parametrize("seed", range(5))
def test_the_listed_shares_are_the_scattered_ones(seed):
    rng = np.random.default_rng(seed)
    values = rng.choice([0.0, -0.0, 1e-10, 1.0, 2.5, 3.0, -1.0, np.nan], size=(3, 30, 20))
    top = Largest.of(values)
    totals = rng.choice([0.0, -1.0, 0.5, 7.0, np.nan], size=30)
    for figure in range(3):
        assert top.shares(figure, totals).tobytes() == stacked_shares(top, figure, totals).tobytes()


def test_the_world_lines_read_the_stacked_figures():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    model.run(3)
    view = model.turn_view()
    book = model.observation_book()
    m, s = np.nonzero(view.chain)
    figures = np.stack([view.capacity, view.last.exports, view.last.imports])[:, :, m, s].transpose(0, 2, 1)
    figures = np.ascontiguousarray(figures)  # the stack as world_lines laid it out
    top = Largest.of(figures)
    capacity = figures[0].sum(axis=1)
    lines, shares = world_lines(view, (m, s), book.lines)
    assert shares.tobytes() == stacked_shares(top, 0, capacity).tobytes()
    assert lines.capacity == capacity.tolist()
    assert lines.ranked == WorldLines(book.lines, top, capacity.tolist(), lines.prices, view.names).ranked
