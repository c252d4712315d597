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
from critmin.engine.line_flow_pass import flow_totals
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
        line_at = np.full(chain.shape, -1, dtype=np.int64)
        line_at[chain] = np.arange(int(chain.sum()))
        mineral, stage, origin, destination = np.unravel_index(flows.at, flows.shape)
        line = line_at[mineral, stage]
        on_chain = line >= 0
        return cls(
            line[on_chain],
            origin[on_chain],
            destination[on_chain],
            flows.values[on_chain].astype(np.float64),
            len(np.flatnonzero(chain)),
            flows.shape[-1],
        )

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
