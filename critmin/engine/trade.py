"""The trade phase: contracts first, then one spot market per mineral and stage.

Builds each market's offers and bids from the state, clears all markets in one call, and
settles goods and money. Money moves between countries' industry and treasury accounts and
three declared sinks: transport, and (elsewhere) production costs and policy spending.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numba as nb
import numpy as np

from critmin.core.units import USD_M_PER_TONNE_USD_PER_KG, freight_usd_per_kg
from critmin.engine import bid_blocks, leakage, market_batch, overhang, strategic_bids
from critmin.engine.controlled_storage import storage_price_shares
from critmin.engine.dynamics import AT_CAP
from critmin.engine.landed_minimum import landed_minimum, open_tables
from critmin.engine.local_payments import local_payments
from critmin.engine.market import MarketProblem, clear_flat
from critmin.engine.market_batch import Entries, Line, MarketBatch
from critmin.engine.market_routes import ByMarket
from critmin.engine.numpy_scalars import maximum
from critmin.engine.offer_entries import offer_entries
from critmin.engine.pairwise_sum import sparse_sum
from critmin.engine.policies import RouteRules, read_only, under_control
from critmin.engine.route_money import route_money
from critmin.engine.route_severity import RouteSeverity
from critmin.engine.severity_rows import severity_rows
from critmin.engine.sold_goods import subtract_by_owner
from critmin.engine.spot_flows import SpotFlows, cleared_spot
from critmin.engine.state import Constants, WorldState
from critmin.engine.storage_arbitrage import holding_price
from critmin.engine.supplier_risk import SupplierRisk

BUYER_FINAL, BUYER_FEED, BUYER_STRATEGIC, BUYER_STOCK = 0, 1, 2, 3
SELLER_PRODUCER, SELLER_STOCKPILE = 0, 1
PUBLIC_SELLERS = np.array([False, True])  # by seller: sells from the treasury's stockpile
PUBLIC_BUYERS = np.array([False, False, True, False])  # by buyer: buys for the strategic stockpile


@dataclass
class Orders:
    """Government stockpile orders for this turn, by (country, mineral, stage) position."""

    buy: dict[tuple[int, int, int], tuple[float, float]] = field(default_factory=dict)
    release: dict[tuple[int, int, int], float] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteCosts:
    """What moving goods between countries costs beyond the prices: (C, C) and (K, C, C) USD/kg."""

    freight: np.ndarray  # (C, C)
    tariffs: np.ndarray | ByMarket  # (C, C) or (K, C, C) over K markets, to the importer's treasury
    risk: np.ndarray | SupplierRisk  # (C, C) or (K, C, C), buyers' hedging of suppliers they doubt (a sink)


@dataclass
class Market:
    """One market posed on its own: its offers and bids, and the problem handed to the clearing.

    Countries are global positions except in `problem`, which is posed among the market's
    active countries (those that offer or bid), `members`. The engine poses markets this way
    only where an exporter leaks through a hub; the others go straight into the kernel's
    batch (engine/market_batch.py), value for value as `pose_market` would pose them.
    """

    mineral: int
    stage: int
    problem: MarketProblem  # countries 0..k-1 stand for `members`
    members: np.ndarray  # (k,) global positions of the problem's countries
    offer_country: np.ndarray  # global position per offer
    offer_owner: np.ndarray  # SELLER_* per offer
    bid_country: np.ndarray  # global position per bid
    bid_owner: np.ndarray  # BUYER_* per bid
    rules: RouteRules
    costs: RouteCosts  # (C, C) USD/kg: freight, tariffs, buyers' hedging of doubted suppliers
    hubs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # local exporter per hub
    leak_premium: float = 0.0  # USD/kg a hub's shipments cost above its exporter's route


@dataclass
class SpotOutcome:
    """What the spot markets did this turn."""

    flows: np.ndarray  # (M, S, C, C) tonnes traded this turn, contracts and spot, domestic on the diagonal
    transport_usd_m: float
    supplier_risk_usd_m: float  # paid by buyers to hedge suppliers they doubt (a declared sink)
    re_export_usd_m: float  # what leaked goods paid to get round controls through third countries
    severity: RouteSeverity  # the routes under control and how far (engine/route_severity.py)
    stock_bought: np.ndarray  # (C, M, S) manufacturers' purchases for stock, received this turn
    leaked: dict  # (mineral, stage) -> (C, C) spot tonnes that left through third countries (in `flows` too)
    routes: np.ndarray  # (R,) flat (M, S, C, C) positions of the routes spot tonnes moved over, ascending


def demand_fractions(
    multiples: np.ndarray, elasticity: float, kink: float = np.inf, destruction: float | None = None
) -> np.ndarray:
    """Share of demand (at the reference price) bid at each price multiple.

    Demand follows q(p) = q0 * (p / p0) ** elasticity up to `kink` times p0 and, above it, the
    steeper `destruction` elasticity (users cut output rather than pay more); the bid at multiple
    k is the slice of demand whose willingness to pay lies between multiples k and k + 1, and the
    top multiple holds all demand willing to pay at least that.
    """
    steep = elasticity if destruction is None else destruction
    below = multiples**elasticity
    above = kink**elasticity * (multiples / kink) ** steep if np.isfinite(kink) else below
    at_multiple = np.where(multiples <= kink, below, above)
    return at_multiple - np.append(at_multiple[1:], 0.0)


@functools.lru_cache(maxsize=16)
def fraction_table(
    multiples: tuple[float, ...], elasticities: tuple[float, ...], kink: float, destruction: float | None
) -> np.ndarray:
    """(E, K) `demand_fractions` for each elasticity, worked out once per parameter set (read-only)."""
    table = np.stack([demand_fractions(np.asarray(multiples), e, kink, destruction) for e in elasticities])
    table.flags.writeable = False
    return table


def final_need(state: WorldState) -> np.ndarray:
    """Final demand this turn at the reference price, (C, M, S).

    Sector demand times demand shocks, random demand noise, the intensity left after thrifting
    and the share not yet switched to substitutes.
    """
    shocks = (state.demand_shock * state.demand_noise)[:, :, None]
    return state.final_demand.sum(axis=0) * shocks * state.intensity * (1 - state.substitution)


def essential_share(state: WorldState) -> np.ndarray:
    """Demand-weighted essential share per (C, M, S).

    The bid pass (engine/bid_blocks.py) works it out cell by cell; its test holds it to this.
    """
    total = state.final_demand.sum(axis=0)
    weighted = (state.final_demand * state.essential_share).sum(axis=0)
    return np.divide(weighted, total, out=np.zeros_like(total), where=total > 0)


def on_lines(values, lines: tuple[np.ndarray, np.ndarray]):
    """(L, C) a (C, M, S) array's values on the traded `lines`, line by line (a scalar as it is)."""
    return values[:, lines[0], lines[1]].T if np.ndim(values) == 3 else values


