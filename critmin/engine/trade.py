"""The trade phase: contracts first, then one spot market per mineral and stage.

Builds each market's offers and bids from the state, clears all markets in one call, and
settles goods and money. Money moves between countries' industry and treasury accounts and
three declared sinks: transport, and (elsewhere) production costs and policy spending.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from critmin.engine.market import MarketClearing, MarketProblem, clear_markets
from critmin.engine.policies import RouteRules
from critmin.engine.state import Constants, WorldState, conversion_cost

USD_M_PER_TONNE_USD_PER_KG = 1e-3  # tonnes x USD/kg = thousand USD
BUYER_FINAL, BUYER_FEED, BUYER_STRATEGIC = 0, 1, 2
SELLER_PRODUCER, SELLER_STOCKPILE = 0, 1


@dataclass
class Orders:
    """Government stockpile orders for this turn, by (country, mineral, stage) position."""

    buy: dict[tuple[int, int, int], tuple[float, float]] = field(default_factory=dict)
    release: dict[tuple[int, int, int], float] = field(default_factory=dict)


@dataclass
class Market:
    """One market as posed: its problem and who owns each offer and bid."""

    mineral: int
    stage: int
    problem: MarketProblem
    offer_owner: np.ndarray  # SELLER_* per offer
    bid_owner: np.ndarray  # BUYER_* per bid
    rules: RouteRules
    freight: np.ndarray  # (C, C) USD/kg
    tariff_usd_per_kg: np.ndarray  # (C, C)


@dataclass
class TradeOutcome:
    """What the spot markets did this turn (arrays over C, M, S unless noted)."""

    flows: np.ndarray  # (M, S, C, C) tonnes, spot and contracts, domestic on the diagonal
    bought: np.ndarray
    sold: np.ndarray
    transport_usd_m: float = 0.0


def demand_fractions(multiples: np.ndarray, elasticity: float) -> np.ndarray:
    """Share of demand (at the reference price) bid at each price multiple.

    Demand follows q(p) = q0 * (p / p0) ** elasticity; the bid at multiple k is the slice of
    demand whose willingness to pay lies between multiples k and k + 1.
    """
    at_multiple = multiples**elasticity
    return at_multiple - np.append(at_multiple[1:], 0.0)


def bid_curve(need, price_ref, elasticity, settings, essential) -> tuple[np.ndarray, np.ndarray]:
    """Bids (tonnes (C, K+1), price (C, K+1)) of every country for `need` tonnes at `price_ref`."""
    multiples = np.asarray(settings.demand_price_multiples)
    fractions = demand_fractions(multiples, elasticity)
    flexible = (need * (1 - essential))[:, None] * fractions[None, :]
    tonnes = np.concatenate([flexible, (need * essential)[:, None]], axis=1)
    prices = np.concatenate([multiples, [settings.essential_price_multiple]])[None, :]
    return tonnes, price_ref[:, None] * prices


def final_need(state: WorldState) -> np.ndarray:
    """Final demand this turn at the reference price, (C, M, S)."""
    return state.final_demand.sum(axis=0) * state.demand_shock[:, :, None]


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


def pose_market(state, constants, settings, rules: RouteRules, m: int, s: int, orders: Orders,
                needs: tuple[np.ndarray, ...]) -> Market:  # fmt: skip
    """Offers and bids of one market (mineral m at stage s).

    Buyers bid for what this turn's use lacks along their demand curve, and for the inventory
    they want on top at no more than `inventory_price_multiple` times the reference price.
    """
    final, essential, feed = needs
    n = state.capacity.shape[0]
    ref = np.full(n, constants.reference_price[m, s])
    final_use, final_stock = gaps(final[:, m, s], state.consumer_stock[:, m, s], settings)
    feed_use, feed_stock = gaps(feed[:, m, s], state.feed_stock[:, m, s], settings)
    feed_ref = feed_reference(state, constants, m, s)
    feed_cap = break_even_feed_price(state, constants, m, s)[:, None]
    stock_multiple = settings.inventory_price_multiple
    parts = [
        (*bid_curve(final_use, ref, constants.demand_elasticity[m], settings, essential[:, m, s]), BUYER_FINAL),
        (final_stock[:, None], (ref * stock_multiple)[:, None], BUYER_FINAL),
        (*capped(bid_curve(feed_use, feed_ref, settings.feed_elasticity, settings, np.zeros(n)), feed_cap),
         BUYER_FEED),
        (feed_stock[:, None], np.minimum(feed_ref * stock_multiple, feed_cap[:, 0])[:, None], BUYER_FEED),
    ]  # fmt: skip
    strategic = [(c, tonnes, cap) for (c, mm, ss), (tonnes, cap) in orders.buy.items() if (mm, ss) == (m, s)]
    bids = stack_bids(parts, strategic)
    offers = stack_offers(state, orders, m, s, offer_prices(state, constants, m, s))
    freight = settings.freight_usd_per_kg_per_1000km * constants.distance_km / 1000.0
    tariff = rules.tariff * state.price[:, m, s][:, None]
    problem = MarketProblem(
        supply_country=offers[0], supply_tonnes=offers[1], supply_price=offers[2],
        demand_country=bids[0], demand_tonnes=bids[1], demand_price=bids[2],
        demand_required=np.zeros(len(bids[0]), dtype=bool), route_cost=freight + tariff,
        route_open=rules.route_open, export_cap=rules.export_cap, licensed=rules.licensed,
        licence_cap=rules.licence_cap,
    )  # fmt: skip
    return Market(m, s, problem, offers[3], bids[3], rules, freight, tariff)


def gaps(need: np.ndarray, stock: np.ndarray, settings) -> tuple[np.ndarray, np.ndarray]:
    """(what this turn's use lacks, what the inventory target lacks on top), both >= 0."""
    use = np.maximum(need - stock, 0.0)
    total = np.maximum(need * (1 + settings.inventory_target_quarters) - stock, 0.0)
    return use, total - use


def capped(curve: tuple[np.ndarray, np.ndarray], cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A bid curve whose prices are held at or below a cap per country."""
    tonnes, prices = curve
    return tonnes, np.minimum(prices, cap)


def feed_reference(state, constants, m: int, s: int) -> np.ndarray:
    """What processors will pay for input: its reference price scaled by their output price."""
    ref = constants.reference_price[m, s]
    if s + 1 >= constants.chain.shape[1] or not constants.chain[m, s + 1]:
        return np.full(state.price.shape[0], ref)
    ratio = state.expected_price[:, m, s + 1] / constants.reference_price[m, s + 1]
    return ref * np.clip(ratio, 0.05, 50.0)


def break_even_feed_price(state: WorldState, constants: Constants, m: int, s: int) -> np.ndarray:
    """(C,) the most processors of stage s+1 can pay for stage-s feed: output price less
    conversion cost, per tonne of feed."""
    n = state.price.shape[0]
    if s + 1 >= constants.chain.shape[1] or not constants.chain[m, s + 1]:
        return np.full(n, np.inf)
    conversion = conversion_cost(state, constants)[:, m, s + 1]
    margin = state.expected_price[:, m, s + 1] - conversion
    return np.maximum(margin * constants.yield_share[m, s + 1], 0.0)


def offer_prices(state: WorldState, constants: Constants, m: int, s: int) -> np.ndarray:
    """(C,) producers' reservation prices: conversion cost plus the feed at today's local price."""
    conversion = conversion_cost(state, constants)[:, m, s]
    if s == 0 or not constants.chain[m, s - 1]:
        return state.unit_cost[:, m, s]
    return conversion + state.expected_price[:, m, s - 1] / constants.yield_share[m, s]


def stack_bids(parts, strategic) -> tuple[np.ndarray, ...]:
    """(country, tonnes, price, owner) arrays of all positive bids.

    `parts` are (tonnes (C, K), price (C, K), owner) blocks; `strategic` government orders
    (country, tonnes, price cap).
    """
    columns = []
    for tonnes, prices, owner in parts:
        n, k = tonnes.shape
        prices = np.broadcast_to(prices, tonnes.shape)
        columns.append((np.repeat(np.arange(n), k), tonnes.ravel(), prices.ravel(), np.full(n * k, owner)))
    for c, tonnes, cap in strategic:
        columns.append((np.array([c]), np.array([tonnes]), np.array([cap]), np.array([BUYER_STRATEGIC])))
    stacked = [np.concatenate(column) for column in zip(*columns, strict=True)]
    keep = stacked[1] > 1e-9
    return tuple(column[keep] for column in stacked)


def stack_offers(state: WorldState, orders: Orders, m: int, s: int, reservation: np.ndarray) -> tuple[np.ndarray, ...]:
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


def run_spot_markets(state, constants, settings, policy_book, index, orders: Orders,
                     committed: np.ndarray):  # fmt: skip
    """Pose, clear and settle every market; returns the flows tensor (M, S, C, C) and transport.

    `committed` (M, S, C, C) are this turn's contract deliveries: they use up quota and
    licence room first.
    """
    needs = (final_need(state), essential_share(state), feed_need(state, constants))
    markets = []
    for m, s in zip(*np.nonzero(constants.chain), strict=True):
        rules = policy_book.rules(index.country, index.minerals[m], index.stages[s])
        reduce_caps(rules, committed[m, s])
        markets.append(pose_market(state, constants, settings, rules, m, s, orders, needs))
    clearings = clear_among_active([market.problem for market in markets])
    n = state.capacity.shape[0]
    flows = np.zeros((*constants.chain.shape, n, n))
    transport = 0.0
    for market, clearing in zip(markets, clearings, strict=True):
        transport += settle(state, constants, market, clearing)
        flows[market.mineral, market.stage] = clearing.flows
        state.price[:, market.mineral, market.stage] = clearing.prices
    return flows, transport


def clear_among_active(problems: list[MarketProblem]) -> list[MarketClearing]:
    """Clear each market among the countries that offer or bid in it, then widen the answer.

    A country outside a market gets the cheapest landed price from its members over an open
    route (what it would pay to import), so every country still has a price.
    """
    reduced, members = zip(*(active_part(p) for p in problems), strict=True) if problems else ((), ())
    answers = clear_markets(list(reduced))
    return [widen(p, a, k) for p, a, k in zip(problems, answers, members, strict=True)]


def active_part(problem: MarketProblem) -> tuple[MarketProblem, np.ndarray]:
    """The same market restricted to its active countries, and their global positions."""
    members = np.union1d(problem.supply_country, problem.demand_country).astype(int)
    local = np.full(problem.route_cost.shape[0], -1)
    local[members] = np.arange(len(members))
    grid = np.ix_(members, members)
    reduced = MarketProblem(
        supply_country=local[problem.supply_country], supply_tonnes=problem.supply_tonnes,
        supply_price=problem.supply_price, demand_country=local[problem.demand_country],
        demand_tonnes=problem.demand_tonnes, demand_price=problem.demand_price,
        demand_required=problem.demand_required, route_cost=problem.route_cost[grid],
        route_open=problem.route_open[grid], export_cap=problem.export_cap[members],
        licensed=problem.licensed[grid], licence_cap=problem.licence_cap[members],
    )  # fmt: skip
    return reduced, members


def widen(problem: MarketProblem, answer: MarketClearing, members: np.ndarray) -> MarketClearing:
    """A clearing among members written over all countries."""
    n = problem.route_cost.shape[0]
    flows = np.zeros((n, n))
    flows[np.ix_(members, members)] = answer.flows
    landed = np.where(problem.route_open[members], answer.prices[:, None] + problem.route_cost[members], np.inf)
    prices = landed.min(axis=0) if len(members) else np.zeros(n)
    prices[members] = answer.prices
    prices[~np.isfinite(prices)] = answer.prices.max() if len(members) else 0.0
    return MarketClearing(flows=flows, prices=prices, sold=answer.sold, bought=answer.bought,
                          welfare=answer.welfare, feasible=answer.feasible)  # fmt: skip


def reduce_caps(rules: RouteRules, committed: np.ndarray) -> None:
    """Contract exports count against quotas and licences before the spot market."""
    foreign = committed * (1 - np.eye(len(committed)))
    rules.export_cap = np.maximum(rules.export_cap - foreign.sum(axis=1), 0.0)
    licensed = (foreign * rules.licensed).sum(axis=1)
    rules.licence_cap = np.maximum(rules.licence_cap - licensed, 0.0)


def settle(state: WorldState, constants: Constants, market: Market, clearing: MarketClearing) -> float:
    """Move goods and money for one cleared market; returns transport paid (USD m)."""
    m, s, problem = market.mineral, market.stage, market.problem
    prices, flows = clearing.prices, clearing.flows
    receive_goods(state, market, clearing)
    hand_over_goods(state, market, clearing)
    pay_sellers(state, market, clearing.sold * prices[problem.supply_country])
    pay_buyers(state, market, clearing.bought * prices[problem.demand_country])
    money = USD_M_PER_TONNE_USD_PER_KG
    off_diagonal = flows * (1 - np.eye(len(prices)))
    tariff_revenue = (off_diagonal * market.tariff_usd_per_kg).sum(axis=0) * money
    transport = float((off_diagonal * market.freight).sum()) * money
    margin = prices[None, :] - prices[:, None] - market.freight - market.tariff_usd_per_kg
    rent = (off_diagonal * margin).sum(axis=1) * money
    state.treasury += tariff_revenue + rent
    return transport


def hand_over_goods(state: WorldState, market: Market, clearing: MarketClearing) -> None:
    """Sellers give up what they sold: producers from their stock, governments from stockpiles."""
    m, s, problem = market.mineral, market.stage, market.problem
    for owner, target in ((SELLER_PRODUCER, state.producer_stock), (SELLER_STOCKPILE, state.stockpile)):
        mask = market.offer_owner == owner
        np.subtract.at(target[:, m, s], problem.supply_country[mask], clearing.sold[mask])
        np.maximum(target[:, m, s], 0.0, out=target[:, m, s])


def receive_goods(state: WorldState, market: Market, clearing: MarketClearing) -> None:
    """Buyers receive what they bought; licensed imports arrive `delay` turns late."""
    m, s, problem = market.mineral, market.stage, market.problem
    late_share = delayed_share(market, clearing)
    for owner, target in ((BUYER_FINAL, state.consumer_stock), (BUYER_FEED, state.feed_stock),
                          (BUYER_STRATEGIC, state.stockpile)):  # fmt: skip
        mask = market.bid_owner == owner
        countries, tonnes = problem.demand_country[mask], clearing.bought[mask]
        np.add.at(target[:, m, s], countries, tonnes * (1 - late_share[countries]))
    delays = market.rules.delay
    for exporter in np.flatnonzero(delays > 0):
        late = clearing.flows[exporter] * market.rules.licensed[exporter]
        state.in_transit[delays[exporter] - 1, :, m, s] += late


def delayed_share(market: Market, clearing: MarketClearing) -> np.ndarray:
    """Per importer, the share of this turn's purchases held up by licence delays."""
    late = (clearing.flows * market.rules.licensed * (market.rules.delay[:, None] > 0)).sum(axis=0)
    total = clearing.flows.sum(axis=0)
    return np.divide(late, total, out=np.zeros_like(total), where=total > 0)


def pay_sellers(state: WorldState, market: Market, revenue_thousand_usd: np.ndarray) -> None:
    """Producers' revenue to industry, stockpile sales to the treasury."""
    problem = market.problem
    private = market.offer_owner == SELLER_PRODUCER
    np.add.at(state.industry, problem.supply_country[private],
              revenue_thousand_usd[private] * USD_M_PER_TONNE_USD_PER_KG)  # fmt: skip
    np.add.at(state.treasury, problem.supply_country[~private],
              revenue_thousand_usd[~private] * USD_M_PER_TONNE_USD_PER_KG)  # fmt: skip


def pay_buyers(state: WorldState, market: Market, cost_thousand_usd: np.ndarray) -> None:
    """Manufacturers and processors pay from industry, stockpile purchases from the treasury."""
    problem = market.problem
    public = market.bid_owner == BUYER_STRATEGIC
    np.subtract.at(state.industry, problem.demand_country[~public],
                   cost_thousand_usd[~public] * USD_M_PER_TONNE_USD_PER_KG)  # fmt: skip
    np.subtract.at(state.treasury, problem.demand_country[public],
                   cost_thousand_usd[public] * USD_M_PER_TONNE_USD_PER_KG)  # fmt: skip
