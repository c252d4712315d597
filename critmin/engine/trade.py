"""The trade phase: contracts first, then one spot market per mineral and stage.

Builds each market's offers and bids from the state, clears all markets in one call, and
settles goods and money. Money moves between countries' industry and treasury accounts and
three declared sinks: transport, and (elsewhere) production costs and policy spending.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from critmin.engine.dynamics import control_severity, stock_bid_price, stock_gaps
from critmin.engine.market import MarketClearing, MarketProblem, clear_markets
from critmin.engine.policies import RouteRules
from critmin.engine.state import Constants, WorldState

USD_M_PER_TONNE_USD_PER_KG = 1e-3  # tonnes x USD/kg = thousand USD
BUYER_FINAL, BUYER_FEED, BUYER_STRATEGIC, BUYER_STOCK = 0, 1, 2, 3
SELLER_PRODUCER, SELLER_STOCKPILE = 0, 1


@dataclass
class Orders:
    """Government stockpile orders for this turn, by (country, mineral, stage) position."""

    buy: dict[tuple[int, int, int], tuple[float, float]] = field(default_factory=dict)
    release: dict[tuple[int, int, int], float] = field(default_factory=dict)


@dataclass
class Market:
    """One market as posed: its offers and bids, and the problem handed to the clearing.

    Countries are global positions except in `problem`, which is posed among the market's
    active countries (those that offer or bid), `members`.
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
    freight: np.ndarray  # (C, C) USD/kg
    tariff_usd_per_kg: np.ndarray  # (C, C)


@dataclass
class SpotOutcome:
    """What the spot markets did this turn."""

    flows: np.ndarray  # (M, S, C, C) spot tonnes, domestic on the diagonal
    transport_usd_m: float
    severity: np.ndarray  # (M, S, C, C) how far each route is under control (see dynamics)
    stock_bought: np.ndarray  # (C, M, S) manufacturers' purchases for stock, received this turn


def demand_fractions(multiples: np.ndarray, elasticity: float) -> np.ndarray:
    """Share of demand (at the reference price) bid at each price multiple.

    Demand follows q(p) = q0 * (p / p0) ** elasticity; the bid at multiple k is the slice of
    demand whose willingness to pay lies between multiples k and k + 1.
    """
    at_multiple = multiples**elasticity
    return at_multiple - np.append(at_multiple[1:], 0.0)


def final_need(state: WorldState) -> np.ndarray:
    """Final demand this turn at the reference price, (C, M, S).

    Sector demand times demand shocks, random demand noise and the intensity left after
    thrifting and substitution.
    """
    shocks = (state.demand_shock * state.demand_noise)[:, :, None]
    return state.final_demand.sum(axis=0) * shocks * state.intensity


def essential_share(state: WorldState) -> np.ndarray:
    """Demand-weighted essential share per (C, M, S)."""
    total = state.final_demand.sum(axis=0)
    weighted = (state.final_demand * state.essential_share).sum(axis=0)
    return np.divide(weighted, total, out=np.zeros_like(total), where=total > 0)


def feed_need(state: WorldState, constants: Constants) -> np.ndarray:
    """Input processors of stage s+1 want to hold, in stage-s tonnes, (C, M, S)."""
    running = state.capacity * state.utilisation * (1 - state.disruption)
    need = np.zeros_like(running)
    need[:, :, :-1] = running[:, :, 1:] / constants.yield_share[None, :, 1:]
    need[:, :, :-1] *= constants.chain[None, :, 1:]
    return need


@dataclass
class BidBook:
    """Every buyer's bid blocks in every market, posed at once.

    Blocks along the last axis: manufacturers' use along their demand curve (and its essential
    share), their routine and extra stock, processors' feed along their curve and their routine
    feed stock.
    """

    tonnes: np.ndarray  # (C, M, S, P)
    prices: np.ndarray  # (C, M, S, P) USD/kg
    owner: np.ndarray  # (P,) BUYER_* per block
    reservation: np.ndarray  # (C, M, S) producers' reservation prices, USD/kg