@dataclass
class BidBook:
    """Every buyer's bid blocks in every traded market, posed at once.

    Blocks, numbered across the parts: manufacturers' use along their demand curve (and its
    essential share), their routine and extra stock, processors' feed along their curve and
    their routine feed stock. Kept in (line, country, block) order, the order markets read them in.
    """

    entries: tuple  # (line, country, tonnes, price, block) of every block above 1e-9 t, (L, C, P) order
    owner: np.ndarray  # (P,) BUYER_* per block
    reservation: np.ndarray  # (C, M, S) producers' reservation prices, USD/kg
    squeezed: np.ndarray  # (C, M, S) processors whose scarce feed sits at their break-even (overhang.py)


def pose_bids(state: WorldState, constants: Constants, settings, lines: tuple) -> BidBook:
    """The bid blocks of every country in the markets `lines`, and producers' reservation prices.

    Manufacturers bid for what this turn's use lacks along their demand curve, for their
    routine inventory at no more than `inventory_price_multiple` times the reference price, and
    for the precautionary or speculative stock above it at `stock_bid_price`. Processors bid for
    feed along their own curve, at its reference price scaled by their output's price over that
    output's reference (1 where no stage follows), for a routine feed inventory and, like
    manufacturers (the same inventory target), for extra feed at `stock_bid_price`; never above
    break-even (`break_even_feed_price`). engine/bid_blocks.py works the gaps out and lays the
    blocks out.
    """
    cap = break_even_feed_price(state, constants, settings)
    curves = bid_curves(constants, settings, lines)
    entries = bid_blocks.kept_blocks(state, constants, settings, lines, cap, curves)
    k, restocking = len(curves.multiples), settings.convenience_yield_blocks
    owner = np.repeat([BUYER_FINAL, BUYER_STOCK, BUYER_FEED], [k + 1, restocking + 1, k + 2])
    squeeze = overhang.squeezed(state, constants.reference_price, cap)
    return BidBook(entries, owner, offer_prices(state, constants), squeeze)


def bid_curves(constants: Constants, settings, lines) -> bid_blocks.Curves:
    """The demand curves' multiples and shares (manufacturers' by line) and the restocking numbers."""
    multiples = np.asarray(settings.demand_price_multiples, dtype=float)
    kink, destruction = settings.demand_destruction_multiple, settings.destruction_elasticity
    fractions = fraction_table(tuple(multiples), tuple(constants.demand_elasticity), kink, destruction)
    feed = fraction_table(tuple(multiples), (settings.feed_elasticity,), np.inf, None)[0]
    numbers = (
        float(settings.inventory_target_quarters),
        float(settings.inventory_price_multiple),
        float(settings.convenience_yield),
        int(settings.convenience_yield_blocks),
    )
    return bid_blocks.Curves(multiples, fractions[lines[0]], feed, numbers)


