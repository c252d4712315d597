"""numpy's sum of a contiguous array, computed from its non-zero entries only.

`np.sum` over a contiguous float64 array adds pairwise: halves split at a multiple of 8 down to
blocks of at most 128 values, each block summed in eight interleaved running sums combined as
((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then its tail added one by one. A part of
the array that holds only zeros sums to 0.0 and adding 0.0 changes nothing, so walking the same
tree over the non-zero entries alone gives numpy's result bit for bit (for entries that are not
-0.0), in time linear in the entries instead of in the array's size
(tests/engine/test_pairwise_sum.py checks it against `np.sum`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

BLOCK = 128
"""numpy's PW_BLOCKSIZE: parts up to this long are summed in one block."""
UNROLL = 8
"""numpy's running sums per block; halves split at multiples of it."""


def sparse_sum(positions: np.ndarray, values: np.ndarray, size: int) -> float:
    """`dense.sum()` of a contiguous array of `size` values, zero but `values` at ascending `positions`."""
    if not len(positions):
        return 0.0
    at, values = positions.astype(np.int64), values.astype(np.float64)
    return float(0.0 + _pairwise(at, values, 0, size, 0, len(at)))


def row_sums(positions: np.ndarray, values: np.ndarray, rows: int, length: int) -> np.ndarray:
    """`dense.reshape(rows, length).sum(axis=1)` from the non-zero `values` at ascending flat `positions`."""
    totals = np.zeros(rows)
    if len(positions):
        row_sums_into(positions.astype(np.int64), values.astype(np.float64), length, totals)
    return totals


@nb.njit(cache=True, nogil=True)
def row_sums_into(positions, values, length, totals):
    """Each row's pairwise sum into `totals`, from its entries at flat `positions` (ascending in a row).

    A row's entries come one after the other (rows need not ascend); other rows' totals are left.
    """
    rows, columns = positions // length, positions % length
    entry_row_sums(rows, columns, values, np.arange(len(positions)), length, totals)


@nb.njit(cache=True, nogil=True)
def entry_row_sums(row, column, values, order, length, totals):
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
    """`entry_row_sums` of rows longer than BLOCK: numpy's halves walked over each row's entries."""
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


@nb.njit(cache=True, nogil=True)
def dense_pairwise(values, n, frames, lefts):
    """The pairwise sum of values[:n] as numpy adds it, with its halves on a stack, not recursion.

    (numba's cache does not hold recursive functions reliably: numba issue 6061.) A frame is
    (start, length, left half summed); `lefts` holds each frame's left sum.
    """
    top = 0
    frames[0, 0], frames[0, 1], frames[0, 2] = 0, n, 0
    while True:
        start, count = frames[top, 0], frames[top, 1]
        if count > BLOCK:  # split: the left half first
            top += 1
            frames[top, 0], frames[top, 1], frames[top, 2] = start, half_at(count), 0
            continue
        total = _block_sum(values[start : start + count], count)
        top, total = folded(frames, lefts, top, total)
        if top < 0:
            return total


@nb.njit(cache=True, nogil=True, inline="always")
def folded(frames, lefts, top, total):
    """A block's `total` added to the left halves done before it, and the next frame set up.

    Returns (top, total): the next frame's level, or -1 when `total` is the whole sum.
    """
    while top > 0 and frames[top - 1, 2] == 1:  # right halves done: add them to their lefts
        top -= 1
        total = lefts[top] + total
    if top == 0:
        return -1, total
    top -= 1  # a left half done: keep it, the right half next
    lefts[top], frames[top, 2] = total, 1
    half = half_at(frames[top, 1])
    frames[top + 1, 0], frames[top + 1, 1] = frames[top, 0] + half, frames[top, 1] - half
    frames[top + 1, 2] = 0
    return top + 1, total


@nb.njit(cache=True, nogil=True)
def half_at(n):
    """Where numpy splits n values: half of them, down to a multiple of UNROLL."""
    half = n // 2
    return half - half % UNROLL


@nb.njit(cache=True, nogil=True)
def _pairwise(positions, values, lo, hi, first, last):
    """The pairwise sum of [lo, hi), whose non-zero entries are first..last-1."""
    if first == last:
        return 0.0
    n = hi - lo
    if n <= BLOCK:
        block = np.zeros(n)
        for q in range(first, last):
            block[positions[q] - lo] = values[q]
        return _block_sum(block, n)
    half = n // 2
    half -= half % UNROLL
    middle = first + np.searchsorted(positions[first:last], lo + half)
    left = _pairwise(positions, values, lo, lo + half, first, middle)
    return left + _pairwise(positions, values, lo + half, hi, middle, last)


@nb.njit(cache=True, nogil=True)
def _block_sum(block, n):
    """The sum of one block of at most BLOCK values."""
    if n < UNROLL:
        total = 0.0
        for i in range(n):
            total += block[i]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = (
        block[0],
        block[1],
        block[2],
        block[3],
        block[4],
        block[5],
        block[6],
        block[7],
    )
    i = UNROLL
    while i < n - n % UNROLL:
        r0 += block[i]
        r1 += block[i + 1]
        r2 += block[i + 2]
        r3 += block[i + 3]
        r4 += block[i + 4]
        r5 += block[i + 5]
        r6 += block[i + 6]
        r7 += block[i + 7]
        i += UNROLL
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += block[i]
        i += 1
    return total


@nb.njit(cache=True, nogil=True)
def numpy_sum(values):
    """`values.sum()` of a contiguous float64 array as numpy adds it, from numba code."""
    frames = np.zeros((64, 3), dtype=np.int64)
    return 0.0 + dense_pairwise(values, len(values), frames, np.zeros(64))
