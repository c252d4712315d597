"""The spot flows kept on the members' routes (engine/spot_flows.py) read as the dense spot array did."""

from __future__ import annotations

import numpy as np

from critmin.engine.spot_flows import SpotFlows, moved_routes


def sparse_of(spot: np.ndarray, members: np.ndarray) -> SpotFlows:
    """The routes among each line's members (`members`, (M, S, C) bool) of a dense spot array."""
    routes = members[..., :, None] & members[..., None, :]
    at = np.flatnonzero(routes)
    return SpotFlows(at, at, spot.reshape(-1)[at], spot.shape)


def test_spot_added_in_place_to_the_contracts_equals_their_dense_sum_and_reads_back_by_line():
    rng = np.random.default_rng(3)
    shape = (4, 3, 12, 12)
    members = rng.random(shape[:3]) < 0.6
    spot = np.where(members[..., :, None] & members[..., None, :], rng.lognormal(2, 2, shape), 0.0)
    spot[rng.random(shape) < 0.3] = 0.0  # member routes that carried nothing
    contracts = np.where(rng.random(shape) < 0.05, rng.lognormal(3, 1, shape), 0.0)
    expected = spot + contracts  # what the turn's flows were: two dense arrays and their sum
    flows = contracts.copy()
    sparse_of(spot, members).add_to(flows)
    assert flows.tobytes() == expected.tobytes()
    for m, s in np.ndindex(shape[:2]):
        assert sparse_of(spot, members).line(m, s).tobytes() == spot[m, s].tobytes()


def test_the_routes_that_moved_are_the_non_zero_flows_plus_zero():
    rng = np.random.default_rng(4)
    flows = np.where(rng.random(500) < 0.3, rng.lognormal(2, 2, 500), 0.0)
    flows[[3, 40]], flows[77] = -0.0, np.nan
    route_cells = np.sort(rng.choice(10_000, 500, replace=False))
    plain = flows[:450] + 0.0  # the first 450 are the plain markets' routes
    moved = np.flatnonzero(plain)
    cells, tonnes = np.empty(450, dtype=route_cells.dtype), np.empty(450)
    count = moved_routes(flows, route_cells, cells, tonnes)
    assert cells[:count].tobytes() == route_cells[moved].tobytes()
    assert tonnes[:count].tobytes() == plain[moved].tobytes() and 77 in moved and 3 not in moved
