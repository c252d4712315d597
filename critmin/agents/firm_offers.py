"""A firm's answers to the offers addressed to it, and its bids for mineral blocks, with their reasons.

Answers (a Lithium Triangle firm such as Codelco or YLB, a provincial miner, any firm an offer
names): a firm that is asked to supply refuses when it owns none of the line, when it processes
the mineral at home and is asked for the unprocessed stage (its value is added at home), when its
home imports `keep_home_import_share` of that line or more (a state firm keeps its output at
home; a partnership adds capacity, so it is exempt), when its government trusts the
proposer less than `veto_trust`, when a fixed or capped price falls below the long-run price by
more than its mandate tolerates, or when an offtake asks for more than its share of what the
line has not yet sold under contract; otherwise it accepts, and says why. A joint exploration
offers the ground, not output: only trust decides it. A firm asked to buy accepts what its home
imports from a trusted seller.

Partners: once a decision period (`act_every_turns`), a country's lead supply-security firm (the
first in the scenario: KABIL for India) offers an offtake to the foreign state firm best placed to
sell it what its home imports most and has not yet bought under contract: the one owning most
output of that line in a country that trusts its home at least `veto_trust`, not already asked
within `partner_memory_turns`, and not one that processes the mineral further at home (it would
refuse). It asks for `partner_offtake_share` of that firm's share of output or of what home
imports, the smaller, at the index price.

Bids: a firm bids for the blocks on offer in its home country that its budget qualifies it for,
when the mine's margin at long-run prices clears its hurdle lowered by the loss its mandate
tolerates (`hurdle_margin` x (1 - `loss_tolerance`)) and, for supply security and national
champions, the mineral is one its home imports. Its premium is the typical mine margin of the
mineral (as a share of its price) times `bid_margin_share` plus its mandate's loss tolerance.
"""

from __future__ import annotations

import numpy as np

from critmin.core.actions import AnswerDeal, BidForBlock, ProposeDeal
from critmin.core.turn_view import BlockOnOffer, TurnView
from critmin.core.units import tonnes_for_usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage
from critmin.scenarios.doctrine_table import FirmParams


def answer_offers(view: TurnView, firm: str, mandate: str, params: FirmParams) -> list[AnswerDeal]:
    """The firm's answer to every offer addressed to it, each with its reason.

    What it agrees to sell this turn counts against its output for the offers after it.
    """
    country = view.firms.countries[view.firms.index[firm]]
    answers, promised = [], {}
    for proposal_id, offer in view.firm_offers.get(firm, ()):
        refusal = (
            supplier_refusal(view, firm, mandate, params, offer, promised)
            if offer.seller == country
            else buyer_refusal(view, firm, params, offer)
        )
        if refusal is None and offer.seller == country and offer.kind != "partnership":
            line = (offer.mineral.value, offer.stage.value)
            promised[line] = promised.get(line, 0.0) + offer.tonnes_per_year
        answers.append(
            AnswerDeal(
                country=country,
                firm=firm,
                proposal_id=proposal_id,
                accept=refusal is None,
                reason=refusal or acceptance(view, firm, offer),
            )
        )
    return answers


