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

import numpy as np


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
