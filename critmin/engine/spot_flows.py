"""The spot markets' flows as their members' routes, not a dense (M, S, C, C) array.

Each market's clearing moves goods only among its members, so the turn keeps the tonnes of the
member routes (hubs folded into their exporters, engine/leakage.py) at their flat positions and
adds them in place to the contract deliveries: the turn's flows are one (M, S, C, C) array, not
three (spot, contracts and their sum; 15.7 MB each at four times world-2024's countries).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from critmin.engine import leakage
from critmin.engine.sorted_positions import block


@dataclass(frozen=True)
class SpotFlows:
    """Spot tonnes on the member routes that moved any: flat (K, C, C) and (M, S, C, C) places, ascending."""

    cells: np.ndarray  # (R,) flat (K, C, C) positions over the markets of the batch, ascending
    at: np.ndarray  # (R,) the same routes' flat (M, S, C, C) positions, ascending
    tonnes: np.ndarray  # (R,) spot tonnes, domestic on the diagonal
    shape: tuple[int, ...]  # (M, S, C, C) of the turn's flows

    def add_to(self, flows: np.ndarray) -> None:
        """Add the spot tonnes to (M, S, C, C) `flows` in place: the values of `flows + spot` (dense)."""
        flows.reshape(-1)[self.at] += self.tonnes  # contract + spot, one addition per route

    def line(self, mineral: int, stage: int) -> np.ndarray:
        """(C, C) spot tonnes of one market, zero off its members' routes."""
        shape = self.shape
        size = shape[2] * shape[3]
        return block(self.at, self.tonnes, (mineral * shape[1] + stage) * size, size).reshape(shape[2:])


def cleared_spot(batch, cleared_flows: np.ndarray, shape: tuple[int, ...]) -> tuple[SpotFlows, dict]:
    """The kernel's non-zero flat flows as `SpotFlows`, and by market the (C, C) tonnes leaked through hubs.

    The plain markets' routes are `batch.route_cells` in kernel order; a market with hubs has its
    members' grid, hubs folded into their exporters. Routes that moved nothing are left out of
    each part before the parts are joined and sorted.
    """
    plain = batch.kernel[3][0][len(batch.plain)]  # the plain markets' routes come first
    cells, tonnes = np.empty(plain, dtype=batch.route_cells.dtype), np.empty(plain)
    count = moved_routes(cleared_flows, batch.route_cells, cells, tonnes)
    cells, tonnes = [cells[:count]], [tonnes[:count]]
    n, at, leaked = shape[-1], batch.kernel[3][0], {}
    for q, (k, market) in enumerate(batch.hubbed, start=len(batch.plain)):
        size = len(market.problem.route_cost)
        answer = cleared_flows[at[q] : at[q + 1]].reshape(size, size)
        folded, leaked_part = leakage.fold(answer, market.hubs)
        rows, columns = market.members[:, None], market.members
        leaked[market.mineral, market.stage] = np.zeros(shape[2:])
        leaked[market.mineral, market.stage][rows, columns] = leaked_part
        moved = np.flatnonzero(folded)
        cells.append((k * n * n + rows * n + columns).ravel()[moved])
        tonnes.append(folded.ravel()[moved])
    cells, tonnes = np.concatenate(cells), np.concatenate(tonnes)
    if batch.hubbed:
        order = np.argsort(cells, kind="stable")  # each market's cells are its own: no ties
        cells, tonnes = cells[order], tonnes[order]
    return SpotFlows(cells, batch.line_positions(cells, shape), tonnes, shape), leaked


@nb.njit(cache=True, nogil=True)
def moved_routes(flows, route_cells, cells, tonnes):
    """Write the routes of the first len(cells) `flows` that moved anything into `cells`, `tonnes`: how many.

    In order; a -0.0 reads 0.0 (and is left out), as `flows + 0.0` then `np.flatnonzero` had it;
    NaN is kept.
    """
    count = 0
    for i in range(len(cells)):
        moved = flows[i] + 0.0
        if moved != 0.0:
            cells[count], tonnes[count] = route_cells[i], moved
            count += 1
    return count
