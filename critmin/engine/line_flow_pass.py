"""The line flows' totals and the foreign entries' order in one compiled pass (engine/line_flows.py).

One walk over the non-zero entries gives each country's tonnes sent and received per line, its
purchases from itself and the order of the entries by (destination, line, origin). Each total
is numpy's pairwise sum of the dense row it stands for (engine/pairwise_sum.py), so the figures
are the dense sums' bit for bit; the order is a counting sort by (destination, line), which keeps
the entries' (line, origin) order within a bucket: `np.argsort(key, kind="stable")`'s.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.pairwise_sum import row_sums_into


@nb.njit(cache=True, nogil=True)
def flow_totals(line, origin, destination, tonnes, lines, countries, floor):
    """(C, lines) imports and exports net of domestic purchases, and the foreign entries above `floor`.

    Entries come in (line, origin, destination) order; the foreign ones are returned as entry
    indices in (destination, line, origin) order.
    """
    domestic = np.zeros((countries, lines))
    for q in range(len(tonnes)):
        if origin[q] == destination[q]:
            domestic[origin[q], line[q]] = tonnes[q]
    exports = _sent(line, origin, destination, tonnes, lines, countries)
    order = _by_destination(line, destination, lines, countries)
    imports = _received(line, origin, destination, tonnes, order, lines, countries)
    foreign = np.empty(len(order), dtype=np.int64)
    kept = 0
    for q in order:
        if tonnes[q] > floor and origin[q] != destination[q]:
            foreign[kept] = q
            kept += 1
    return imports - domestic, exports - domestic, foreign[:kept]


@nb.njit(cache=True, nogil=True)
def _sent(line, origin, destination, tonnes, lines, countries):
    """(C, lines) each (line, origin)'s row of tonnes by destination, summed as numpy sums it."""
    totals = np.zeros(countries * lines)
    row_sums_into((origin * lines + line) * countries + destination, tonnes, countries, totals)
    return totals.reshape(countries, lines)


@nb.njit(cache=True, nogil=True)
def _by_destination(line, destination, lines, countries):
    """The entries' indices sorted by (destination, line), stably."""
    starts = np.zeros(countries * lines + 1, dtype=np.int64)
    for q in range(len(line)):
        starts[destination[q] * lines + line[q] + 1] += 1
    for k in range(1, len(starts)):
        starts[k] += starts[k - 1]
    order = np.empty(len(line), dtype=np.int64)
    for q in range(len(line)):
        key = destination[q] * lines + line[q]
        order[starts[key]] = q
        starts[key] += 1
    return order


@nb.njit(cache=True, nogil=True)
def _received(line, origin, destination, tonnes, order, lines, countries):
    """(C, lines) each (destination, line)'s row of tonnes by origin, summed as numpy sums it."""
    totals = np.zeros(countries * lines)
    at = (destination[order] * lines + line[order]) * countries + origin[order]
    row_sums_into(at, tonnes[order], countries, totals)
    return totals.reshape(countries, lines)
