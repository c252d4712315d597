"""Diplomacy: deals proposed, answered, broken, and expired.

A proposal waits in the counterparty's inbox (`deals.DealBook`) until answered or stale; an
offer addressed to a firm (`with_firm`: Codelco, YLB, a provincial miner) is answered by that
firm, with its reason; an accepted one is signed and delivers from the next turn (contracts.py).
A strategic partnership's partner finances the seller's new capacity when it is signed
(`co_finance`), agreement partners co-financing their share (agreements.py). A party may walk
away from a deal; it then pays the penalty and loses trust (contracts.breach).
"""

from __future__ import annotations

from collections.abc import Iterator

from critmin.core.actions import AnswerDeal, BreakDeal, ProposeDeal
from critmin.core.events import with_reason
from critmin.engine import agreements, firm_accounts
from critmin.engine.capacity import build, own_capacity
from critmin.engine.contracts import breach
from critmin.engine.treasury import affordable, book, capex_usd_m, spend
from critmin.engine.world import World


def check_propose(world: World, action: ProposeDeal) -> Iterator[str]:
    """The proposer is one party, the counterparty the other; firms named are theirs."""
    if action.counterparty == action.country:
        yield "a country cannot propose a deal to itself"
    if {action.seller, action.buyer} != {action.country, action.counterparty}:
        yield "seller and buyer must be the proposer and the counterparty"
    if action.price_rule != "index" and action.price_usd_per_kg is None:
        yield f"a {action.price_rule} price rule needs price_usd_per_kg"
    for firm_id, country in ((action.firm, action.country), (action.with_firm, action.counterparty)):
        firm = world.firms.get(firm_id)
        if firm_id and (firm is None or firm.country != country):
            yield f"{country} has no firm {firm_id!r}"


def check_answer(world: World, action: AnswerDeal) -> Iterator[str]:
    """Only the addressee (a firm, if the offer names one) answers; a partnership's financier affords it."""
    proposal = world.deals.proposals.get(action.proposal_id)
    if proposal is None:
        yield f"no pending proposal {action.proposal_id!r}"
        return
    offer = proposal.action
    if offer.counterparty != action.country:
        yield f"proposal {action.proposal_id} is addressed to {offer.counterparty}"
    elif offer.with_firm != action.firm:
        whom = f"the firm {offer.with_firm!r}" if offer.with_firm else f"{offer.counterparty}'s government"
        yield f"proposal {action.proposal_id} is addressed to {whom}"
    elif action.accept and offer.kind == "partnership":
        cost = partnership_capex_usd_m(world, offer) - sum(partners_part(world, offer).values())
        if financing_firm(offer):
            yield from firm_accounts.affordable(world, offer.firm, cost)
        else:
            yield from affordable(world, offer.buyer, cost)


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
    """Sign the deal, or drop the proposal; the event names the firm that answered and its reason."""
    offer = world.deals.proposals[action.proposal_id].action
    who = world.firms[action.firm].name if action.firm else action.country
    if not action.accept:
        world.deals.reject(action.proposal_id)
        world.emit(
            "deal_rejected",
            action.firm or action.country,
            with_reason(f"{who} rejects {offer.country}'s proposal {action.proposal_id}", action.reason),
            target=action.proposal_id,
            mineral=offer.mineral.value,
        )
        return
    deal = world.deals.accept(action.proposal_id, world.turn)
    world.emit(
        "deal_signed",
        action.firm or action.country,
        with_reason(
            f"{deal.seller} and {deal.buyer} sign a {deal.kind} on {deal.mineral} ({deal.id}"
            f"{', with ' + who if action.firm else ''})",
            action.reason,
        ),
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


def financing_firm(offer: ProposeDeal) -> str:
    """The proposer's firm that pays a partnership's financing (it must be the buyer's), or ''."""
    return offer.firm if offer.firm and offer.country == offer.buyer else ""


def partners_part(world: World, offer: ProposeDeal) -> dict[str, float]:
    """What agreement partners co-finance of a partnership's new capacity (payer -> USD m)."""
    cost = partnership_capex_usd_m(world, offer)
    return agreements.co_finance_usd_m(world, offer.buyer, offer.seller, offer.mineral.value, cost)


def co_finance(world: World, offer: ProposeDeal) -> None:
    """A strategic partnership builds its volume: the partner finances new capacity at the seller.

    The buyer's firm pays when it made the offer, else its treasury; agreement partners pay their
    share (agreements.py); a seller's firm that accepted owns the new capacity.
    """
    mineral, stage = offer.mineral.value, offer.stage.value
    cost = partnership_capex_usd_m(world, offer)
    cost -= agreements.co_finance(world, offer.buyer, offer.seller, mineral, cost)
    book(world, "investment", partnership_capex_usd_m(world, offer) - cost)
    if financing_firm(offer):
        firm_accounts.pay(world, offer.firm, cost)
        book(world, "investment", cost)
    else:
        spend(world, offer.buyer, cost, "investment")
    if offer.with_firm and offer.counterparty == offer.seller:
        own_capacity(
            world, offer.with_firm, world.position(offer.seller, mineral, stage), offer.tonnes_per_year
        )
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
    """Deals and agreements whose term is over end (with an event); unanswered proposals lapse."""
    agreements.expire(world)
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
