"""Tests of the spatial-equilibrium market clearing against the LP oracle and by hand."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from critmin.engine.market import (
    MarketClearing,
    MarketProblem,
    clear_market,
    clear_markets,
    random_problem,
    reachable,
    solve_lp,
)

WELFARE_RTOL = 1e-3
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INF = np.inf


# ---------------------------------------------------------------------------------------------
# Building problems
# ---------------------------------------------------------------------------------------------


def make_problem(
    n: int,
    offers: list[tuple[int, float, float]],
    bids: list[tuple[int, float, float] | tuple[int, float, float, bool]],
    route_cost: float | np.ndarray = 0.0,
    banned: tuple[tuple[int, int], ...] = (),
    export_cap: dict[int, float] | None = None,
    licensed: tuple[tuple[int, int], ...] = (),
    licence_cap: dict[int, float] | None = None,
) -> MarketProblem:
    """A small market from readable pieces: offers (country, tonnes, price), bids
    (country, tonnes, wtp[, required]), a uniform or full route-cost matrix."""
    cost = np.full((n, n), float(route_cost)) if np.isscalar(route_cost) else np.array(route_cost)
    np.fill_diagonal(cost, 0.0)
    route_open = np.ones((n, n), dtype=bool)
    for i, j in banned:
        route_open[i, j] = False
    lic = np.zeros((n, n), dtype=bool)
    for i, j in licensed:
        lic[i, j] = True
    caps = np.full(n, INF)
    lcaps = np.full(n, INF)
    for i, cap in (export_cap or {}).items():
        caps[i] = cap
    for i, cap in (licence_cap or {}).items():
        lcaps[i] = cap
    full_bids = [(*b, False) if len(b) == 3 else b for b in bids]
    return MarketProblem(
        supply_country=np.array([o[0] for o in offers], dtype=int),
        supply_tonnes=np.array([o[1] for o in offers], dtype=float),
        supply_price=np.array([o[2] for o in offers], dtype=float),
        demand_country=np.array([b[0] for b in full_bids], dtype=int),
        demand_tonnes=np.array([b[1] for b in full_bids], dtype=float),
        demand_price=np.array([b[2] for b in full_bids], dtype=float),
        demand_required=np.array([b[3] for b in full_bids], dtype=bool),
        route_cost=cost,
        route_open=route_open,
        export_cap=caps,
        licensed=lic,
        licence_cap=lcaps,
    )


def on_grid(low: int, high: int, step: float) -> st.SearchStrategy[float]:
    """Numbers ``k * step`` for integer k in [low, high] (ties and exact degeneracy included)."""
    return st.integers(low, high).map(lambda k: k * step)


@st.composite
def markets(draw: st.DrawFn, max_countries: int = 6, required: bool = True) -> MarketProblem:
    """Random small markets with bans, quotas, licences, tariffs and required bids.

    Tonnes are whole numbers and prices and costs multiples of 0.01, so every breakpoint of
    the welfare as a function of extra demand is at least one tonne away (finite differences
    of half a tonne are exact) and path costs that differ, differ by at least 0.01.
    """
    n = draw(st.integers(1, max_countries))
    n_off = draw(st.integers(0, 10))
    n_bid = draw(st.integers(0, 10))
    country = st.integers(0, n - 1)
    tonnes = on_grid(0, 200, 1.0)
    price = on_grid(1, 5000, 0.01)
    cap = st.one_of(st.just(INF), on_grid(0, 300, 1.0))
    route_cost = draw(arrays(np.float64, (n, n), elements=on_grid(0, 800, 0.01)))
    np.fill_diagonal(route_cost, 0.0)
    req = st.sampled_from([False] * 5 + [True]) if required else st.just(False)
    return MarketProblem(
        supply_country=draw(arrays(np.int64, n_off, elements=country)),
        supply_tonnes=draw(arrays(np.float64, n_off, elements=tonnes)),
        supply_price=draw(arrays(np.float64, n_off, elements=price)),
        demand_country=draw(arrays(np.int64, n_bid, elements=country)),
        demand_tonnes=draw(arrays(np.float64, n_bid, elements=tonnes)),
        demand_price=draw(arrays(np.float64, n_bid, elements=price)),
        demand_required=draw(arrays(np.bool_, n_bid, elements=req)),
        route_cost=route_cost,
        route_open=draw(arrays(np.bool_, (n, n), elements=st.sampled_from([True] * 3 + [False]))),
        export_cap=draw(arrays(np.float64, n, elements=cap)),
        licensed=draw(arrays(np.bool_, (n, n), elements=st.booleans())),
        licence_cap=draw(arrays(np.float64, n, elements=cap)),
    )


def quantity_tol(p: MarketProblem) -> float:
    """Absolute tolerance on tonnes: well above the clearing's rounding (1e-9 of the market's
    largest quantity per block, and residuals below 1e-6 of it are ignored for prices)."""
    scale = max(p.supply_tonnes.sum(), p.demand_tonnes.max(initial=0.0), 1.0)
    return 1e-5 * scale


def price_tol(p: MarketProblem) -> float:
    """Absolute tolerance on USD/kg: well above the clearing's 1e-6 cost rounding."""
    usable = p.route_open | np.eye(p.n_countries, dtype=bool)
    costs = [p.supply_price, p.demand_price, p.route_cost[usable]]
    return 1e-4 * max(1.0, *(float(np.abs(c).max(initial=0.0)) for c in costs))


