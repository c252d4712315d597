"""Bit-for-bit comparisons of arrays, for the tests holding a compiled pass to the numpy form it replaces."""

from __future__ import annotations

import numpy as np


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """The same shape, dtype and bytes."""
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def same_bits_but_nan(a: np.ndarray, b: np.ndarray) -> bool:
    """The same bits, but for NaN's sign and payload: of two NaN operands the compiler may keep either."""
    if a.shape != b.shape or a.dtype != b.dtype or not (np.isnan(a) == np.isnan(b)).all():
        return False
    return a[~np.isnan(a)].tobytes() == b[~np.isnan(b)].tobytes()
