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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from critmin.core.actions import RefuseDelivery
from critmin.core.export_control import QUOTA
from critmin.core.units import freight_usd_per_kg, usd_m
from critmin.engine.deals import Deal
from critmin.engine.exploration import partner_tonnes_per_turn
from critmin.engine.policies import ExportControl
from critmin.engine.treasury import book, spend, transfer
from critmin.engine.trust import gain_trust, lose_trust
from critmin.engine.world import World


def deliver(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Deliver all active deals; returns their flows (M, S, C, C) in tonnes, and the routes delivered on.

    The routes are flat (M, S, C, C) positions, ascending: every other entry of the flows is 0.
    """
    n = len(world.index.countries)
    flows = np.zeros((*world.constants.chain.shape, n, n))
    routes = []
    for deal in world.deals.active(world.turn):
        control = world.policies.controls.get((deal.seller, deal.mineral, deal.stage))
        if blocks(control, deal.buyer):
            block(world, deal)
            continue
        if deal.id in world.refused:
            take_or_pay(world, deal)
            continue
        if deal.kind == "joint_exploration":
            deal = joint_exploration_share(world, deal)
            if deal is None:
                continue  # exploring, or the find is not yet on stream: nothing to share
        if deal.kind == "partnership" and control is not None and control.licenses(deal.buyer):
            control = None  # preferential access: a partner's deliveries pass the licence regime
        line = world.position(deal.seller, deal.mineral, deal.stage)
        tonnes = deliverable(world, deal, line, control, flows)
        if tonnes > 0:
            routes.append(hand_over(world, deal, line, tonnes, control, flows))
    return flows, np.unique(np.array(routes, dtype=np.int64))


def blocks(control: ExportControl | None, buyer: str) -> bool:
    """True if the control bans exports to `buyer` (its regime or a ban beside it)."""
    return control is not None and control.bans(buyer)


def block(world: World, deal: Deal) -> None:
    """A banned delivery: an ordinary contract is breached and ends; a stake's output stays home."""
    if deal.kind == "equity":
        return
    world.deals.end(deal.id)
    breach(world, deal, breaker=deal.seller, reason="export ban")


def breach(world: World, deal: Deal, breaker: str, reason: str) -> None:
    """A deal broken: the breaker pays the penalty to the other party and loses its trust."""
    other = deal.buyer if breaker == deal.seller else deal.seller
    if deal.breach_penalty_usd_m > 0:
        transfer(world, breaker, other, deal.breach_penalty_usd_m)
    lose_trust(world, breaker, [other], world.settings.trust_loss_on_breach)
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


def take_or_pay(world: World, deal: Deal) -> None:
    """The buyer declined this turn's tonnes: it pays the agreed share of their value all the same."""
    seller, m, s = world.position(deal.seller, deal.mineral, deal.stage)
    buyer = world.index.country[deal.buyer]
    owed = usd_m(deal.take_or_pay * deal.tonnes_per_turn, contract_price(world, deal, seller, m, s))
    world.state.industry[buyer] -= owed
    world.state.industry[seller] += owed
    world.emit(
        "take_or_pay",
        deal.buyer,
        f"{deal.buyer} refuses {deal.tonnes_per_turn:,.1f} t of deal {deal.id} from {deal.seller} and pays "
        f"USD {owed:,.2f} m ({deal.take_or_pay:.0%} take-or-pay)",
        target=deal.id,
        mineral=deal.mineral,
    )


def deliverable(
    world: World, deal: Deal, line: tuple[int, int, int], control: ExportControl | None, flows: np.ndarray
) -> float:
    """Tonnes the seller can deliver from its `line`: stock on hand, licence approval, quota room."""
    seller, m, s = line
    if deal.kind == "equity":
        wanted = deal.share * world.last.production[seller, m, s]
    else:
        wanted = deal.tonnes_per_turn
    tonnes = min(wanted, source_stock(world, deal)[seller, m, s])
    if control is not None:
        tonnes *= control.licence_share(deal.buyer)
        if control.regime_for(deal.buyer) == QUOTA:  # a quota counts contracts and spot together
            exported = flows[m, s, seller].sum() - flows[m, s, seller, seller]
            tonnes = min(tonnes, max(control.cap() - exported, 0.0))
    return max(float(tonnes), 0.0)


def source_stock(world: World, deal: Deal) -> np.ndarray:
    """Where a deal's tonnes come from: the strategic stockpile for a stock swap, else producers."""
    return world.state.stockpile if deal.kind == "stock_swap" else world.state.producer_stock


def joint_exploration_share(world: World, deal: Deal) -> Deal | None:
    """A joint exploration's delivery this turn: the partner's share of a find on stream, or none.

    Until a find is made under the deal, the partner funds the host's exploration instead.
    """
    finds = world.deals.finds.get((deal.seller, deal.mineral), [])
    find = next((f for f in finds if f.turn >= deal.start_turn), None)
    if find is None:
        fund_exploration(world, deal)
        return None
    if world.turn < find.on_stream_turn:
        return None
    return replace(deal, tonnes_per_turn=partner_tonnes_per_turn(find, deal.tonnes_per_turn, world.settings))


def fund_exploration(world: World, deal: Deal) -> None:
    """The partner of a joint exploration pays its share into the host's exploration budget."""
    m, s = world.index.mineral[deal.mineral], world.index.stage[deal.stage]
    reference = world.constants.reference_price[m, s]
    funding = usd_m(world.settings.joint_exploration_funding_share * deal.tonnes_per_turn, reference)
    spend(world, deal.buyer, funding, "programs")
    world.spent_on(deal.buyer, "exploration_abroad", funding)
    world.state.exploration[world.index.country[deal.seller], m] += funding


def hand_over(
    world: World, deal: Deal, line: tuple[int, int, int], tonnes: float, control, flows: np.ndarray
) -> int:
    """Move the goods from the seller's `line` (late under a licence delay) and the money, and build trust.

    Returns the route's flat position in `flows`.
    """
    state = world.state
    seller, m, s = line
    buyer = world.index.country[deal.buyer]
    source_stock(world, deal)[seller, m, s] -= tonnes
    delay = control.delay(deal.buyer) if control is not None else 0
    if delay > 0:
        state.in_transit[delay - 1, buyer, m, s] += tonnes
    elif world.last.demand_at(buyer, m, s) > 0:
        state.consumer_stock[buyer, m, s] += tonnes
    else:
        state.feed_stock[buyer, m, s] += tonnes
    flows[m, s, seller, buyer] += tonnes
    world.delivered[deal.id] = world.delivered.get(deal.id, 0.0) + tonnes
    pay(world, deal, tonnes, seller, buyer, m, s)
    if deal.kind != "equity":
        gain_trust(world, buyer, seller)
    return ((m * flows.shape[1] + s) * flows.shape[2] + seller) * flows.shape[3] + buyer


def pay(world: World, deal: Deal, tonnes: float, seller: int, buyer: int, m: int, s: int) -> None:
    """Buyer pays the contract price to the seller, and the freight."""
    state = world.state
    price = contract_price(world, deal, seller, m, s)
    freight = freight_usd_per_kg(
        world.settings.freight_usd_per_kg_per_1000km, world.constants.distance_km[seller, buyer]
    )
    state.industry[buyer] -= usd_m(tonnes, price + freight)
    state.industry[seller] += usd_m(tonnes, price)
    book(world, "transport", usd_m(tonnes, freight))


def contract_price(world: World, deal: Deal, seller: int, m: int, s: int) -> float:
    """USD/kg the buyer owes: the fixed price, or the seller's index price within the deal's bounds."""
    if deal.price_rule == "fixed" and deal.price_usd_per_kg is not None:
        return deal.price_usd_per_kg
    return clamp(world.state.price[seller, m, s], deal)


def clamp(index_price: float, deal: Deal) -> float:
    """An index price, held above a floor or below a ceiling when the deal says so."""
    if deal.price_usd_per_kg is None:
        return float(index_price)
    if deal.price_rule == "floor":
        return max(float(index_price), deal.price_usd_per_kg)
    if deal.price_rule == "ceiling":
        return min(float(index_price), deal.price_usd_per_kg)
    return float(index_price)