def pose_market(
    m: int,
    s: int,
    offers: tuple,
    bids: tuple,
    rules: RouteRules,
    costs: RouteCosts,
    leak_premium: float = 0.0,
) -> Market:
    """One market (mineral m at stage s) as a problem among its active countries.

    `costs` holds this market's (C, C) freight, tariff and risk; an exporter with leak room
    (`rules.leak_cap`) gets a hub member of its own (engine/leakage.py) shipping at
    `leak_premium` USD/kg more.
    """
    active = np.zeros(len(costs.freight), dtype=bool)
    active[offers[0]] = True
    active[bids[0]] = True
    members = np.flatnonzero(active)
    local = np.cumsum(active) - 1
    hubs = leakage.leaking_exporters(rules.leak_cap, members, local[offers[0]])
    supply = (local[offers[0]], offers[1], offers[2], offers[0], offers[3])
    supply = leakage.carve(supply, hubs, rules.leak_cap[members[hubs]], len(members))
    route_cost = submatrix(costs.freight + costs.tariffs + costs.risk, members)
    route_cost, route_open = leakage.hub_routes(
        route_cost,
        submatrix(rules.route_open, members),
        submatrix(rules.leak_open, members),
        hubs,
        leak_premium,
    )
    n = len(route_cost)
    problem = MarketProblem.trusted(
        supply_country=supply[0],
        supply_tonnes=supply[1],
        supply_price=supply[2],
        demand_country=local[bids[0]],
        demand_tonnes=bids[1],
        demand_price=bids[2],
        demand_required=np.zeros(len(bids[0]), dtype=bool),
        route_cost=route_cost,
        route_open=route_open,
        export_cap=widened(rules.export_cap[members], n, np.inf),
        licensed=padded(submatrix(rules.licensed, members), len(hubs)),
        licence_cap=widened(rules.licence_cap[members], n, np.inf),
    )
    return Market(
        m, s, problem, members, supply[3], supply[4], bids[0], bids[3], rules, costs, hubs, leak_premium
    )


def widened(values: np.ndarray, n: int, fill: float) -> np.ndarray:
    """`values` padded with `fill` to length n (`values` itself if that long already)."""
    if len(values) == n:
        return values
    return np.concatenate([values, np.full(n - len(values), fill)])


def padded(matrix: np.ndarray, extra: int) -> np.ndarray:
    """A square boolean matrix with `extra` False rows and columns appended (itself if none)."""
    if not extra:
        return matrix
    k = len(matrix)
    out = np.zeros((k + extra, k + extra), dtype=bool)
    out[:k, :k] = matrix
    return out


