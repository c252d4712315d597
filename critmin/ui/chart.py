"""A small line chart of prices inside and outside China, drawn onto a pygame Surface."""

from __future__ import annotations

import math

import pygame

from critmin.core.vocabulary import quarter_label
from critmin.ui.indicators import PriceSeries
from critmin.ui.palette import MUTED_TEXT, TEXT
from critmin.ui.widgets import draw_text, font

CHINA_COLOUR = (230, 80, 70)
OUTSIDE_COLOUR = (90, 160, 240)
TREND_COLOUR = (120, 210, 150)
TICK_LABEL_H = 13  # px a tick label (11 px text) needs: labels closer than this overlap
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
    plot = plot_area(size)
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


def trend_chart(
    turns: list[int],
    values: list[float],
    size: tuple[int, int],
    title: str,
    start_label: str = "",
    ceiling: float | None = None,
) -> pygame.Surface:
    """A one-line chart of a figure per turn (a share has `ceiling` 100: the axis stops there)."""
    surface = pygame.Surface(size)
    surface.fill(BACKGROUND)
    draw_text(surface, title, (8, 4), 13, TEXT, bold=True)
    points = [(t, v) for t, v in zip(turns, values, strict=True) if not math.isnan(v)]
    if not points:
        draw_text(surface, "no data yet: end a turn", (MARGIN_LEFT, size[1] // 2), 13, MUTED_TEXT)
        return surface
    plot = plot_area(size)
    low, high = axis_range([v for _, v in points])
    if ceiling is not None and high > ceiling >= max(v for _, v in points):
        low, high = nice_ticks(low, ceiling)[0], ceiling
    draw_axes(surface, plot, low, high, turns, start_label)
    screen = [to_screen(plot, turns, t, v, low, high) for t, v in points]
    if len(screen) > 1:
        pygame.draw.lines(surface, TREND_COLOUR, False, screen, 2)
    for point in screen:
        pygame.draw.circle(surface, TREND_COLOUR, point, 3)
    return surface


def plot_area(size: tuple[int, int]) -> pygame.Rect:
    """Where the lines are drawn inside a chart of `size`."""
    return pygame.Rect(
        MARGIN_LEFT, MARGIN_TOP, size[0] - MARGIN_LEFT - MARGIN_RIGHT, size[1] - MARGIN_TOP - MARGIN_BOTTOM
    )


def point_at(series: PriceSeries | None, size: tuple[int, int], x: int) -> int | None:
    """The index of the turn nearest to a chart x (chart pixels), None outside the plot or no data."""
    plot = plot_area(size)
    if series is None or not series.turns or not plot.left - 8 <= x <= plot.right + 8:
        return None
    span = max(series.turns[-1] - series.turns[0], 1)
    turn = series.turns[0] + (x - plot.left) / max(plot.width, 1) * span
    return min(range(len(series.turns)), key=lambda k: abs(series.turns[k] - turn))


def axis_range(values: list[float]) -> tuple[float, float]:
    """A y range with some room around the values, ending on round ticks."""
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    flat = high - low <= abs(high) * 1e-3
    pad = (abs(high) * 0.1 or 1.0) if flat else (high - low) * 0.1
    ticks = nice_ticks(max(low - pad, 0.0), high + pad)
    return ticks[0], ticks[-1]


def nice_step(span: float, count: int = 4) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `count` intervals."""
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering low..high."""
    step = nice_step(max(high - low, 1e-9), count)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(first + step * len(ticks))
    return ticks if len(ticks) > 1 else [first, first + step]


def tick_labels(ticks: list[float]) -> list[str]:
    """Tick labels with one format for all: as many decimals as the step needs, thousands separated."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [f"{t:,.{decimals}f}" for t in ticks]


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
    """Grid lines at round prices with labels of one format, and the first and last quarter played."""
    for y, label in tick_rows(plot, low, high):
        pygame.draw.line(surface, GRID, (plot.left, y), (plot.right, y))
        if label:
            draw_text(surface, label, (4, int(y) - 8), 11, MUTED_TEXT)
    pygame.draw.rect(surface, GRID, plot, 1)
    first, last = (quarter(start_label, t) for t in (turns[0], turns[-1]))
    draw_text(surface, first, (plot.left, plot.bottom + 4), 11, MUTED_TEXT)
    if turns[-1] != turns[0]:
        width = font(11).size(last)[0]
        draw_text(surface, last, (plot.right - width, plot.bottom + 4), 11, MUTED_TEXT)


def tick_rows(plot: pygame.Rect, low: float, high: float) -> list[tuple[float, str]]:
    """(y, label) of each grid line, labelled so that no two labels overlap.

    A short plot labels fewer of them, the lowest and the highest kept.
    """
    ticks = nice_ticks(low, high)
    rows = [plot.bottom - (value - low) / (high - low) * plot.height for value in ticks]
    last = len(rows) - 1
    spacing = abs(rows[0] - rows[-1]) / max(last, 1)
    every = max(math.ceil(TICK_LABEL_H / spacing), 1) if spacing > 0 else len(rows)
    shown = list(range(0, len(rows), every))
    if shown[-1] != last:  # the top line is labelled, in place of the one below it if too close
        shown = shown if (last - shown[-1]) * spacing >= TICK_LABEL_H else shown[:-1] or [0]
        shown += [last] if (last - shown[-1]) * spacing >= TICK_LABEL_H else []
    labels = tick_labels(ticks)
    return [(y, labels[k] if k in shown else "") for k, y in enumerate(rows)]


def quarter(start_label: str, turn: int) -> str:
    """'2025Q3' for a turn from a start such as '2025Q1' ('turn N' without one)."""
    if not start_label:
        return f"turn {turn}"
    year, q = (int(part) for part in start_label.split("Q"))
    return quarter_label(year, q, turn)


def legend(surface: pygame.Surface, plot: pygame.Rect) -> None:
    """Which colour is which line."""
    x = plot.right - 205
    for label, colour in (("inside China", CHINA_COLOUR), ("outside China", OUTSIDE_COLOUR)):
        pygame.draw.line(surface, colour, (x, 14), (x + 16, 14), 3)
        x = draw_text(surface, label, (x + 20, 6), 12, TEXT).right + 12
