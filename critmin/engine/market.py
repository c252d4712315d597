"""Spatial-equilibrium market clearing: one mineral, one supply-chain stage, many countries.

A market is a set of supply offers (blocks of tonnes at a reservation price, each located in a
country), a set of demand bids (tonnes at a willingness to pay, each located in a country) and
the routes between countries (transport cost plus tariff, open or banned, possibly under an
export quota or a licence regime). Clearing maximises welfare (buyers' value minus sellers'
cost minus route cost) and returns the flow matrix and one price per country.

Units: quantities in tonnes, prices and costs in USD/kg, so tonnes x USD/kg = thousand USD;
welfare is in thousand USD.

Method (``clear_markets``): one compiled call (numba, :mod:`critmin.engine.flow`) clears every
market of the batch, each on its own, as an exact min-cost flow on integers (a large batch on
two threads, each clearing the markets it claims: :mod:`critmin.engine.parallel_clearing`). Per
market, with source S and sink T::

    S -> out[i]                 one arc per offer, capacity tonnes, cost reservation price
    out[i] -> in[i]             domestic sales, cost route_cost[i, i]
    out[i] -> gate[i]           all foreign sales of i, capacity export_cap[i]
    gate[i] -> in[j]            open, unlicensed route i->j, cost route_cost[i, j]
    gate[i] -> lic[i]           licensed foreign sales of i, capacity licence_cap[i]
    lic[i] -> in[j]             open, licensed route i->j, cost route_cost[i, j]
    in[j] -> T                  one arc per bid, capacity tonnes, cost -willingness to pay

Only countries with supply get out, gate and lic nodes and only countries with bids an in node
(other arcs can carry nothing), so the routes are a dense supplier x bidder table. Quantities
and costs are scaled per market to int64 (``flow.QTY_RES`` units for the market's largest
quantity, ``flow.COST_RES`` units for its largest |cost|); capacities are rounded down, so no
cap is ever exceeded. Flows are reported back in tonnes and welfare is recomputed from the
real-valued data.

The flow is built by successive shortest paths: each step serves the bid that closes the
cheapest S -> T path, as long as that path has a negative cost (so unsold supply and unserved
bids need no arc). Distances from S come from a label-correcting pass over the supplier x
bidder table, exact because the residual graph of such a flow has no negative cycle. They
change only when an arc before the bid saturates (a middle arc, or an offer block whose
supplier's next block costs more): after a step whose bottleneck is the bid itself the next
bid is read off the same distances, so a market needs about one pass per offer block sold.
Offers and bids are kept per country sorted by price. Among equally cheap paths the bid with
the highest willingness to pay goes first, then the first country, and within a country the
first bid (the engine lists stockpile orders last).

Required bids cost an extra -M per tonne (M larger than twice the cost of any simple path or
cycle), so the flow serves as much required demand as possible and, when all of it can be
served, is optimal for the problem with that demand fixed; the market is infeasible when a
required bid is still short by more than ``flow.FEAS_RTOL`` of the market's largest quantity.

Prices are node potentials of the residual graph of the optimal flow in the full graph (every
country and open route; no negative cycle at optimality), computed per market as exact
shortest distances (label-correcting rounds over each supplier's dense row of routes, as for
the flow) with S and T merged into one root of potential 0 (the LP has neither node). The price of
country j is the shortest distance from the root to ``in[j]``: the cost of one more tonne of demand at j,
i.e. the LP dual of its demand balance (the largest one, the right derivative, when the dual
is not unique). Where that is impossible (j can get nothing at all, or only by cutting
required demand, which required bids mark with a cost of +M), the price is the value of one
more tonne in j instead, minus the distance from ``in[j]`` (or, if j's buyers have no use
for it and j has supply, from ``out[j]``) to the root; 0 if neither has a use. For a country
that can get nothing at all this is the highest willingness to pay among its unserved bids,
or 0 if it has none. Residual capacities and flows below ``flow.PRICE_TOL_UNITS`` are
ignored, so rounding crumbs do not move prices.

A market's result does not depend on the other markets of the batch, and the same inputs give
bit-identical outputs.

``solve_lp`` states the same problem as a linear program for scipy's HiGHS: it is the test
oracle and the benchmark baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from critmin.engine import flow, parallel_clearing

__all__ = [
    "MarketClearing",
    "MarketProblem",
    "clear_flat",
    "clear_market",
    "clear_markets",
    "flat_batch",
    "problems_of",
    "random_problem",
    "reachable",
    "solve_lp",
    "welfare_of",
]

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

    @classmethod
    def trusted(cls, **fields: object) -> MarketClearing:
        """A clearing of the kernel's own results, set without the frozen ``__init__`` (3x faster)."""
        clearing = object.__new__(cls)
        clearing.__dict__.update(fields)
        return clearing


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
# The batch: flat arrays for the compiled kernel
# --------------------------------------------------------------------------------------------

