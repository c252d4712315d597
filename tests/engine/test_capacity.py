"""New capacity queued one line at a time is what the (C, M, S) order of that line alone queues."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.capacity import queue_construction, queue_line
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
