"""Spatial-equilibrium market clearing: one mineral, one supply-chain stage, many countries.

A market is a set of supply offers (blocks of tonnes at a reservation price, each located in a
country), a set of demand bids (tonnes at a willingness to pay, each located in a country) and
the routes between countries (transport cost plus tariff, open or banned, possibly under an
export quota or a licence regime). Clearing maximises welfare (buyers' value minus sellers'
cost minus route cost) and returns the flow matrix and one price per country.

Units: quantities in tonnes, prices and costs in USD/kg, so tonnes x USD/kg = thousand USD;
welfare is in thousand USD.

Method (``clear_markets``): each market becomes a min-cost-flow graph solved exactly (on
integers) by OR-Tools' ``SimpleMinCostFlow``. The arcs of all markets are laid out at once
with numpy (markets padded to common sizes); the solver then runs once per market, which is
faster than one combined graph because its cost scaling multiplies costs by the number of
nodes + 1. Per market, with source S and sink T::

    S -> T                      bypass (unsold supply), cost 0
    S -> out[i]                 one arc per offer, capacity tonnes, cost reservation price
    out[i] -> in[i]             domestic sales, cost route_cost[i, i]
    out[i] -> gate[i]           all foreign sales of i, capacity export_cap[i]
    gate[i] -> in[j]            open, unlicensed route i->j, cost route_cost[i, j]
    gate[i] -> lic[i]           licensed foreign sales of i, capacity licence_cap[i]
    lic[i] -> in[j]             open, licensed route i->j, cost route_cost[i, j]
    in[j] -> T                  one arc per bid, capacity tonnes, cost -willingness to pay

Routes that cannot carry anything (out of a country without supply, into one without bids)
are left out of the solver. Quantities and costs are scaled per market to int64
(``_QTY_RES`` units for the market's largest quantity, ``_COST_RES`` units for its largest
|cost|); capacities are rounded down, so no cap is ever exceeded. Flows are reported back in
tonnes and welfare is recomputed from the real-valued data.

Required bids: first solved as fixed demands of their ``in[j]`` node; if that is infeasible,
the market is solved again with required bids costing an extra -M per tonne (M larger than
twice the cost of any simple path, see ``_big_m``), which serves as much required demand as
possible; the market is infeasible when a required bid is still short (by more than
``_FEAS_RTOL`` of the market's largest quantity).

Prices are node potentials of the residual graph of the optimal flow (no negative cycle at
optimality), computed by a vectorised Bellman-Ford over all markets at once, with S and T
merged into one root of potential 0 (the LP has neither node). The price of country j is
the shortest distance from the root to ``in[j]``: the cost of one more tonne of demand at j,
i.e. the LP dual of its demand balance (the largest one, the right derivative, when the dual
is not unique). Where that is impossible (j can get nothing at all, or only by cutting
required demand, which required bids mark with a cost of +M), the price is the value of one
more tonne in j instead, minus the distance from ``in[j]`` (or, if j's buyers have no use
for it and j has supply, from ``out[j]``) to the root; 0 if neither has a use. For a country
that can get nothing at all this is the highest willingness to pay among its unserved bids,
or 0 if it has none. Residual capacities and flows below ``_PRICE_TOL_UNITS`` are ignored,
so rounding crumbs do not move prices.

``solve_lp`` states the same problem as a linear program for scipy's HiGHS: it is the test
oracle and the benchmark baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.optimize import linprog

__all__ = [
    "MarketClearing",
    "MarketProblem",
    "clear_market",
    "clear_markets",
    "random_problem",
    "reachable",
    "solve_lp",
    "welfare_of",
]

_QTY_RES = 1e9
"""Integer units given to the largest quantity of a market."""
_COST_RES = 1e6
"""Integer units given to the largest |cost| of a market."""
_FEAS_RTOL = 1e-6
"""A required bid short by less than this share of the market's largest quantity is served."""
_PRICE_TOL_UNITS = 1e-6 * _QTY_RES
"""Residual capacities and flows below this many integer units are zero for pricing."""
_INF = np.inf


# --------------------------------------------------------------------------------------------
# Problem and result records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarketProblem:
    """One market to clear: one mineral at one supply-chain stage across n countries.

    Arrays are coerced to their dtypes and validated on construction; a bad input raises
    ``ValueError`` naming the field. Countries are indices ``0..n-1``; the diagonal of the
    route arrays is domestic trade: always open, never licensed, outside the export cap, and
    its cost is ``route_cost[i, i]`` (normally 0).

    Attributes:
        supply_country: int (n_offers,) country of each supply offer (block).
        supply_tonnes: float (n_offers,) tonnes offered, >= 0.
        supply_price: float (n_offers,) reservation price, USD/kg.
        demand_country: int (n_bids,) country of each bid.
        demand_tonnes: float (n_bids,) tonnes wanted, >= 0.
        demand_price: float (n_bids,) willingness to pay, USD/kg.
        demand_required: bool (n_bids,) True = must be served in full (else infeasible).
        route_cost: float (n, n) USD/kg from exporter i to importer j (transport + tariff);
            must be finite on open routes, ignored (may be inf) on closed ones.
        route_open: bool (n, n) False = banned route.
        export_cap: float (n,) cap in tonnes on all foreign sales of exporter i (quota
            including leakage); ``np.inf`` = none.
        licensed: bool (n, n) routes i->j under a licence regime.
        licence_cap: float (n,) cap in tonnes on exporter i's sales over its licensed routes
            (these count inside ``export_cap`` too); ``np.inf`` = none.

    """

    supply_country: np.ndarray
    supply_tonnes: np.ndarray
    supply_price: np.ndarray
    demand_country: np.ndarray
    demand_tonnes: np.ndarray
    demand_price: np.ndarray
    demand_required: np.ndarray
    route_cost: np.ndarray
    route_open: np.ndarray
    export_cap: np.ndarray
    licensed: np.ndarray
    licence_cap: np.ndarray

    def __post_init__(self) -> None:
        """Coerce every field to a numpy array of its dtype, then validate."""
        for name, dtype in _FIELD_DTYPES.items():
            try:
                value = np.array(getattr(self, name), dtype=dtype)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"MarketProblem.{name}: cannot be read as {dtype}: {exc}") from exc
            value.flags.writeable = False
            object.__setattr__(self, name, value)
        self.validate()

    @classmethod
    def trusted(cls, **fields: np.ndarray) -> MarketProblem:
        """A problem from arrays the engine built itself: right dtypes and shapes, not copied or checked."""
        problem = object.__new__(cls)
        for name in _FIELD_DTYPES:
            object.__setattr__(problem, name, fields[name])
        return problem

    @property
    def n_countries(self) -> int:
        """Number of countries n of the market."""
        return int(self.route_cost.shape[0])

    @property
    def n_offers(self) -> int:
        """Number of supply offers."""
        return int(self.supply_tonnes.shape[0])

    @property
    def n_bids(self) -> int:
        """Number of demand bids."""
        return int(self.demand_tonnes.shape[0])

    def validate(self) -> None:
        """Check shapes, ranges and finiteness.

        Raises:
            ValueError: naming the field and what is wrong.

        """
        _check_shapes(self)
        n = self.n_countries
        for name in ("supply_country", "demand_country"):
            idx = getattr(self, name)
            if idx.size and (idx.min() < 0 or idx.max() >= n):
                raise ValueError(f"MarketProblem.{name}: country index outside 0..{n - 1}")
        for name in ("supply_tonnes", "demand_tonnes", "supply_price", "demand_price"):
            if not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"MarketProblem.{name}: NaN or infinite value")
        for name in ("supply_tonnes", "demand_tonnes", "export_cap", "licence_cap"):
            values = getattr(self, name)
            if np.any(np.isnan(values)) or np.any(values < 0):
                raise ValueError(f"MarketProblem.{name}: negative or NaN value")
        usable = self.route_open | np.eye(n, dtype=bool)
        if not np.all(np.isfinite(self.route_cost[usable])):
            raise ValueError("MarketProblem.route_cost: NaN or infinite cost on an open route")


