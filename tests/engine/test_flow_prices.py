"""The clearing kernel's price distances on a hand-made residual graph: exact, and a negative cycle caught.

One supplier (country 0, its out, gate and lic nodes) and two in nodes; its route 0 -> 1
costs 3 and carries flow, so the backward arc in[1] -> gate[0] costs -3. A backward arc
cheaper than that closes a negative cycle, which an optimal flow never leaves: the distances
must then say they do not converge, as Bellman-Ford did.
"""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine import flow

N = 2
OUT0, GATE0, IN0, IN1 = 0, N, 3 * N, 3 * N + 1


def one_route_graph(back_cost: int) -> tuple:
    """(suppliers, route costs, price graph) of the market above."""
    links = np.zeros((5, 1), np.bool_)
    links[flow.OUT_GATE, 0] = True
    routes = np.full((2, 1, N), np.inf)
    routes[0, 0, 1] = 3.0
    back = np.array([[IN1], [0], [GATE0], [back_cost]], np.int64)
    return np.array([0]), np.array([[0, 3], [3, 0]], np.int64), (links, routes, back)


def test_distances_from_the_root_follow_the_offer_through_the_gate():
    d = np.full(4 * N, np.inf)
    d[OUT0] = 10.0  # an offer at 10 with room
    assert flow._from_root(d, *one_route_graph(-3))
    assert (d[OUT0], d[GATE0], d[IN0], d[IN1]) == (10.0, 10.0, 10.0, 13.0)


def test_distances_to_the_root_follow_the_bid_back_to_the_offer():
    e = np.full(4 * N, np.inf)
    e[IN1] = -20.0  # a bid worth 20 with room
    assert flow._to_root(e, *one_route_graph(-3))
    assert (e[IN1], e[GATE0], e[OUT0], e[IN0]) == (-20.0, -17.0, -17.0, np.inf)


@pytest.mark.parametrize("towards_root", [False, True])
def test_a_negative_cycle_does_not_converge(towards_root: bool):
    dist = np.full(4 * N, np.inf)
    dist[IN1 if towards_root else OUT0] = -20.0 if towards_root else 10.0
    distances = flow._to_root if towards_root else flow._from_root
    assert not distances(dist, *one_route_graph(-5))
