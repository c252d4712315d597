"""How far each control binds on its exporter's routes, row by row, in one compiled pass.

`dynamics.control_severity` on the rows of the exporters under a control, without the (R, C)
arrays of its steps: each row's exports and licensed exports are numpy's pairwise sums of the
same values (`pairwise_sum.dense_pairwise`), each route's severity the same choices in the same
order; only the non-zero routes are written out, as `RouteSeverity.of_rows` keeps them.
`trade.controls_severity` calls it; tests/engine/test_route_severity.py holds it to the array rule.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine.numpy_scalars import maximum
from critmin.engine.pairwise_sum import dense_pairwise


@nb.njit(cache=True, nogil=True)
def severity_rows(rows, lines, flows, rules, caps, at_cap, binding, standing, at, values):
    """Write the non-zero severities of the (market q, exporter e) `rows` into `at` and `values`: how many.

    `lines[q]` is market q's flat (M, S) line, `flows` the turn's (M * S, C, C) tonnes; `rules[0, q]`
    and `rules[1, q]` its (C, C) open and licensed routes, `caps[0, q]` and `caps[1, q]` its (C,) export
    and licence caps. `at` are flat (M, S, C_exporter, C_importer) places.
    """
    n = flows.shape[-1]
    row_values = np.zeros(n)
    frames, lefts = np.zeros((64, 3), dtype=np.int64), np.zeros(64)
    count = 0
    for r in range(rows.shape[1]):
        q, e = rows[0, r], rows[1, r]
        line = lines[q]
        for j in range(n):
            row_values[j] = 0.0 if j == e else flows[line, e, j]
        exports = 0.0 + dense_pairwise(row_values, n, frames, lefts)
        for j in range(n):
            row_values[j] = flows[line, e, j] * (1.0 if rules[1, q, e, j] else 0.0)
        licensed = 0.0 + dense_pairwise(row_values, n, frames, lefts)
        export_cap = caps[0, q, e]
        quota = 0.0
        if np.isfinite(export_cap):
            quota = binding if exports >= at_cap * export_cap else standing
        licence = binding if licensed >= at_cap * caps[1, q, e] else standing
        for j in range(n):
            severity = maximum(quota, licence * (1.0 if rules[1, q, e, j] else 0.0))
            if not rules[0, q, e, j]:
                severity = 1.0
            if j != e and severity != 0.0:
                at[count] = (line * n + e) * n + j
                values[count] = severity
                count += 1
    return count
