"""Driving the UI in tests: synthetic pygame events, fixed-step frames, golden screenshots.

Import after `conftest.py` has chosen SDL's dummy video driver (pytest loads it first).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pygame
import pytest

from critmin.ui.app import STEP_S, App


class Driver:
    """Drives an App with synthetic events, one fixed-step frame at a time."""

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def scene(self):
        """The scene on top."""
        return self.app.scenes.top

    def frames(self, count: int = 3) -> None:
        """Run frames at the fixed step."""
        for _ in range(count):
            self.app.frame(STEP_S)

    def click_at(self, pos: tuple[int, int], frames: int = 3) -> None:
        """A left click (press and release) at a screen position, then a few frames."""
        pos = (int(pos[0]), int(pos[1]))
        pygame.mouse.set_pos(pos)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
        self.frames(frames)

    def click(self, element, frames: int = 3) -> None:
        """Click the middle of a widget."""
        self.click_at(element.rect.center, frames)

    def hover(self, element, seconds: float = 0.5) -> None:
        """Rest the mouse on a widget for a while (tooltips appear)."""
        pygame.mouse.set_pos(element.rect.center)
        pygame.event.post(
            pygame.event.Event(pygame.MOUSEMOTION, pos=element.rect.center, rel=(0, 0), buttons=(0, 0, 0))
        )
        self.frames(int(seconds / STEP_S))

    def park_mouse(self) -> None:
        """Move the mouse to an empty corner of the status bar (no hover, no tooltip)."""
        pos = (self.app.size[0] - 2, self.app.size[1] - 2)
        pygame.mouse.set_pos(pos)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        self.frames(2)

    def key(self, key: int, mod: int = 0, frames: int = 3) -> None:
        """Press and release a key."""
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode="", scancode=0))
        self.frames(frames)

    def choose(self, dropdown, option: str) -> None:
        """Open a pygame_gui dropdown and click one of its options."""
        self.click(dropdown)
        self.pick_in_list(dropdown.current_state.options_selection_list, option)
        self.frames(4)  # button -> selection list -> dropdown -> scene: one event hop per frame

    def pick_in_list(self, selection_list, text: str) -> None:
        """Click an item of a UISelectionList by its text."""
        item = next(i for i in selection_list.item_list if i["text"] == text)
        self.click(item["button_element"])


GOLDEN = Path(__file__).parent / "golden"
GOLDEN_TOLERANCE = 1.0  # mean absolute difference per pixel and channel, 0..255
UPDATE_GOLDEN = os.environ.get("CRITMIN_UPDATE_GOLDEN") == "1"


def mean_difference(surface: pygame.Surface, golden: pygame.Surface) -> float:
    """Mean absolute difference per pixel and channel between two same-sized images."""
    a = pygame.surfarray.array3d(surface).astype(np.int16)
    b = pygame.surfarray.array3d(golden).astype(np.int16)
    return float(np.abs(a - b).mean())


def check_golden(surface: pygame.Surface, name: str) -> float:
    """Compare the screen with tests/ui/golden/NAME.png; CRITMIN_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / f"{name}.png"
    if UPDATE_GOLDEN or not path.exists():
        path.parent.mkdir(exist_ok=True)
        pygame.image.save(surface, str(path))
        if not UPDATE_GOLDEN:
            pytest.fail(f"golden {path.name} was missing and has been written; check it and rerun")
    golden = pygame.image.load(str(path))
    assert golden.get_size() == surface.get_size(), (
        f"{name}: size {surface.get_size()} != golden {golden.get_size()}"
    )
    difference = mean_difference(surface, golden)
    if difference > GOLDEN_TOLERANCE:
        pygame.image.save(surface, str(path.with_name(f"{name}.actual.png")))
    assert difference <= GOLDEN_TOLERANCE, (
        f"{name}: mean pixel difference {difference:.2f} > {GOLDEN_TOLERANCE}; see {name}.actual.png "
        "(CRITMIN_UPDATE_GOLDEN=1 regenerates the goldens)"
    )
    return difference
