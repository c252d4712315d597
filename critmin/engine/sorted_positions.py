"""Reading values kept at ascending flat positions (the turn's sparse route arrays).

Route exports, spot flows and buyers' hedging costs keep only their non-zero entries: ascending
flat positions in their dense layout and a value for each. Every other position holds 0.
"""

from __future__ import annotations

import numpy as np


def values_at(at: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The values at flat positions `wanted` (any shape), 0 where `at` holds none."""
    if not len(at):
        return np.zeros(np.shape(wanted))
    if np.ndim(wanted) == 1 and len(wanted) > 8 * len(at) and (wanted[1:] > wanted[:-1]).all():
        return scattered(at, values, wanted)
    found = np.minimum(np.searchsorted(at, wanted), len(at) - 1)
    return np.where(at[found] == wanted, values[found], 0.0)


def scattered(at: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """`values_at` for many strictly ascending `wanted` and few `at`: each of `at` looked up among them."""
    out = np.zeros(len(wanted))
    found = np.minimum(np.searchsorted(wanted, at), len(wanted) - 1)
    hit = wanted[found] == at
    out[found[hit]] = values[hit]
    return out


def block(at: np.ndarray, values: np.ndarray, start: int, size: int) -> np.ndarray:
    """(size,) the dense values of flat positions start .. start + size - 1."""
    first, end = np.searchsorted(at, [start, start + size])
    out = np.zeros(size)
    out[at[first:end] - start] = values[first:end]
    return out
