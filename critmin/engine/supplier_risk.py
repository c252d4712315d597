"""Buyers' hedging of doubted suppliers on the traded markets, read only where a market needs it.

The same values as `trade.supplier_risk_costs(..., lines)`, a (K, C_exporter, C_importer) array,
without building it: each is the line's premium times `state.supplier_doubt` of the route,
computed for the member routes, exporting rows or single markets that posing and settling read
(a product of the same two numbers, so bit for bit the dense array's entries).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SupplierRisk:
    """(K, C_exporter, C_importer) USD/kg of the markets `lines`, indexed like the dense array.

    `risk[k]` is one market's (C, C); `risk[market, exporter]` the (R, C) rows of R
    (market, exporter) pairs; `risk[market, exporter, importer]` single routes.
    """

    premium: np.ndarray  # (K,) USD/kg: `supplier_risk_premium` of each line's reference price
    doubt: np.ndarray  # (C_importer, C_exporter, M, S) state.supplier_doubt
    lines: tuple[np.ndarray, np.ndarray]  # (K,) minerals and (K,) stages

    @classmethod
    def of(cls, state, constants, settings, lines: tuple[np.ndarray, np.ndarray]) -> SupplierRisk:
        """The hedging costs of the markets `lines` in this state."""
        premium = settings.supplier_risk_premium * constants.reference_price
        return cls(premium[lines], state.supplier_doubt, lines)

    @property
    def shape(self) -> tuple[int, int, int]:
        """The dense array's shape."""
        return (len(self.premium), self.doubt.shape[1], self.doubt.shape[0])

    def __getitem__(self, key) -> np.ndarray:
        if not isinstance(key, tuple):
            return self.premium[key] * self.doubt[:, :, self.lines[0][key], self.lines[1][key]].T
        market, exporter, *importer = key
        m, s = self.lines[0][market], self.lines[1][market]
        if importer:
            return self.premium[market] * self.doubt[importer[0], exporter, m, s]
        return self.premium[market][:, None] * self.doubt[:, exporter, m, s].T

    def at(self, cells: np.ndarray) -> np.ndarray:
        """The values at flat (K, C, C) positions `cells`."""
        market, exporter, importer = np.unravel_index(cells, self.shape)
        return self[market, exporter, importer]
