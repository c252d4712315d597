"""The deal values and offers the AI works out are, bit for bit, those of the forms first written.

`value_offer` reads each figure once and passes the party's line figures on (agents/valuation.py);
the reference below is the form it replaces, and both are asked every valuation of a few played
turns of world-2024 (answers, counter-offers and proposals), at the moment it is asked. Inbox
offers are built back from their plain form without msgspec's checks, and counter-offers by
`msgspec.structs.replace` (agents/diplomacy.py): the same structs as `msgspec.convert` and the
counter-offer's fields written out gave.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import msgspec

from critmin.agents import diplomacy
from critmin.agents.diplomacy import inbox_offer as diplomacy_inbox_offer
from critmin.agents.diplomacy import inbox_offers as diplomacy_inbox_offers
from critmin.agents.diplomacy import with_terms as diplomacy_with_terms
from critmin.agents.valuation import DealValue, exploration_partner_value, value_offer
from critmin.core.actions import ProposeDeal
from critmin.core.units import thousand_usd_in_usd_m, usd_m
from critmin.engine.bench_worlds import scenario_of
from critmin.engine.model import WorldModel

BOOKED = ("bought", "sold", "sold_to")
"""A situation's contracted tonnes, which valuing a deal reads and must leave as the first form did."""


def reference_value(situation, offer) -> DealValue:
    """`value_offer` as first written."""
    me, line = situation.obs.country, (offer.mineral.value, offer.stage.value)
    if me not in (offer.seller, offer.buyer):
        return DealValue(blocked=f"{me} is not a party")
    if line not in situation.views:
        return DealValue(blocked=f"{line[0]} has no {line[1]} stage here")
    if situation.embargoes(offer.seller, offer.buyer, line[0]):
        return DealValue(blocked=f"{offer.seller} embargoes {offer.buyer} on {line[0]}")
    return (reference_buyer if me == offer.buyer else reference_seller)(situation, offer, line)


def reference_price(situation, offer, line) -> float:
    index, bound = situation.price_of(offer.seller, line), offer.price_usd_per_kg
    if offer.price_rule == "index" or bound is None:
        return index
    if offer.price_rule == "fixed":
        return bound
    return max(index, bound) if offer.price_rule == "floor" else min(index, bound)


def reference_reliability(situation, offer, line) -> float:
    share, control = situation.trust(offer.seller), situation.control_on(offer.seller, line)
    regime = None if control is None else control.regime_for(offer.buyer)
    if regime == "ban":
        return 0.0
    if regime == "licence" and offer.kind != "partnership":
        return share * control.licence_share(offer.buyer)
    return share


def reference_buyer(situation, offer, line) -> DealValue:
    params, view = situation.params, situation.views[line]
    turns = min(offer.duration_turns, params.horizon_turns)
    tonnes = situation.per_turn(offer.tonnes_per_year)
    if offer.kind == "joint_exploration":
        return exploration_partner_value(situation, offer, line)
    risk = situation.risks.get(line)
    uncovered = max((risk.exposure if risk else 0.0) - situation.bought[line], 0.0)
    arriving = tonnes * reference_reliability(situation, offer, line)
    covered = min(arriving, uncovered)
    security = params.security_value * view.reference_price_usd_per_kg * (risk.score if risk else 0.0)
    price = reference_price(situation, offer, line)
    premium = (price - view.price_usd_per_kg) * arriving
    excess = max(arriving - uncovered, 0.0) * price * params.excess_loss
    financing = situation.obs.terms.partner_capex_share * situation.capex_usd_m(line, offer.tonnes_per_year)
    financing = financing if offer.kind == "partnership" else 0.0
    if financing > situation.budget_usd_m:
        return DealValue(blocked=f"cannot finance USD {financing:,.0f} m")
    return DealValue(
        risk_removed_usd_m=thousand_usd_in_usd_m(covered * security * turns),
        gains_usd_m=thousand_usd_in_usd_m(max(-premium, 0.0) * turns),
        costs_usd_m=thousand_usd_in_usd_m((max(premium, 0.0) + excess) * turns) + financing,
    )


def reference_seller(situation, offer, line) -> DealValue:
    params, view = situation.params, situation.views[line]
    turns = min(offer.duration_turns, params.horizon_turns)
    tonnes = situation.per_turn(offer.tonnes_per_year)
    price = max(view.price_usd_per_kg, 1e-9)
    new = offer.kind in ("partnership", "joint_exploration")
    available = tonnes if new else reference_available(situation, offer, line, view)
    displaced = max(tonnes - available, 0.0)
    home_risk = situation.risks.get(line)
    home_security = price * params.security_value * (home_risk.score if home_risk else 0.0)
    committed = 0.0 if new else tonnes
    premium = (reference_price(situation, offer, line) - price) * (tonnes - displaced)
    glut = max(1.0 - price / max(view.reference_price_usd_per_kg, 1e-9), 0.0)
    trust = situation.trust(offer.buyer)
    outlet = params.outlet_value * tonnes * price * (1 + params.glut_gain * glut) * (0.5 + trust)
    leverage = 0.0
    if situation.capacity_share(situation.obs.country, line) >= params.dominance_share:
        leverage = params.leverage_value * (1 - trust) * tonnes * price
    raw = 0.0
    if line[1] == situation.first_stage(line[0]) and offer.kind in ("offtake", "stock_swap"):
        raw = params.raw_export_aversion * tonnes * price
    per_turn_gain = outlet + max(premium, 0.0)
    per_turn_cost = displaced * price + committed * home_security + max(-premium, 0.0) + leverage + raw
    return DealValue(
        gains_usd_m=thousand_usd_in_usd_m(per_turn_gain * turns) + reference_finance(situation, offer, line),
        costs_usd_m=thousand_usd_in_usd_m(per_turn_cost * turns),
    )


