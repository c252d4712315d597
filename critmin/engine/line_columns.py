"""Every country's own (C, M, S) figures on the chain's lines, gathered in one compiled pass.

The observation book lays its line figures out (C, lines, LINE_FIGURES); gathering each (C, M, S)
array at the lines straight into its column spares stacking the arrays whole, indexing the
stack and copying it transposed. Values are copied, not computed: the figures are the same.
"""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True, nogil=True)
def gather_lines(out, mineral, stage, a0, a1, a2, a3, a4, a5, a6, a7):
    """out[c, k, f] = (a0..a7)[f][c, mineral[k], stage[k]] for f < 8, every country c and line k.

    The eight arrays come as arguments, not a tuple: numba types a tuple of arrays in Python at
    every call, a plain array argument in C.
    """
    for c in range(out.shape[0]):
        for k in range(len(mineral)):
            m, s = mineral[k], stage[k]
            out[c, k, 0] = a0[c, m, s]
            out[c, k, 1] = a1[c, m, s]
            out[c, k, 2] = a2[c, m, s]
            out[c, k, 3] = a3[c, m, s]
            out[c, k, 4] = a4[c, m, s]
            out[c, k, 5] = a5[c, m, s]
            out[c, k, 6] = a6[c, m, s]
            out[c, k, 7] = a7[c, m, s]


@nb.njit(cache=True, nogil=True)
def gather_rows(out, mineral, stage, a0, a1, a2):
    """out[f, k, c] = (a0, a1, a2)[f][c, mineral[k], stage[k]]: three (C, M, S) arrays as rows by line.

    What `np.stack([a0, a1, a2])[:, :, mineral, stage]` holds, laid out (3, lines, C) contiguous.
    """
    for k in range(len(mineral)):
        m, s = mineral[k], stage[k]
        for c in range(out.shape[2]):
            out[0, k, c] = a0[c, m, s]
            out[1, k, c] = a1[c, m, s]
            out[2, k, c] = a2[c, m, s]