_FIELD_DTYPES: dict[str, type] = {
    "supply_country": np.int64,
    "supply_tonnes": np.float64,
    "supply_price": np.float64,
    "demand_country": np.int64,
    "demand_tonnes": np.float64,
    "demand_price": np.float64,
    "demand_required": np.bool_,
    "route_cost": np.float64,
    "route_open": np.bool_,
    "export_cap": np.float64,
    "licensed": np.bool_,
    "licence_cap": np.float64,
}


def _check_shapes(p: MarketProblem) -> None:
    """Raise ``ValueError`` if the arrays of ``p`` do not have consistent shapes."""
    if p.route_cost.ndim != 2 or p.route_cost.shape[0] != p.route_cost.shape[1]:
        raise ValueError(f"MarketProblem.route_cost: must be (n, n), got {p.route_cost.shape}")
    n = p.route_cost.shape[0]
    if n < 1:
        raise ValueError("MarketProblem.route_cost: a market needs at least one country")
    expected = {
        "supply_country": p.supply_tonnes.shape,
        "supply_price": p.supply_tonnes.shape,
        "demand_country": p.demand_tonnes.shape,
        "demand_price": p.demand_tonnes.shape,
        "demand_required": p.demand_tonnes.shape,
        "route_open": (n, n),
        "licensed": (n, n),
        "export_cap": (n,),
        "licence_cap": (n,),
    }
    for name in ("supply_tonnes", "demand_tonnes"):
        if getattr(p, name).ndim != 1:
            raise ValueError(f"MarketProblem.{name}: must be one-dimensional")
    for name, shape in expected.items():
        got = getattr(p, name).shape
        if got != shape:
            raise ValueError(f"MarketProblem.{name}: shape {got}, expected {shape}")


@dataclass(frozen=True)
class MarketClearing:
    """The cleared market.

    Attributes:
        flows: (n, n) tonnes shipped i->j; the diagonal is domestic sales.
        prices: (n,) clearing price in USD/kg in each country (dual of its demand balance).
        sold: (n_offers,) tonnes sold from each supply offer.
        bought: (n_bids,) tonnes bought by each bid.
        welfare: sum(bid price * bought) - sum(offer price * sold) - sum(route_cost * flows),
            in thousand USD.
        feasible: False if some required bid cannot be fully served.

    """

    flows: np.ndarray
    prices: np.ndarray
    sold: np.ndarray
    bought: np.ndarray
    welfare: float
    feasible: bool


def welfare_of(problem: MarketProblem, flows: np.ndarray, sold: np.ndarray, bought: np.ndarray) -> float:
    """Welfare in thousand USD of a given allocation of ``problem``.

    Args:
        problem: the market.
        flows: (n, n) tonnes shipped.
        sold: (n_offers,) tonnes sold per offer.
        bought: (n_bids,) tonnes bought per bid.

    Returns:
        Buyers' value minus sellers' reservation cost minus route cost.

    """
    route = np.where(flows != 0, problem.route_cost, 0.0)
    return float(problem.demand_price @ bought - problem.supply_price @ sold - np.sum(route * flows))


def clear_market(problem: MarketProblem) -> MarketClearing:
    """Clear a single market (convenience wrapper of :func:`clear_markets`)."""
    return clear_markets([problem])[0]


# --------------------------------------------------------------------------------------------
# Batched, padded representation of many markets
# --------------------------------------------------------------------------------------------


@dataclass
class _Batch:
    """Many markets padded to common sizes, in scaled integer units (stored as int64).

    K markets, N countries, O offers, B bids (the maxima over the markets). Padding offers and
    bids have zero capacity, padding countries have no arc at all.
    """

    n: np.ndarray  # (K,) countries per market
    q_scale: np.ndarray  # (K,) integer units per tonne
    c_scale: np.ndarray  # (K,) integer units per USD/kg
    big_m: np.ndarray  # (K,) big-M of required bids (0 if none)
    total: np.ndarray  # (K,) total offered, integer units
    off_country: np.ndarray  # (K, O)
    off_cap: np.ndarray  # (K, O)
    off_cost: np.ndarray  # (K, O)
    bid_country: np.ndarray  # (K, B)
    bid_cap: np.ndarray  # (K, B)
    bid_cost: np.ndarray  # (K, B) -(wtp + M * required)
    bid_required: np.ndarray  # (K, B) bool
    route_cost: np.ndarray  # (K, N, N) scaled, 0 where unusable
    route_fwd: np.ndarray  # (K, N, N) bool open foreign route, not licensed
    route_lic: np.ndarray  # (K, N, N) bool open foreign route, licensed
    valid: np.ndarray  # (K, N) bool real country
    has_sup: np.ndarray  # (K, N) bool country has an offer with non-zero capacity
    has_bid: np.ndarray  # (K, N) bool country has a bid with non-zero capacity
    export_cap: np.ndarray  # (K, N)
    licence_cap: np.ndarray  # (K, N)
    export_free: np.ndarray  # (K, N) bool: the real export cap exceeds the total supply
    licence_free: np.ndarray  # (K, N) bool: the real licence cap exceeds the total supply


