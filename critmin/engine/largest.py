"""The columns of each row's largest values, largest first, found in one compiled pass.

The world lines list each line's few largest producers, exporters and importers: a selection of
the first `k` of each row in the order `np.argsort(-values, kind="stable")` gives (ties in column
order, NaN last), without sorting whole rows.
"""

from __future__ import annotations

import numba as nb
import numpy as np


def largest_columns(rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(R, min(k, C)) the columns of each row's largest values of (R, C) `rows`, and those values."""
    k = min(k, rows.shape[1])
    columns, values = np.empty((len(rows), k), dtype=np.intp), np.empty((len(rows), k))
    select_largest(np.ascontiguousarray(rows, dtype=np.float64), columns, values)
    return columns, values


@nb.njit(cache=True, nogil=True)
def select_largest(rows, columns, values):
    """Fill columns[r] with the columns of row r's largest values (first on a tie), values[r] with them.

    Each row is read once, its values inserted into the kept ones, largest first; a value goes after
    those it equals, so ties keep column order.
    """
    k = columns.shape[1]
    for r in range(rows.shape[0]):
        kept = 0
        for i in range(rows.shape[1]):
            value = rows[r, i]
            if kept < k:
                at = kept
                kept += 1
            elif above(value, values[r, k - 1]):
                at = k - 1
            else:
                continue
            while at > 0 and above(value, values[r, at - 1]):
                values[r, at], columns[r, at] = values[r, at - 1], columns[r, at - 1]
                at -= 1
            values[r, at], columns[r, at] = value, i


@nb.njit(cache=True, nogil=True, inline="always")
def above(value, other):
    """True when `value` ranks above `other`: larger, or a number where `other` is NaN (NaN ranks last)."""
    return value > other or (np.isnan(other) and not np.isnan(value))


@nb.njit(cache=True, nogil=True)
def scatter_shares(columns, values, positive, totals, shares):
    """shares[columns[k, j], k] = values[k, j] / totals[k] where positive[k, j] and totals[k] > 0.

    A row's listed columns are distinct, so no share is written twice.
    """
    for k in range(columns.shape[0]):
        if totals[k] > 0:
            for j in range(columns.shape[1]):
                if positive[k, j]:
                    shares[columns[k, j], k] = values[k, j] / totals[k]