_PER_OFFER = (("supply_country", np.int64), ("supply_tonnes", np.float64), ("supply_price", np.float64))
_PER_BID = (
    ("demand_country", np.int64),
    ("demand_tonnes", np.float64),
    ("demand_price", np.float64),
    ("demand_required", np.bool_),
)
_PER_ROUTE = (("route_cost", np.float64), ("route_open", np.bool_), ("licensed", np.bool_))
_PER_COUNTRY = (("export_cap", np.float64), ("licence_cap", np.float64))


def flat_batch(problems: Sequence[MarketProblem]) -> tuple[tuple, list[list[int]]]:
    """The arguments of :func:`flow.clear_batch`, and each group's offsets as lists.

    Groups: offers, bids, route matrices (n x n), countries; each is a tuple of its offsets
    (K + 1,), then its fields: the problems' arrays one after another.
    """
    n = [p.route_cost.shape[0] for p in problems]
    sizes = (
        [p.supply_tonnes.shape[0] for p in problems],
        [p.demand_tonnes.shape[0] for p in problems],
        [k * k for k in n],
        n,
    )
    groups: list[tuple[np.ndarray, ...]] = []
    offsets: list[list[int]] = []
    for size, fields in zip(sizes, (_PER_OFFER, _PER_BID, _PER_ROUTE, _PER_COUNTRY), strict=True):
        at = [0, *accumulate(size)]
        cat = (np.concatenate([getattr(p, name) for p in problems], axis=None, dtype=t) for name, t in fields)
        groups.append((np.array(at, dtype=np.int64), *cat))
        offsets.append(at)
    return (np.array(n, dtype=np.int64), *groups), offsets


_FAILURES = {
    flow.NO_CONVERGENCE: "prices did not converge (the flow is not optimal)",
    flow.TOO_MANY_PATHS: "the min-cost flow did not finish",
}


def clear_markets(problems: Sequence[MarketProblem]) -> list[MarketClearing]:
    """Clear many markets in one call (the engine calls this once per turn).

    One compiled call clears every market, each on its own: a market's result does not
    depend on the other markets of the batch. See the module docstring for the method.

    Args:
        problems: the markets to clear.

    Returns:
        One :class:`MarketClearing` per problem, in order (its arrays are views of buffers
        shared by this call's results only).

    Raises:
        RuntimeError: if the solver fails (a bug, or data too extreme for int64 scaling).

    """
    if not problems:
        return []
    args, offsets = flat_batch(problems)
    return _clearings(args[0].tolist(), offsets, clear_flat(args))


def _clearings(n: list[int], offsets: list[list[int]], results: tuple) -> list[MarketClearing]:
    """One :class:`MarketClearing` per market of a cleared flat batch, its arrays views of the results.

    Set as :meth:`MarketClearing.trusted` does, inline: one loop over each group's offsets.
    """
    (off_at, bid_at, sq_at, c_at), (flows, prices, sold, bought, welfare, feasible) = offsets, results
    made, new = [], object.__new__
    starts_stops = (part for at in (sq_at, c_at, off_at, bid_at) for part in (at[:-1], at[1:]))
    for size, f0, f1, c0, c1, o0, o1, b0, b1, w, ok in zip(
        n, *starts_stops, welfare.tolist(), feasible.tolist(), strict=True
    ):
        clearing = new(MarketClearing)
        clearing.__dict__.update(
            flows=flows[f0:f1].reshape(size, size),
            prices=prices[c0:c1],
            sold=sold[o0:o1],
            bought=bought[b0:b1],
            welfare=w,
            feasible=ok,
        )
        made.append(clearing)
    return made


def clear_flat(args: tuple) -> tuple[np.ndarray, ...]:
    """Clear a flat batch (the arguments of :func:`flow.clear_batch`, as :func:`flat_batch` makes).

    Returns flows (each market's n x n, flat), prices, sold, bought, welfare (K,), feasible (K,).

    Raises:
        RuntimeError: if the solver fails (a bug, or data too extreme for int64 scaling).

    """
    *results, status = parallel_clearing.clear_batch(args)
    failed = np.flatnonzero(status)
    if failed.size:
        k = int(failed[0])
        raise RuntimeError(f"market {k} failed to clear: {_FAILURES[int(status[k])]}")
    return tuple(results)


def problems_of(args: tuple) -> list[MarketProblem]:
    """The markets of a flat batch as problems (the inverse of :func:`flat_batch`)."""
    n, *groups = args
    names = [[name for name, _ in fields] for fields in (_PER_OFFER, _PER_BID, _PER_ROUTE, _PER_COUNTRY)]
    problems = []
    for k, size in enumerate(n.tolist()):
        fields = {}
        for (at, *columns), group in zip(groups, names, strict=True):
            for name, column in zip(group, columns, strict=True):
                part = column[at[k] : at[k + 1]]
                fields[name] = (
                    part.reshape(size, size) if name in ("route_cost", "route_open", "licensed") else part
                )
        problems.append(MarketProblem.trusted(**fields))
    return problems


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
