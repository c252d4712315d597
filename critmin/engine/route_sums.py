"""Sums over routes kept as ascending flat (M, S, C_exporter, C_importer) positions, in one compiled pass.

Each sum adds its entries in the order numpy's `np.bincount` over the same entries adds them
(from 0.0, one after the other), so the totals are the same bits, without the index arrays
(unravelled positions, keys, sort orders) that numpy builds for them.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def _imports(at, values, n_countries, foreign_only, out):
    """out[line, importer] += value over the entries (off the diagonal only if `foreign_only`), in order."""
    for q in range(len(at)):
        importer = at[q] % n_countries
        if not foreign_only or (at[q] // n_countries) % n_countries != importer:
            out[at[q] // n_countries // n_countries, importer] += values[q]


def imports(at: np.ndarray, values: np.ndarray, shape: tuple[int, ...], foreign_only: bool) -> np.ndarray:
    """(C, M, S) each importer's tonnes over the routes (abroad only if `foreign_only`), exporters in order.

    `at` ascend, so within each line and importer the exporters ascend, as the dense sum over
    exporters (and `np.bincount` of the entries by (importer, line)) adds them. With
    `foreign_only` laid out (M, S, C) in memory (the transpose of the flows' dense sum), else
    (C, M, S): later sums over the array follow its layout.
    """
    n_lines, n_countries = shape[0] * shape[1], shape[3]
    if foreign_only:
        out = np.zeros((n_lines, n_countries))
        _imports(at, values, n_countries, True, out)
        return out.reshape(*shape[:2], n_countries).transpose(2, 0, 1)
    out = np.zeros((n_countries, n_lines))
    _imports(at, values, n_countries, False, out.T)
    return out.reshape(n_countries, *shape[:2])


@nb.njit(cache=True, nogil=True)
def _merged(at, values, starts, routes, totals):
    """Merge the ascending runs `at[starts[t]:starts[t + 1]]`: each route's values added run after run.

    Writes the distinct routes and their totals; returns how many.
    """
    n_turns = len(starts) - 1
    heads = starts[:-1].copy()
    count = 0
    while True:
        route = -1
        for t in range(n_turns):  # the least route at the head of a run
            if heads[t] < starts[t + 1] and (route < 0 or at[heads[t]] < route):
                route = at[heads[t]]
        if route < 0:
            return count
        total = 0.0
        for t in range(n_turns):  # in turn order, as the concatenated entries are added
            if heads[t] < starts[t + 1] and at[heads[t]] == route:
                total += values[heads[t]]
                heads[t] += 1
        routes[count], totals[count] = route, total
        count += 1


def merged_sums(runs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct routes of several (ascending positions, values) runs and each one's sum, runs in order.

    The values of `np.unique(at, return_inverse=True)` and `np.bincount(inverse, values)` over
    the runs laid end to end.
    """
    at = np.concatenate([run[0] for run in runs]).astype(np.int64)
    values = np.concatenate([run[1] for run in runs]).astype(np.float64)
    starts = np.cumsum([0, *(len(run[0]) for run in runs)])
    routes, totals = np.empty(len(at), dtype=np.int64), np.empty(len(at))
    count = _merged(at, values, starts, routes, totals)
    return routes[:count], totals[:count]
