"""Contract deliveries: every deal in force delivers before the spot market opens.

A ban on the route forces a breach (the seller pays the penalty and loses trust); a licence
regime lets only the approved share through, late; a quota counts contract exports first.

Deal kinds differ in what they add to a delivery:

- offtake: the tonnes, at the price rule;
- strategic partnership: preferential access: the seller's licence regime neither cuts nor
  delays a partner's deliveries (a ban still breaks the deal); its capacity was co-financed by
  the partner at signing (see `diplomacy.co_finance`);
- joint exploration: the partner co-finances the host's exploration of the mineral every turn
  (raising the host's discovery odds) until the host makes a find during the deal; once that
  find comes on stream the partner receives its share of the find's output, up to its entitled
  tonnes (`exploration.partner_tonnes_per_turn`), the deal running on for a full term;
- stock swap: the tonnes come from the seller's strategic stockpile, not its producers;
- equity: a firm's share of a line's output abroad, shipped home.

A buyer that refuses a turn's tonnes (`RefuseDelivery`) pays the seller its take-or-pay share
of their contract value; the seller keeps the goods.

The deals deliver in id order, each from the stocks the ones before it left, in one pass over
a table of their terms (`delivery_terms`, a row a deal) by a numba loop (`_deliver_all`) that
does the float operations of a deal-by-deal delivery in the same order: stocks, flows, industry
money, trust and the transport sink come out bit for bit as they did. What a deal does outside
those arrays (a breach's penalty and event, a refusal's event, a joint exploration's funding) is
done before the pass, in deal order.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from itertools import chain

import numba as nb
import numpy as np

from critmin.core.actions import RefuseDelivery
from critmin.core.export_control import QUOTA
from critmin.core.units import THOUSAND_USD_PER_USD_M, freight_usd_per_kg, usd_m
from critmin.engine.deals import Deal
from critmin.engine.exploration import partner_tonnes_per_turn
from critmin.engine.pairwise_sum import numpy_sum
from critmin.engine.policies import ExportControl
from critmin.engine.state import Index
from critmin.engine.treasury import spend, transfer
from critmin.engine.trust import lose_trust
from critmin.engine.world import World

NOTHING, DELIVER, TAKE_OR_PAY, BREACH = 0, 1, 2, 3
"""What a deal does in the turn's pass."""
INDEX, FIXED, FLOOR, CEILING = 0, 1, 2, 3
"""A deal's price rule in the pass: the seller's index price (also any rule without a price), or its bound."""
PRICE_RULES = {"fixed": FIXED, "floor": FLOOR, "ceiling": CEILING}
KINDS = {"offtake": 0, "partnership": 1, "stock_swap": 2, "equity": 3, "joint_exploration": 4}
STOCK_SWAP, EQUITY, JOINT_EXPLORATION = KINDS["stock_swap"], KINDS["equity"], KINDS["joint_exploration"]
SELLER, BUYER, MINERAL, STAGE, TONNES, EQUITY_SHARE, KIND, RULE, BOUND = range(9)
DOES, WANTED, SHARE, QUOTA_CAP, CAP, DELAY, OWED = range(9, 16)
"""The columns of the terms table. From the deal: its line and buyer, its tonnes a turn, a stake's
share of output, its kind, price rule and bound. This turn's: what it does, the tonnes it wants, the
share a licence approves, whether a quota caps it and at what, the licence delay, what a refusal owes."""
COLUMNS = 16


