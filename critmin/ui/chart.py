"""A small line chart of prices inside and outside China, drawn onto a pygame Surface."""

from __future__ import annotations

import math

import pygame

from critmin.ui.indicators import PriceSeries
from critmin.ui.palette import MUTED_TEXT, TEXT
from critmin.ui.widgets import draw_text

CHINA_COLOUR = (230, 80, 70)
OUTSIDE_COLOUR = (90, 160, 240)
BACKGROUND = (30, 36, 48)
GRID = (55, 62, 78)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 58, 12, 28, 26


def price_chart(
    series: PriceSeries | None, size: tuple[int, int], title: str, start_label: str = ""
) -> pygame.Surface:
    """A chart of a line's price per turn: China (red) and the use-weighted rest of the world (blue)."""
    surface = pygame.Surface(size)
    surface.fill(BACKGROUND)
    draw_text(surface, title, (8, 4), 14, TEXT, bold=True)
    if series is None or not series.turns:
        draw_text(surface, "no prices yet: end a turn", (MARGIN_LEFT, size[1] // 2), 13, MUTED_TEXT)
        return surface
    plot = pygame.Rect(
        MARGIN_LEFT, MARGIN_TOP, size[0] - MARGIN_LEFT - MARGIN_RIGHT, size[1] - MARGIN_TOP - MARGIN_BOTTOM
    )
    values = [v for v in (*series.china, *series.outside) if not math.isnan(v)]
    low, high = axis_range(values)
    draw_axes(surface, plot, low, high, series.turns, start_label)
    for values_, colour in ((series.outside, OUTSIDE_COLOUR), (series.china, CHINA_COLOUR)):
        points = [
            to_screen(plot, series.turns, t, v, low, high)
            for t, v in zip(series.turns, values_, strict=True)
            if not math.isnan(v)
        ]
        if len(points) > 1:
            pygame.draw.lines(surface, colour, False, points, 2)
        for point in points:
            pygame.draw.circle(surface, colour, point, 3)
    legend(surface, plot)
    return surface


def axis_range(values: list[float]) -> tuple[float, float]:
    """A y range with some room around the values."""
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return max(low - pad, 0.0), high + pad


def to_screen(
    plot: pygame.Rect, turns: list[int], turn: int, value: float, low: float, high: float
) -> tuple[int, int]:
    """Pixel position of one (turn, price) in the plot area."""
    span = max(turns[-1] - turns[0], 1)
    x = plot.left + (turn - turns[0]) / span * plot.width
    y = plot.bottom - (value - low) / (high - low) * plot.height
    return round(x), round(y)


def draw_axes(
    surface: pygame.Surface, plot: pygame.Rect, low: float, high: float, turns: list[int], start_label: str
) -> None:
    """Grid lines with price labels, and the first and last turn."""
    for k in range(5):
        value = low + (high - low) * k / 4
        y = plot.bottom - plot.height * k / 4
        pygame.draw.line(surface, GRID, (plot.left, y), (plot.right, y))
        draw_text(surface, f"{value:,.4g}", (4, int(y) - 8), 11, MUTED_TEXT)
    pygame.draw.rect(surface, GRID, plot, 1)
    first = f"turn {turns[0]}" + (f" ({start_label})" if start_label else "")
    draw_text(surface, first, (plot.left, plot.bottom + 4), 11, MUTED_TEXT)
    last = f"turn {turns[-1]}"
    draw_text(surface, last, (plot.right - 44, plot.bottom + 4), 11, MUTED_TEXT)


def legend(surface: pygame.Surface, plot: pygame.Rect) -> None:
    """Which colour is which line."""
    x = plot.right - 205
    for label, colour in (("inside China", CHINA_COLOUR), ("outside China", OUTSIDE_COLOUR)):
        pygame.draw.line(surface, colour, (x, 14), (x + 16, 14), 3)
        x = draw_text(surface, label, (x + 20, 6), 12, TEXT).right + 12
