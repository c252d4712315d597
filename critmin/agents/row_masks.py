"""The doctrines' per-reading masks over every row at once, each in one compiled pass (agents/behaviours.py).

Each mask is the comparisons of the array rule it replaces, element by element (a NaN compares
false in both), read from the reading's (R, L, LINE_FIGURES) figures: the same booleans
(tests/agents/test_row_masks.py).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.agents.reading import FIGURE

STOCKPILE, SHORTAGE, DEMAND = FIGURE["stockpile"], FIGURE["shortage"], FIGURE["demand"]
IMPORTS, EXPORTS, CAPACITY = FIGURE["imports"], FIGURE["exports"], FIGURE["capacity"]


@nb.njit(cache=True, nogil=True)
def short_with_stock(figures, release_at_shortage):  # pragma: no cover
    """(R, L) strategic stock on hand where users went short of more than `release_at_shortage` of need.

    Need is demand where there is demand, else imports.
    """
    short = np.empty(figures.shape[:2], dtype=np.bool_)
    for r in range(figures.shape[0]):
        for k in range(figures.shape[1]):
            stockpile, shortage = figures[r, k, STOCKPILE], figures[r, k, SHORTAGE]
            demand = figures[r, k, DEMAND]
            need = demand if demand > 0 else figures[r, k, IMPORTS]
            short[r, k] = (
                stockpile > 1e-6 and shortage > 0 and need > 0 and shortage > release_at_shortage * need
            )
    return short


@nb.njit(cache=True, nogil=True)
def leveraged(figures, capacity_share, ores, processed, min_share):  # pragma: no cover
    """(R, P) a row exports chained mineral p's ore and processes less than half of it at home.

    Its ore with `min_share` of world capacity or more; the ore and processing lines at `ores[p]`,
    `processed[p]`.
    """
    mask = np.empty((figures.shape[0], len(ores)), dtype=np.bool_)
    for r in range(figures.shape[0]):
        for p in range(len(ores)):
            ore, done = ores[p], processed[p]
            exports = figures[r, ore, EXPORTS] > 0 and capacity_share[r, ore] >= min_share
            mask[r, p] = exports and figures[r, done, CAPACITY] < 0.5 * figures[r, ore, CAPACITY]
    return mask


@nb.njit(cache=True, nogil=True)
def unprocessed(figures, ores, processed):  # pragma: no cover
    """(R, P) a row mines chained mineral p but processes less than a quarter of its ore at home."""
    mask = np.empty((figures.shape[0], len(ores)), dtype=np.bool_)
    for r in range(figures.shape[0]):
        for p in range(len(ores)):
            ore = figures[r, ores[p], CAPACITY]
            mask[r, p] = ore > 0 and figures[r, processed[p], CAPACITY] < 0.25 * ore
    return mask