def welfare_tol(p: MarketProblem, reference: float) -> float:
    """0.1% of the welfare, with a small absolute floor."""
    return WELFARE_RTOL * abs(reference) + quantity_tol(p) * price_tol(p) * 10


def with_required_scaled(p: MarketProblem, factor: float) -> MarketProblem:
    """The same market with every required bid scaled by ``factor``."""
    tonnes = np.where(p.demand_required, p.demand_tonnes * factor, p.demand_tonnes)
    return dataclasses.replace(p, demand_tonnes=tonnes)


# ---------------------------------------------------------------------------------------------
# Against the LP oracle
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(markets())
def test_welfare_and_feasibility_match_the_lp(p: MarketProblem) -> None:
    ours, oracle = clear_market(p), solve_lp(p)
    if ours.feasible != oracle.feasible:
        # Only tolerated on a knife edge: the verdict flips within a 1e-6 change of demand.
        edge = {solve_lp(with_required_scaled(p, f)).feasible for f in (1 - 1e-6, 1 + 1e-6)}
        assert edge == {True, False}, (ours.feasible, oracle.feasible)
        return
    if oracle.feasible:
        assert abs(ours.welfare - oracle.welfare) <= welfare_tol(p, oracle.welfare)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([5, 12, 30, 35]))
def test_random_problem_matches_the_lp(seed: int, n: int) -> None:
    p = random_problem(np.random.default_rng(seed), n)
    ours, oracle = clear_market(p), solve_lp(p)
    assert ours.feasible == oracle.feasible
    if oracle.feasible:
        assert abs(ours.welfare - oracle.welfare) <= welfare_tol(p, oracle.welfare)


@settings(max_examples=100, deadline=None)
@given(markets())
def test_prices_are_marginal_costs_of_demand(p: MarketProblem) -> None:
    """Each price is the LP's cost of half a tonne more demand there (per tonne); where that
    is impossible, the LP's value of half a tonne arriving there, or 0 if it has no use."""
    ours = clear_market(p)
    base = solve_lp(p)
    if not base.feasible:
        return
    eps = 0.5
    for j in range(p.n_countries):
        shift = np.zeros(p.n_countries)
        shift[j] = eps
        more = solve_lp(p, extra_demand=shift)
        if more.feasible:
            expected = (base.welfare - more.welfare) / eps
        else:
            expected = value_of_one_more_tonne(p, j, eps, base.welfare)
        tol = price_tol(p) + 1e-6 * (1 + abs(base.welfare))
        assert ours.prices[j] == pytest.approx(expected, abs=tol), j


