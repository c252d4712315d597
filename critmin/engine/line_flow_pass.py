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

from critmin.engine.pairwise_sum import BLOCK, UNROLL, folded, half_at


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
    _row_sums(origin * lines + line, destination, tonnes, np.arange(len(tonnes)), countries, totals)
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
    _row_sums(destination * lines + line, origin, tonnes, order, countries, totals)
    return totals.reshape(countries, lines)


@nb.njit(cache=True, nogil=True)
def _row_sums(row, column, values, order, length, totals):
    """totals[r] = numpy's sum of row r of a dense (rows, length) array holding `values` at (row, column).

    Entries are taken in `order`: a row's one after the other, its columns ascending. A row of at
    most BLOCK values is one block; a longer one is split into numpy's halves (`_halves_sum`).
    """
    if length > BLOCK:
        _long_row_sums(row, column, values, order, length, totals)
        return
    running = np.zeros(UNROLL)
    end = length - length % UNROLL  # the block's running sums take the columns before `end`, the tail after
    first = 0
    while first < len(order):
        r = row[order[first]]
        for j in range(UNROLL):
            running[j] = 0.0
        q = first
        while q < len(order) and row[order[q]] == r and column[order[q]] < end:
            running[column[order[q]] % UNROLL] += values[order[q]]  # the zeros between add nothing
            q += 1
        total = ((running[0] + running[1]) + (running[2] + running[3])) + (
            (running[4] + running[5]) + (running[6] + running[7])
        )
        while q < len(order) and row[order[q]] == r:
            total += values[order[q]]
            q += 1
        totals[r] = 0.0 + total
        first = q


@nb.njit(cache=True, nogil=True)
def _long_row_sums(row, column, values, order, length, totals):
    """`_row_sums` of rows longer than BLOCK: numpy's halves walked over each row's entries."""
    running = np.zeros(UNROLL)
    frames = np.zeros((64, 3), dtype=np.int64)  # the halves' stack, as `dense_pairwise`'s
    lefts = np.zeros(64)
    first = 0
    while first < len(order):
        r = row[order[first]]
        last = first + 1
        while last < len(order) and row[order[last]] == r:
            last += 1
        totals[r] = 0.0 + _halves_sum(column, values, order, first, last, length, frames, lefts, running)
        first = last


@nb.njit(cache=True, nogil=True)
def _halves_sum(column, values, order, first, last, n, frames, lefts, running):
    """`dense_pairwise` of a row of n values, zero but entries first..last-1 (in `order`, columns ascending).

    The same halves in the same order; each block's running sums add its entries alone (a block
    starts at a multiple of UNROLL, so an entry's running sum is its column's).
    """
    q = first
    top = 0
    frames[0, 0], frames[0, 1], frames[0, 2] = 0, n, 0
    while True:
        start, count = frames[top, 0], frames[top, 1]
        if count > BLOCK:  # split: the left half first
            top += 1
            frames[top, 0], frames[top, 1], frames[top, 2] = start, half_at(count), 0
            continue
        for j in range(UNROLL):
            running[j] = 0.0
        end, stop = start + count - count % UNROLL, start + count
        while q < last and column[order[q]] < end:
            running[column[order[q]] % UNROLL] += values[order[q]]
            q += 1
        total = ((running[0] + running[1]) + (running[2] + running[3])) + (
            (running[4] + running[5]) + (running[6] + running[7])
        )
        while q < last and column[order[q]] < stop:
            total += values[order[q]]
            q += 1
        top, total = folded(frames, lefts, top, total)
        if top < 0:
            return total