def pose_bids(state: WorldState, constants: Constants, settings) -> BidBook:
    """The bid blocks of every country in every market, and producers' reservation prices.

    Manufacturers bid for what this turn's use lacks along their demand curve, for their
    routine inventory at no more than `inventory_price_multiple` times the reference price, and
    for the precautionary or speculative stock above it at `stock_bid_price`. Processors bid for
    feed along their own curve up to break-even, and for a routine feed inventory.
    """
    final = final_bids(state, constants, settings)
    feed = feed_bids(state, constants, settings)
    parts = final + feed
    shape = state.capacity.shape
    tonnes = np.concatenate([np.broadcast_to(t, (*shape, t.shape[-1])) for t, _, _ in parts], axis=-1)
    prices = np.concatenate([np.broadcast_to(p, (*shape, p.shape[-1])) for _, p, _ in parts], axis=-1)
    owner = np.concatenate([np.full(t.shape[-1], o) for t, _, o in parts])
    return BidBook(tonnes, prices, owner, offer_prices(state, constants))


def final_bids(state: WorldState, constants: Constants, settings) -> list[tuple]:
    """Manufacturers' blocks (tonnes, prices, owner), each (C, M, S, k)."""
    need, essential = final_need(state), essential_share(state)
    ref = constants.reference_price[None]
    use, routine, extra = stock_gaps(
        need, state.consumer_stock, state.inventory_target, settings.inventory_target_quarters
    )
    multiples = np.asarray(settings.demand_price_multiples)
    fractions = np.stack([demand_fractions(multiples, e) for e in constants.demand_elasticity])  # (M, K)
    flexible = (use * (1 - essential))[..., None] * fractions[None, :, None, :]
    curve = np.concatenate([flexible, (use * essential)[..., None]], axis=-1)
    levels = np.append(multiples, settings.essential_price_multiple)
    return [
        (curve, ref[..., None] * levels, BUYER_FINAL),
        (routine[..., None], (ref * settings.inventory_price_multiple)[..., None], BUYER_STOCK),
        (extra[..., None], stock_bid_price(state, constants, settings)[..., None], BUYER_STOCK),
    ]


def feed_bids(state: WorldState, constants: Constants, settings) -> list[tuple]:
    """Processors' blocks for feed (tonnes, prices, owner), each (C, M, S, k)."""
    base = settings.inventory_target_quarters
    use, routine, _ = stock_gaps(feed_need(state, constants), state.feed_stock, base, base)
    multiples = np.asarray(settings.demand_price_multiples)
    reference = feed_reference(state, constants)
    cap = break_even_feed_price(state, constants)
    curve = use[..., None] * demand_fractions(multiples, settings.feed_elasticity)
    curve_prices = np.minimum(reference[..., None] * multiples, cap[..., None])
    routine_price = np.minimum(reference * settings.inventory_price_multiple, cap)
    return [(curve, curve_prices, BUYER_FEED), (routine[..., None], routine_price[..., None], BUYER_FEED)]


def pose_market(
    book: BidBook, state, constants, settings, rules: RouteRules, m: int, s: int, orders: Orders
) -> Market:
    """One market (mineral m at stage s) as a problem among its active countries."""
    bids = market_bids(book, orders, m, s)
    offers = stack_offers(state, orders, m, s, book.reservation[:, m, s])
    freight = settings.freight_usd_per_kg_per_1000km * constants.distance_km / 1000.0
    tariff = rules.tariff * state.price[:, m, s][:, None]
    members = np.union1d(offers[0], bids[0]).astype(int)
    local = np.full(len(freight), -1)
    local[members] = np.arange(len(members))
    grid = np.ix_(members, members)
    problem = MarketProblem.trusted(
        supply_country=local[offers[0]],
        supply_tonnes=offers[1],
        supply_price=offers[2],
        demand_country=local[bids[0]],
        demand_tonnes=bids[1],
        demand_price=bids[2],
        demand_required=np.zeros(len(bids[0]), dtype=bool),
        route_cost=(freight + tariff)[grid],
        route_open=rules.route_open[grid],
        export_cap=rules.export_cap[members],
        licensed=rules.licensed[grid],
        licence_cap=rules.licence_cap[members],
    )
    return Market(m, s, problem, members, offers[0], offers[3], bids[0], bids[3], rules, freight, tariff)


