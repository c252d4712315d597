"""The recent exports' mean (engine/exports.py) is `sum(history) / len`, value for value, laid out alike."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.exports import mean_of


@pytest.mark.parametrize("turns", [1, 2, 4])
def test_mean_of_the_history_is_the_sum_over_its_length_with_the_same_layout(turns):
    rng = np.random.default_rng(turns)
    history = [rng.lognormal(2, 3, (3, 2, 5, 5)).transpose(2, 0, 1, 3) for _ in range(turns)]
    expected = sum(history[1:], history[0]) / len(history)
    mean = mean_of(history)
    assert mean.strides == expected.strides
    assert mean.tobytes(order="A") == expected.tobytes(order="A")
    assert all(not np.shares_memory(mean, turn) for turn in history)
