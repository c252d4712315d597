"""The same market solved by OR-Tools' min-cost flow: a reference for the clearing's benchmark.

Needs the `bench` extra (`pip install 'critmin[bench]'`). The network is the one
:mod:`critmin.engine.market` describes (offers, domestic, export gate, licence gate, routes,
bids), with a bypass arc S -> T so that unprofitable supply stays unsold. Quantities and costs
are scaled to integers per market; required bids cost an extra -M per tonne. It returns the
allocation (flows, sold, bought) and its welfare, not prices: the benchmark times it against
:func:`critmin.engine.market.clear_markets`, graph build included, and checks that the two
allocations are worth the same welfare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from critmin.engine.market import MarketProblem, welfare_of

QTY_UNITS = 1e9
"""Integer units given to the market's largest quantity (the kernel's resolution, flow.QTY_RES)."""
COST_UNITS = 1e6
"""Integer units given to the market's largest |cost|."""


def ortools_missing() -> str | None:
    """Why OR-Tools cannot be used here (not installed), or None."""
    try:
        from ortools.graph.python import min_cost_flow  # noqa: F401
    except ImportError:
        return "OR-Tools is not installed (pip install 'critmin[bench]')"
    return None


@dataclass(frozen=True)
class Allocation:
    """Tonnes shipped (n, n), sold per offer, bought per bid, and the welfare (thousand USD)."""

    flows: np.ndarray
    sold: np.ndarray
    bought: np.ndarray
    welfare: float


@dataclass(frozen=True)
class Network:
    """Arcs (tail, head, integer capacity, integer unit cost) of one market, and its units."""

    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray
    cost: np.ndarray
    total: int
    units_per_tonne: float


def solve_ortools(problem: MarketProblem) -> Allocation:
    """Clear one market with OR-Tools' SimpleMinCostFlow (graph build included)."""
    from ortools.graph.python import min_cost_flow

    net = network(problem)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(net.tail, net.head, net.capacity, net.cost)
    solver.set_nodes_supplies(np.array([0, 1]), np.array([net.total, -net.total]))
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow ended with status {status}")
    return allocation(problem, solver.flows(arcs) / net.units_per_tonne)


def scales(p: MarketProblem) -> tuple[float, float, float]:
    """(units per tonne, units per USD/kg, big-M) of a market."""
    usable = p.route_open | np.eye(p.n_countries, dtype=bool)
    q_max = max(p.supply_tonnes.sum(), p.demand_tonnes.max(initial=0.0), 1e-12)
    costs = (p.supply_price, p.demand_price, p.route_cost[usable])
    c_max = max(max(float(np.abs(c).max(initial=0.0)) for c in costs), 1e-12)
    path = 2 * COST_UNITS * (4 + 2 * p.n_countries)  # > twice a simple path's or cycle's cost (flow._scales)
    return QTY_UNITS / q_max, COST_UNITS / c_max, 2 * path + 1 if p.demand_required.any() else 0.0


def network(p: MarketProblem) -> Network:
    """The arcs of a market: S = 0, T = 1, out[i], gate[i], lic[i], in[j] (4 blocks of n)."""
    n = p.n_countries
    qs, cs, big_m = scales(p)
    out, gate, lic, into = (2 + k * n + np.arange(n) for k in range(4))
    total = int(np.floor(p.supply_tonnes * qs).sum())
    foreign = p.route_open & ~np.eye(n, dtype=bool)
    src, dst = np.nonzero(foreign)
    via = np.where(p.licensed[src, dst], lic[src], gate[src])
    groups = (
        (np.zeros(p.n_offers, int), out[p.supply_country], p.supply_tonnes, p.supply_price * cs),
        (into[p.demand_country], np.ones(p.n_bids, int), p.demand_tonnes, -p.demand_price * cs),
        (out, into, np.full(n, np.inf), np.diagonal(p.route_cost) * cs),
        (out, gate, p.export_cap, np.zeros(n)),
        (gate, lic, p.licence_cap, np.zeros(n)),
        (via, into[dst], np.full(src.size, np.inf), p.route_cost[src, dst] * cs),
        (np.zeros(1, int), np.ones(1, int), np.full(1, np.inf), np.zeros(1)),
    )
    tail, head, tonnes, cost = (np.concatenate(column) for column in zip(*groups, strict=True))
    capacity = np.minimum(np.floor(np.minimum(tonnes, p.supply_tonnes.sum()) * qs), total)
    cost = np.rint(cost)
    cost[p.n_offers : p.n_offers + p.n_bids] -= big_m * p.demand_required
    return Network(tail, head, capacity.astype(np.int64), cost.astype(np.int64), total, qs)


def allocation(p: MarketProblem, arc_tonnes: np.ndarray) -> Allocation:
    """Flows, sold and bought in tonnes from the arc flows (in `network`'s arc order)."""
    n, n_off, n_bid = p.n_countries, p.n_offers, p.n_bids
    sold, bought = arc_tonnes[:n_off], arc_tonnes[n_off : n_off + n_bid]
    at = n_off + n_bid
    flows = np.diag(arc_tonnes[at : at + n])
    src, dst = np.nonzero(p.route_open & ~np.eye(n, dtype=bool))
    at += 3 * n
    flows[src, dst] = arc_tonnes[at : at + src.size]
    return Allocation(flows, sold, bought, welfare_of(p, flows, sold, bought))