def value_of_one_more_tonne(p: MarketProblem, j: int, eps: float, welfare: float) -> float:
    """LP value per tonne of eps tonnes arriving for j's buyers, else offered by j's sellers
    (if j has supply), else 0."""
    shift = np.zeros(p.n_countries)
    shift[j] = -eps
    arrival = solve_lp(p, extra_demand=shift)
    if arrival.feasible:
        return (arrival.welfare - welfare) / eps
    if p.supply_tonnes[p.supply_country == j].sum() > 0:
        offered = dataclasses.replace(
            p,
            supply_country=np.append(p.supply_country, j),
            supply_tonnes=np.append(p.supply_tonnes, eps),
            supply_price=np.append(p.supply_price, 0.0),
        )
        return (solve_lp(offered).welfare - welfare) / eps
    return 0.0


# ---------------------------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------------------------


def check_invariants(p: MarketProblem, r: MarketClearing) -> None:
    """Every invariant a clearing must hold, whatever the data."""
    n, tol = p.n_countries, quantity_tol(p)
    foreign = ~np.eye(n, dtype=bool)
    assert r.flows.shape == (n, n) and r.prices.shape == (n,)
    assert r.sold.shape == p.supply_tonnes.shape and r.bought.shape == p.demand_tonnes.shape
    assert np.all(np.isfinite(r.prices)) and np.isfinite(r.welfare)
    assert r.flows.min(initial=0.0) >= 0 and r.sold.min(initial=0.0) >= 0
    assert r.bought.min(initial=0.0) >= 0
    assert np.all(r.sold <= p.supply_tonnes + tol)
    assert np.all(r.bought <= p.demand_tonnes + tol)
    assert np.all(r.flows[~p.route_open & foreign] == 0.0)
    sold_by = np.bincount(p.supply_country, r.sold, minlength=n)
    bought_by = np.bincount(p.demand_country, r.bought, minlength=n)
    np.testing.assert_allclose(r.flows.sum(axis=1), sold_by, atol=tol)
    np.testing.assert_allclose(r.flows.sum(axis=0), bought_by, atol=tol)
    assert r.sold.sum() == pytest.approx(r.bought.sum(), abs=tol)
    assert np.all((r.flows * foreign).sum(axis=1) <= p.export_cap + tol)
    assert np.all((r.flows * (p.licensed & foreign)).sum(axis=1) <= p.licence_cap + tol)
    if r.feasible:
        served = r.bought[p.demand_required] >= p.demand_tonnes[p.demand_required] - tol
        assert np.all(served)
    else:
        assert p.demand_required.any()


@PROPERTY
@given(markets())
def test_invariants_hold(p: MarketProblem) -> None:
    check_invariants(p, clear_market(p))


@PROPERTY
@given(markets())
def test_bids_are_served_by_price(p: MarketProblem) -> None:
    """A bid above its country's price is served in full, one below it gets nothing."""
    r = clear_market(p)
    if not r.feasible:
        return
    tol, ptol = quantity_tol(p), price_tol(p)
    price = r.prices[p.demand_country]
    flexible = ~p.demand_required
    short = flexible & (r.bought < p.demand_tonnes - tol)
    assert np.all(p.demand_price[short] <= price[short] + ptol)
    served = flexible & (r.bought > tol)
    assert np.all(p.demand_price[served] >= price[served] - ptol)


