"""Exports kept as the routes that carried them, not dense (M, S, C, C) arrays.

A turn ships over a few thousand routes of the 4x world's 1.3 M, so the export history, its mean
and their readers (the news, the turn view, control exposure, a licence's reference) work on the
routes shipped on: flat (M, S, C_exporter, C_importer) positions, ascending, and their tonnes.
Sums keep numpy's order over the dense arrays (tests/engine/test_exports.py).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from critmin.engine import route_sums
from critmin.engine.sorted_positions import block, values_at


class RouteExports(NamedTuple):
    """Tonnes shipped abroad over routes: flat (M, S, C_exporter, C_importer) positions, ascending.

    Only the routes that carried something are kept (a turn ships over a few thousand of the
    4x world's 1.3 M routes); every other route holds 0.
    """

    at: np.ndarray  # (R,) ascending flat positions in `shape`
    tonnes: np.ndarray  # (R,)
    shape: tuple[int, ...]  # (M, S, C_exporter, C_importer)

    @classmethod
    def none(cls, shape: tuple[int, ...]) -> RouteExports:
        """No exports on record."""
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0), shape)

    @classmethod
    def of_flows(cls, flows: np.ndarray) -> RouteExports:
        """The non-zero foreign routes of (M, S, C, C) `flows` (the diagonal is domestic)."""
        n = flows.shape[-1]
        at = np.flatnonzero(flows != 0)
        at = at[at // n % n != at % n]
        return cls(at, flows.reshape(-1)[at], flows.shape)

    @classmethod
    def of_entries(cls, flows) -> RouteExports:
        """`of_flows` from the non-zero entries of (M, S, C, C) flows (`records.Sparse`), not the array."""
        n = flows.shape[-1]
        at = flows.at.astype(np.int64)
        foreign = at // n % n != at % n
        return cls(at[foreign], flows.values[foreign], flows.shape)

    def row(self, mineral: int, stage: int, exporter: int) -> np.ndarray:
        """(C_importer,) what `exporter` shipped to each country on one line."""
        n = self.shape[-1]
        return block(self.at, self.tonnes, ((mineral * self.shape[1] + stage) * n + exporter) * n, n)

    def at_routes(self, routes: np.ndarray) -> np.ndarray:
        """The tonnes on flat positions `routes` (0 where nothing was shipped)."""
        return values_at(self.at, self.tonnes, routes)

    def imports(self) -> np.ndarray:
        """(C, M, S) each country's imports, added exporter after exporter (the dense sum over exporters)."""
        return route_sums.imports(self.at, self.tonnes, self.shape, foreign_only=False)

    def by_exporter(self) -> np.ndarray:
        """(C_exporter, M, S, C_importer) the dense array, for readers that need every route."""
        dense = np.zeros(int(np.prod(self.shape)))
        dense[self.at] = self.tonnes
        return dense.reshape(self.shape).transpose(2, 0, 1, 3)