def market_bids(book: BidBook, orders: Orders, m: int, s: int) -> tuple[np.ndarray, ...]:
    """(country, tonnes, price, owner) arrays of one market's positive bids.

    Government stockpile orders come last.
    """
    tonnes = book.tonnes[:, m, s]
    keep = tonnes > 1e-9
    country, block = np.nonzero(keep)
    columns = [country, tonnes[keep], book.prices[:, m, s][keep], book.owner[block]]
    strategic = [
        (c, t, cap) for (c, mm, ss), (t, cap) in orders.buy.items() if (mm, ss) == (m, s) and t > 1e-9
    ]
    if strategic:
        c, t, cap = (np.array(column) for column in zip(*strategic, strict=True))
        extra = (c, t, cap, np.full(len(c), BUYER_STRATEGIC))
        columns = [np.concatenate([a, b]) for a, b in zip(columns, extra, strict=True)]
    return tuple(columns)


def feed_reference(state: WorldState, constants: Constants) -> np.ndarray:
    """(C, M, S) what processors will pay for input: its reference price scaled by theirs.

    The scale is the price of their output over its reference (1 where no stage follows).
    """
    reference = np.broadcast_to(constants.reference_price[None], state.price.shape)
    scaled = reference.copy()
    ratio = np.divide(
        state.price[:, :, 1:],
        reference[:, :, 1:],
        out=np.ones_like(scaled[:, :, 1:]),
        where=reference[:, :, 1:] > 0,
    )
    follows = constants.chain[None, :, 1:]
    scaled[:, :, :-1] = np.where(
        follows, reference[:, :, :-1] * np.clip(ratio, 0.05, 50.0), reference[:, :, :-1]
    )
    return scaled


def break_even_feed_price(state: WorldState, constants: Constants) -> np.ndarray:
    """(C, M, S) the most processors of stage s+1 can pay for stage-s feed.

    Their output price less conversion cost, per tonne of feed (unbounded where no stage
    follows).
    """
    cap = np.full(state.price.shape, np.inf)
    margin = state.price[:, :, 1:] - state.unit_cost[:, :, 1:]
    paid = np.maximum(margin * constants.yield_share[None, :, 1:], 0.0)
    cap[:, :, :-1] = np.where(constants.chain[None, :, 1:], paid, np.inf)
    return cap


def offer_prices(state: WorldState, constants: Constants) -> np.ndarray:
    """(C, M, S) producers' reservation prices.

    A mine's cash cost; a processor's conversion cost plus its feed at today's local price.
    """
    reservation = state.unit_cost.copy()
    feed = state.price[:, :, :-1] / constants.yield_share[None, :, 1:]
    reservation[:, :, 1:] += np.where(constants.chain[None, :, :-1], feed, 0.0)
    return reservation


def stack_offers(
    state: WorldState, orders: Orders, m: int, s: int, reservation: np.ndarray
) -> tuple[np.ndarray, ...]:
    """(country, tonnes, reservation price, owner) arrays of all positive offers."""
    n = state.capacity.shape[0]
    release = np.zeros(n)
    for (c, mm, ss), tonnes in orders.release.items():
        if (mm, ss) == (m, s):
            release[c] += min(tonnes, state.stockpile[c, m, s])
    country = np.concatenate([np.arange(n), np.arange(n)])
    tonnes = np.concatenate([state.producer_stock[:, m, s], release])
    price = np.concatenate([reservation, np.zeros(n)])
    owner = np.concatenate([np.full(n, SELLER_PRODUCER), np.full(n, SELLER_STOCKPILE)])
    keep = tonnes > 1e-9
    return country[keep], tonnes[keep], price[keep], owner[keep]


def run_spot_markets(
    state, constants, settings, policy_book, index, orders: Orders, committed: np.ndarray
) -> SpotOutcome:
    """Pose, clear and settle every market.

    `committed` (M, S, C, C) are this turn's contract deliveries: they use up quota and
    licence room first, and count towards how far each control binds.
    """
    posed = pose_markets(state, constants, settings, policy_book, index, orders, committed)
    clearings = clear_among_active([market for market, _ in posed])
    return settle_markets(state, constants, settings, posed, clearings, committed)


