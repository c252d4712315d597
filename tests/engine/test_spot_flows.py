"""The spot flows kept on the members' routes (engine/spot_flows.py) read as the dense spot array did."""

from __future__ import annotations

import numpy as np

from critmin.engine.spot_flows import SpotFlows


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
