"""The recent exports' mean (engine/exports.py) is `sum(history) / len`, value for value, laid out alike."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.exports import mean_of, reusable
from critmin.engine.model import WorldModel


@pytest.mark.parametrize("turns", [1, 2, 4])
def test_mean_of_the_history_is_the_sum_over_its_length_with_the_same_layout(turns):
    rng = np.random.default_rng(turns)
    history = [rng.lognormal(2, 3, (3, 2, 5, 5)).transpose(2, 0, 1, 3) for _ in range(turns)]
    expected = sum(history[1:], history[0]) / len(history)
    mean = mean_of(history)
    assert mean.strides == expected.strides
    assert mean.tobytes(order="A") == expected.tobytes(order="A")
    assert all(not np.shares_memory(mean, turn) for turn in history)


def test_the_history_keeps_each_turns_exports_when_the_oldest_turns_memory_is_reused():
    model = WorldModel("world-2024", seed=0)
    flows = []
    for _ in range(model.world.settings.export_history_turns + 2):
        model.step()
        flows.append(model.world.last.flows.copy())
    history = model.world.export_history
    assert len(history) == model.world.settings.export_history_turns
    for turn, kept in zip(reversed(flows), history, strict=False):
        foreign = turn * (1 - np.eye(turn.shape[-1]))
        assert kept.tobytes() == foreign.transpose(2, 0, 1, 3).tobytes()


def test_only_a_writable_array_of_the_same_shape_is_reused():
    old = np.zeros((3, 2, 4, 4)).transpose(2, 0, 1, 3)
    assert np.shares_memory(reusable([old], (3, 2, 4, 4)), old)
    assert reusable([old], (3, 2, 5, 5)) is None and reusable([], (3, 2, 4, 4)) is None
    old.flags.writeable = False
    assert reusable([old], (3, 2, 4, 4)) is None


@pytest.mark.parametrize("turns", [1, 3])
def test_mean_of_the_history_into_last_turns_mean_only_where_laid_out_alike(turns):
    rng = np.random.default_rng(turns)
    history = [rng.lognormal(2, 3, (3, 2, 5, 5)).transpose(2, 0, 1, 3) for _ in range(turns)]
    expected = sum(history[1:], history[0]) / len(history)
    last = np.zeros((3, 2, 5, 5)).transpose(2, 0, 1, 3)
    assert np.shares_memory(mean_of(history, out=last), last)
    assert last.tobytes() == expected.tobytes()
    other_layout = np.zeros(expected.shape)
    mean = mean_of(history, out=other_layout)
    assert not np.shares_memory(mean, other_layout) and mean.strides == expected.strides
    assert mean.tobytes() == expected.tobytes()
