"""The construction pipeline: one line queued alone as an order holding it; a row nearer each turn."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.capacity import move_on, queue_construction, queue_line
from critmin.engine.model import WorldModel


@pytest.mark.parametrize("lead_turns", [None, 3])
def test_one_line_is_queued_as_an_order_holding_it_alone(lead_turns):
    lines, amounts = WorldModel("world-2024", seed=0), WorldModel("world-2024", seed=0)
    before = lines.state.construction.copy()
    for stage in range(len(lines.index.stages)):
        at, tonnes = (stage + 2, 1, stage), 123.456 / 7
        queue_line(lines.world, at, tonnes, lead_turns)
        order = np.zeros_like(amounts.state.capacity)
        order[at] = tonnes
        queue_construction(amounts.world, order, lead_turns)
    assert (lines.state.construction != before).sum() >= len(lines.index.stages)
    assert lines.state.construction.tobytes() == amounts.state.construction.tobytes()


def test_the_pipeline_moves_on_as_a_slice_assignment_moves_it():
    rng = np.random.default_rng(5)
    pipeline = np.where(rng.random((9, 4, 3, 2)) < 0.4, rng.random((9, 4, 3, 2)), 0.0)
    expected = pipeline.copy()
    expected[:-1] = expected[1:]
    expected[-1] = 0.0
    move_on(pipeline)
    assert pipeline.tobytes() == expected.tobytes()
    assert pipeline[-1].sum() == 0.0 and pipeline[:-1].any()
