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
from critmin.engine.pairwise_sum import row_sums
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
    def domestic(self) -> np.ndarray:
        """(lines, C) each country's purchases from itself."""
        domestic = np.zeros((self.lines, self.countries))
        at = np.flatnonzero(self.origin == self.destination)
        domestic[self.line[at], self.origin[at]] = self.tonnes[at]
        return domestic

    def exports(self) -> np.ndarray:
        """(C, lines) tonnes sent abroad: `flows.sum(axis=2).T - flows[:, c, c].T` of the dense flows."""
        n = self.countries
        at = (self.line * n + self.origin) * n + self.destination  # ascending: the entries' order
        sent = row_sums(at, self.tonnes, self.lines * n, n).reshape(self.lines, n)
        return sent.T - self.domestic.T

    @cached_property
    def received(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions (destination, line, origin) of the entries, flat, and their order along it."""
        n = self.countries
        at = (self.destination * self.lines + self.line) * n + self.origin
        order = np.argsort(at, kind="stable")
        return at[order], order

    def imports(self) -> np.ndarray:
        """(C, lines) tonnes received from abroad: `inflow.sum(axis=2) - inflow[c, :, c]`.

        `inflow` is the dense flows laid out (destinations, lines, origins).
        """
        at, order = self.received
        n = self.countries
        received = row_sums(at, self.tonnes[order], n * self.lines, n).reshape(n, self.lines)
        return received - self.domestic.T

    def foreign_imports(self) -> Imports:
        """The entries above IMPORT_FLOOR received from a foreign origin, in (country, line, origin) order."""
        _, order = self.received
        order = order[(self.tonnes[order] > IMPORT_FLOOR) & (self.origin[order] != self.destination[order])]
        return Imports.of(
            self.destination[order], self.line[order], self.origin[order], self.tonnes[order], self.lines
        )
