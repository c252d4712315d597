"""Contract deliveries: every deal in force delivers before the spot market opens.

A ban on the route forces a breach (the seller pays the penalty and loses trust); a licence
regime lets only the approved share through, late; a quota counts contract exports first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from critmin.engine.deals import Deal
from critmin.engine.policies import ExportControl

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel


def deliver(world: WorldModel) -> np.ndarray:
    """Deliver all active deals; returns their flows (M, S, C, C) in tonnes."""
    n = len(world.index.countries)
    flows = np.zeros((*world.constants.chain.shape, n, n))
    for deal in world.deals.active(world.turn):
        control = world.policies.controls.get((deal.seller, deal.mineral, deal.stage))
        if blocks(control, deal.buyer):
            refuse(world, deal)
            continue
        tonnes = deliverable(world, deal, control, flows)
        if tonnes > 0:
            hand_over(world, deal, tonnes, control, flows)
    return flows


def blocks(control: ExportControl | None, buyer: str) -> bool:
    """True if the control bans exports to `buyer`."""
    if control is None or control.regime != "ban":
        return False
    return not control.destinations or buyer in control.destinations


def refuse(world: WorldModel, deal: Deal) -> None:
    """A banned delivery: an ordinary contract is breached and ends; a stake's output stays home."""
    if deal.kind == "equity":
        return
    world.deals.end(deal.id)
    world.breach(deal, breaker=deal.seller, reason="export ban")


def deliverable(world: WorldModel, deal: Deal, control: ExportControl | None, flows: np.ndarray) -> float:
    """Tonnes the seller can deliver this turn: stock on hand, licence approval, quota room."""
    seller, m, s = world.position(deal.seller, deal.mineral, deal.stage)
    if deal.kind == "equity":
        wanted = deal.share * world.last.production[seller, m, s]
    else:
        wanted = deal.tonnes_per_turn
    tonnes = min(wanted, world.state.producer_stock[seller, m, s])
    if control is not None and control.regime == "licence" and covers(control, deal.buyer):
        tonnes *= control.approval_share
    if control is not None and control.regime == "quota":
        exported = flows[m, s, seller].sum() - flows[m, s, seller, seller]
        room = control.quota_tonnes_per_turn * (1 + control.leakage) - exported
        tonnes = min(tonnes, max(room, 0.0))
    return max(float(tonnes), 0.0)


def covers(control: ExportControl, buyer: str) -> bool:
    """True if the control's destinations include `buyer` (all when none are named)."""
    return not control.destinations or buyer in control.destinations


def hand_over(world: WorldModel, deal: Deal, tonnes: float, control, flows: np.ndarray) -> None:
    """Move the goods (late under a licence delay) and the money, and build trust."""
    state = world.state
    seller, m, s = world.position(deal.seller, deal.mineral, deal.stage)
    buyer = world.index.country[deal.buyer]
    state.producer_stock[seller, m, s] -= tonnes
    delay = control.delay_turns if control is not None and control.regime == "licence" else 0
    if delay > 0 and covers(control, deal.buyer):
        state.in_transit[delay - 1, buyer, m, s] += tonnes
    elif world.last.demand_at(buyer, m, s) > 0:
        state.consumer_stock[buyer, m, s] += tonnes
    else:
        state.feed_stock[buyer, m, s] += tonnes
    flows[m, s, seller, buyer] += tonnes
    pay(world, deal, tonnes, seller, buyer, m, s)
    if deal.kind != "equity":
        gain = world.settings.trust_gain_per_kept_turn
        state.trust[buyer, seller] = min(1.0, state.trust[buyer, seller] + gain)


def pay(world: WorldModel, deal: Deal, tonnes: float, seller: int, buyer: int, m: int, s: int) -> None:
    """Buyer pays the contract price to the seller, and the freight."""
    state = world.state
    if deal.price_rule == "fixed" and deal.price_usd_per_kg is not None:
        price = deal.price_usd_per_kg
    else:
        price = clamp(state.price[seller, m, s], deal)
    freight = world.settings.freight_usd_per_kg_per_1000km * world.constants.distance_km[seller, buyer] / 1000
    state.industry[buyer] -= tonnes * (price + freight) / 1000
    state.industry[seller] += tonnes * price / 1000
    world.book("transport", tonnes * freight / 1000)


def clamp(index_price: float, deal: Deal) -> float:
    """An index price, held above a floor or below a ceiling when the deal says so."""
    if deal.price_usd_per_kg is None:
        return float(index_price)
    if deal.price_rule == "floor":
        return max(float(index_price), deal.price_usd_per_kg)
    if deal.price_rule == "ceiling":
        return min(float(index_price), deal.price_usd_per_kg)
    return float(index_price)
