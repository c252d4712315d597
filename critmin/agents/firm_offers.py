"""A firm's answers to the offers addressed to it, and its bids for mineral blocks, with their reasons.

Answers (a Lithium Triangle firm such as Codelco or YLB, a provincial miner, any firm an offer
names): a firm that is asked to supply refuses when it owns none of the line, when it processes
the mineral at home and is asked for the unprocessed stage (its value is added at home), when its
government trusts the proposer less than `veto_trust`, when a fixed or capped price falls below
the long-run price by more than its mandate tolerates, or when an offtake asks for more than its
share of the line's output; otherwise it accepts, and says why. A firm asked to buy accepts what
its home imports from a trusted seller.

Bids: a firm bids for the blocks on offer in its home country that its budget qualifies it for,
when the mineral is one its home imports (supply security, national champion) or when the mine's
margin at long-run prices clears its hurdle (profit). Its premium is the typical mine margin of the
mineral (as a share of its price) times `bid_margin_share` plus its mandate's loss tolerance.
"""

from __future__ import annotations

import numpy as np

from critmin.core.actions import AnswerDeal, BidForBlock, ProposeDeal
from critmin.core.turn_view import BlockOnOffer, TurnView
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.scenarios.doctrine_table import FirmParams


def answer_offers(view: TurnView, firm: str, mandate: str, params: FirmParams) -> list[AnswerDeal]:
    """The firm's answer to every offer addressed to it, each with its reason."""
    country = view.firms.countries[view.firms.index[firm]]
    answers = []
    for proposal_id, offer in view.firm_offers.get(firm, ()):
        refusal = (
            supplier_refusal(view, firm, mandate, params, offer)
            if offer.seller == country
            else buyer_refusal(view, firm, params, offer)
        )
        reason = refusal or acceptance(view, firm, offer)
        answers.append(
            AnswerDeal(
                country=country, firm=firm, proposal_id=proposal_id, accept=refusal is None, reason=reason
            )
        )
    return answers


def supplier_refusal(
    view: TurnView, firm: str, mandate: str, params: FirmParams, offer: ProposeDeal
) -> str | None:
    """Why a firm asked to supply (or to take a partner's money for new capacity) refuses, or None."""
    names, firms = view.names, view.firms
    f, (host, m, s) = firms.index[firm], names.position(offer.seller, offer.mineral.value, offer.stage.value)
    name, line = firms.names[f], f"{offer.mineral.value} {offer.stage.value}"
    owned = float(firms.shares[f, host, m, s])
    if owned <= 0:
        return f"{name} owns no {line} in {offer.seller}"
    if s + 1 < view.chain.shape[1] and view.chain[m, s + 1] and firms.shares[f, host, m, s + 1] > 0:
        return (
            f"{name} processes its {offer.mineral.value} at home: it sells {names.stages[s + 1]}, "
            f"not {offer.stage.value}"
        )
    trust = float(view.trust[host, names.country[offer.country]])
    if trust < params.veto_trust:
        return f"{offer.seller} trusts {offer.country} at {trust:.2f}, below {params.veto_trust:.2f}"
    long_run = float(view.long_run_price[host, m, s])
    floor = (1 - params.loss_tolerance.get(mandate, 0.0)) * long_run
    if offer.price_rule in ("fixed", "ceiling") and (offer.price_usd_per_kg or 0.0) < floor:
        return (
            f"its {offer.price_rule} price of USD {offer.price_usd_per_kg:,.2f}/kg is below the long-run "
            f"price of USD {long_run:,.2f}/kg"
        )
    output = owned * float(view.capacity[host, m, s] * view.utilisation[host, m, s]) * TURNS_PER_YEAR
    if offer.kind != "partnership" and offer.tonnes_per_year > output:
        return (
            f"{offer.tonnes_per_year:,.0f} t/yr is more than {name}'s share of {offer.seller}'s {line} "
            f"output ({output:,.0f} t/yr)"
        )
    return None


def buyer_refusal(view: TurnView, firm: str, params: FirmParams, offer: ProposeDeal) -> str | None:
    """Why a firm asked to buy refuses (its home does not need it, or distrusts the seller), or None."""
    names, firms = view.names, view.firms
    home, m, s = names.position(offer.buyer, offer.mineral.value, offer.stage.value)
    if firms.need_value[home, m, s] <= 0:
        return f"{offer.buyer} has no use for {offer.mineral.value} {offer.stage.value}"
    trust = float(view.trust[home, names.country[offer.seller]])
    if trust < params.veto_trust:
        return f"{offer.buyer} trusts {offer.seller} at {trust:.2f}, below {params.veto_trust:.2f}"
    return None


def acceptance(view: TurnView, firm: str, offer: ProposeDeal) -> str:
    """Why the firm accepts: who the partner is and what the deal brings."""
    name = view.firms.names[view.firms.index[firm]]
    brings = (
        f"its partner finances {offer.tonnes_per_year:,.0f} t/yr of new {offer.mineral.value} "
        f"{offer.stage.value} capacity"
        if offer.kind == "partnership"
        else f"{offer.tonnes_per_year:,.0f} t/yr of {offer.mineral.value} {offer.stage.value} at a "
        f"{offer.price_rule} price"
    )
    return f"{name} accepts {offer.country}'s {offer.kind}: {brings}"


def bids(view: TurnView, firm: str, mandate: str, cash_usd_m: float, params: FirmParams) -> list[BidForBlock]:
    """The firm's bids for the blocks on offer at home that it qualifies for and wants."""
    country = view.firms.countries[view.firms.index[firm]]
    chosen, committed = [], 0.0
    for block in view.blocks:
        if block.country != country or committed + block.entry_usd_m > cash_usd_m:
            continue
        margin = typical_mine_margin(view, block.mineral)
        if not wanted(view, block, mandate, margin, params):
            continue
        premium = margin * (params.bid_margin_share + params.loss_tolerance.get(mandate, 0.0))
        if premium <= 0:
            continue
        committed += block.entry_usd_m
        reason = (
            f"{mandate.replace('_', ' ')}: the mine's margin is {margin:.0%} of its price at long-run prices"
        )
        chosen.append(
            BidForBlock(
                country=country,
                firm=firm,
                block_id=block.id,
                premium=round(min(premium, 5.0), 4),
                reason=reason,
            )
        )
    return chosen


def wanted(view: TurnView, block: BlockOnOffer, mandate: str, margin: float, params: FirmParams) -> bool:
    """A supply-security or champion firm wants a block of what its home imports; a profit firm, a margin."""
    if mandate == "profit":
        return margin >= params.hurdle_margin
    home, m = view.names.country[block.country], view.names.mineral[block.mineral]
    return bool((view.firms.import_share[home, m] > 0).any() or view.firms.need_value[home, m].sum() > 0)


def typical_mine_margin(view: TurnView, mineral: str) -> float:
    """The median margin share of the mineral's mines at long-run prices (0 where none produce)."""
    m, mine = view.names.mineral[mineral], view.names.stage["mine"]
    producing = view.capacity[:, m, mine] > 0
    if not producing.any():
        return 0.0
    return float(np.median(view.firms.margin_share[producing, m, mine]))
