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
def landed_minimum(market, exporter, local, freight, charges, opened, landed):
    """Lower (K, C) `landed` to each (market, exporter) pair's landed prices.

    A pair's price to importer j is `(freight[e, j] + (tariff[e, j] + risk[e, j])) + local[k, e]`
    on a charged row (market k has a tariff table, or someone doubts exporter e there), else
    `(freight[e, j] + 0.0) + local[k, e]`; inf on a closed route. `charges` are
    (tariff_table, tariffs, risk_cells, risk_values): market k's place in the (T, C, C)
    `tariffs` (-1: none), and the doubted routes' ascending flat (K, C, C) places and USD/kg.
    `opened` is (open_table, open_routes), likewise (-1: every route open).
    """
    tariff_table, tariffs, risk_cells, risk_values = charges
    open_table, open_routes = opened
    n = freight.shape[1]
    risk_row, charge = np.zeros(n), np.zeros(n)
    doubted = 0  # the first doubted route not before this pair's row (pairs ascend)
    for r in range(len(market)):
        k, e = market[r], exporter[r]
        row = k * n + e
        while doubted < len(risk_cells) and risk_cells[doubted] // n < row:
            doubted += 1
        last = doubted
        while last < len(risk_cells) and risk_cells[last] // n == row:
            risk_row[risk_cells[last] % n] = risk_values[last]
            last += 1
        charged = tariff_table[k] >= 0 or last > doubted
        if charged:
            for j in range(n):
                tariff = tariffs[tariff_table[k], e, j] if tariff_table[k] >= 0 else 0.0
                charge[j] = tariff + risk_row[j]
        lower_to_landed(landed, k, e, local[k, e], freight, charge, charged, open_table[k], open_routes)
        for q in range(doubted, last):
            risk_row[risk_cells[q] % n] = 0.0


@nb.njit(cache=True, nogil=True)
def lower_to_landed(landed, k, e, price, freight, charge, charged, table, open_routes):
    """Lower `landed[k]` to e's landed prices: (freight + `charge` if `charged`, else + 0.0) + `price`."""
    for j in range(freight.shape[1]):
        cost = freight[e, j] + charge[j] if charged else freight[e, j] + 0.0
        value = cost + price
        if table >= 0 and not open_routes[table, e, j]:
            value = np.inf
        if value < landed[k, j] or value != value:
            landed[k, j] = value


def open_tables(
    tables: dict[int, np.ndarray], n_markets: int, n_countries: int, dtype=bool
) -> tuple[np.ndarray, np.ndarray]:
    """(K,) each market's place in the (T, C, C) stack of its own `tables` (-1: none); the stack.

    For the open routes (bool) and the tariffs (float) of the markets that have a table.
    """
    position = np.full(n_markets, -1)
    position[list(tables)] = np.arange(len(tables))
    stacked = (
        np.stack(list(tables.values())) if tables else np.zeros((0, n_countries, n_countries), dtype=dtype)
    )
    return position, stacked
