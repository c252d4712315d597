"""Embedded dependence: how much of a country's supply passed through one supplier, feed included.

Direct import dependence stops at the border: magnets made in India count as Indian even when
their Dy/Tb oxide came from China. Embedded dependence follows the feed up the chain. For each
mineral, in chain order, a country's supply of a stage (what it bought, at home or abroad) is
attributed to the countries it bought from; what it bought at home from its own processors is
attributed to the supply of their feed one stage up (D' below), except that a supplier's own
output always counts as passing through it:

    D'[j, x] = 1 if j == x else D_prev[j, x]      (what j's output carries of x)
    D[c, x]  = sum_j W[c, j] * D'[j, x]           (W: c's purchases by seller, as shares)

so D[c, x] is the share of c's supply of the stage that passed through x at this stage or an
earlier one. The measure reads the flows of one turn.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba.core import types
from numba.extending import intrinsic


def embedded_dependence(flows: np.ndarray, chain: np.ndarray) -> np.ndarray:
    """(C, X, M, S) share of country c's supply of (mineral, stage) that passed through x.

    Args:
        flows: (M, S, C_seller, C_buyer) tonnes of one turn, domestic purchases on the diagonal.
        chain: (M, S) bool, the stages of each mineral's chain.

    """
    n_m, n_s, n, _ = flows.shape
    result = np.zeros((n, n, n_m, n_s))
    own = np.eye(n)
    for m in range(n_m):
        previous = np.zeros((n, n))
        for s in np.flatnonzero(chain[m]):
            bought = flows[m, s].T  # (buyer, seller)
            total = bought.sum(axis=1, keepdims=True)
            shares = np.divide(bought, total, out=np.zeros_like(bought), where=total > 0)
            carried = np.maximum(own, previous)  # D'
            current = shares @ carried
            result[:, :, m, s] = current
            previous = current
    return np.clip(result, 0.0, 1.0)


def top_foreign_supplier(
    dependence: np.ndarray, flows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(C, M, S) each country's largest foreign supplier's embedded share, and its position.

    Shares are not exclusive (refined lithium bought from China and made from Australian ore
    passed through both); on a tie the supplier the country bought from directly (`flows`,
    (M, S, seller, buyer)) is named.
    """
    n = dependence.shape[0]
    foreign = np.where(np.eye(n, dtype=bool)[:, :, None, None], 0.0, dependence)
    ranked = foreign
    if flows is not None:
        bought = flows.transpose(3, 2, 0, 1)  # (buyer, seller, M, S)
        total = bought.sum(axis=1, keepdims=True)
        direct = np.divide(bought, total, out=np.zeros_like(bought), where=total > 0)
        ranked = foreign + 1e-6 * direct
    return foreign.max(axis=1), ranked.argmax(axis=1)


# --- the recorder's figure, from the turn's non-zero flows -----------------------------------