def deliver(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Deliver all active deals; returns their flows (M, S, C, C) in tonnes, and the routes delivered on.

    The routes are flat (M, S, C, C) positions, ascending: every other entry of the flows is 0.
    """
    n, state, settings = len(world.index.countries), world.state, world.settings
    flows = np.zeros((*world.constants.chain.shape, n, n))
    deals = world.deals.active(world.turn)
    if not deals:
        return flows, np.zeros(0, dtype=np.int64)
    terms, effects = delivery_terms(world, deals)
    lines = terms[:, : STAGE + 1].astype(np.int64)
    sellers, buyers, minerals, stages = lines.T
    prices = contract_prices(state.price[sellers, minerals, stages], terms[:, RULE], terms[:, BOUND])
    own_effects(world, deals, effects, terms, prices)
    freights = freight_usd_per_kg(
        settings.freight_usd_per_kg_per_1000km, world.constants.distance_km[sellers, buyers]
    )
    tonnes = np.zeros(len(deals))
    stocks = (state.producer_stock, state.stockpile, state.in_transit, state.consumer_stock, state.feed_stock)
    trust_steps = np.array([settings.trust_gain_per_kept_turn, settings.trust_loss_on_breach])
    transport = _deliver_all(
        terms,
        lines,
        prices,
        freights,
        *stocks,
        state.industry,
        state.trust,
        world.last.demand,
        trust_steps,
        flows,
        tonnes,
        world.ledger.get("transport", 0.0),
    )
    return flows, record_deliveries(world, deals, tonnes, transport, lines, flows.shape)


def delivery_terms(world: World, deals: list[Deal]) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """The terms table (a row a deal, the columns above), and the deals' own effects, (row, effect) in order.

    An effect is "block" (a ban breaks the deal), "refuse" (the buyer pays take-or-pay) or "fund"
    (a joint exploration funds the host's exploration); `own_effects` carries them out.
    """
    rows = world.deals.rows_of(deals, partial(deal_row, world.index))
    terms = np.zeros((len(deals), COLUMNS))
    terms[:, :DOES] = np.fromiter(chain.from_iterable(rows), np.float64, len(deals) * DOES).reshape(-1, DOES)
    terms[:, DOES], terms[:, SHARE], terms[:, WANTED] = DELIVER, 1.0, terms[:, TONNES]
    stakes = terms[:, KIND] == EQUITY  # a stake ships its share of the line's output
    seller, _, m, s = terms[stakes, : STAGE + 1].astype(np.int64).T
    terms[stakes, WANTED] = terms[stakes, EQUITY_SHARE] * world.last.production[seller, m, s]
    effects = []
    for k in unusual(world, deals, terms):
        effect = this_turns_terms(world, deals[k], terms[k])
        if effect:
            effects.append((k, effect))
    return terms, effects


def deal_row(index: Index, d: Deal) -> tuple[float, ...]:
    """A deal's own columns of the terms table (SELLER to BOUND), as floats."""
    rule = PRICE_RULES.get(d.price_rule, INDEX) if d.price_usd_per_kg is not None else INDEX
    line = (index.country[d.seller], index.country[d.buyer], index.mineral[d.mineral], index.stage[d.stage])
    own = (d.tonnes_per_turn, d.share, KINDS[d.kind], rule, d.price_usd_per_kg or 0.0)
    return tuple(map(float, (*line, *own)))


def unusual(world: World, deals: list[Deal], terms: np.ndarray) -> list[int]:
    """The rows of deals under a control or refused this turn, and of joint explorations, in order."""
    controls, refused = world.policies.controls, world.refused
    rows = terms[:, KIND] == JOINT_EXPLORATION
    if controls:
        seller, m, s = terms[:, [SELLER, MINERAL, STAGE]].astype(np.int64).T
        rows |= world.policies.controlled_lines(world.index, world.state.capacity.shape)[seller, m, s]
    if refused:
        rows |= np.fromiter((d.id in refused for d in deals), bool, len(deals))
    return np.flatnonzero(rows).tolist()


def this_turns_terms(world: World, deal: Deal, row: np.ndarray) -> str:
    """A deal's row under a control, a refusal or a joint exploration's progress; returns its own effect."""
    control = world.policies.controls.get((deal.seller, deal.mineral, deal.stage))
    if control is not None and control.bans(deal.buyer):
        row[DOES] = NOTHING if deal.kind == "equity" else BREACH
        return "" if deal.kind == "equity" else "block"
    if deal.id in world.refused:
        row[DOES] = TAKE_OR_PAY
        return "refuse"
    effect = ""
    if deal.kind == "joint_exploration":
        row[DOES], row[WANTED], effect = joint_exploration_share(world, deal)
    row[SHARE], row[QUOTA_CAP], row[CAP], row[DELAY] = control_terms(control, deal)
    return effect


def control_terms(control: ExportControl | None, deal: Deal) -> tuple[float, bool, float, int]:
    """The share a licence approves, whether a quota caps the delivery and at what, and the licence delay.

    A partner's deliveries pass the licence regime (preferential access); a quota counts
    contracts and spot together.
    """
    if control is None or (deal.kind == "partnership" and control.licenses(deal.buyer)):
        return 1.0, False, 0.0, 0
    quota = control.regime_for(deal.buyer) == QUOTA
    return (
        control.licence_share(deal.buyer),
        quota,
        control.cap() if quota else 0.0,
        control.delay(deal.buyer),
    )


def joint_exploration_share(world: World, deal: Deal) -> tuple[int, float, str]:
    """A joint exploration this turn: the partner's share of a find on stream, or nothing.

    Until a find is made under the deal, the partner funds the host's exploration instead.
    """
    finds = world.deals.finds.get((deal.seller, deal.mineral), [])
    find = next((f for f in finds if f.turn >= deal.start_turn), None)
    if find is None:
        return NOTHING, 0.0, "fund"
    if world.turn < find.on_stream_turn:
        return NOTHING, 0.0, ""
    return DELIVER, partner_tonnes_per_turn(find, deal.tonnes_per_turn, world.settings), ""


def contract_prices(index_prices: np.ndarray, rules: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """USD/kg each buyer owes: the fixed price, or the seller's index price within its floor or ceiling."""
    fixed = rules == FIXED
    floor = (rules == FLOOR) & (bounds > index_prices)
    ceiling = (rules == CEILING) & (bounds < index_prices)
    return np.where(fixed | floor | ceiling, bounds, index_prices)


def own_effects(
    world: World, deals: list[Deal], effects: list[tuple[int, str]], terms: np.ndarray, prices: np.ndarray
) -> None:
    """The deals' effects outside the pass's arrays, in deal order; a refusal's debt into its row (OWED)."""
    for k, effect in effects:
        if effect == "block":
            block(world, deals[k])
        elif effect == "refuse":
            terms[k, OWED] = take_or_pay(world, deals[k], float(prices[k]))
        else:
            fund_exploration(world, deals[k])


def record_deliveries(
    world: World, deals: list[Deal], tonnes: np.ndarray, transport: float, lines: np.ndarray, shape: tuple
) -> np.ndarray:
    """Count each deal's tonnes and the freight paid; returns the routes delivered on (flat, ascending)."""
    moved = np.flatnonzero(tonnes > 0)
    if not len(moved):
        return np.zeros(0, dtype=np.int64)
    world.ledger["transport"] = transport
    delivered = world.delivered
    for k, amount in zip(moved.tolist(), tonnes[moved].tolist(), strict=True):
        deal_id = deals[k].id
        delivered[deal_id] = delivered.get(deal_id, 0.0) + amount
    sellers, buyers, minerals, stages = lines[moved].T
    return np.unique(np.ravel_multi_index((minerals, stages, sellers, buyers), shape))


def block(world: World, deal: Deal) -> None:
    """A banned delivery breaches the contract, which ends (the pass takes the trust it costs)."""
    world.deals.end(deal.id)
    penalise(world, deal, breaker=deal.seller, reason="export ban")


def breach(world: World, deal: Deal, breaker: str, reason: str) -> None:
    """A deal broken: the breaker pays the penalty to the other party and loses its trust."""
    penalise(world, deal, breaker, reason)
    other = deal.buyer if breaker == deal.seller else deal.seller
    lose_trust(world, breaker, [other], world.settings.trust_loss_on_breach)


def penalise(world: World, deal: Deal, breaker: str, reason: str) -> None:
    """The breaker of a deal pays the penalty to the other party (an event says so)."""
    other = deal.buyer if breaker == deal.seller else deal.seller
    if deal.breach_penalty_usd_m > 0:
        transfer(world, breaker, other, deal.breach_penalty_usd_m)
    world.emit(
        "deal_breached",
        breaker,
        f"{breaker} breaches deal {deal.id} with {other} ({reason}); "
        f"penalty USD {deal.breach_penalty_usd_m:,.1f} m",
        target=deal.id,
        mineral=deal.mineral,
    )


def check_refuse(world: World, action: RefuseDelivery) -> Iterator[str]:
    """Only the buyer of a contract in force, with tonnes to deliver, can refuse them."""
    deal = world.deals.deals.get(action.deal_id)
    if deal is None:
        yield f"no deal {action.deal_id!r} in force"
    elif deal.buyer != action.country:
        yield f"{action.country} is not the buyer in deal {action.deal_id}"
    elif deal.kind not in ("offtake", "partnership", "stock_swap"):
        yield f"deal {action.deal_id} is a {deal.kind.replace('_', ' ')}: it has no deliveries to refuse"


def refuse_delivery(world: World, action: RefuseDelivery) -> None:
    """Mark the contract's tonnes refused for this turn (`take_or_pay` settles it at delivery)."""
    world.refused.add(action.deal_id)


def take_or_pay(world: World, deal: Deal, price_usd_per_kg: float) -> float:
    """What a buyer that declined this turn's tonnes owes all the same: the agreed share of their value.

    An event says so; the delivery pass moves the money.
    """
    owed = usd_m(deal.take_or_pay * deal.tonnes_per_turn, price_usd_per_kg)
    world.emit(
        "take_or_pay",
        deal.buyer,
        f"{deal.buyer} refuses {deal.tonnes_per_turn:,.1f} t of deal {deal.id} from {deal.seller} and pays "
        f"USD {owed:,.2f} m ({deal.take_or_pay:.0%} take-or-pay)",
        target=deal.id,
        mineral=deal.mineral,
    )
    return owed


def fund_exploration(world: World, deal: Deal) -> None:
    """The partner of a joint exploration pays its share into the host's exploration budget."""
    m, s = world.index.mineral[deal.mineral], world.index.stage[deal.stage]
    reference = world.constants.reference_price[m, s]
    funding = usd_m(world.settings.joint_exploration_funding_share * deal.tonnes_per_turn, reference)
    spend(world, deal.buyer, funding, "programs")
    world.spent_on(deal.buyer, "exploration_abroad", funding)
    world.state.exploration[world.index.country[deal.seller], m] += funding


@nb.njit(cache=True)
def _deliver_all(
    terms, lines, prices, freights, producer_stock, stockpile, in_transit, consumer_stock, feed_stock,
    industry, trust, demand, trust_steps, flows, tonnes, transport,
):  # fmt: skip
    """Each deal in turn: a take-or-pay debt, a breach's trust loss, or a delivery (its tonnes into `tonnes`).

    Returns the transport sink's total after the deliveries' freight, added one by one to `transport`.
    """
    gain, loss = trust_steps[0], trust_steps[1]
    for k in range(len(terms)):
        does, seller, buyer, m, s = terms[k, DOES], lines[k, 0], lines[k, 1], lines[k, 2], lines[k, 3]
        if does == TAKE_OR_PAY:
            industry[buyer] -= terms[k, OWED]
            industry[seller] += terms[k, OWED]
        elif does == BREACH:  # numpy's clip: max with 0, then min with 1
            held = trust[buyer, seller] - loss
            held = held if held > 0.0 else 0.0
            trust[buyer, seller] = held if held < 1.0 else 1.0
        elif does == DELIVER:
            source = stockpile if terms[k, KIND] == STOCK_SWAP else producer_stock
            moved = _deliverable(terms[k], source[seller, m, s], flows[m, s, seller], seller)
            if moved > 0:
                tonnes[k] = moved
                source[seller, m, s] -= moved
                delay = int(terms[k, DELAY])
                if delay > 0:
                    in_transit[delay - 1, buyer, m, s] += moved
                elif demand[buyer, m, s] > 0:
                    consumer_stock[buyer, m, s] += moved
                else:
                    feed_stock[buyer, m, s] += moved
                flows[m, s, seller, buyer] += moved
                industry[buyer] -= moved * (prices[k] + freights[k]) / THOUSAND_USD_PER_USD_M
                industry[seller] += moved * prices[k] / THOUSAND_USD_PER_USD_M
                transport = transport + moved * freights[k] / THOUSAND_USD_PER_USD_M
                if terms[k, KIND] != EQUITY:
                    kept = trust[buyer, seller] + gain
                    trust[buyer, seller] = kept if kept < 1.0 else 1.0
    return transport


@nb.njit(cache=True)
def _deliverable(row, stock, exports, seller):
    """Tonnes a deal's seller can deliver: stock on hand, licence approval, quota room (Python's min, max)."""
    wanted = row[WANTED]
    moved = stock if stock < wanted else wanted
    moved *= row[SHARE]
    if row[QUOTA_CAP]:  # a quota counts what the seller's contracts exported before
        room = row[CAP] - (numpy_sum(exports) - exports[seller])
        room = 0.0 if room < 0.0 else room
        moved = room if room < moved else moved
    return 0.0 if moved < 0.0 else moved
