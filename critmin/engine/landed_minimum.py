"""The cheapest landed price of each market's members to every country, in one compiled pass.

What `np.minimum.reduceat` over the (pairs, C) array of every member's landed prices gives,
without building that array: each value is the same sums in the same order (freight plus the
route's charges, then the member's local price), a closed route counts inf, and a minimum
does not depend on the order it is taken in (NaN wins, as in `np.minimum`).
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def landed_minimum(market, exporter, local, freight, charge_row, charges, open_table, opened, landed):
    """Lower (K, C) `landed` to each (market, exporter) pair's landed prices.

    A pair's price to importer j is `(freight[e, j] + charges[q, j]) + local[k, e]` where
    `charge_row[r]` = q >= 0 (its tariff + risk row), else `(freight[e, j] + 0.0) + local[k, e]`;
    inf where market k has a table `open_table[k]` = t >= 0 of open routes and `opened[t, e, j]` is False.
    """
    for r in range(len(market)):
        k, e, q, t = market[r], exporter[r], charge_row[r], open_table[market[r]]
        for j in range(freight.shape[1]):
            cost = freight[e, j] + charges[q, j] if q >= 0 else freight[e, j] + 0.0
            value = cost + local[k, e]
            if t >= 0 and not opened[t, e, j]:
                value = np.inf
            if value < landed[k, j] or value != value:
                landed[k, j] = value


def open_tables(
    tables: dict[int, np.ndarray], n_markets: int, n_countries: int
) -> tuple[np.ndarray, np.ndarray]:
    """(K,) each market's place in the (T, C, C) stack of open-route `tables` (-1: all open); the stack."""
    position = np.full(n_markets, -1)
    position[list(tables)] = np.arange(len(tables))
    stacked = (
        np.stack(list(tables.values())) if tables else np.ones((0, n_countries, n_countries), dtype=bool)
    )
    return position, stacked
