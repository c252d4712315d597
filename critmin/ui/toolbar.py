"""The top bar's layout: actions right-aligned on the first row, the rest flowing into rows.

Every control keeps its size; when the window is narrow the bar grows a row instead of
pushing controls off-screen (the map below starts where the bar ends).
"""

from __future__ import annotations

import pygame

MARGIN, GAP, ROW_H, ROW_GAP = 8, 4, 28, 4
FIRST_ROW_Y = 4


def right_aligned(widths: list[int], window_width: int) -> list[pygame.Rect]:
    """Rectangles for the first row's actions, in order, ending at the window's right margin."""
    x = window_width - MARGIN - sum(widths) - GAP * max(len(widths) - 1, 0)
    rects = []
    for width in widths:
        rects.append(pygame.Rect(x, FIRST_ROW_Y, width, ROW_H))
        x += width + GAP
    return rects


class Flow:
    """Hands out rectangles left to right from the second row on, wrapping when a row is full."""

    def __init__(self, window_width: int) -> None:
        self.left, self.right = MARGIN, window_width - MARGIN
        self.x, self.y = self.left, FIRST_ROW_Y + ROW_H + ROW_GAP + 2

    def take(self, width: int) -> pygame.Rect:
        """The next rectangle of `width` (narrowed to the window if it is wider)."""
        width = min(width, self.right - self.left)
        if self.x > self.left and self.x + width > self.right:
            self.x, self.y = self.left, self.y + ROW_H + ROW_GAP
        rect = pygame.Rect(self.x, self.y, width, ROW_H)
        self.x += width + GAP
        return rect

    @property
    def bottom(self) -> int:
        """Where the bar ends (below the last row)."""
        return self.y + ROW_H + 6