def _pad(values: list[np.ndarray], shape: tuple[int, ...], fill: float, dtype: type) -> np.ndarray:
    """Stack arrays of varying shapes into one padded array."""
    out = np.full((len(values), *shape), fill, dtype=dtype)
    for k, v in enumerate(values):
        out[(k, *(slice(0, s) for s in v.shape))] = v
    return out


@dataclass
class _Raw:
    """The problems padded to common sizes, still in real units."""

    n: np.ndarray  # (K,)
    off_country: np.ndarray  # (K, O)
    off_t: np.ndarray  # (K, O) tonnes, 0 on padding
    off_p: np.ndarray  # (K, O)
    bid_country: np.ndarray  # (K, B)
    bid_t: np.ndarray  # (K, B)
    bid_p: np.ndarray  # (K, B)
    required: np.ndarray  # (K, B)
    route_cost: np.ndarray  # (K, N, N), 0 where unusable (closed or padding)
    foreign: np.ndarray  # (K, N, N) open foreign route
    licensed: np.ndarray  # (K, N, N)
    valid: np.ndarray  # (K, N)
    export_cap: np.ndarray  # (K, N)
    licence_cap: np.ndarray  # (K, N)


def _raw(problems: Sequence[MarketProblem]) -> _Raw:
    """Pad ``problems`` into one :class:`_Raw`."""
    n = np.array([p.n_countries for p in problems], dtype=np.int64)
    nn, oo = int(n.max()), max(p.n_offers for p in problems)
    bb = max(p.n_bids for p in problems)
    valid = np.arange(nn)[None, :] < n[:, None]
    eye = np.eye(nn, dtype=bool)
    foreign = _pad([p.route_open for p in problems], (nn, nn), False, np.bool_) & ~eye
    rc = _pad([p.route_cost for p in problems], (nn, nn), 0.0, np.float64)

    def pad1(name: str, size: int, fill: float, dtype: type) -> np.ndarray:
        return _pad([getattr(p, name) for p in problems], (size,), fill, dtype)

    return _Raw(
        n=n,
        off_country=pad1("supply_country", oo, 0, np.int64),
        off_t=pad1("supply_tonnes", oo, 0.0, np.float64),
        off_p=pad1("supply_price", oo, 0.0, np.float64),
        bid_country=pad1("demand_country", bb, 0, np.int64),
        bid_t=pad1("demand_tonnes", bb, 0.0, np.float64),
        bid_p=pad1("demand_price", bb, 0.0, np.float64),
        required=pad1("demand_required", bb, False, np.bool_),
        route_cost=np.where(foreign | (eye & valid[:, :, None]), rc, 0.0),
        foreign=foreign,
        licensed=_pad([p.licensed for p in problems], (nn, nn), False, np.bool_) & ~eye,
        valid=valid,
        export_cap=pad1("export_cap", nn, 0.0, np.float64),
        licence_cap=pad1("licence_cap", nn, 0.0, np.float64),
    )


def _batch(problems: Sequence[MarketProblem]) -> _Batch:
    """Scale and pad ``problems`` into one :class:`_Batch`."""
    r = _raw(problems)
    tot_t = r.off_t.sum(axis=1)
    # Bids beyond twice the total supply are clipped (they stay unsaturated either way); with
    # no supply at all, the bids set the scale.
    bid_clip = np.where(tot_t > 0, 2.0 * tot_t, _INF)[:, None]
    bid_t = np.minimum(r.bid_t, bid_clip)
    caps = np.minimum(np.concatenate([r.export_cap, r.licence_cap], axis=1), tot_t[:, None])
    q_max = np.maximum.reduce([r.off_t.max(axis=1, initial=0.0), bid_t.max(axis=1, initial=0.0)])
    q_max = np.maximum(q_max, caps.max(axis=1, initial=0.0))
    qs = _QTY_RES / np.where(q_max > 0, q_max, 1.0)
    c_off = np.abs(r.off_p).max(axis=1, initial=0.0)
    c_bid = np.abs(r.bid_p).max(axis=1, initial=0.0)
    c_route = np.abs(r.route_cost).max(axis=(1, 2), initial=0.0)
    c_max = np.maximum.reduce([c_off, c_bid, c_route])
    cs = _COST_RES / np.where(c_max > 0, c_max, _COST_RES)
    big_m = _big_m(c_off * cs, c_bid * cs, c_route * cs, r.n, r.required.any(axis=1))
    off_cap = np.floor(r.off_t * qs[:, None]).astype(np.int64)
    total = off_cap.sum(axis=1)
    bid_cap = np.floor(bid_t * qs[:, None]).astype(np.int64)
    bid_cost = -np.rint(r.bid_p * cs[:, None]).astype(np.int64) - big_m[:, None] * r.required
    nn = r.valid.shape[1]
    return _Batch(
        n=r.n,
        q_scale=qs,
        c_scale=cs,
        big_m=big_m,
        total=total,
        off_country=r.off_country,
        off_cap=off_cap,
        off_cost=np.rint(r.off_p * cs[:, None]).astype(np.int64),
        bid_country=r.bid_country,
        bid_cap=bid_cap,
        bid_cost=bid_cost,
        bid_required=r.required,
        route_cost=np.rint(r.route_cost * cs[:, None, None]).astype(np.int64),
        route_fwd=r.foreign & ~r.licensed,
        route_lic=r.foreign & r.licensed,
        valid=r.valid,
        has_sup=_has_any(r.off_country, off_cap > 0, nn),
        has_bid=_has_any(r.bid_country, bid_cap > 0, nn),
        export_cap=_scaled_caps(r.export_cap, qs, tot_t, total),
        licence_cap=_scaled_caps(r.licence_cap, qs, tot_t, total),
        export_free=r.export_cap > tot_t[:, None],
        licence_free=r.licence_cap > tot_t[:, None],
    )


def _big_m(
    c_off: np.ndarray, c_bid: np.ndarray, c_route: np.ndarray, n: np.ndarray, needed: np.ndarray
) -> np.ndarray:
    """(K,) integer big-M of required bids, 0 where a market has none.

    A simple path or cycle of a market's residual graph meets S and T at most once each (at
    most two offer arcs and two bid arcs) and each in[j] node at most once (at most two route
    arcs per country), so the part of its cost that is not a multiple of M is at most
    ``L = 2 c_off + 2 c_bid + 2 n c_route``. With ``M > 2 L`` serving required demand always
    wins and a distance ``x + k M`` decodes uniquely to ``x``.
    """
    bound = 2.0 * (np.ceil(c_off) + np.ceil(c_bid) + n * np.ceil(c_route) + 1.0)
    return np.where(needed, 2 * bound.astype(np.int64) + 1, 0)