@PROPERTY
@given(markets(required=False))
def test_price_wedges(p: MarketProblem) -> None:
    """From an exporter with domestic sales: a used route's wedge is at least its cost (more
    only if the exporter's quota or licence cap binds); no open route leaves an arbitrage."""
    r = clear_market(p)
    n, tol, ptol = p.n_countries, quantity_tol(p), price_tol(p)
    foreign = ~np.eye(n, dtype=bool)
    wedge = r.prices[None, :] - r.prices[:, None]
    home = np.diag(r.flows) > tol
    exported = (r.flows * foreign).sum(axis=1)
    licensed_out = (r.flows * (p.licensed & foreign)).sum(axis=1)
    room = (exported < p.export_cap - tol)[:, None] & (
        ~p.licensed | (licensed_out < p.licence_cap - tol)[:, None]
    )
    used = (r.flows > tol) & foreign & home[:, None]
    assert np.all(wedge[used] >= p.route_cost[used] - ptol)
    free = p.route_open & foreign & home[:, None] & room
    assert np.all(wedge[free] <= p.route_cost[free] + ptol)
    both = used & free
    np.testing.assert_allclose(wedge[both], p.route_cost[both], atol=ptol)


@settings(max_examples=50, deadline=None)
@given(st.lists(markets(), min_size=1, max_size=5))
def test_batch_equals_one_by_one(problems: list[MarketProblem]) -> None:
    """Markets of different sizes share one padded batch without affecting each other."""
    together = clear_markets(problems)
    for p, r in zip(problems, together, strict=True):
        alone = clear_market(p)
        np.testing.assert_array_equal(r.flows, alone.flows)
        np.testing.assert_array_equal(r.prices, alone.prices)
        assert r.feasible == alone.feasible
        check_invariants(p, r)


# ---------------------------------------------------------------------------------------------
# One small case per rule, solved by hand
# ---------------------------------------------------------------------------------------------


def assert_clearing(r: MarketClearing, flows: list[list[float]], prices: list[float]) -> None:
    np.testing.assert_allclose(r.flows, flows, atol=1e-6)
    np.testing.assert_allclose(r.prices, prices, atol=1e-4)


def test_cheapest_supplier_serves_first() -> None:
    # A sells 100 t at 10, B 100 t at 12; C wants 150 t at 20; every route costs 1.
    p = make_problem(3, offers=[(0, 100, 10), (1, 100, 12)], bids=[(2, 150, 20)], route_cost=1)
    r = clear_market(p)
    # A is exhausted, B fills the rest. C's next tonne comes from B (12 + 1); B's own price
    # is its unsold supply (12); A's supply is worth its netback from C (13 - 1).
    assert_clearing(r, [[0, 0, 100], [0, 0, 50], [0, 0, 0]], [12, 12, 13])
    np.testing.assert_allclose(r.sold, [100, 50])
    assert r.welfare == pytest.approx(150 * 20 - 100 * 10 - 50 * 12 - 150 * 1)
    assert r.welfare == pytest.approx(solve_lp(p).welfare)


def _two_country(**controls: object) -> MarketProblem:
    """A: 100 t at 10, home bid 20 t at 15. B: 100 t at 25, bid 100 t at 30. Route cost 2."""
    return make_problem(
        2,
        offers=[(0, 100, 10), (1, 100, 25)],
        bids=[(0, 20, 15), (1, 100, 30)],
        route_cost=2,
        **controls,
    )


def test_ban_blocks_route_and_opens_price_wedge() -> None:
    # Open: all of A's supply goes to B (worth 30 - 2 = 28 > 15 at home); B's price is its own
    # unsold supply (25), A's is the netback 25 - 2: the wedge equals the route cost.
    open_ = clear_market(_two_country())
    assert_clearing(open_, [[0, 100], [0, 0]], [23, 25])
    # Banned A->B: A serves its home bid and keeps 80 t unsold (price 10); B uses all its own
    # supply and its next tonne would have to come off its own bid (30): wedge 20 > 2.
    banned = clear_market(_two_country(banned=((0, 1),)))
    assert_clearing(banned, [[20, 0], [0, 100]], [10, 30])
    assert banned.prices[1] - banned.prices[0] > open_.prices[1] - open_.prices[0]