def pose_markets(state, constants, settings, policy_book, index, orders: Orders, committed: np.ndarray):
    """Every market as posed, each with its full route rules (None where no control applies).

    The full rules are the controls' caps before contract deliveries used part of them.
    """
    book = pose_bids(state, constants, settings)
    posed = []
    for m, s in zip(*np.nonzero(constants.chain), strict=True):
        rules = policy_book.rules(index.country, index.minerals[m], index.stages[s])
        full_rules = None
        if controlled(rules):
            full_rules = replace(
                rules, export_cap=rules.export_cap.copy(), licence_cap=rules.licence_cap.copy()
            )
            reduce_caps(rules, committed[m, s])
        posed.append((pose_market(book, state, constants, settings, rules, m, s, orders), full_rules))
    return posed


def settle_markets(state, constants, settings, posed, clearings, committed: np.ndarray) -> SpotOutcome:
    """Settle every cleared market; set prices; measure how far each control binds."""
    n = state.capacity.shape[0]
    flows = np.zeros((*constants.chain.shape, n, n))
    severity = np.zeros_like(flows)
    stock_bought = np.zeros_like(state.consumer_stock)
    transport = 0.0
    for (market, full_rules), clearing in zip(posed, clearings, strict=True):
        m, s = market.mineral, market.stage
        paid_freight, stock_bought[:, m, s] = settle(state, constants, market, clearing)
        transport += paid_freight
        flows[m, s] = clearing.flows
        state.price[:, m, s] = clearing.prices
        if full_rules is not None:
            severity[m, s] = control_severity(full_rules, clearing.flows + committed[m, s], settings)
    return SpotOutcome(flows=flows, transport_usd_m=transport, severity=severity, stock_bought=stock_bought)


def clear_among_active(markets: list[Market]) -> list[MarketClearing]:
    """Clear every market among its active countries in one call; widen each answer.

    A country outside a market gets the cheapest landed price from its members over an open
    route (what it would pay to import), so every country still has a price.
    """
    answers = clear_markets([market.problem for market in markets])
    return [widen(market, answer) for market, answer in zip(markets, answers, strict=True)]


def widen(market: Market, answer: MarketClearing) -> MarketClearing:
    """A clearing among a market's members written over all countries."""
    members = market.members
    n = len(market.freight)
    flows = np.zeros((n, n))
    flows[np.ix_(members, members)] = answer.flows
    route_cost = market.freight[members] + market.tariff_usd_per_kg[members]
    landed = np.where(market.rules.route_open[members], answer.prices[:, None] + route_cost, np.inf)
    prices = landed.min(axis=0) if len(members) else np.zeros(n)
    prices[members] = answer.prices
    prices[~np.isfinite(prices)] = answer.prices.max() if len(members) else 0.0
    return MarketClearing(
        flows=flows,
        prices=prices,
        sold=answer.sold,
        bought=answer.bought,
        welfare=answer.welfare,
        feasible=answer.feasible,
    )


def controlled(rules: RouteRules) -> bool:
    """True if any export control (ban, quota or licence) applies in the market."""
    return bool(rules.licensed.any() or np.isfinite(rules.export_cap).any() or not rules.route_open.all())


def reduce_caps(rules: RouteRules, committed: np.ndarray) -> None:
    """Contract exports count against quotas and licences before the spot market."""
    foreign = committed * (1 - np.eye(len(committed)))
    rules.export_cap = np.maximum(rules.export_cap - foreign.sum(axis=1), 0.0)
    licensed = (foreign * rules.licensed).sum(axis=1)
    rules.licence_cap = np.maximum(rules.licence_cap - licensed, 0.0)