def _has_any(country: np.ndarray, member: np.ndarray, nn: int) -> np.ndarray:
    """(K, N) bool: some member (offer or bid) sits in the country."""
    out = np.zeros((country.shape[0], nn), dtype=bool)
    kk = np.broadcast_to(np.arange(country.shape[0])[:, None], country.shape)
    out[kk[member], country[member]] = True
    return out


def _scaled_caps(caps: np.ndarray, qs: np.ndarray, tot_t: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Scale (K, N) per-country caps to integers, bounded by the market's total supply."""
    real = np.minimum(caps, tot_t[:, None])
    return np.minimum(np.floor(real * qs[:, None]).astype(np.int64), total[:, None])


# --------------------------------------------------------------------------------------------
# The min-cost-flow graph
# --------------------------------------------------------------------------------------------


@dataclass
class _Graph:
    """Arc arrays of all markets, sorted by market, with local node ids per market.

    ``groups`` maps each arc group to the mask that selects its arcs in the padded batch
    arrays and to its positions in the unsorted concatenation; ``order`` sorts that
    concatenation by market and ``bounds[k]:bounds[k + 1]`` is market k's arc range.
    """

    tails: np.ndarray  # int32, sorted by market, local node ids
    heads: np.ndarray
    caps: np.ndarray  # int64
    costs: np.ndarray  # int64
    order: np.ndarray  # sorted position -> unsorted position
    bounds: np.ndarray  # (K + 1,)
    groups: dict[str, tuple[np.ndarray, slice]]
    required: np.ndarray  # bool, sorted: the arc is a required bid
    fast_caps: np.ndarray  # caps with required bid arcs at 0
    fast_costs: np.ndarray  # costs with required bid arcs at 0
    fast_supplies: np.ndarray  # (K, n_nodes) supplies with required demand fixed at in[j]
    n: np.ndarray  # (K,) countries per market


def _node_ids(n: np.ndarray, nn: int) -> dict[str, np.ndarray | int]:
    """Local node ids in each market: S, T and (K, N) out, gate, lic, in.

    Ids depend on the market's own number of countries only (not on the padding), so a
    market gets the same graph, hence the same flows, whatever batch it is cleared in.
    """
    col = np.arange(nn, dtype=np.int64)[None, :]
    n = n[:, None]
    return {
        "S": 0,
        "T": 1,
        "out": 2 + col,
        "gate": 2 + n + col,
        "lic": 2 + 2 * n + col,
        "in": 2 + 3 * n + col,
    }


def _arc_specs(b: _Batch) -> dict[str, tuple[np.ndarray, ...]]:
    """Per arc group: (mask, tail, head, capacity, cost), all broadcastable to the mask.

    Arcs that can never carry flow (routes out of a country without supply or into a country
    without bids) are left out of the solver; the price computation still sees them.
    """
    k_count, nn = b.valid.shape
    ids = _node_ids(b.n, nn)
    full = b.total[:, None]
    has_lic = b.route_lic.any(axis=2) & b.has_sup
    trade = b.has_sup[:, :, None] & b.has_bid[:, None, :]
    exports = (b.route_fwd | b.route_lic) & trade
    zero = np.zeros((1, 1), dtype=np.int64)
    out_of = np.take_along_axis(ids["out"], b.off_country, axis=1)
    into = np.take_along_axis(ids["in"], b.bid_country, axis=1)
    return {
        "bypass": (np.ones(k_count, bool), ids["S"], ids["T"], b.total, zero[0]),
        "offer": (b.off_cap > 0, ids["S"], out_of, b.off_cap, b.off_cost),
        "domestic": (b.has_sup & b.has_bid, ids["out"], ids["in"], full, _diag(b.route_cost)),
        "export": (exports.any(axis=2), ids["out"], ids["gate"], b.export_cap, zero),
        "licence": (has_lic, ids["gate"], ids["lic"], b.licence_cap, zero),
        "route": (
            b.route_fwd & trade,
            ids["gate"][:, :, None],
            ids["in"][:, None, :],
            full[:, :, None],
            b.route_cost,
        ),
        "route_lic": (
            b.route_lic & trade,
            ids["lic"][:, :, None],
            ids["in"][:, None, :],
            full[:, :, None],
            b.route_cost,
        ),
        "bid": (b.bid_cap > 0, into, ids["T"], b.bid_cap, b.bid_cost),
    }


def _diag(a: np.ndarray) -> np.ndarray:
    """(K, N) diagonals of a (K, N, N) array."""
    return np.diagonal(a, axis1=1, axis2=2)


def _build_graph(b: _Batch) -> _Graph:
    """Lay out every arc group of every market as flat arrays sorted by market."""
    parts: list[tuple[np.ndarray, ...]] = []
    groups: dict[str, tuple[np.ndarray, slice]] = {}
    start = 0
    for name, (mask, *fields) in _arc_specs(b).items():
        mask = np.asarray(mask, dtype=bool)
        market = np.broadcast_to(np.arange(mask.shape[0]).reshape((-1,) + (1,) * (mask.ndim - 1)), mask.shape)
        arrays = tuple(np.broadcast_to(a, mask.shape)[mask] for a in (market, *fields))
        groups[name] = (mask, slice(start, start + arrays[0].size))
        start += arrays[0].size
        parts.append(arrays)
    market, tails, heads, caps, costs = (np.concatenate([p[i] for p in parts]) for i in range(5))
    required = np.zeros(market.size, dtype=bool)
    bid_mask, bid_arcs = groups["bid"]
    required[bid_arcs] = b.bid_required[bid_mask]
    order = np.argsort(market, kind="stable")
    bounds = np.searchsorted(market[order], np.arange(b.valid.shape[0] + 1))
    caps, costs, required = caps[order], costs[order], required[order]
    return _Graph(
        tails=tails[order].astype(np.int32),
        heads=heads[order].astype(np.int32),
        caps=caps.astype(np.int64),
        costs=costs.astype(np.int64),
        order=order,
        bounds=bounds,
        groups=groups,
        required=required,
        fast_caps=np.where(required, 0, caps).astype(np.int64),
        fast_costs=np.where(required, 0, costs).astype(np.int64),
        fast_supplies=_fast_supplies(b, market[order], tails[order], caps, required),
        n=b.n,
    )


def _fast_supplies(
    b: _Batch, market: np.ndarray, tails: np.ndarray, caps: np.ndarray, required: np.ndarray
) -> np.ndarray:
    """(K, n_nodes) node supplies when required bids are fixed demands at their in[j] node."""
    k_count, nn = b.valid.shape
    supplies = np.zeros((k_count, 4 * nn + 2), dtype=np.int64)
    np.add.at(supplies, (market[required], tails[required]), -caps[required])
    fixed = -supplies.sum(axis=1)
    supplies[:, 0] = b.total
    supplies[:, 1] = fixed - b.total
    return supplies


def _solve_graph(g: _Graph, total: np.ndarray) -> np.ndarray:
    """Solve every market's min-cost flow; return the flow on every arc (unsorted order).

    One solver per market is faster than one combined graph: the solver's cost scaling
    multiplies costs by the number of nodes + 1, so smaller graphs need fewer phases.
    """
    sorted_flow = np.empty(g.tails.size, dtype=np.int64)
    for k in range(total.size):
        lo, hi = int(g.bounds[k]), int(g.bounds[k + 1])
        sorted_flow[lo:hi] = _solve_market(g, k, slice(lo, hi), int(total[k]))
    flow = np.empty_like(sorted_flow)
    flow[g.order] = sorted_flow
    return flow


def _solve_market(g: _Graph, k: int, arcs: slice, total: int) -> np.ndarray:
    """Flows of one market's arcs.

    Fast path: required bids become fixed demands of their in[j] node (their arc gets zero
    capacity and is reported full), which keeps big-M out of the solver's cost range (fewer
    cost-scaling phases). If that is infeasible, the big-M formulation gives the flow that
    serves as much required demand as possible.
    """
    required = g.required[arcs]
    if required.any():
        n_nodes = 4 * int(g.n[k]) + 2
        nodes = np.arange(n_nodes, dtype=np.int32)
        flow = _run_solver(
            g, arcs, g.fast_caps[arcs], g.fast_costs[arcs], nodes, g.fast_supplies[k, :n_nodes]
        )
        if flow is not None:
            flow[required] = g.caps[arcs][required]
            return flow
    terminals = np.array([0, 1], dtype=np.int32)
    supplies = np.array([total, -total], dtype=np.int64)
    flow = _run_solver(g, arcs, g.caps[arcs], g.costs[arcs], terminals, supplies)
    if flow is None:
        raise RuntimeError(f"min-cost flow of market {k} is infeasible (bypass arc missing?)")
    return flow


def _run_solver(
    g: _Graph,
    arcs: slice,
    caps: np.ndarray,
    costs: np.ndarray,
    nodes: np.ndarray,
    supplies: np.ndarray,
) -> np.ndarray | None:
    """Run OR-Tools on one market; None if infeasible.

    Raises:
        RuntimeError: on any other non-optimal status (e.g. int64 range problems).

    """
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(g.tails[arcs], g.heads[arcs], caps, costs)
    smcf.set_nodes_supplies(nodes, supplies)
    status = smcf.solve()
    if status == smcf.INFEASIBLE:
        return None
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(smcf.flows(np.arange(caps.size, dtype=np.int32)), dtype=np.int64)


@dataclass
class _Flows:
    """Arc flows (integer units) scattered back onto the padded batch layout."""

    bypass: np.ndarray  # (K,)
    offer: np.ndarray  # (K, O)
    domestic: np.ndarray  # (K, N)
    export: np.ndarray  # (K, N)
    licence: np.ndarray  # (K, N)
    route: np.ndarray  # (K, N, N)
    route_lic: np.ndarray  # (K, N, N)
    bid: np.ndarray  # (K, B)


def _scatter(g: _Graph, arc_flow: np.ndarray) -> _Flows:
    """Map the flat arc flows back onto the padded arrays of each arc group."""
    out = {}
    for name, (mask, arcs) in g.groups.items():
        values = np.zeros(mask.shape, dtype=np.int64)
        values[mask] = arc_flow[arcs]
        out[name] = values
    return _Flows(**out)


# --------------------------------------------------------------------------------------------
# Prices: shortest paths from S in the residual graph (vectorised Bellman-Ford)
# --------------------------------------------------------------------------------------------


def _where(cond: np.ndarray, value: np.ndarray | float) -> np.ndarray:
    """``value`` where ``cond`` holds (a residual arc exists), +inf elsewhere."""
    return np.where(cond, value, _INF)


def _group_min(k_count: int, nn: int, country: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """(K, N) minimum of ``cost`` over offers or bids grouped by their country (+inf if none)."""
    out = np.full((k_count, nn), _INF)
    kk = np.broadcast_to(np.arange(k_count)[:, None], country.shape)
    np.minimum.at(out, (kk.ravel(), country.ravel()), cost.ravel())
    return out


@dataclass
class _Residual:
    """Residual arc costs (float, +inf = no residual arc) of the whole batch.

    S and T are merged into one root of potential 0 (the LP has neither: offers and bids are
    bounded variables), so arcs into or out of them become per-country constants. The reverse
    route arcs (routes with flow) are few and kept as a sparse list from ``in`` (flat index
    into a (K, N) array) to ``gate`` or ``lic`` (flat index into the (K, 2, N) stack of both).
    """

    offer_in: np.ndarray  # (K, N) S -> out[i]: cheapest unsold offer
    offer_out: np.ndarray  # (K, N) out[i] -> S: minus the dearest sold offer
    dom_fwd: np.ndarray  # (K, N) out[i] -> in[i]
    dom_rev: np.ndarray  # (K, N) in[i] -> out[i]
    exp_fwd: np.ndarray  # (K, N) out -> gate, cost 0
    exp_rev: np.ndarray  # (K, N) gate -> out, cost 0
    lic_fwd: np.ndarray  # (K, N) gate -> lic
    lic_rev: np.ndarray  # (K, N) lic -> gate
    route_fwd: np.ndarray  # (K, N, N) gate[i] or lic[i] -> in[j]
    route_is_lic: np.ndarray  # (K, N, N) bool: the route leaves from lic[i], not gate[i]
    rev_from: np.ndarray  # (R,) flat index of in[j]
    rev_to: np.ndarray  # (R,) flat index of gate[i] or lic[i]
    rev_cost: np.ndarray  # (R,) -route cost
    bid_fwd: np.ndarray  # (K, N) in[j] -> T: cheapest unsaturated bid (-max wtp)
    bid_rev: np.ndarray  # (K, N) T -> in[j]: cheapest served bid (min wtp)


def _residual(b: _Batch, f: _Flows) -> _Residual:
    """Residual arc costs of the optimal flow ``f`` (the full graph, pruned arcs included).

    Residual capacities and flows below ``_PRICE_TOL_UNITS`` count as zero: rounding tonnes
    to integers leaves a few units here and there, which must not turn an exactly cleared
    market (supply = demand) into one with spare supply.
    """
    k_count, nn = b.valid.shape
    tol = _PRICE_TOL_UNITS
    rc = b.route_cost.astype(np.float64)
    diag = _diag(rc)
    bid_cost = b.bid_cost.astype(np.float64)
    off_cost = b.off_cost.astype(np.float64)
    k_i, i_i, j_i = np.nonzero(f.route + f.route_lic > tol)
    is_lic = b.route_lic[k_i, i_i, j_i]
    has_lic = b.route_lic.any(axis=2)
    exp_room = (f.export < b.export_cap - tol) | b.export_free
    lic_room = (f.licence < b.licence_cap - tol) | b.licence_free
    return _Residual(
        offer_in=_group_min(k_count, nn, b.off_country, _where(f.offer < b.off_cap - tol, off_cost)),
        offer_out=_group_min(k_count, nn, b.off_country, _where(f.offer > tol, -off_cost)),
        dom_fwd=_where(b.valid, diag),
        dom_rev=_where(f.domestic > tol, -diag),
        exp_fwd=_where(b.valid & exp_room, 0.0),
        exp_rev=_where(f.export > tol, 0.0),
        lic_fwd=_where(has_lic & lic_room, 0.0),
        lic_rev=_where(f.licence > tol, 0.0),
        route_fwd=_where(b.route_fwd | b.route_lic, rc),
        route_is_lic=b.route_lic,
        rev_from=k_i * nn + j_i,
        rev_to=(2 * k_i + is_lic) * nn + i_i,
        rev_cost=-rc[k_i, i_i, j_i],
        bid_fwd=_group_min(k_count, nn, b.bid_country, _where(f.bid < b.bid_cap - tol, bid_cost)),
        bid_rev=_group_min(k_count, nn, b.bid_country, _where(f.bid > tol, -bid_cost)),
    )


def _converged(before: tuple[np.ndarray, ...], after: tuple[np.ndarray, ...]) -> bool:
    """True if a sweep changed nothing."""
    return all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))


