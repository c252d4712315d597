"""Demand intensity's thrift (`dynamics.thrift`) in one compiled pass.

The array rule restated cell by cell with numpy's operations in the same order (the price ratio
as `quotient_or`, numpy's clip as its maximum then minimum): tests/engine/test_thrift_pass.py
holds it to the array form bit for bit (but for a NaN's sign: of two NaN operands the compiler
may keep either; no played state holds NaN). Final need, the stock used and demand growth were
tried the same way and were no faster than numpy (a sum over sectors and whole-array products).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.numpy_scalars import maximum, minimum


@nb.njit(cache=True, nogil=True, error_model="numpy")
def thrifted(intensity, expected, reference, numbers) -> np.ndarray:
    """(C, M, S) demand intensity after a turn's thrift at `expected` prices (`dynamics.thrift`)."""
    threshold, span, cut_rate, recovery_rate, floor = (
        numbers[0],
        numbers[1],
        numbers[2],
        numbers[3],
        numbers[4],
    )
    n_countries, n_minerals, n_stages = intensity.shape
    out = np.empty(intensity.shape)
    for c in range(n_countries):
        for m in range(n_minerals):
            for s in range(n_stages):
                ratio = expected[c, m, s] / reference[m, s] if reference[m, s] > 0 else 1.0
                pressure = minimum(maximum((ratio - threshold) / span, 0.0), 1.0)
                recovery = 0.0 if pressure > 0 else recovery_rate
                now = intensity[c, m, s]
                now = now * (1 - cut_rate * pressure) + recovery * (1 - now)
                out[c, m, s] = minimum(maximum(now, floor), 1.0)
    return out
