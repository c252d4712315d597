"""Fixtures of the UI tests: a hidden pygame window (SDL's dummy driver) and a driver posting real events."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest
from uidriver import Driver
from xwindow import start_xvfb

from critmin.ui.app import App

SIZE = (1280, 720)


@pytest.fixture
def app():
    """A hidden 1280x720 window; closed after the test."""
    window = App(SIZE)
    yield window
    window.close()


@pytest.fixture
def driver(app):
    """A Driver on the app."""
    return Driver(app)


@pytest.fixture(scope="module")
def display():
    """An X server of our own on a free display (the real-window tests' own, one per module)."""
    server, name = start_xvfb()
    yield name
    server.terminate()
    server.wait(timeout=10)