def test_quota_with_leakage_caps_exports() -> None:
    # Quota 40 t plus 10% leakage = 44 t of A's exports; B tops up with 56 t of its own.
    r = clear_market(_two_country(export_cap={0: 40 * 1.1}))
    assert_clearing(r, [[20, 44], [0, 56]], [10, 25])
    assert r.welfare == pytest.approx(20 * 15 + 100 * 30 - 64 * 10 - 56 * 25 - 44 * 2)
    assert r.welfare == pytest.approx(solve_lp(_two_country(export_cap={0: 44})).welfare)


def test_licence_cap_limits_licensed_routes_only() -> None:
    # A: 100 t at 10. B: 100 t at 25 and a bid of 60 t at 30. C: a bid of 60 t at 30.
    # A->B is licensed with a 25 t licence cap, A->C is not; all routes cost 2.
    p = make_problem(
        3,
        offers=[(0, 100, 10), (1, 100, 25)],
        bids=[(1, 60, 30), (2, 60, 30)],
        route_cost=2,
        licensed=((0, 1),),
        licence_cap={0: 25},
    )
    r = clear_market(p)
    # C gets all it wants from A (unlicensed); B gets 25 t from A and 35 t of its own; 15 t of
    # A stay unsold. A: 10; C: 10 + 2; B: its own unsold supply, 25.
    assert_clearing(r, [[0, 25, 60], [0, 35, 0], [0, 0, 0]], [10, 25, 12])
    np.testing.assert_allclose(r.sold, [85, 35])


def test_tariff_raises_importer_price_by_tariff() -> None:
    # A: 100 t at 10 and a home bid of 50 t at 20; B: a bid of 30 t at 30. Transport 1/kg.
    def market(tariff: float) -> MarketProblem:
        cost = np.array([[0.0, 1.0 + tariff], [1.0, 0.0]])
        return make_problem(2, offers=[(0, 100, 10)], bids=[(0, 50, 20), (1, 30, 30)], route_cost=cost)

    free, taxed = clear_market(market(0.0)), clear_market(market(4.0))
    assert_clearing(free, [[50, 30], [0, 0]], [10, 11])
    assert_clearing(taxed, [[50, 30], [0, 0]], [10, 15])
    assert taxed.prices[1] - free.prices[1] == pytest.approx(4.0, abs=1e-4)


def test_required_demand_behind_ban_is_infeasible() -> None:
    p = make_problem(2, offers=[(0, 100, 10)], bids=[(1, 50, 30, True)], banned=((0, 1),))
    r = clear_market(p)
    assert not r.feasible
    assert not solve_lp(p).feasible
    # Nothing moves. A's price is its unsold supply; B can get nothing at all, so its price is
    # the highest willingness to pay among its unserved bids.
    assert_clearing(r, [[0, 0], [0, 0]], [10, 30])
    np.testing.assert_allclose(r.bought, [0])


def test_required_demand_is_served_before_richer_demand() -> None:
    # 50 t at 10; a required bid of 30 t at 12 and a flexible bid of 50 t at 40, both in B.
    p = make_problem(2, offers=[(0, 50, 10)], bids=[(1, 30, 12, True), (1, 50, 40)], route_cost=1)
    r = clear_market(p)
    assert r.feasible
    np.testing.assert_allclose(r.bought, [30, 20])
    assert r.welfare == pytest.approx(solve_lp(p).welfare)
    # B's next tonne can only come off its flexible bid: 40.
    assert r.prices[1] == pytest.approx(40, abs=1e-4)


def test_price_when_supply_is_all_committed_to_required_demand() -> None:
    # 30 t at 10 all go to a required bid at 12 in B; B also bids 50 t at 40 and gets nothing.
    # More demand in B is impossible, so B's price is the value of one more tonne there (40);
    # A's is its netback 40 - 1.
    p = make_problem(2, offers=[(0, 30, 10)], bids=[(1, 30, 12, True), (1, 50, 40)], route_cost=1)
    r = clear_market(p)
    assert r.feasible
    assert_clearing(r, [[0, 30], [0, 0]], [39, 40])


