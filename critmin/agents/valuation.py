"""The value of a deal to one party: the supply risk it removes, what it gains, what it costs.

USD million over the deal's counted life (`horizon_turns`, or its duration if shorter). An AI
government accepts a proposal only if `value_offer(...).acceptable`: the total is not negative
and nothing blocks it — in particular a seller never contracts to deliver to a country it is
embargoing. Proposers check their own offers the same way before sending them.

Buyer: risk removed = tonnes covered x the seller's reliability (trust, and the share its
controls would let through) x the risk score of the line x `security_value` x the reference
price. Costs: the price paid above the local price, tonnes beyond what is needed, a
partnership's co-financing, a joint exploration's funding.

Seller: gains an assured outlet (`outlet_value`, more in a glut and with a trusted buyer), any
premium of the price rule over its local price, the capacity a partner finances and the
exploration money it brings. Costs: supply taken from its own users when the volume exceeds
what it exports; the security its own manufacturers give up on a line where they feel supply
risk (home first: a country short of magnets does not contract to export them); leverage
given up on a line it dominates (`leverage_value`, less with trusted buyers); and unprocessed
ore sent abroad (`raw_export_aversion`).
"""

from __future__ import annotations

import msgspec

from critmin.agents.situation import Situation
from critmin.core.actions import ProposeDeal
from critmin.core.units import thousand_usd_in_usd_m, usd_m


class DealValue(msgspec.Struct, frozen=True, kw_only=True):
    """A deal's worth to one party, USD million, with the reason it is refused outright if any."""

    risk_removed_usd_m: float = 0.0
    gains_usd_m: float = 0.0
    costs_usd_m: float = 0.0
    blocked: str = ""

    @property
    def total_usd_m(self) -> float:
        """Risk removed plus gains minus costs (minus infinity when blocked)."""
        if self.blocked:
            return float("-inf")
        return self.risk_removed_usd_m + self.gains_usd_m - self.costs_usd_m

    @property
    def acceptable(self) -> bool:
        """True when the party is not worse off by its own valuation."""
        return self.total_usd_m >= 0.0


def value_offer(situation: Situation, offer: ProposeDeal) -> DealValue:
    """What `offer` is worth to the observing country, as buyer or as seller."""
    me, seller, buyer = situation.obs.country, offer.seller, offer.buyer
    line = offer.mineral._value_, offer.stage._value_
    if me != seller and me != buyer:
        return DealValue(blocked=f"{me} is not a party")
    view = situation.views.get(line)
    if view is None:
        return DealValue(blocked=f"{line[0]} has no {line[1]} stage here")
    if situation.embargoes(seller, buyer, line[0]):
        return DealValue(blocked=f"{seller} embargoes {buyer} on {line[0]}")
    if me == buyer:
        return buyer_value(situation, offer, line, view)
    return seller_value(situation, offer, line, view)


def horizon(situation: Situation, offer: ProposeDeal) -> int:
    """Turns of the deal's life that count."""
    return min(offer.duration_turns, situation.params.horizon_turns)


def contract_price(situation: Situation, offer: ProposeDeal, line) -> float:
    """The price the deal will likely settle at, USD/kg (the seller's local price under an index)."""
    index = situation.price_of(offer.seller, line)
    rule, bound = offer.price_rule, offer.price_usd_per_kg
    if rule == "index" or bound is None:
        return index
    if rule == "fixed":
        return bound
    if rule == "floor":
        return max(index, bound)
    return min(index, bound)


def reliability(situation: Situation, offer: ProposeDeal, line) -> float:
    """Share of the contracted tonnes the buyer expects to arrive: trust, cut by the seller's controls."""
    share = situation.trust(offer.seller)
    control = situation.control_on(offer.seller, line)
    if control is None:
        return share
    regime = control.regime_for(offer.buyer)
    if regime == "ban":
        return 0.0
    if regime == "licence" and offer.kind != "partnership":
        return share * control.licence_share(offer.buyer)
    return share


def buyer_value(situation: Situation, offer: ProposeDeal, line, view=None) -> DealValue:
    """The buyer's side: supply risk removed against the price, excess tonnes and financing.

    `view` is the buyer's figures on the line (read here if not given).
    """
    if offer.kind == "joint_exploration":
        return exploration_partner_value(situation, offer, line)
    params = situation.params
    view = situation.views[line] if view is None else view
    turns = horizon(situation, offer)
    tonnes = situation.per_turn(offer.tonnes_per_year)
    exposure, score = situation.risks.exposure_and_score(line)
    uncovered = max(exposure - situation.bought[line], 0.0)
    arriving = tonnes * reliability(situation, offer, line)
    covered = min(arriving, uncovered)
    security = params.security_value * view.reference_price_usd_per_kg * score
    price = contract_price(situation, offer, line)
    premium = (price - view.price_usd_per_kg) * arriving
    excess = max(arriving - uncovered, 0.0) * price * params.excess_loss
    financing = 0.0
    if offer.kind == "partnership":
        financing = situation.obs.terms.partner_capex_share * situation.capex_usd_m(
            line, offer.tonnes_per_year
        )
    if financing > situation.budget_usd_m:
        return DealValue(blocked=f"cannot finance USD {financing:,.0f} m")
    return DealValue(
        risk_removed_usd_m=thousand_usd_in_usd_m(covered * security * turns),
        gains_usd_m=thousand_usd_in_usd_m(max(-premium, 0.0) * turns),
        costs_usd_m=thousand_usd_in_usd_m((max(premium, 0.0) + excess) * turns) + financing,
    )


