"""The sum from non-zero entries (engine/pairwise_sum.py) is numpy's sum of the dense array, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.pairwise_sum import numpy_sum, row_sums, sparse_sum


def sparse_and_dense(rng: np.random.Generator, size: int, entries: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted positions of a dense array of `size` with about `entries` non-zero values of mixed scale."""
    dense = np.zeros(size)
    at = np.unique(rng.integers(0, size, entries))
    dense[at] = rng.random(len(at)) * 10 ** rng.uniform(-3, 6, len(at))
    return at, dense


@pytest.mark.parametrize("seed", range(40))
def test_sparse_sum_is_numpys_sum_of_the_dense_array(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 160, size=3))
    at, dense = sparse_and_dense(rng, int(np.prod(shape)), int(rng.integers(1, 50_000)))
    assert sparse_sum(at, dense[at], dense.size) == dense.reshape(shape).sum()


@pytest.mark.parametrize("size", [1, 7, 8, 100, 128, 129, 1000, 8191, 8193, 100_003])
def test_sparse_sum_of_a_full_array_is_numpys_sum(size):
    values = np.random.default_rng(size).random(size) * 1e4
    assert sparse_sum(np.arange(size), values, size) == values.sum()


def test_sparse_sum_of_nothing_is_zero():
    assert sparse_sum(np.zeros(0, dtype=np.int64), np.zeros(0), 1000) == 0.0


@pytest.mark.parametrize("length", [5, 8, 37, 128, 129, 148, 300, 1000])
def test_row_sums_are_numpys_sums_along_the_rows(length):
    rng = np.random.default_rng(length)
    at, dense = sparse_and_dense(rng, 60 * length, 20 * length)
    assert row_sums(at, dense[at], 60, length).tobytes() == dense.reshape(60, length).sum(axis=1).tobytes()


@pytest.mark.parametrize("length", [1, 5, 8, 37, 128, 129, 148, 1000])
def test_numpy_sum_from_numba_is_numpys_sum(length):
    rng = np.random.default_rng(length)
    _, dense = sparse_and_dense(rng, length, max(length // 3, 1))
    assert numpy_sum(dense) == dense.sum() and numpy_sum(np.zeros(length)) == 0.0
