"""The line flows' totals and the foreign entries' order in one compiled pass (engine/line_flows.py).

One walk over the non-zero entries gives each country's tonnes sent and received per line, its
purchases from itself and the order of the entries by (destination, line, origin). Each total
is numpy's pairwise sum of the dense row it stands for (engine/pairwise_sum.py), walked over the
row's entries alone (the zeros between them add nothing), so the figures are the dense sums' bit
for bit; the order is a counting sort by (destination, line), which keeps the entries' (line,
origin) order within a bucket: `np.argsort(key, kind="stable")`'s.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.pairwise_sum import entry_row_sums


@nb.njit(cache=True, nogil=True)
def chain_entries(at, values, line_at, countries):
    """(line, origin, destination, tonnes) of the (M, S, C, C) flows' entries that lie on a line.

    `at` are the entries' ascending flat positions, `line_at` each flat (mineral, stage)'s line
    or -1; the entries keep their order, (line, origin, destination), and tonnes become float64.
    """
    pairs = countries * countries
    line = np.empty(len(at), dtype=np.int64)
    origin = np.empty(len(at), dtype=np.int64)
    destination = np.empty(len(at), dtype=np.int64)
    tonnes = np.empty(len(at))
    kept = 0
    for q in range(len(at)):
        cell = np.int64(at[q]) // pairs
        if line_at[cell] < 0:
            continue
        rest = np.int64(at[q]) - cell * pairs
        line[kept], origin[kept], destination[kept] = line_at[cell], rest // countries, rest % countries
        tonnes[kept] = values[q]
        kept += 1
    return line[:kept], origin[:kept], destination[:kept], tonnes[:kept]


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
    entry_row_sums(origin * lines + line, destination, tonnes, np.arange(len(tonnes)), countries, totals)
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
    entry_row_sums(destination * lines + line, origin, tonnes, order, countries, totals)
    return totals.reshape(countries, lines)
