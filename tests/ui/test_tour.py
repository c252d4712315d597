"""The scripted playthrough: three turns as India through the window, a screenshot at each step."""

from __future__ import annotations

import itertools

import numpy as np
import pygame

from critmin.ui.tour import SHOTS, playthrough


def test_three_turns_as_india_write_the_guides_screenshots(tmp_path):
    written = playthrough(tmp_path)
    assert [p.name for p in written] == list(SHOTS)
    images = [pygame.surfarray.array3d(pygame.image.load(str(p))).astype(np.int16) for p in written]
    assert all(image.shape[:2] == (1280, 720) for image in images)
    for a, b in itertools.pairwise(images):
        assert np.abs(a - b).mean() > 2, "each step shows something new"