def _distances_from_root(r: _Residual, max_sweeps: int) -> np.ndarray:
    """(K, N) shortest distances from the root (S = T) to every in[j], +inf if unreachable.

    Bellman-Ford vectorised over all markets. Each sweep relaxes the layers backward
    (in -> gate/lic -> out, along reverse arcs) then forward (out -> gate -> lic -> in).

    Raises:
        RuntimeError: if it does not converge (a negative cycle: the flow is not optimal).

    """
    k_count, nn = r.offer_in.shape
    d_out = r.offer_in.copy()
    gl = np.full((k_count, 2, nn), _INF)
    d_gate, d_lic, gl_flat = gl[:, 0], gl[:, 1], gl.reshape(-1)
    d_in = r.bid_rev.copy()
    for _ in range(max_sweeps):
        before = (d_out.copy(), gl.copy(), d_in.copy())
        np.minimum.at(gl_flat, r.rev_to, d_in.reshape(-1)[r.rev_from] + r.rev_cost)
        np.minimum(d_gate, d_lic + r.lic_rev, out=d_gate)
        np.minimum(d_out, np.minimum(d_in + r.dom_rev, d_gate + r.exp_rev), out=d_out)
        np.minimum(d_gate, d_out + r.exp_fwd, out=d_gate)
        np.minimum(d_lic, d_gate + r.lic_fwd, out=d_lic)
        src = np.where(r.route_is_lic, d_lic[:, :, None], d_gate[:, :, None])
        np.minimum(d_in, (src + r.route_fwd).min(axis=1), out=d_in)
        np.minimum(d_in, d_out + r.dom_fwd, out=d_in)
        if _converged(before, (d_out, gl, d_in)):
            return d_in
    raise RuntimeError("price computation did not converge: the flow is not optimal")


