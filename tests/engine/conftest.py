"""Fixtures shared by the engine's tests."""

from __future__ import annotations

import pytest

from critmin.engine.model import WorldModel


@pytest.fixture(scope="module")
def world_2024():
    """world-2024's world after five AI turns (seed 0): the compiled passes' tests read it."""
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    model.run(5)
    return model.world