def supplier_refusal(
    view: TurnView, firm: str, mandate: str, params: FirmParams, offer: ProposeDeal, promised: dict
) -> str | None:
    """Why a firm asked to supply (or to take a partner's money for new capacity) refuses, or None."""
    names, firms = view.names, view.firms
    f, (host, m, s) = firms.index[firm], names.position(offer.seller, offer.mineral.value, offer.stage.value)
    name, line = firms.names[f], f"{offer.mineral.value} {offer.stage.value}"
    trust = float(view.trust[host, names.country[offer.country]])
    if offer.kind == "joint_exploration":  # the ground, not today's output, is on offer
        return distrust(offer, trust, params)
    owned = float(firms.shares[f, host, m, s])
    if owned <= 0:
        return f"{name} owns no {line} in {offer.seller}"
    if s + 1 < view.chain.shape[1] and view.chain[m, s + 1] and firms.shares[f, host, m, s + 1] > 0:
        return (
            f"{name} processes its {offer.mineral.value} at home: it sells {names.stages[s + 1]}, "
            f"not {offer.stage.value}"
        )
    share = float(firms.import_share[host, m, s])
    if mandate != "profit" and offer.kind != "partnership" and share >= params.keep_home_import_share:
        return f"{offer.seller} imports {share:.0%} of its {line}: {name} keeps its output at home"
    return (
        distrust(offer, trust, params)
        or price_refusal(view, mandate, params, offer, (host, m, s))
        or volume_refusal(
            view, f, offer, (host, m, s), promised.get((offer.mineral.value, offer.stage.value), 0.0)
        )
    )


def price_refusal(view: TurnView, mandate: str, params: FirmParams, offer: ProposeDeal, at) -> str | None:
    """Why a fixed or capped price is refused: below the long-run price beyond the mandate's tolerance."""
    long_run = float(view.long_run_price[at])
    floor = (1 - params.loss_tolerance.get(mandate, 0.0)) * long_run
    if offer.price_rule in ("fixed", "ceiling") and (offer.price_usd_per_kg or 0.0) < floor:
        return (
            f"its {offer.price_rule} price of USD {offer.price_usd_per_kg:,.2f}/kg is below the long-run "
            f"price of USD {long_run:,.2f}/kg"
        )
    return None


def volume_refusal(view: TurnView, f: int, offer: ProposeDeal, at, promised: float) -> str | None:
    """Why an offtake is refused: more than the firm's share of what the line has not yet sold.

    What the line sells under contracts in force and what the firm promised this turn are sold;
    a partnership brings new capacity and is never refused for its volume.
    """
    if offer.kind == "partnership":
        return None
    firms = view.firms
    share = float(firms.shares[(f, *at)])
    output = float(view.capacity[at] * view.utilisation[at]) * TURNS_PER_YEAR
    free = share * max(output - float(firms.contracted[at]) * TURNS_PER_YEAR, 0.0) - promised
    if offer.tonnes_per_year > free:
        return (
            f"{offer.tonnes_per_year:,.0f} t/yr is more than {firms.names[f]}'s uncommitted share of "
            f"{offer.seller}'s {offer.mineral.value} {offer.stage.value} output ({max(free, 0.0):,.0f} t/yr)"
        )
    return None


def distrust(offer: ProposeDeal, trust: float, params: FirmParams) -> str | None:
    """The refusal of a firm whose government trusts the proposer less than `veto_trust`, or None."""
    if trust < params.veto_trust:
        return f"{offer.counterparty} trusts {offer.country} at {trust:.2f}, below {params.veto_trust:.2f}"
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
    name, goods = view.firms.names[view.firms.index[firm]], f"{offer.mineral.value} {offer.stage.value}"
    brings = {
        "partnership": f"its partner finances {offer.tonnes_per_year:,.0f} t/yr of new {goods} capacity",
        "joint_exploration": f"its partner funds exploration for a {offer.tonnes_per_year:,.0f} t/yr share "
        f"of what is found",
    }.get(offer.kind, f"{offer.tonnes_per_year:,.0f} t/yr of {goods} on {offer.price_rule}-price terms")
    return f"{name} accepts {offer.country}'s {offer.kind.replace('_', ' ')}: {brings}"


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
    """A block whose mine's margin clears the firm's hurdle, lowered by the loss its mandate tolerates.

    A supply-security or champion firm also wants the mineral to be one its home imports.
    """
    hurdle = params.hurdle_margin * (1 - params.loss_tolerance.get(mandate, 0.0))
    if margin < hurdle:
        return False
    if mandate == "profit":
        return True
    home, m = view.names.country[block.country], view.names.mineral[block.mineral]
    return bool((view.firms.import_share[home, m] > 0).any() or view.firms.need_value[home, m].sum() > 0)


