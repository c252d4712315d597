"""numpy's `maximum` and `minimum` of two floats, for the compiled passes that restate array rules.

As numpy's ufuncs give them: NaN if either is NaN (the first NaN), else the larger (smaller) one,
and the second of two equal ones, so `maximum(0.0, -0.0)` is -0.0 and `maximum(-0.0, 0.0)` is 0.0
(tests/engine/test_numpy_scalars.py holds them to numpy bit for bit).
"""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True, nogil=True)
def maximum(a: float, b: float) -> float:
    """`np.maximum(a, b)` of two floats."""
    return a if a > b or a != a else b


@nb.njit(cache=True, nogil=True)
def minimum(a: float, b: float) -> float:
    """`np.minimum(a, b)` of two floats."""
    return a if a < b or a != a else b
