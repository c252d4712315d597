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


@pytest.fixture(scope="module")
def flagship_24() -> WorldModel:
    """india-central-asia-2025 played for its 24 turns, every country on its doctrine (seed 2025).

    One per test module, freed after it (tests/research checks that no model is left behind).
    """
    model = WorldModel("india-central-asia-2025")
    model.run(24)
    return model
