"""A turn's (K, C, C) route arrays kept only for the markets with rules of their own.

Tariffs and open routes differ from their plain value (no tariff, every route open) only in
the markets a policy touches, a few of the turn's K markets; a dense (K, C, C) array of them
is 9 MB at four times world-2024's countries, written afresh every turn. `ByMarket` keeps the
ruled markets' own (C, C) arrays and reads as the dense array would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ByMarket:
    """(K, C_exporter, C_importer) values: `tables[k]` for the markets that have one, `fill` elsewhere.

    `routes[k]` is one market's (C, C); `routes[market, exporter]` the (R, C) rows of R
    (market, exporter) pairs; `at(cells)` the values at ascending flat (K, C, C) positions.
    """

    shape: tuple[int, int, int]  # (K, C, C)
    fill: float | bool  # every route of a market without a table
    tables: dict[int, np.ndarray]  # market k -> its (C, C)

    @property
    def size(self) -> int:
        """Cells of the dense array."""
        return self.shape[0] * self.shape[1] * self.shape[2]

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, tuple):
            return self.rows(*key)
        table = self.tables.get(int(key))
        return np.full(self.shape[1:], self.fill) if table is None else table

    def rows(self, market: np.ndarray, exporter: np.ndarray) -> np.ndarray:
        """(R, C) the rows of the (market, exporter) pairs."""
        out = np.full((len(market), self.shape[2]), self.fill)
        ascending = bool((market[1:] >= market[:-1]).all())
        for k, table in self.tables.items():
            here = slice(*np.searchsorted(market, (k, k + 1))) if ascending else market == k
            out[here] = table[exporter[here]]
        return out

    def at(self, cells: np.ndarray) -> np.ndarray:
        """The values at flat (K, C, C) positions `cells` (ascending)."""
        out = np.full(len(cells), self.fill)
        size = self.shape[1] * self.shape[2]
        for k, table in self.tables.items():
            first, end = np.searchsorted(cells, [k * size, (k + 1) * size])
            out[first:end] = table.reshape(-1)[cells[first:end] - k * size]
        return out