def _distances_to_root(r: _Residual, max_sweeps: int) -> tuple[np.ndarray, np.ndarray]:
    """(K, N) shortest distances from every in[j] and every out[i] to the root (S = T).

    +inf where there is no path.

    Raises:
        RuntimeError: if it does not converge (a negative cycle: the flow is not optimal).

    """
    k_count, nn = r.offer_in.shape
    e_in = r.bid_fwd.copy()
    e_out = r.offer_out.copy()
    gl = np.full((k_count, 2, nn), _INF)
    e_gate, e_lic, gl_flat = gl[:, 0], gl[:, 1], gl.reshape(-1)
    e_in_flat = e_in.reshape(-1)
    for _ in range(max_sweeps):
        before = (e_out.copy(), gl.copy(), e_in.copy())
        via_in = r.route_fwd + e_in[:, None, :]
        np.minimum(e_gate, np.where(r.route_is_lic, _INF, via_in).min(axis=2), out=e_gate)
        np.minimum(e_lic, np.where(r.route_is_lic, via_in, _INF).min(axis=2), out=e_lic)
        np.minimum(e_gate, e_lic + r.lic_fwd, out=e_gate)
        np.minimum(e_out, np.minimum(e_in + r.dom_fwd, e_gate + r.exp_fwd), out=e_out)
        np.minimum(e_gate, e_out + r.exp_rev, out=e_gate)
        np.minimum(e_lic, e_gate + r.lic_rev, out=e_lic)
        np.minimum.at(e_in_flat, r.rev_from, gl_flat[r.rev_to] + r.rev_cost)
        np.minimum(e_in, e_out + r.dom_rev, out=e_in)
        if _converged(before, (e_out, gl, e_in)):
            return e_in, e_out
    raise RuntimeError("price computation did not converge: the flow is not optimal")


def _decode(x: np.ndarray, big_m: np.ndarray) -> np.ndarray:
    """Remove the multiples of each market's big-M from finite distances."""
    m = big_m.astype(np.float64)[:, None]
    finite = np.isfinite(x) & (m > 0)
    shift = np.rint(np.where(finite, x, 0.0) / np.where(m > 0, m, 1.0))
    return x - shift * m


def _prices(b: _Batch, r: _Residual) -> np.ndarray:
    """(K, N) prices in USD/kg.

    Where one more tonne of demand at in[j] can be met without cutting required demand: its
    cost (the distance from the root to in[j]). Elsewhere the value of one more tonne there
    (minus a distance to the root): arriving for its buyers at in[j], or, if they have no
    use for it, offered by its sellers at out[j] (only if j has supply); 0 if neither.
    """
    max_sweeps = 4 * b.valid.shape[1] + 4
    d_in = _distances_from_root(r, max_sweeps)
    half_m = np.where(b.big_m > 0, b.big_m / 2.0, _INF)[:, None]
    bad = ~(d_in < half_m)
    prices = np.where(bad, 0.0, d_in)
    if bad.any():
        prices = np.where(bad, _fallback_values(b, r, bad, max_sweeps), prices)
    return prices / b.c_scale[:, None]


