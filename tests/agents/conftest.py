"""Fixtures for the AI tests."""

from __future__ import annotations

import pytest
from ai_worlds import TINY_DOCTRINES, ai_controllers

from critmin.engine.model import WorldModel


@pytest.fixture
def tiny_ai(tiny):
    """The tiny world with every country played by its doctrine, two turns in."""
    model = WorldModel(tiny, seed=3, controllers=ai_controllers(TINY_DOCTRINES))
    model.run(2)
    return model