def reference_available(situation, offer, line, view) -> float:
    free_exports = max(view.exports - situation.sold[line], 0.0)
    surplus_stock = max(view.stock - 2 * view.demand, 0.0) * situation.params.stock_draw
    if offer.kind == "stock_swap":
        return view.stockpile * situation.params.stock_draw
    return free_exports + surplus_stock


def reference_finance(situation, offer, line) -> float:
    terms, params = situation.obs.terms, situation.params
    if offer.kind == "partnership":
        return (
            params.capacity_value
            * terms.partner_capex_share
            * situation.capex_usd_m(line, offer.tonnes_per_year)
        )
    if offer.kind == "joint_exploration":
        tonnes = situation.per_turn(offer.tonnes_per_year)
        funding = usd_m(terms.joint_exploration_funding_share * tonnes, situation.reference(line))
        return funding * min(offer.duration_turns, params.horizon_turns)
    return 0.0


def reference_counter(offer: ProposeDeal, **terms) -> ProposeDeal:
    """`diplomacy.with_terms` as first written: the deal's fields copied, no firm named."""
    names = ("kind", "seller", "buyer", "mineral", "stage", "tonnes_per_year", "price_rule")
    names += ("price_usd_per_kg", "duration_turns", "take_or_pay", "breach_penalty_usd_m")
    fields = {name: getattr(offer, name) for name in names} | terms
    return ProposeDeal(country=offer.counterparty, counterparty=offer.country, **fields)


def test_inbox_offers_and_counter_offers_are_the_first_forms(monkeypatch):
    built, countered = [], []

    def inbox_offers(situation):
        offers = diplomacy_inbox_offers(situation)  # the engine's own offers, lent by the book
        for item, (pid, offer) in zip(situation.obs.inbox, offers, strict=True):
            first = msgspec.convert(item["offer"], ProposeDeal)
            assert pid == item["id"]
            built.extend([(offer, first), (diplomacy_inbox_offer(item["offer"]), first)])  # and rebuilt
        return offers

    def with_terms(offer, **terms):
        countered.append((diplomacy_with_terms(offer, **terms), reference_counter(offer, **terms)))
        return countered[-1][0]

    monkeypatch.setattr(diplomacy, "inbox_offers", inbox_offers)
    monkeypatch.setattr(diplomacy, "with_terms", with_terms)
    WorldModel(scenario_of("world-2024"), seed=0, record_hashes=False).run(12)
    assert len(built) > 100 and len(countered) > 50
    for new, old in built + countered:
        assert type(new) is ProposeDeal and msgspec.structs.astuple(new) == msgspec.structs.astuple(old)
        assert repr(new) == repr(old)


def test_deal_values_are_the_first_forms_bit_for_bit(monkeypatch):
    asked: list[tuple] = []

    def both(situation, offer):
        twin = replace(situation, **{name: copy.copy(getattr(situation, name)) for name in BOOKED})
        value = value_offer(situation, offer)
        reference = reference_value(twin, offer)
        booked = all(
            list(getattr(situation, name).items()) == list(getattr(twin, name).items()) for name in BOOKED
        )
        asked.append((repr(msgspec.structs.astuple(value)), reference, offer.kind, booked))
        return value

    monkeypatch.setattr(diplomacy, "value_offer", both)
    WorldModel(scenario_of("world-2024"), seed=0, record_hashes=False).run(12)
    assert len(asked) > 300 and {kind for _, _, kind, _ in asked} >= {"offtake", "partnership"}
    assert [value for value, *_ in asked] == [repr(msgspec.structs.astuple(ref)) for _, ref, *_ in asked]
    assert all(booked for *_, booked in asked)  # the same lines in the same order (their sums' order)


def test_a_lines_exposure_and_score_are_its_risk_records():
    from critmin.agents.doctrines import DoctrineController
    from critmin.agents.situation import Situation

    model = WorldModel(scenario_of("world-2024"), seed=0, record_hashes=False)
    model.run(6)
    reading = model.reading()
    for country in model.countries.values():
        if isinstance(country.controller, DoctrineController):
            risks = Situation.of_row(reading, country.iso3, country.controller.params).risks
            for line in [*reading.seen.order, ("no", "line")]:
                figures = risks.exposure_and_score(line)  # before any record is made, then after
                risk = risks.get(line)
                assert figures == risks.exposure_and_score(line)
                assert figures == ((risk.exposure, risk.score) if risk is not None else (0.0, 0.0))