def test_country_without_bids_or_access_has_price_zero() -> None:
    p = make_problem(2, offers=[(0, 10, 5)], bids=[(0, 10, 8)], banned=((0, 1),))
    r = clear_market(p)
    assert r.prices[1] == 0.0
    assert not reachable(p)[1]


def test_domestic_trade_ignores_export_controls() -> None:
    p = make_problem(1, offers=[(0, 10, 5)], bids=[(0, 8, 8)], export_cap={0: 0}, licence_cap={0: 0})
    r = clear_market(p)
    assert_clearing(r, [[8]], [5])


def test_empty_markets() -> None:
    assert clear_markets([]) == []
    r = clear_market(make_problem(3, offers=[], bids=[]))
    assert_clearing(r, np.zeros((3, 3)).tolist(), [0, 0, 0])
    assert r.feasible and r.welfare == 0.0


def test_equal_bids_in_a_country_are_served_in_list_order() -> None:
    # 10 t for two bids of 8 t at the same price: the first listed (the engine lists
    # stockpile orders last) is served in full, the second gets the rest.
    r = clear_market(make_problem(1, offers=[(0, 10, 5)], bids=[(0, 8, 10), (0, 8, 10)]))
    np.testing.assert_allclose(r.bought, [8, 2])


def test_equally_cheap_bids_go_to_the_highest_willingness_to_pay() -> None:
    # A's 10 t are worth 10 at home and 11 - 1 in B: the tie goes to B's higher bid.
    p = make_problem(2, offers=[(0, 10, 5)], bids=[(0, 8, 10), (1, 8, 11)], route_cost=1)
    r = clear_market(p)
    assert_clearing(r, [[2, 8], [0, 0]], [10, 11])
    assert r.welfare == pytest.approx(solve_lp(p).welfare)


TIED_FLOWS_SHA256 = "e2ea326e0be72a91eeb4eef51e4084a7ad8ea0224f0311d128234d8e47a40213"
"""Flows, sold and bought of the tied markets below as main 89d815e's kernel cleared them."""


def test_ties_are_broken_as_recorded() -> None:
    # Whole-dollar prices and route costs make many paths equally cheap; the kernel picks among
    # them by its order of relaxations. A faster kernel must pick the same ones (the per-turn
    # state hashes depend on it): picking another of the equal optima changes this digest.
    rng = np.random.default_rng(11)
    problems = []
    for n in (4, 12, 30, 60):
        p = random_problem(rng, n)
        names = ("supply_price", "demand_price", "route_cost")
        rounded = {name: np.round(getattr(p, name)) for name in names}
        problems.append(dataclasses.replace(p, **rounded))
    sha = hashlib.sha256()
    for r in clear_markets(problems):
        for values in (r.flows, r.sold, r.bought):
            sha.update(np.ascontiguousarray(values).tobytes())
    assert sha.hexdigest() == TIED_FLOWS_SHA256


def digest(results: list[MarketClearing]) -> str:
    """SHA-256 of every field of every result (the subprocess below computes the same)."""
    return hashlib.sha256(pickle.dumps([dataclasses.astuple(r) for r in results])).hexdigest()


