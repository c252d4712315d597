"""Last turn's flows on the lines of the chain, read from their non-zero entries.

The observation book needs, per country and line, the tonnes it received from abroad (each
origin's, and their total) and the tonnes it sent abroad. Summed over the dense (lines, C, C)
flows these cost two passes over ~70,000 cells for ~700 non-zero ones; here each total is the
dense sum's own arithmetic (numpy's pairwise order over a contiguous row, engine/pairwise_sum.py)
walked over the non-zero entries alone, so the figures are the same bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from critmin.agents.reading import Imports
from critmin.engine.line_flow_pass import chain_entries, flow_totals
from critmin.engine.records import Sparse

IMPORT_FLOOR = 1e-9
"""Tonnes above which a foreign origin is listed among a country's imports."""


@dataclass(frozen=True)
class LineFlows:
    """The non-zero flows on the chain's lines: each entry's line, origin, destination and tonnes.

    Entries come in (line, origin, destination) order; lines are the chain's in (mineral, stage) order.
    """

    line: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    tonnes: np.ndarray
    lines: int
    countries: int

    @classmethod
    def of(cls, flows: Sparse, chain: np.ndarray) -> LineFlows:
        """The entries of (M, S, C, C) flows that lie on a line of `chain` ((M, S) bool)."""
        lines, countries = int(chain.sum()), flows.shape[-1]
        line_at = np.full(chain.size, -1, dtype=np.int64)  # each (mineral, stage)'s line, -1 off the chain
        line_at[chain.ravel()] = np.arange(lines)
        return cls(*chain_entries(flows.at, flows.values, line_at, countries), lines, countries)

    @cached_property
    def totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(C, lines) imports and exports net of domestic purchases; the foreign entries listed."""
        return flow_totals(
            self.line, self.origin, self.destination, self.tonnes, self.lines, self.countries, IMPORT_FLOOR
        )

    def exports(self) -> np.ndarray:
        """(C, lines) tonnes sent abroad: `flows.sum(axis=2).T - flows[:, c, c].T` of the dense flows."""
        return self.totals[1]

    def imports(self) -> np.ndarray:
        """(C, lines) tonnes received from abroad: `inflow.sum(axis=2) - inflow[c, :, c]`.

        `inflow` is the dense flows laid out (destinations, lines, origins).
        """
        return self.totals[0]

    def foreign_imports(self) -> Imports:
        """The entries above IMPORT_FLOOR received from a foreign origin, in (country, line, origin) order."""
        order = self.totals[2]
        return Imports.of(
            self.destination[order], self.line[order], self.origin[order], self.tonnes[order], self.lines
        )
