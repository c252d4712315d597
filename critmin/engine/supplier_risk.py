"""Buyers' hedging of doubted suppliers on the traded markets, kept as its few non-zero routes.

The same values as `trade.supplier_risk_costs(..., lines)`, a (K, C_exporter, C_importer) array,
without building it: each is the line's premium times `state.supplier_doubt` of the route. Few
routes are doubted (hundreds of the 10^5-10^6 cells), so they are read from the state's positions
of the doubt's non-zero cells (`supplier_doubt_cells`, kept where the doubt is set, no pass over
the dense array) and every read (member routes, exporting rows, one market) looks them up;
elsewhere the value is 0.0, as premium times a zero doubt is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from critmin.engine.sorted_positions import scattered, values_at


@dataclass(frozen=True)
class SupplierRisk:
    """(K, C_exporter, C_importer) USD/kg of the markets `lines`, indexed like the dense array.

    `risk[k]` is one market's (C, C); `risk[market, exporter]` the (R, C) rows of R
    (market, exporter) pairs; `risk[market, exporter, importer]` single routes.
    """

    shape: tuple[int, int, int]  # (K, C, C)
    cells: np.ndarray  # ascending flat (K, C, C) positions of the doubted routes
    values: np.ndarray  # their USD/kg

    @classmethod
    def of(cls, state, constants, settings, lines: tuple[np.ndarray, np.ndarray]) -> SupplierRisk:
        """The hedging costs of the markets `lines` in this state."""
        doubt = state.supplier_doubt  # (C_importer, C_exporter, M, S)
        n = doubt.shape[0]
        market_of = np.full(doubt.shape[2:], -1)
        market_of[lines] = np.arange(len(lines[0]))
        cells = state.supplier_doubt_cells  # its non-zero cells, kept: no scan of the dense array
        importer, exporter, m, s = np.unravel_index(cells, doubt.shape)
        market = market_of[m, s]
        traded = market >= 0
        shape = (len(lines[0]), n, n)
        cells = np.ravel_multi_index((market[traded], exporter[traded], importer[traded]), shape)
        order = np.argsort(cells)
        premium = settings.supplier_risk_premium * constants.reference_price[lines]
        doubted = doubt[importer, exporter, m, s][traded]
        return cls(shape, cells[order], (premium[market[traded]] * doubted)[order])

    def __getitem__(self, key) -> np.ndarray:
        if not isinstance(key, tuple):
            return self.rows(np.array([key]), np.arange(self.shape[1])).reshape(self.shape[1:])
        if len(key) == 3:
            return self.at(np.ravel_multi_index(key, self.shape))
        return self.rows(*key)

    def at(self, cells: np.ndarray) -> np.ndarray:
        """The values at flat (K, C, C) positions `cells`."""
        return values_at(self.cells, self.values, cells)

    def at_routes(self, cells: np.ndarray) -> np.ndarray:
        """`at` for strictly ascending `cells` (a batch's route places): doubted routes looked up among them.

        Saves `values_at` checking the order of every cell (149,000 at 4x the countries).
        """
        return scattered(self.cells, self.values, cells) if len(self.cells) else np.zeros(len(cells))

    def rows(self, market: np.ndarray, exporter: np.ndarray) -> np.ndarray:
        """(R, C) the rows of the (market, exporter) pairs."""
        market, exporter = np.broadcast_arrays(market, exporter)
        n = self.shape[2]
        wanted, row_of = distinct((market * n + exporter).ravel())
        table = np.zeros((len(wanted), n))
        if len(self.cells) and len(wanted):
            row_of_cell = self.cells // n
            found = np.minimum(np.searchsorted(wanted, row_of_cell), len(wanted) - 1)
            hit = wanted[found] == row_of_cell
            table[found[hit], self.cells[hit] % n] = self.values[hit]
        return table[row_of].reshape((*market.shape, n))


def distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | slice]:
    """`np.unique(keys, return_inverse=True)`; strictly ascending keys are their own (no sort)."""
    if (keys[1:] > keys[:-1]).all():
        return keys, slice(None)
    return np.unique(keys, return_inverse=True)
