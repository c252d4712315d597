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
        _row_sums(positions.astype(np.int64), values.astype(np.float64), length, totals)
    return totals


@nb.njit(cache=True, nogil=True)
def _row_sums(positions, values, length, totals):
    """Each row's pairwise sum into `totals`, row by row over the entries."""
    first = 0
    while first < len(positions):
        row = positions[first] // length
        last = first
        while last < len(positions) and positions[last] // length == row:
            last += 1
        totals[row] = 0.0 + _pairwise(positions, values, row * length, row * length + length, first, last)
        first = last


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
    running = block[:UNROLL].copy()
    i = UNROLL
    while i < n - n % UNROLL:
        for j in range(UNROLL):
            running[j] += block[i + j]
        i += UNROLL
    total = ((running[0] + running[1]) + (running[2] + running[3])) + (
        (running[4] + running[5]) + (running[6] + running[7])
    )
    while i < n:
        total += block[i]
        i += 1
    return total