def exploration_partner_value(situation: Situation, offer: ProposeDeal, line) -> DealValue:
    """A joint exploration for the partner who funds it: an option on the mineral's future supply.

    Worth `exploration_option` of securing the entitled tonnes against the mineral's worst risk,
    for the funding it pays every turn.
    """
    params, turns = situation.params, horizon(situation, offer)
    tonnes = situation.per_turn(offer.tonnes_per_year)
    risks = [
        situation.risks[(line[0], stage)]
        for stage in situation.chains[line[0]]
        if (line[0], stage) in situation.risks
    ]
    worst = max(risks, key=lambda risk: risk.score, default=None)
    covered = min(tonnes, worst.exposure) * situation.trust(offer.seller) if worst else 0.0
    security = params.security_value * situation.reference(line) * (worst.score if worst else 0.0)
    funding = usd_m(situation.obs.terms.joint_exploration_funding_share * tonnes, situation.reference(line))
    return DealValue(
        risk_removed_usd_m=thousand_usd_in_usd_m(params.exploration_option * covered * security * turns),
        costs_usd_m=funding * turns,
    )


def seller_value(situation: Situation, offer: ProposeDeal, line, view=None) -> DealValue:
    """The seller's side: outlet, premium and finance gained against supply and leverage given up.

    `view` is the seller's figures on the line (read here if not given).
    """
    params, kind = situation.params, offer.kind
    view = situation.views[line] if view is None else view
    turns = horizon(situation, offer)
    tonnes = situation.per_turn(offer.tonnes_per_year)
    price = max(view.price_usd_per_kg, 1e-9)
    displaced = max(tonnes - available_to_sell(situation, offer, line, view, tonnes), 0.0)
    home_security = price * params.security_value * situation.risks.exposure_and_score(line)[1]
    committed = 0.0 if new_supply(offer) else tonnes  # tonnes our own users may miss
    premium = (contract_price(situation, offer, line) - price) * (tonnes - displaced)
    glut = max(1.0 - price / max(view.reference_price_usd_per_kg, 1e-9), 0.0)
    trust = situation.trust(offer.buyer)
    outlet = params.outlet_value * tonnes * price * (1 + params.glut_gain * glut) * (0.5 + trust)
    leverage = 0.0
    if situation.capacity_share(situation.obs.country, line) >= params.dominance_share:
        leverage = params.leverage_value * (1 - trust) * tonnes * price
    raw = 0.0
    if kind in RAW_KINDS and line[1] == situation.first_stage(line[0]):
        raw = params.raw_export_aversion * tonnes * price
    per_turn_gain = outlet + max(premium, 0.0)
    per_turn_cost = displaced * price + committed * home_security + max(-premium, 0.0) + leverage + raw
    return DealValue(
        gains_usd_m=thousand_usd_in_usd_m(per_turn_gain * turns) + finance_gained(situation, offer, line),
        costs_usd_m=thousand_usd_in_usd_m(per_turn_cost * turns),
    )


NEW_SUPPLY = frozenset(("partnership", "joint_exploration"))
"""The kinds of deal whose tonnes come from new capacity or a future find."""
RAW_KINDS = frozenset(("offtake", "stock_swap"))
"""The kinds of deal that send today's ore abroad as it is (`raw_export_aversion`)."""


def new_supply(offer: ProposeDeal) -> bool:
    """True if the deal's tonnes come from new capacity or a future find, not today's output."""
    return offer.kind in NEW_SUPPLY


def available_to_sell(situation: Situation, offer: ProposeDeal, line, view, tonnes: float) -> float:
    """Tonnes per turn the seller can put into a new deal without starving its own users.

    `view` is the seller's figures on the line, `tonnes` the offer's tonnes per turn.
    """
    if new_supply(offer):
        return tonnes
    free_exports = max(view.exports - situation.sold[line], 0.0)
    surplus_stock = max(view.stock - 2 * view.demand, 0.0) * situation.params.stock_draw
    if offer.kind == "stock_swap":
        return view.stockpile * situation.params.stock_draw
    return free_exports + surplus_stock


def finance_gained(situation: Situation, offer: ProposeDeal, line) -> float:
    """What the seller gains from the partner's money: financed capacity or exploration funds."""
    if offer.kind == "partnership":
        terms, params = situation.obs.terms, situation.params
        return (
            params.capacity_value
            * terms.partner_capex_share
            * situation.capex_usd_m(line, offer.tonnes_per_year)
        )
    if offer.kind == "joint_exploration":
        tonnes = situation.per_turn(offer.tonnes_per_year)
        funding = usd_m(
            situation.obs.terms.joint_exploration_funding_share * tonnes, situation.reference(line)
        )
        return funding * horizon(situation, offer)
    return 0.0