def submatrix(matrix: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Rows and columns `members` of a square matrix (a copy)."""
    return matrix[members[:, None], members]


def all_bids(book: BidBook, orders: Orders, lines: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """(market k, country, tonnes, price, owner) of every positive bid, sorted by market.

    Markets are the traded `lines` in order. Government stockpile orders come last in their
    market, in the order they were given (an order on a line not traded is dropped).
    """
    line, country, tonnes, prices, block = book.entries
    bids = (line, country, tonnes, prices, book.owner[block])
    strategic = [(mm, ss, c, t, cap) for (c, mm, ss), (t, cap) in orders.buy.items() if t > 1e-9]
    if not strategic:
        return bids
    mm, ss, *extra = (np.array(column) for column in zip(*strategic, strict=True))
    n_s = book.reservation.shape[2]
    market = market_batch.market_ids(mm * n_s + ss, lines, n_s)
    traded = market >= 0
    extra = (market, *extra, np.full(len(market), BUYER_STRATEGIC))
    return strategic_bids.merged(
        bids, tuple(b[traded].astype(a.dtype) for a, b in zip(bids, extra, strict=True))
    )


def producer_storage(
    state: WorldState, settings, reservation: np.ndarray, share: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(C, M, S) tonnes producers can store rather than sell, and the price they hold out for.

    Up to `producer_storage_quarters` of their running output stays unsold below
    `producer_storage_price_share` of the expected price (`share`, (C, M, S), where given: more
    under their own country's export licence or ban, engine/controlled_storage.py), never below
    the reservation price:
    storage keeps prices near what sellers expect until the store is full (Deaton & Laroque;
    Chinese smelters' stocks before the 2023 Wa tin halt, BEHAVIOUR.md section 3).
    """
    return storable_output(state, settings), held_price(state, settings, reservation, share)


def storable_output(state: WorldState, settings) -> np.ndarray:
    """(C, M, S) tonnes of their stock producers can hold: `producer_storage_quarters` of running output."""
    return np.minimum(state.producer_stock, settings.producer_storage_quarters * state.running())


def held_price(
    state: WorldState, settings, reservation: np.ndarray, share: np.ndarray | None = None
) -> np.ndarray:
    """(C, M, S) the price producers hold their store out for (`producer_storage`)."""
    share = settings.producer_storage_price_share if share is None else share
    return np.maximum(reservation, holding_price(state, settings, share))


def all_offers(
    state: WorldState,
    orders: Orders,
    book: BidBook,
    settings,
    lines: tuple,
    subsidy: np.ndarray | None = None,
    storage_share: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """(market k, country, tonnes, reservation price, owner) of every positive offer, by market.

    Markets are the traded `lines` in order. Producers' stocks: what they cannot store at their
    reservation price, what they can store at the price they hold out for (`producer_storage`);
    then stockpile releases at any price.
    A squeezed processor's reservation price is its overhang price (engine/overhang.py).
    A subsidised producer, paid `subsidy` of its sales value on top, asks that much less.
    """
    release = np.zeros_like(state.stockpile)
    for (c, m, s), tonnes in orders.release.items():
        release[c, m, s] += min(tonnes, state.stockpile[c, m, s])
    reservation = book.reservation
    if subsidy is not None:
        reservation = reservation / (1 + subsidy)  # the treasury pays `subsidy` of the sales value
    storable = storable_output(state, settings)
    if book.squeezed.any():
        reservation = overhang.overhang_price(state, settings, reservation, storable, book.squeezed)
    held = held_price(state, settings, reservation, storage_share)
    arrays = (state.producer_stock, storable, release, reservation, held)  # stockpile releases at any price
    return offer_entries(*lines, *arrays, np.array([SELLER_PRODUCER, SELLER_STOCKPILE]))


def break_even_feed_price(state: WorldState, constants: Constants, settings) -> np.ndarray:
    """(C, M, S) the most processors of stage s+1 can pay for stage-s feed.

    Their output price less the conversion cost they would save by standing idle (all of it but
    `processor_idle_cost_share`, what idling costs them anyway), per tonne of feed (unbounded
    where no stage follows). A chain sitting at cost therefore keeps trading instead of stopping
    dead on a tie. On news of controls on their output they price it at what they now expect.
    """
    saved = 1.0 - settings.processor_idle_cost_share
    arrays = (state.price, state.expected_price, state.news_market, state.unit_cost)
    return _break_even(*arrays, constants.yield_share, constants.chain, saved)


@nb.njit(cache=True, nogil=True)
def _break_even(price, expected, news, unit_cost, yield_share, chain, saved) -> np.ndarray:
    """`break_even_feed_price` cell by cell, as its array form: inf where no stage follows.

    The array form was max((output - saved x cost) x yield, 0) with output the price, or
    np.maximum(price, expected) on news: the same operations, NaN kept as numpy keeps it.
    """
    n_countries, n_minerals, n_stages = price.shape
    cap = np.full(price.shape, np.inf)
    for c in range(n_countries):
        for m in range(n_minerals):
            for s in range(n_stages - 1):
                if chain[m, s + 1]:
                    output, later = price[c, m, s + 1], expected[c, m, s + 1]
                    if news[c, m, s + 1] > 0:
                        output = maximum(output, later)
                    paid = (output - saved * unit_cost[c, m, s + 1]) * yield_share[m, s + 1]
                    cap[c, m, s] = maximum(paid, 0.0)
    return cap


def offer_prices(state: WorldState, constants: Constants) -> np.ndarray:
    """(C, M, S) producers' reservation prices.

    A mine's cash cost; a processor's conversion cost plus its feed at today's local price.
    """
    return _offer_prices(state.unit_cost, state.price, constants.yield_share, constants.chain)


@nb.njit(cache=True, nogil=True)
def _offer_prices(unit_cost, price, yield_share, chain) -> np.ndarray:
    """`offer_prices` cell by cell: the cost, plus the feed price over the yield (plus 0.0 off the chain)."""
    reservation = unit_cost.copy()
    n_countries, n_minerals, n_stages = price.shape
    for c in range(n_countries):
        for m in range(n_minerals):
            for s in range(1, n_stages):
                reservation[c, m, s] += price[c, m, s - 1] / yield_share[m, s] if chain[m, s - 1] else 0.0
    return reservation


def run_spot_markets(
    state, constants, settings, policy_book, index, orders: Orders, committed: np.ndarray
) -> SpotOutcome:
    """Pose, clear and settle every market.

    `committed` (M, S, C, C) are this turn's contract deliveries: they use up quota and
    licence room first, and count towards how far each control binds.
    """
    subsidy = policy_book.subsidy_rates(index)
    batch = pose_markets(state, constants, settings, policy_book, index, orders, committed, subsidy)
    return settle_markets(state, constants, settings, batch, clear_among_active(batch), committed, subsidy)


@functools.lru_cache(maxsize=4)
def unrestricted_rules(n: int) -> RouteRules:
    """The (read-only) rules of a market without any policy among n countries, made once."""
    return read_only(RouteRules.unrestricted(n))


def pose_markets(
    state, constants, settings, policy_book, index, orders: Orders, committed: np.ndarray, subsidy=None
) -> MarketBatch:
    """Every market posed into the clearing kernel's batch, with its full route rules.

    The full rules (None where no control applies) are the controls' caps before contract
    deliveries used part of them. Subsidised producers (`subsidy`, (C, M, S) shares of sales
    value) sell for that much less.
    """
    lines = np.nonzero(constants.chain)
    book = pose_bids(state, constants, settings, lines)
    ruled = policy_book.market_rules(index.country)
    held = storage_price_shares(ruled, index, state.price.shape, settings)
    flat = [all_offers(state, orders, book, settings, lines, subsidy, held), all_bids(book, orders, lines)]
    freight = freight_usd_per_kg(settings.freight_usd_per_kg_per_1000km, constants.distance_km)
    free = unrestricted_rules(len(freight))
    rules = [ruled.get((index.minerals[m], index.stages[s]), free) for m, s in zip(*lines, strict=True)]
    ruled_markets = [k for k, market_rules in enumerate(rules) if market_rules is not free]
    shape = (len(rules), *freight.shape)
    tariffs, route_open = ByMarket(shape, 0.0, {}), ByMarket(shape, True, {})
    full_rules: list[RouteRules | None] = [None] * len(rules)
    for k in ruled_markets:  # a table only where a tariff or a closed route stands: elsewhere 0.0 and True
        if rules[k].tariffed:
            tariffs.tables[k] = rules[k].tariff * state.price[:, lines[0][k], lines[1][k]][:, None]
        if rules[k].controlled:  # without a control no route is closed or licensed
            full_rules[k], rules[k] = rules[k], after_contracts(rules[k], committed[lines[0][k], lines[1][k]])
            if not rules[k].all_open:
                route_open.tables[k] = rules[k].route_open
    risk = SupplierRisk.of(state, constants, settings, lines)
    controlled = {k for k in ruled_markets if full_rules[k] is not None}
    posing = market_batch.Posing(*flat, freight, tariffs, risk, route_open, rules, ruled_markets, controlled)

    def pose_one(k: int) -> Market:
        m, s = lines[0][k], lines[1][k]
        offers, bids = (tuple(c[side[0] == k] for c in side[1:]) for side in flat)
        leak = settings.leakage_cost_share * constants.reference_price[m, s]
        return pose_market(m, s, offers, bids, rules[k], RouteCosts(freight, tariffs[k], risk[k]), leak)

    return market_batch.pose_batch(posing, lines, full_rules, pose_one)


def supplier_risk_cost(state: WorldState, constants: Constants, settings, m: int, s: int) -> np.ndarray:
    """(C_exporter, C_importer) USD/kg buyers add to goods from suppliers they doubt.

    Buyers hedge a supplier whose controls reached them (`state.supplier_doubt`, chosen by the
    manufacturers: agents/manufacturer_doctrine.py): dual sourcing, qualification of other
    suppliers, safety stock financed. Up to `supplier_risk_premium` of the line's reference price.
    """
    return supplier_risk_costs(state, constants, settings)[m, s]


def supplier_risk_costs(state: WorldState, constants: Constants, settings, lines=None) -> np.ndarray:
    """(M, S, C_exporter, C_importer) `supplier_risk_cost` of every market at once.

    With `lines` ((K,) minerals, (K,) stages), (K, C_exporter, C_importer) of those markets only.
    """
    premium = settings.supplier_risk_premium * constants.reference_price
    if lines is None:
        return premium[:, :, None, None] * state.supplier_doubt.transpose(2, 3, 1, 0)
    doubt = np.ascontiguousarray(state.supplier_doubt[:, :, lines[0], lines[1]].transpose(2, 1, 0))
    return premium[lines][:, None, None] * doubt


def settle_markets(
    state, constants, settings, batch: MarketBatch, cleared: tuple, committed: np.ndarray, subsidy=None
) -> SpotOutcome:
    """Add every clearing to the contract deliveries `committed` (in place), set prices, move goods and money.

    `cleared` is the kernel's flat (flows, prices, sold, bought, ...); the spot tonnes of the
    members' routes are added to `committed` ((M, S, C, C), which becomes the turn's flows). Also
    measures how far each control binds.
    """
    flows, n = committed, state.capacity.shape[0]
    if not len(batch):
        stock_bought, routes = np.zeros_like(state.consumer_stock), np.zeros(0, dtype=np.int64)
        return SpotOutcome(flows, 0.0, 0.0, 0.0, RouteSeverity.none(), stock_bought, {}, routes)
    spot, leaked = cleared_spot(batch, cleared[0], (*constants.chain.shape, n, n))
    spot.add_to(flows)
    traded = (batch.mineral, batch.stage)
    routes = RouteCosts(batch.freight, batch.tariffs, batch.risk)
    state.price[:, *traded] = widened_prices(batch.local_prices(cleared[1]), routes, batch.route_open).T
    severity = controls_severity(batch, flows, settings)
    lines = constants.chain.shape
    sales, purchases = batch.entries(cleared[2], "offer", lines), batch.entries(cleared[3], "bid", lines)
    stock_bought = receive_goods(state, batch.delayed(), purchases, (spot, leaked))
    hand_over_goods(state, sales)
    transport, hedging = pay_for_goods(state, sales, purchases, traded, spot_exports(spot, n), routes)
    re_export = pay_for_leakage(state, [market for _, market in batch.hubbed], leaked)
    if subsidy is not None and subsidy.any():
        pay_subsidies(state, sales, subsidy)
    return SpotOutcome(flows, transport, hedging, re_export, severity, stock_bought, leaked, spot.at)


def controls_severity(batch: MarketBatch, flows: np.ndarray, settings) -> RouteSeverity:
    """How far each control binds on this turn's (M, S, C, C) `flows` (contracts and spot), route by route.

    Worked out on the rows of the exporters with a control only (no other route can be under one):
    the ruled markets' rules stacked, their controlled exporters found in one pass, in market order,
    and `dynamics.control_severity` of those rows in one compiled pass (engine/severity_rows.py).
    """
    ruled = [(k, rules) for k, rules in enumerate(batch.full_rules) if rules is not None]
    if not ruled:
        return RouteSeverity.none()
    k, rules = zip(*ruled, strict=True)
    routes = np.array([[r.route_open for r in rules], [r.licensed for r in rules]])  # (2, Q, C, C)
    caps = np.array([[r.export_cap for r in rules], [r.licence_cap for r in rules]])  # (2, Q, C)
    rows = np.array(np.nonzero(under_control(ControlRules(routes[1], caps[0], caps[1], routes[0]))))
    n = flows.shape[-1]
    at, values = np.empty(rows.shape[1] * n, dtype=np.int64), np.empty(rows.shape[1] * n)
    lines = np.ravel_multi_index((batch.mineral[list(k)], batch.stage[list(k)]), flows.shape[:2])
    count = severity_rows(
        rows,
        lines,
        flows.reshape(-1, n, n),
        routes,
        caps,
        AT_CAP,
        settings.control_risk_binding,
        settings.control_risk_standing,
        at,
        values,
    )
    return RouteSeverity(at[:count], values[:count])


class ControlRules(NamedTuple):
    """The fields of route rules that `dynamics.control_severity` reads, of one or more markets or rows."""

    licensed: np.ndarray
    export_cap: np.ndarray
    licence_cap: np.ndarray
    route_open: np.ndarray


def pay_for_leakage(state: WorldState, markets: list[Market], leaked: dict) -> float:
    """Exporters' governments give up the leak premium on what left through hubs; USD m (a sink).

    The price gap on those routes covers it (so it is not rent), paid to whoever runs the hub.
    `markets` are the markets posed with hubs.
    """
    paid = np.zeros(len(state.treasury))
    for market in markets:
        if market.hubs.size:
            paid += leaked[market.mineral, market.stage].sum(axis=1) * market.leak_premium
    paid *= USD_M_PER_TONNE_USD_PER_KG
    state.treasury -= paid
    return float(paid.sum())


def clear_among_active(batch: MarketBatch) -> tuple[np.ndarray, ...]:
    """Clear every market among its active countries in one call: the kernel's flat results."""
    return clear_flat(batch.kernel)


def widened_prices(local: np.ndarray, routes: RouteCosts, route_open: ByMarket) -> np.ndarray:
    """(K, C) prices of each market's clearing among its members (`local`, inf elsewhere), over all countries.

    A country outside a market gets the cheapest landed price from its members over an open
    route (what it would pay to import); one no member can reach gets the members' highest
    price. A market without members has price 0 everywhere. `routes` hold (K, C, C) tariffs
    and risks; only the members' rows are read.
    """
    member = np.isfinite(local)
    landed = cheapest_landed(*np.nonzero(member), local, routes, route_open)
    highest = np.where(member, local, -np.inf).max(axis=1, keepdims=True)
    prices = np.where(member, local, landed)
    return np.where(np.isfinite(prices), prices, np.where(np.isfinite(highest), highest, 0.0))


def cheapest_landed(
    market: np.ndarray, exporter: np.ndarray, local: np.ndarray, routes: RouteCosts, route_open: ByMarket
) -> np.ndarray:
    """(K, C) the least landed price over open routes from the (market, exporter) pairs (ascending), or inf.

    A member's landed price is its local price plus freight + (tariff + risk); tariff and risk
    are summed only on rows of a market with tariffs or of an exporter someone doubts: elsewhere
    both are 0.0, and freight + (0.0 + 0.0) is freight + 0.0 (engine/landed_minimum.py, which
    reads the tariff tables and the doubted routes itself).
    """
    n, k = len(routes.freight), len(local)
    charges = (*open_tables(routes.tariffs.tables, k, n, np.float64), routes.risk.cells, routes.risk.values)
    landed = np.full(local.shape, np.inf)
    landed_minimum(
        market, exporter, local, routes.freight, charges, open_tables(route_open.tables, k, n), landed
    )
    return landed


def after_contracts(rules: RouteRules, committed: np.ndarray) -> RouteRules:
    """The rules left for the spot market: contract exports use up quotas and licences first.

    Contracts may take a quota's leakage too (contracts.py reads `ExportControl.cap()`): what
    they deliver beyond the direct quota comes out of the leak room.
    """
    if not committed.any():  # nothing used up: max(cap - 0, 0) is the cap itself
        return rules
    exported, licensed = contract_exports(committed, rules.licensed)
    return replace(
        rules,
        export_cap=np.maximum(rules.export_cap - exported, 0.0),
        licence_cap=np.maximum(rules.licence_cap - licensed, 0.0),
        leak_cap=np.maximum(rules.leak_cap - np.maximum(exported - rules.export_cap, 0.0), 0.0),
    )


def contract_exports(committed: np.ndarray, licensed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(C,) each exporter's foreign contract deliveries on a market, and those over `licensed` routes.

    The row sums of `committed * (1 - eye)` and of that times `licensed`, summed only on the rows
    with deliveries: a row's sum does not depend on the other rows, and those are 0.
    """
    exported, licensed_out = np.zeros(len(committed)), np.zeros(len(committed))
    rows = np.flatnonzero(committed.any(axis=1))
    if len(rows):
        foreign = committed[rows]
        foreign[np.arange(len(rows)), rows] = 0.0  # the domestic entry, as (1 - eye) zeroes it
        exported[rows] = foreign.sum(axis=1)
        licensed_out[rows] = (foreign * licensed[rows]).sum(axis=1)
    return exported, licensed_out


def hand_over_goods(state: WorldState, sales: Entries) -> None:
    """Sellers give up what they sold: producers from their stock, governments from stockpiles."""
    stocks = (state.producer_stock, state.stockpile)  # by seller: SELLER_PRODUCER, SELLER_STOCKPILE
    subtract_by_owner(stocks, *sales[:4], sales.tonnes)
    for target in stocks:
        np.maximum(target, 0.0, out=target)


def receive_goods(
    state: WorldState, delayed: list[Line], purchases: Entries, flows: tuple[SpotFlows, dict]
) -> np.ndarray:
    """Buyers receive what they bought; licensed imports of the `delayed` markets arrive late.

    `flows` are the spot flows and, by market, the part of them that leaked (not held up).
    Returns (C, M, S) the tonnes manufacturers bought for stock and received now.
    """
    late_share = np.zeros(state.price.shape)
    for market in delayed:
        if market.rules.delay.any():
            strategic = strategic_share(purchases, market)
            line = (market.mineral, market.stage)
            direct = flows[0].line(*line) - flows[1].get(line, 0.0)
            late_share[:, market.mineral, market.stage] = hold_up(state, market, direct, strategic)
    at, bought = purchases.at, purchases.tonnes
    received = bought * (1 - late_share.take(at)) if delayed else bought  # x (1 - 0.0): itself
    size = late_share.size  # one bincount: each (buyer, position)'s sum in the purchases' order
    got = np.bincount(purchases.owner * size + at, received, minlength=4 * size).reshape(4, *late_share.shape)
    state.consumer_stock += got[BUYER_FINAL]
    state.consumer_stock += got[BUYER_STOCK]
    state.feed_stock += got[BUYER_FEED]
    state.stockpile += got[BUYER_STRATEGIC]
    return got[BUYER_STOCK]


def strategic_share(purchases: Entries, market: Line) -> np.ndarray:
    """(C,) the share of each country's purchases on a market bought for its strategic stockpile."""
    country, m, s, owner, bought, _ = purchases
    mine = (m == market.mineral) & (s == market.stage)
    total = np.bincount(country[mine], bought[mine], minlength=len(market.rules.delay))
    public = mine & (owner == BUYER_STRATEGIC)
    strategic = np.bincount(country[public], bought[public], minlength=len(market.rules.delay))
    return np.divide(strategic, total, out=np.zeros(len(total)), where=total > 0)  # bincount of none is int


def hold_up(state: WorldState, market: Line, flows: np.ndarray, strategic: np.ndarray) -> np.ndarray:
    """Put licensed exports under a delay in transit; (C,) each importer's share held up.

    `flows` are the market's (C, C) direct flows. The part of each importer's held tonnes its
    government bought (`strategic`, a share of its purchases) is kept apart, so that it
    reaches the stockpile the treasury paid for.
    """
    m, s, rules = market.mineral, market.stage, market.rules
    held = flows * rules.licensed * (rules.delay[:, None] > 0)
    for exporter in np.flatnonzero(rules.delay > 0):
        state.in_transit[rules.delay[exporter] - 1, :, m, s] += held[exporter]
        state.stockpile_in_transit[rules.delay[exporter] - 1, :, m, s] += held[exporter] * strategic
    total = flows.sum(axis=0)
    return np.divide(held.sum(axis=0), total, out=np.zeros_like(total), where=total > 0)


def pay_subsidies(state: WorldState, sales: Entries, subsidy: np.ndarray) -> None:
    """Treasuries pay their subsidised producers `subsidy` of the value they sold (a transfer)."""
    country, owner, sold, at = sales.country, sales.owner, sales.tonnes, sales.at
    private = owner == SELLER_PRODUCER
    paid = sold * state.price.take(at) * subsidy.take(at) * USD_M_PER_TONNE_USD_PER_KG
    paid = np.bincount(country[private], paid[private], minlength=len(state.treasury))
    state.treasury -= paid
    state.industry += paid


def spot_exports(spot: SpotFlows, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(cells, tonnes) of the non-zero spot exports: flat (K, C, C) places, ascending; domestic left out."""
    moved = np.flatnonzero(spot.tonnes)
    cells, tonnes = spot.cells[moved], spot.tonnes[moved]
    keep = cells // n % n != cells % n
    return cells[keep], tonnes[keep]


def pay_for_goods(
    state: WorldState,
    sales: Entries,
    purchases: Entries,
    traded: tuple[np.ndarray, np.ndarray],
    exports: tuple[np.ndarray, np.ndarray],
    routes: RouteCosts,
) -> tuple[float, float]:
    """Money for every market: buyers pay sellers at local prices; importers collect tariffs.

    Exporters' governments keep the rent between local prices net of route costs. Sellers'
    revenue goes to industry (stockpile sales to the treasury), buyers pay from industry
    (stockpile purchases from the treasury). `traded` are the markets' (mineral, stage) indices,
    `exports` the non-zero exports (`spot_exports`). Every sum is read from those exports alone,
    in the order numpy sums the dense (K, C, C) arrays (zeros add nothing), bit for bit.
    Returns the transport and the hedging of doubted suppliers paid, USD m (declared sinks).
    """
    money, n = USD_M_PER_TONNE_USD_PER_KG, len(state.industry)
    pay_at_local_prices(state, sales, purchases)
    cells, tonnes = exports
    price = state.price[:, *traded].T  # (K, C)
    route_tariffs, route_risk = routes.tariffs.at(cells), routes.risk.at(cells)
    revenue, rent, carried, hedged = np.zeros(n), np.zeros(n), np.empty(len(cells)), np.empty(len(cells))
    route_money(
        cells, tonnes, route_tariffs, route_risk, price, routes.freight, revenue, rent, carried, hedged
    )
    state.treasury += (revenue + rent) * money
    transport = sparse_sum(cells, carried, routes.tariffs.size)
    doubted = np.flatnonzero(route_risk)  # elsewhere 0.0, which adds nothing to any of numpy's partial sums
    hedging = sparse_sum(cells[doubted], hedged[doubted], routes.tariffs.size)
    return transport * money, hedging * money


def pay_at_local_prices(state: WorldState, sales: Entries, purchases: Entries) -> None:
    """Buyers pay sellers at local prices: industry, or the treasury for stockpile sales and purchases."""
    money, n, prices = USD_M_PER_TONNE_USD_PER_KG, len(state.industry), state.price.reshape(-1)
    # industry's, then the treasury's, each country's sum in the entries' order
    paid = np.zeros(2 * n)
    local_payments(sales.country, sales.owner, sales.tonnes, sales.at, prices, money, PUBLIC_SELLERS, paid)
    state.industry += paid[:n]
    state.treasury += paid[n:]
    paid = np.zeros(2 * n)
    local_payments(
        purchases.country, purchases.owner, purchases.tonnes, purchases.at, prices, money, PUBLIC_BUYERS, paid
    )
    state.industry -= paid[:n]
    state.treasury -= paid[n:]