def _fallback_values(b: _Batch, r: _Residual, bad: np.ndarray, max_sweeps: int) -> np.ndarray:
    """(K, N) value of one more tonne in each country (see :func:`_prices`), scaled units."""
    # A country without inflow and without supply can only use a tonne for its unserved bids.
    inflow = np.isfinite(r.dom_rev[bad]).any() or bad.reshape(-1)[r.rev_from].any()
    if inflow or b.has_sup[bad].any():
        e_in, e_out = _distances_to_root(r, max_sweeps)
    else:
        e_in, e_out = r.bid_fwd, np.full_like(r.bid_fwd, _INF)
    value = -_decode(e_in, b.big_m)
    seller = -_decode(e_out, b.big_m)
    value = np.where(np.isfinite(value), value, np.where(b.has_sup, seller, _INF))
    return np.where(np.isfinite(value), value, 0.0)


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def clear_markets(problems: Sequence[MarketProblem]) -> list[MarketClearing]:
    """Clear many markets in one call (the engine calls this once per turn).

    Arcs are built for all markets at once, the min-cost flow is solved market by market and
    prices come from one vectorised Bellman-Ford over all markets. A market's result does not
    depend on the other markets of the batch. See the module docstring for the method.

    Args:
        problems: the markets to clear.

    Returns:
        One :class:`MarketClearing` per problem, in order.

    Raises:
        RuntimeError: if the solver fails (a bug, or data too extreme for int64 scaling).

    """
    if not problems:
        return []
    batch = _batch(problems)
    graph = _build_graph(batch)
    flows = _scatter(graph, _solve_graph(graph, batch.total))
    prices = _prices(batch, _residual(batch, flows))
    return [_result(p, batch, flows, prices, k) for k, p in enumerate(problems)]


def _result(p: MarketProblem, b: _Batch, f: _Flows, prices: np.ndarray, k: int) -> MarketClearing:
    """Unscale market ``k`` of the batch into a :class:`MarketClearing`."""
    n, q = p.n_countries, b.q_scale[k]
    flows = (f.route[k, :n, :n] + f.route_lic[k, :n, :n]).astype(np.float64)
    flows[np.arange(n), np.arange(n)] = f.domestic[k, :n]
    flows /= q
    sold = f.offer[k, : p.n_offers] / q
    bought = f.bid[k, : p.n_bids] / q
    slack = _FEAS_RTOL * _QTY_RES / q
    feasible = not np.any(p.demand_required & (p.demand_tonnes - bought > slack))
    return MarketClearing(
        flows=flows,
        prices=prices[k, :n].copy(),
        sold=sold,
        bought=bought,
        welfare=welfare_of(p, flows, sold, bought),
        feasible=feasible,
    )


def _fallback_price(p: MarketProblem, bought: np.ndarray) -> np.ndarray:
    """(n,) highest willingness to pay among each country's unserved bids (0 if none)."""
    best = np.full(p.n_countries, -_INF)
    unserved = (p.demand_tonnes > 0) & (bought < p.demand_tonnes)
    np.maximum.at(best, p.demand_country[unserved], p.demand_price[unserved])
    return np.where(np.isfinite(best), best, 0.0)


def reachable(problem: MarketProblem) -> np.ndarray:
    """(n,) bool: countries that some offer can reach over an open, non-zero-capacity route.

    A country outside this set can get nothing at all; its price follows the fallback rule
    (highest willingness to pay among its unserved bids, 0 if it has no bids).
    """
    n = problem.n_countries
    has = np.bincount(problem.supply_country, problem.supply_tonnes, minlength=n) > 0
    foreign = problem.route_open & ~np.eye(n, dtype=bool)
    gate_ok = (problem.export_cap > 0)[:, None] & (~problem.licensed | (problem.licence_cap > 0)[:, None])
    return has | np.any(has[:, None] & foreign & gate_ok, axis=0)


# --------------------------------------------------------------------------------------------
# The linear-programming oracle
# --------------------------------------------------------------------------------------------


def _lp_matrices(p: MarketProblem) -> tuple[np.ndarray, ...]:
    """Variables, objective, constraints and bounds of the LP of ``p``.

    Variables: sold (n_offers), bought (n_bids), then one flow per open route (incl. domestic).
    """
    n, n_off, n_bid = p.n_countries, p.n_offers, p.n_bids
    usable = p.route_open | np.eye(n, dtype=bool)
    src, dst = np.nonzero(usable)
    n_var = n_off + n_bid + src.size
    fcol = n_off + n_bid + np.arange(src.size)
    rows = np.concatenate([p.supply_country, src, n + dst, n + p.demand_country])
    cols = np.concatenate([np.arange(n_off), fcol, fcol, n_off + np.arange(n_bid)])
    vals = np.concatenate([np.ones(n_off), -np.ones(src.size), np.ones(src.size), -np.ones(n_bid)])
    a_eq = sparse.csr_array((vals, (rows, cols)), shape=(2 * n, n_var))
    a_ub, b_ub = _lp_caps(p, src, dst, fcol, n_var)
    cost = np.concatenate([p.supply_price, -p.demand_price, p.route_cost[src, dst]])
    low = np.concatenate([np.zeros(n_off), np.where(p.demand_required, p.demand_tonnes, 0.0)])
    high = np.concatenate([p.supply_tonnes, p.demand_tonnes])
    bounds = np.column_stack(
        [np.concatenate([low, np.zeros(src.size)]), np.concatenate([high, np.full(src.size, _INF)])]
    )
    return cost, a_ub, b_ub, a_eq, np.zeros(2 * n), bounds, src, dst


def _lp_caps(
    p: MarketProblem, src: np.ndarray, dst: np.ndarray, fcol: np.ndarray, n_var: int
) -> tuple[sparse.csr_array | None, np.ndarray | None]:
    """Export-cap and licence-cap rows (finite caps only)."""
    foreign = src != dst
    rows_c: list[np.ndarray] = []
    cols_c: list[np.ndarray] = []
    rhs: list[float] = []
    for cap, member in (
        (p.export_cap, foreign),
        (p.licence_cap, foreign & p.licensed[src, dst]),
    ):
        for i in np.nonzero(np.isfinite(cap))[0]:
            sel = member & (src == i)
            if sel.any():
                rows_c.append(np.full(int(sel.sum()), len(rhs)))
                cols_c.append(fcol[sel])
                rhs.append(float(cap[i]))
    if not rhs:
        return None, None
    rows, cols = np.concatenate(rows_c), np.concatenate(cols_c)
    a_ub = sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(len(rhs), n_var))
    return a_ub, np.array(rhs)


