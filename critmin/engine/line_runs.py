"""What the lines produce within their feed (`production.run_lines`), in one compiled pass.

Cell by cell, the array rule's operations in the same order: a processor's feed is the stage
before's feed stock times the yield, its output the least of its running capacity and that
(numpy's minimum), the feed used the output over the yield, taken from the stock; the output
times the chain (1.0 on it, 0.0 off it). tests/engine/test_line_runs.py holds it to that form.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.numpy_scalars import minimum


@nb.njit(cache=True, nogil=True, error_model="numpy")
def run_lines(running, feed_stock, yield_share, chain, feed_used) -> np.ndarray:
    """(C, M, S) output; the feed used is taken from `feed_stock` and written in `feed_used` (in place)."""
    n_countries, n_minerals, n_stages = running.shape
    output = np.empty(running.shape)
    for c in range(n_countries):
        for m in range(n_minerals):
            output[c, m, 0] = running[c, m, 0] * (1.0 if chain[m, 0] else 0.0)
            for s in range(1, n_stages):
                feed = feed_stock[c, m, s - 1] * yield_share[m, s]
                made = minimum(running[c, m, s], feed)
                used = made / yield_share[m, s]
                feed_stock[c, m, s - 1] -= used
                feed_used[c, m, s - 1] = used
                output[c, m, s] = made * (1.0 if chain[m, s] else 0.0)
    return output
