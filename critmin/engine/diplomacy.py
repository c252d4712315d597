"""Diplomacy: deals proposed, answered, broken, and expired.

A proposal waits in the counterparty's inbox (`deals.DealBook`) until answered or stale; an
accepted one is signed and delivers from the next turn (contracts.py). A strategic partnership's
partner finances the seller's new capacity when it is signed (`co_finance`). A party may walk
away from a deal; it then pays the penalty and loses trust (contracts.breach).
"""

from __future__ import annotations

from collections.abc import Iterator

from critmin.core.actions import AnswerDeal, BreakDeal, ProposeDeal
from critmin.engine.capacity import build
from critmin.engine.contracts import breach
from critmin.engine.treasury import affordable, capex_usd_m, spend
from critmin.engine.world import World


def check_propose(world: World, action: ProposeDeal) -> Iterator[str]:
    """The proposer is one party, the counterparty the other."""
    if action.counterparty == action.country:
        yield "a country cannot propose a deal to itself"
    if {action.seller, action.buyer} != {action.country, action.counterparty}:
        yield "seller and buyer must be the proposer and the counterparty"
    if action.price_rule != "index" and action.price_usd_per_kg is None:
        yield f"a {action.price_rule} price rule needs price_usd_per_kg"


def check_answer(world: World, action: AnswerDeal) -> Iterator[str]:
    """Only the addressee answers a pending proposal; a partnership's financier must afford it."""
    proposal = world.deals.proposals.get(action.proposal_id)
    if proposal is None:
        yield f"no pending proposal {action.proposal_id!r}"
    elif proposal.action.counterparty != action.country:
        yield f"proposal {action.proposal_id} is addressed to {proposal.action.counterparty}"
    elif action.accept and proposal.action.kind == "partnership":
        offer = proposal.action
        yield from affordable(world, offer.buyer, partnership_capex_usd_m(world, offer))


def check_break(world: World, action: BreakDeal) -> Iterator[str]:
    """Only a party breaks a deal in force."""
    deal = world.deals.deals.get(action.deal_id)
    if deal is None:
        yield f"no deal {action.deal_id!r} in force"
    elif action.country not in (deal.seller, deal.buyer):
        yield f"{action.country} is not a party to deal {action.deal_id}"


def propose(world: World, action: ProposeDeal) -> None:
    """Deliver the proposal to the counterparty's inbox."""
    proposal = world.deals.propose(action, world.turn)
    world.emit(
        "deal_proposed",
        action.country,
        f"{action.country} proposes a {action.kind} of "
        f"{action.tonnes_per_year:,.0f} t/yr {action.mineral.value} to {action.counterparty}",
        target=proposal.id,
        mineral=action.mineral.value,
    )


def answer(world: World, action: AnswerDeal) -> None:
    """Sign the deal, or drop the proposal."""
    offer = world.deals.proposals[action.proposal_id].action
    if not action.accept:
        world.deals.reject(action.proposal_id)
        world.emit(
            "deal_rejected",
            action.country,
            f"{action.country} rejects {offer.country}'s proposal {action.proposal_id}",
            target=action.proposal_id,
            mineral=offer.mineral.value,
        )
        return
    deal = world.deals.accept(action.proposal_id, world.turn)
    world.emit(
        "deal_signed",
        action.country,
        f"{deal.seller} and {deal.buyer} sign a {deal.kind} on {deal.mineral} ({deal.id})",
        target=deal.id,
        mineral=deal.mineral,
    )
    if deal.kind == "partnership":
        co_finance(world, offer)


def break_deal(world: World, action: BreakDeal) -> None:
    """End the deal; the breaker pays the penalty and loses trust."""
    breach(world, world.deals.end(action.deal_id), breaker=action.country, reason="walked away")


def partnership_capex_usd_m(world: World, offer: ProposeDeal) -> float:
    """What the partner (the buyer) pays to co-finance a partnership's new capacity at the seller."""
    capex = capex_usd_m(world, offer.mineral.value, offer.stage.value, offer.tonnes_per_year)
    return world.settings.partner_capex_share * capex


def co_finance(world: World, offer: ProposeDeal) -> None:
    """A strategic partnership builds its volume: the partner finances new capacity at the seller."""
    mineral, stage = offer.mineral.value, offer.stage.value
    spend(world, offer.buyer, partnership_capex_usd_m(world, offer), "investment")
    build(world, offer.seller, mineral, stage, offer.tonnes_per_year)
    world.emit(
        "investment",
        offer.buyer,
        f"{offer.buyer} co-finances {offer.tonnes_per_year:,.0f} t/yr "
        f"of {mineral} {stage} capacity in {offer.seller}",
        target=offer.seller,
        mineral=mineral,
    )


def expire(world: World) -> None:
    """Deals whose term is over end (with an event); proposals left unanswered are dropped."""
    for deal in world.deals.expired(world.turn):
        world.deals.end(deal.id)
        world.emit(
            "deal_expired",
            deal.seller,
            f"deal {deal.id} ({deal.mineral}) expires",
            target=deal.buyer,
            mineral=deal.mineral,
        )
    for proposal in world.deals.stale_proposals(world.turn):
        world.deals.reject(proposal.id)