def test_results_are_bit_identical_in_another_process() -> None:
    rng = np.random.default_rng(7)
    problems = [random_problem(rng, n) for n in (3, 12, 30)]
    script = (
        "import dataclasses, hashlib, pickle, sys\n"
        "from critmin.engine.market import clear_markets\n"
        "results = clear_markets(pickle.loads(sys.stdin.buffer.read()))\n"
        "print(hashlib.sha256(pickle.dumps([dataclasses.astuple(r) for r in results])).hexdigest())\n"
    )
    there = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps(problems),
        capture_output=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert there.stdout.decode().strip() == digest(clear_markets(problems))


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _valid_fields() -> dict[str, object]:
    p = make_problem(2, offers=[(0, 10, 5)], bids=[(1, 10, 8)])
    return {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("supply_price", np.array([5.0, 6.0]), "supply_price: shape"),
        ("route_cost", np.zeros((2, 3)), "route_cost"),
        ("export_cap", np.zeros(3), "export_cap: shape"),
        ("supply_tonnes", np.array([-1.0]), "supply_tonnes: negative"),
        ("demand_tonnes", np.array([np.nan]), "demand_tonnes"),
        ("demand_price", np.array([np.nan]), "demand_price: NaN"),
        ("supply_country", np.array([2]), "supply_country: country index"),
        ("route_cost", np.array([[0.0, np.nan], [0.0, 0.0]]), "route_cost: NaN"),
        ("licence_cap", np.array([np.nan, 1.0]), "licence_cap"),
        ("supply_tonnes", "many", "supply_tonnes: cannot be read"),
    ],
)
def test_bad_input_is_rejected(field: str, value: object, message: str) -> None:
    fields = _valid_fields() | {field: value}
    with pytest.raises(ValueError, match=message):
        MarketProblem(**fields)


def test_closed_route_may_have_infinite_cost() -> None:
    fields = _valid_fields()
    fields["route_cost"] = np.array([[0.0, np.inf], [1.0, 0.0]])
    fields["route_open"] = np.array([[True, False], [True, True]])
    r = clear_market(MarketProblem(**fields))
    assert r.flows[0, 1] == 0.0 and np.isfinite(r.welfare)


def test_inputs_are_copied_and_frozen() -> None:
    tonnes = np.array([10.0])
    fields = _valid_fields() | {"supply_tonnes": tonnes}
    p = MarketProblem(**fields)
    tonnes[0] = 99.0
    assert p.supply_tonnes[0] == 10.0
    with pytest.raises(ValueError):
        p.supply_tonnes[0] = 1.0


