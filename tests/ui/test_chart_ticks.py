"""The small trend charts under the Prices panel: tick labels never overlap (users10's play-through)."""

from __future__ import annotations

from itertools import pairwise

import pygame

from critmin.ui.chart import TICK_LABEL_H, nice_ticks, plot_area, tick_rows, trend_chart


def test_a_short_charts_tick_labels_keep_their_distance():
    # the stock cover chart of the flagship as India after four quarters: 7.565..7.585 weeks on a ~30 px plot
    plot = plot_area((464, 76))
    rows = tick_rows(plot, 7.565, 7.585)
    assert len(rows) == len(nice_ticks(7.565, 7.585)) >= 5, "every grid line is kept"
    labelled = [y for y, label in rows if label]
    assert len(labelled) >= 2, "the range is still readable"
    assert rows[0][1] == "7.565" and rows[-1][1] == "7.585", "the lowest and highest lines are labelled"
    assert all(abs(a - b) >= TICK_LABEL_H for a, b in pairwise(labelled)), rows


def test_a_tall_chart_labels_every_grid_line():
    rows = tick_rows(plot_area((464, 300)), 0.0, 100.0)
    assert all(label for _, label in rows), rows


def test_the_trend_chart_draws_with_the_thinned_labels():
    pygame.font.init()
    surface = trend_chart([0, 1, 2, 3], [7.58, 7.57, 7.566, 7.584], (464, 76), "stock cover", "2025Q1")
    assert surface.get_size() == (464, 76)