def solve_lp(problem: MarketProblem, extra_demand: np.ndarray | None = None) -> MarketClearing:
    """Clear ``problem`` as a linear program with scipy's HiGHS (the test oracle).

    Prices are the marginals of the demand-balance rows ``inflow_j - bought_j = extra_j``:
    raising the right-hand side by one tonne is one more tonne of demand at j, so the marginal
    of the minimised cost is the price (no sign flip). Where several duals exist HiGHS returns
    one of them, which need not be the one :func:`clear_markets` reports; countries that no
    offer can reach get the same fallback price as there.

    Args:
        problem: the market.
        extra_demand: optional (n,) tonnes of demand added at each country's demand balance
            (served whatever it costs, worth nothing): finite differences of the welfare in it
            give the marginal cost of demand, which the tests compare with the prices.

    Returns:
        The clearing. An infeasible problem returns zero flows, NaN prices, NaN welfare and
        ``feasible=False``.

    Raises:
        RuntimeError: if HiGHS ends with a status other than optimal or infeasible.

    """
    p = problem
    n = p.n_countries
    cost, a_ub, b_ub, a_eq, b_eq, bounds, src, dst = _lp_matrices(p)
    if extra_demand is not None:
        b_eq[n:] = extra_demand
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status == 2:
        return MarketClearing(
            flows=np.zeros((n, n)),
            prices=np.full(n, np.nan),
            sold=np.zeros(p.n_offers),
            bought=np.zeros(p.n_bids),
            welfare=float("nan"),
            feasible=False,
        )
    if res.status != 0:
        raise RuntimeError(f"linprog failed: {res.message}")
    x = np.maximum(res.x, 0.0)
    sold, bought = x[: p.n_offers], x[p.n_offers : p.n_offers + p.n_bids]
    flows = np.zeros((n, n))
    flows[src, dst] = x[p.n_offers + p.n_bids :]
    prices = np.where(reachable(p), res.eqlin.marginals[n:], _fallback_price(p, bought))
    return MarketClearing(
        flows=flows,
        prices=prices,
        sold=sold,
        bought=bought,
        welfare=welfare_of(p, flows, sold, bought),
        feasible=True,
    )


# --------------------------------------------------------------------------------------------
# Random instances (tests, benchmarks, the CLI's bench command)
# --------------------------------------------------------------------------------------------


def random_problem(rng: np.random.Generator, n_countries: int) -> MarketProblem:
    """Draw a realistic random market of ``n_countries`` countries.

    A few producers hold most supply (Zipf-like shares, 2-8 cost blocks each: about 60-110
    blocks for 30 countries); every country bids 1-4 blocks, some of them required; routes
    cost transport by distance plus occasional tariffs; about 4% of routes are banned, a few
    exporters have a quota (with leakage) and a few a licence regime on most destinations.

    Args:
        rng: the generator all draws come from.
        n_countries: number of countries (>= 1).

    Returns:
        A valid :class:`MarketProblem`.

    """
    n = n_countries
    base = float(rng.uniform(5.0, 60.0))  # USD/kg reference price of the mineral
    s_country, s_tonnes, s_price = _random_supply(rng, n, base)
    d_country, d_tonnes, d_price, d_req = _random_demand(rng, n, base, s_tonnes.sum())
    xy = rng.uniform(0.0, 1.0, size=(n, 2))
    dist = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=2)
    tariff = np.where(rng.random((n, n)) < 0.15, rng.uniform(0.02, 0.25, (n, n)) * base, 0.0)
    route_cost = base * (0.01 + 0.05 * dist) + tariff
    np.fill_diagonal(route_cost, 0.0)
    route_open = rng.random((n, n)) > 0.04
    np.fill_diagonal(route_open, True)
    produced = np.bincount(s_country, s_tonnes, minlength=n)
    quota = rng.random(n) < 0.1
    leak = rng.uniform(0.0, 0.1, n)
    export_cap = np.where(quota, produced * rng.uniform(0.1, 0.6, n) * (1.0 + leak), _INF)
    regime = rng.random(n) < 0.1
    licensed = regime[:, None] & (rng.random((n, n)) < 0.8)
    np.fill_diagonal(licensed, False)
    licence_cap = np.where(regime, produced * rng.uniform(0.0, 0.5, n), _INF)
    return MarketProblem(
        supply_country=s_country,
        supply_tonnes=s_tonnes,
        supply_price=s_price,
        demand_country=d_country,
        demand_tonnes=d_tonnes,
        demand_price=d_price,
        demand_required=d_req,
        route_cost=route_cost,
        route_open=route_open,
        export_cap=export_cap,
        licensed=licensed,
        licence_cap=licence_cap,
    )


def _random_supply(
    rng: np.random.Generator, n: int, base: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Supply blocks: few producers, Zipf-like shares, rising cost curve per producer."""
    n_prod = max(1, int(np.ceil(n * rng.uniform(0.2, 0.6))))
    producers = rng.choice(n, size=n_prod, replace=False)
    share = 1.0 / np.arange(1, n_prod + 1) ** rng.uniform(0.8, 1.5)
    blocks = rng.integers(2, 9, size=n_prod)
    country = np.repeat(producers, blocks)
    tonnes = np.repeat(share / blocks, blocks) * 1e5 * rng.lognormal(0.0, 0.4, country.size)
    cost_level = np.repeat(rng.lognormal(-0.2, 0.25, n_prod), blocks)
    step = np.concatenate([np.sort(rng.lognormal(0.0, 0.2, b)) for b in blocks])
    return country, tonnes, base * cost_level * step


def _random_demand(
    rng: np.random.Generator, n: int, base: float, total_supply: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Demand bids: every country 1-4 bids, size by a lognormal economy size, ~8% required."""
    per = rng.integers(1, 5, size=n)
    country = np.repeat(np.arange(n), per)
    size = np.repeat(rng.lognormal(0.0, 1.0, n), per)
    tonnes = size * rng.lognormal(0.0, 0.5, country.size)
    tonnes *= total_supply * rng.uniform(0.6, 1.3) / tonnes.sum()
    price = base * rng.lognormal(0.15, 0.4, country.size)
    required = rng.random(country.size) < 0.08
    tonnes = np.where(required, tonnes * 0.2, tonnes)
    return country, tonnes, price, required