def top_foreign_suppliers(
    at: np.ndarray, tonnes: np.ndarray, shape: tuple[int, ...], chain: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`top_foreign_supplier(embedded_dependence(flows, chain), flows)` from the non-zero flows only.

    The same arithmetic in the same order as the dense functions (sums over sellers in
    ascending order, one fused multiply-add per term of a matrix product, as the BLAS kernel
    does), without their (C, C, M, S) arrays: linear in the flows instead of cubic in the
    countries.

    Args:
        at: ascending flat positions in `shape` = (M, S, C, C) of the non-zero flows.
        tonnes: their tonnes.
        shape: the shape of the dense flows.
        chain: (M, S) bool.

    """
    mineral, stage, seller, buyer = np.unravel_index(at, shape)
    line = mineral * shape[1] + stage
    starts = np.searchsorted(line, np.arange(shape[0] * shape[1] + 1))
    return _top_suppliers(starts, seller, buyer, tonnes, chain, shape[2])


@intrinsic
def _fused_multiply_add(typingctx, a, b, c):
    """The product a * b plus c, rounded once (LLVM's fma)."""
    signature = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, sig, args):
        return builder.fma(*args)

    return signature, codegen


@nb.njit(cache=True, nogil=True)
def _top_suppliers(starts, seller, buyer, tonnes, chain, n):
    """(C, M, S) shares and suppliers; line k's flows are entries ``starts[k]:starts[k + 1]``.

    The (C, C) work arrays are made once; what a line wrote in them is set back to 0 (its
    buyers' rows, its entries), not the whole array made anew (175 kB each at 148 countries).
    """
    n_m, n_s = chain.shape
    share = np.zeros((n, n_m, n_s))
    supplier = np.zeros((n, n_m, n_s), np.int64)
    total, direct = np.zeros(n), np.zeros((n, n))
    grids = np.zeros((2, n, n))  # D of the stage before and of this stage, in turn
    written = np.zeros((2, n), np.bool_)  # the rows of each grid a line wrote
    for m in range(n_m):
        before = 0
        _clear_rows(grids[before], written[before])
        for s in range(n_s):
            if chain[m, s]:
                lo, hi = starts[m * n_s + s], starts[m * n_s + s + 1]
                _direct_shares(seller[lo:hi], buyer[lo:hi], tonnes[lo:hi], total, direct)
                now = 1 - before
                _clear_rows(grids[now], written[now])
                _line(seller[lo:hi], buyer[lo:hi], direct, grids[before], grids[now], written[now])
                _rank(grids[now], direct, written[now], share[:, m, s], supplier[:, m, s])
                _clear_direct(seller[lo:hi], buyer[lo:hi], total, direct)
                before = now
    return share, supplier


@nb.njit(cache=True, nogil=True)
def _direct_shares(seller, buyer, tonnes, total, direct):
    """(buyer, seller) share of each buyer's purchases (summed over sellers in ascending order).

    Into `total` and `direct`, which are 0 on the line's buyers and entries.
    """
    for e in range(tonnes.size):
        total[buyer[e]] += tonnes[e]
    for e in range(tonnes.size):
        direct[buyer[e], seller[e]] = tonnes[e] / total[buyer[e]]


@nb.njit(cache=True, nogil=True)
def _clear_direct(seller, buyer, total, direct):
    """`total` and `direct` back to 0 where `_direct_shares` wrote."""
    for e in range(seller.size):
        total[buyer[e]] = 0.0
        direct[buyer[e], seller[e]] = 0.0


@nb.njit(cache=True, nogil=True)
def _clear_rows(grid, written):
    """The rows of `grid` marked `written` back to 0, and unmarked."""
    for j in range(written.size):
        if written[j]:
            grid[j, :] = 0.0
            written[j] = False


@nb.njit(cache=True, nogil=True)
def _line(seller, buyer, direct, previous, current, written):
    """D of one line into `current` (0): buyers' shares by seller times what each seller's output carries.

    Marks the buyers' rows `written`; no other row of `current` is.
    """
    n = previous.shape[0]
    for e in range(seller.size):
        i, j = seller[e], buyer[e]
        written[j] = True
        weight = direct[j, i]
        for x in range(n):
            carried = max(1.0 if x == i else 0.0, previous[i, x])
            if carried != 0.0:
                current[j, x] = _fused_multiply_add(weight, carried, current[j, x])


@nb.njit(cache=True, nogil=True)
def _rank(current, direct, written, share, supplier):
    """Each buyer's largest foreign share and who (a tie goes to its larger direct seller).

    Countries that bought nothing (rows not `written`: 0 in `current` and `direct`) keep share 0
    and supplier 0, as `top_foreign_supplier` gives.
    """
    n = current.shape[0]
    for j in range(n):
        if not written[j]:
            continue
        best, top, pick = 0.0, 0.0, 0
        for x in range(n):
            foreign = 0.0 if x == j else min(max(current[j, x], 0.0), 1.0)
            ranked = foreign + 1e-6 * direct[j, x]
            best = max(best, foreign)
            if ranked > top:
                top, pick = ranked, x
        share[j], supplier[j] = best, pick