def typical_mine_margin(view: TurnView, mineral: str) -> float:
    """The median margin share of the mineral's mines at long-run prices (0 where none produce)."""
    m, mine = view.names.mineral[mineral], view.names.stage["mine"]
    producing = view.capacity[:, m, mine] > 0
    if not producing.any():
        return 0.0
    return float(np.median(view.firms.margin_share[producing, m, mine]))


def partner_offer(view: TurnView, firm: str, params: FirmParams, asked: dict[str, int]) -> ProposeDeal | None:
    """An offtake offered to the foreign state firm best placed to sell what home imports most, or None.

    Only the home's lead supply-security firm (the first in the scenario: KABIL for India) seeks
    partners, on lines where what home imports is not yet bought under contract.
    """
    names, firms = view.names, view.firms
    home = names.country[firms.countries[firms.index[firm]]]
    if view.once(lead_firms).get(home, "") != firm:
        return None
    reference = np.maximum(view.reference_price, 1e-9)
    imported = tonnes_for_usd_m(firms.import_share[home] * firms.need_value[home], reference)  # (M, S)
    uncovered = np.maximum(imported - firms.contracted_in[home], 0.0)
    for flat in np.argsort(-uncovered * reference, axis=None, kind="stable"):
        m, s = np.unravel_index(int(flat), uncovered.shape)
        if uncovered[m, s] <= 0:
            return None
        partner = best_partner(view, home, int(m), int(s), params, asked)
        if partner is not None:
            f, host = partner
            asked[firms.ids[f]] = view.turn
            output = firms.shares[f, host, m, s] * view.capacity[host, m, s] * view.utilisation[host, m, s]
            tonnes = params.partner_offtake_share * min(float(output), float(uncovered[m, s]))
            return ProposeDeal(
                country=names.countries[home],
                firm=firm,
                counterparty=names.countries[host],
                with_firm=firms.ids[f],
                seller=names.countries[host],
                buyer=names.countries[home],
                mineral=Mineral(names.minerals[m]),
                stage=Stage(names.stages[s]),
                tonnes_per_year=round(tonnes * TURNS_PER_YEAR, 3),
            )
    return None


def lead_firms(view: TurnView) -> dict[int, str]:
    """Each country's first supply-security firm, in scenario order, by country position (`view.once`)."""
    leads: dict[int, str] = {}
    for firm_id, country, mandate in zip(
        view.firms.ids, view.firms.countries, view.firms.mandates, strict=True
    ):
        if mandate == "supply_security":
            leads.setdefault(view.names.country[country], firm_id)
    return leads


def best_partner(view: TurnView, home: int, m: int, s: int, params: FirmParams, asked: dict[str, int]):
    """(firm position, its country) of the foreign state firm owning most output of a line, or None.

    Every firm at once; among equal outputs the first firm in scenario order.
    """
    firms = view.firms
    hosts = np.array([view.names.country[country] for country in firms.countries], dtype=np.int64)
    open_to = np.array([kind == "state_firm" for kind in firms.kinds], dtype=bool) & (hosts != home)
    open_to &= view.trust[hosts, home] >= params.veto_trust
    for firm_id, turn in asked.items():
        if view.turn - turn < params.partner_memory_turns and firm_id in firms.index:
            open_to[firms.index[firm_id]] = False
    held = firms.shares[np.arange(len(hosts)), hosts, m]  # (F, S) each firm's share at home
    if s + 1 < view.chain.shape[1] and view.chain[m, s + 1]:
        open_to &= ~(held[:, s + 1] > 0)  # it processes the line's output itself
    output = np.where(open_to, held[:, s] * view.capacity[hosts, m, s], 0.0)
    if not len(output) or not output.max() > 0.0:
        return None
    f = int(np.argmax(output))
    return f, int(hosts[f])