def settle(
    state: WorldState, constants: Constants, market: Market, clearing: MarketClearing
) -> tuple[float, np.ndarray]:
    """Move goods and money for one cleared market.

    Returns the transport paid (USD m) and, per country, the tonnes manufacturers bought for
    stock and received this turn.
    """
    prices, flows = clearing.prices, clearing.flows
    stock_bought = receive_goods(state, market, clearing)
    hand_over_goods(state, market, clearing)
    pay_sellers(state, market, clearing.sold * prices[market.offer_country])
    pay_buyers(state, market, clearing.bought * prices[market.bid_country])
    money = USD_M_PER_TONNE_USD_PER_KG
    off_diagonal = flows * (1 - np.eye(len(prices)))
    tariff_revenue = (off_diagonal * market.tariff_usd_per_kg).sum(axis=0) * money
    transport = float((off_diagonal * market.freight).sum()) * money
    margin = prices[None, :] - prices[:, None] - market.freight - market.tariff_usd_per_kg
    rent = (off_diagonal * margin).sum(axis=1) * money
    state.treasury += tariff_revenue + rent
    return transport, stock_bought


def hand_over_goods(state: WorldState, market: Market, clearing: MarketClearing) -> None:
    """Sellers give up what they sold: producers from their stock, governments from stockpiles."""
    m, s = market.mineral, market.stage
    for owner, target in ((SELLER_PRODUCER, state.producer_stock), (SELLER_STOCKPILE, state.stockpile)):
        mask = market.offer_owner == owner
        np.subtract.at(target[:, m, s], market.offer_country[mask], clearing.sold[mask])
        np.maximum(target[:, m, s], 0.0, out=target[:, m, s])


def receive_goods(state: WorldState, market: Market, clearing: MarketClearing) -> np.ndarray:
    """Buyers receive what they bought; licensed imports arrive `delay` turns late.

    Returns (C,) the tonnes manufacturers bought for stock and received now.
    """
    m, s = market.mineral, market.stage
    delays = market.rules.delay
    late_share = delayed_share(market, clearing) if delays.any() else np.zeros(len(delays))
    received = {}
    for owner, target in (
        (BUYER_FINAL, state.consumer_stock),
        (BUYER_STOCK, state.consumer_stock),
        (BUYER_FEED, state.feed_stock),
        (BUYER_STRATEGIC, state.stockpile),
    ):
        mask = market.bid_owner == owner
        countries, tonnes = market.bid_country[mask], clearing.bought[mask]
        received[owner] = np.bincount(
            countries, tonnes * (1 - late_share[countries]), minlength=len(late_share)
        )
        target[:, m, s] += received[owner]
    for exporter in np.flatnonzero(delays > 0):
        late = clearing.flows[exporter] * market.rules.licensed[exporter]
        state.in_transit[delays[exporter] - 1, :, m, s] += late
    return received[BUYER_STOCK]


def delayed_share(market: Market, clearing: MarketClearing) -> np.ndarray:
    """Per importer, the share of this turn's purchases held up by licence delays."""
    late = (clearing.flows * market.rules.licensed * (market.rules.delay[:, None] > 0)).sum(axis=0)
    total = clearing.flows.sum(axis=0)
    return np.divide(late, total, out=np.zeros_like(total), where=total > 0)


def pay_sellers(state: WorldState, market: Market, revenue_thousand_usd: np.ndarray) -> None:
    """Producers' revenue to industry, stockpile sales to the treasury."""
    private = market.offer_owner == SELLER_PRODUCER
    n = len(state.industry)
    money = revenue_thousand_usd * USD_M_PER_TONNE_USD_PER_KG
    state.industry += np.bincount(market.offer_country[private], money[private], minlength=n)
    state.treasury += np.bincount(market.offer_country[~private], money[~private], minlength=n)


def pay_buyers(state: WorldState, market: Market, cost_thousand_usd: np.ndarray) -> None:
    """Manufacturers and processors pay from industry, stockpile purchases from the treasury."""
    public = market.bid_owner == BUYER_STRATEGIC
    n = len(state.industry)
    money = cost_thousand_usd * USD_M_PER_TONNE_USD_PER_KG
    state.industry -= np.bincount(market.bid_country[~public], money[~public], minlength=n)
    state.treasury -= np.bincount(market.bid_country[public], money[public], minlength=n)