def test_a_cleared_market_is_a_frozen_record_equal_to_one_built_field_by_field() -> None:
    p = make_problem(2, offers=[(0, 100, 10)], bids=[(1, 60, 20)], route_cost=1)
    r = clear_market(p)
    assert r == MarketClearing(**{name: getattr(r, name) for name in MarketClearing.__dataclass_fields__})
    assert r.welfare == pytest.approx(60 * (20 - 10 - 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.welfare = 0.0  # type: ignore[misc]


def leak_gate_lp(supply, demand, route_cost, exporter, quota, leak, premium) -> float:
    """Optimal welfare of a market where `exporter` sells abroad through a quota gate (`quota`)
    and a leak gate of its own (`leak` tonnes at `premium` USD/kg more), as a linear program.

    `supply`/`demand`: (country, tonnes, price) rows. Variables: sold, bought, direct flows
    x[i, j] and leaked flows y[j] (from the exporter to j != exporter).
    """
    from scipy.optimize import linprog

    n, n_s, n_d = len(route_cost), len(supply), len(demand)
    n_x = n * n
    size = n_s + n_d + n_x + n
    cost = np.zeros(size)
    cost[:n_s] = [p for _, _, p in supply]
    cost[n_s : n_s + n_d] = [-p for _, _, p in demand]
    cost[n_s + n_d : n_s + n_d + n_x] = np.asarray(route_cost).ravel()
    cost[n_s + n_d + n_x :] = np.asarray(route_cost)[exporter] + premium
    equal, rhs = [], []
    for i in range(n):  # what i sells leaves i, directly or (the exporter) through the leak gate
        row = np.zeros(size)
        row[[k for k, (c, _, _) in enumerate(supply) if c == i]] = 1.0
        row[n_s + n_d + i * n : n_s + n_d + (i + 1) * n] = -1.0
        if i == exporter:
            row[n_s + n_d + n_x :] = -1.0
        equal.append(row)
        rhs.append(0.0)
    for j in range(n):  # what j buys arrives in j
        row = np.zeros(size)
        row[[n_s + k for k, (c, _, _) in enumerate(demand) if c == j]] = 1.0
        row[n_s + n_d + j : n_s + n_d + n_x : n] = -1.0
        row[n_s + n_d + n_x + j] = -1.0
        equal.append(row)
        rhs.append(0.0)
    caps = np.zeros((2, size))
    caps[0, n_s + n_d + exporter * n : n_s + n_d + (exporter + 1) * n] = 1.0
    caps[0, n_s + n_d + exporter * n + exporter] = 0.0  # home sales are outside the quota
    caps[1, n_s + n_d + n_x :] = 1.0
    bounds = [(0, t) for _, t, _ in supply] + [(0, t) for _, t, _ in demand] + [(0, None)] * (n_x + n)
    bounds[n_s + n_d + n_x + exporter] = (0, 0)
    result = linprog(cost, A_ub=caps, b_ub=[quota, leak], A_eq=np.array(equal), b_eq=rhs, bounds=bounds)
    assert result.status == 0
    return -result.fun


def test_leakage_through_a_hub_is_a_dearer_route_that_matches_a_leak_gate_lp() -> None:
    """An exporter under a quota leaks through its hub at a premium: the engine's posing
    (engine/leakage.py, an extra member, the kernel unchanged) clears to the optimum of an LP with
    a leak gate of its own, and the leak is used only where the outside price pays its premium."""
    from critmin.engine.policies import RouteRules
    from critmin.engine.trade import RouteCosts, pose_market

    supply = [(0, 100.0, 1.0), (0, 40.0, 2.0), (1, 5.0, 6.0)]  # exporter 0, dear producer 1
    demand = [(0, 60.0, 3.0), (1, 50.0, 9.0), (2, 30.0, 4.5)]
    freight = np.array([[0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]])
    quota, leak, premium = 20.0, 15.0, 2.0
    rules = dataclasses.replace(
        RouteRules.unrestricted(3),
        export_cap=np.array([quota, np.inf, np.inf]),
        leak_cap=np.array([leak, 0.0, 0.0]),
    )
    offers = tuple(np.array(c) for c in zip(*[(c, t, p, 0) for c, t, p in supply], strict=True))
    bids = tuple(np.array(c) for c in zip(*[(c, t, p, 0) for c, t, p in demand], strict=True))
    market = pose_market(
        0, 0, offers, bids, rules, RouteCosts(freight, np.zeros((3, 3)), np.zeros((3, 3))), premium
    )
    assert market.problem.n_countries == 4 and list(market.hubs) == [0]
    answer = clear_market(market.problem)
    assert answer.welfare == pytest.approx(
        leak_gate_lp(supply, demand, freight, 0, quota, leak, premium), rel=1e-6
    )
    direct, hub = answer.flows[0, 1:3].sum(), answer.flows[3, 1:3]
    assert direct == pytest.approx(quota) and hub.sum() == pytest.approx(leak)
    assert hub[0] == pytest.approx(leak) and hub[1] == pytest.approx(0.0)  # only 9.0 pays 1 + 0.5 + 2
    assert answer.prices[1] - answer.prices[0] >= 0.5 + premium - 1e-6  # the leak's cost stays in the wedge


def test_a_market_nobody_bought_on_has_no_strategic_share():
    """No purchase on the market (numpy counts none as integers): every country's share is 0.0."""
    from types import SimpleNamespace

    from critmin.engine.market_batch import Entries
    from critmin.engine.trade import strategic_share

    none = np.zeros(0, dtype=int)
    market = SimpleNamespace(mineral=1, stage=0, rules=SimpleNamespace(delay=np.zeros(3, dtype=int)))
    share = strategic_share(Entries(none, none, none, none, np.zeros(0), none), market)
    assert share.dtype == float and share.tolist() == [0.0, 0.0, 0.0]
