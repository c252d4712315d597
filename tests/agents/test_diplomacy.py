"""The diplomacy protocol played by AI governments: propose, answer, sign, deliver, break."""

from __future__ import annotations

import pytest
from ai_worlds import AUS_REFINERY, TINY_DOCTRINES, ai_controllers, control_event, tiny_with

from critmin.agents.controllers import ScriptedController
from critmin.core.actions import AnswerDeal, ProposeDeal, action_from_dict
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine import contracts
from critmin.engine.model import WorldModel

LICENCE = control_event(0, "CHN", "lithium", "refined", "licence", approval_share=0.3, delay_turns=1)
BAN_TO_INDIA = control_event(4, "AUS", "lithium", "refined", "ban", destinations=["IND"])


def lithium_world(tiny, *events):
    """Tiny, with an Australian lithium refinery and China licensing refined lithium from turn 0."""
    scenario = tiny_with(tiny, "tiny-lithium", capacity=[AUS_REFINERY], events=[LICENCE, *events])
    return WorldModel(scenario, seed=3, controllers=ai_controllers(TINY_DOCTRINES))


def ai_offtakes(model: WorldModel, seller: str, buyer: str, mineral: str, stage: str) -> list:
    """The offtakes the AI governments signed between two countries on a line."""
    return [
        d
        for d in model.deals.deals.values()
        if d.kind == "offtake" and (d.seller, d.buyer, d.mineral, d.stage) == (seller, buyer, mineral, stage)
    ]


def test_an_importer_facing_a_licence_contracts_a_trusted_supplier_who_accepts(tiny):
    model = lithium_world(tiny)
    model.run(4)
    proposals = [e for e in model.events if e.kind == "deal_proposed" and e.actor == "IND"]
    assert proposals and proposals[0].turn == 1, "India's manufacturers press after China's licence"
    accepted = [
        e
        for e in model.events
        if e.kind == "deal_signed" and e.actor == "AUS" and model.deals.deals[e.target].buyer == "IND"
    ]
    assert accepted, "Australia accepts one of India's proposals"
    signed = accepted[0]
    deal = model.deals.deals[signed.target]
    assert (deal.kind, deal.seller, deal.mineral, deal.stage) == ("offtake", "AUS", "lithium", "refined")
    assert deal.breach_penalty_usd_m > 0
    assert signed.turn == proposals[0].turn + 1, "answered in its next decision"
    assert deal.start_turn == signed.turn + 1 == model.turn - 1
    assert deal in model.deals.active(deal.start_turn)
    # Delivery is test_cases.test_contract_is_delivered_before_the_spot_market's: this refinery has
    # no margin (conversion 9 on feed 5, product 12) and no feed, and buyers abroad take its opening
    # stock on the news of China's licence (turn 0) before the deal starts.


def test_a_deal_broken_by_an_export_control_charges_the_penalty_and_lowers_trust(tiny):
    model = lithium_world(tiny, BAN_TO_INDIA)
    model.run(4)
    deals = ai_offtakes(model, "AUS", "IND", "lithium", "refined")
    assert deals, "signed by the AI governments before the ban"
    india, australia = model.index.country["IND"], model.index.country["AUS"]
    trust_before = model.state.trust[india, australia]
    model.begin_turn()  # turn 4, phase by phase up to the contract deliveries
    actions = model.apply_events() + model.decide()
    model.conduct_diplomacy(actions)
    model.apply_policies(actions)
    model.produce()
    assert model.state.trust[india, australia] == pytest.approx(
        trust_before - model.settings.trust_loss_on_control
    )
    trust_banned, treasury = model.state.trust[india, australia], model.state.treasury.copy()
    contracts.deliver(model.world)
    assert not {d.id for d in deals} & set(model.deals.deals)
    penalties = sum(d.breach_penalty_usd_m for d in deals)
    assert penalties > 0
    assert model.state.treasury[australia] == pytest.approx(treasury[australia] - penalties)
    assert model.state.treasury[india] == pytest.approx(treasury[india] + penalties)
    kept = [
        d
        for d in model.deals.active(model.turn)
        if (d.seller, d.buyer) == ("AUS", "IND") and d.kind != "equity"
    ]
    gains = model.settings.trust_gain_per_kept_turn * len(kept)
    assert model.state.trust[india, australia] == pytest.approx(
        max(trust_banned - model.settings.trust_loss_on_breach * len(deals), 0.0) + gains
    )
    breach = [e for e in model.events if e.kind == "deal_breached"]
    assert sorted((e.actor, e.target) for e in breach) == sorted(("AUS", d.id) for d in deals)
    assert any(e["kind"] == "deal_breached" for e in model.observe("IND").diplomacy)


def test_the_observation_shows_inbox_outbox_and_the_diplomatic_log(tiny):
    offer = ProposeDeal(
        country="IND",
        counterparty="AUS",
        seller="AUS",
        buyer="IND",
        mineral=Mineral.LITHIUM,
        stage=Stage.MINE,
        tonnes_per_year=4000.0,
    )
    model = WorldModel(tiny, seed=0, controllers={"IND": ScriptedController({0: [offer]})})
    model.step()
    inbox, outbox = model.observe("AUS").inbox, model.observe("IND").outbox
    assert [item["offer"]["counterparty"] for item in inbox] == ["AUS"]
    assert [item["id"] for item in outbox] == [item["id"] for item in inbox]
    assert model.observe("CHN").inbox == [] and model.observe("CHN").outbox == []
    for country in ("IND", "AUS"):
        assert [e["kind"] for e in model.observe(country).diplomacy] == ["deal_proposed"]
    assert model.observe("CHN").diplomacy == []
    model.run(2)  # unanswered by Australia's default controller: the proposal lapses
    assert model.observe("IND").outbox == [] and model.observe("AUS").inbox == []


def test_no_ai_seller_contracts_to_deliver_to_a_country_it_embargoes(tiny_ai):
    ban = action_from_dict(control_event(0, "AUS", "lithium", "mine", "ban", destinations=["IND"])["action"])
    assert tiny_ai.check(ban) is None
    tiny_ai.carry_out([ban])
    offer = ProposeDeal(
        country="IND",
        counterparty="AUS",
        seller="AUS",
        buyer="IND",
        mineral=Mineral.LITHIUM,
        stage=Stage.MINE,
        tonnes_per_year=400.0,
        price_rule="fixed",
        price_usd_per_kg=50.0,
    )
    australia = tiny_ai.countries["AUS"].controller
    value = australia.valuation(tiny_ai.observe("AUS"), offer)
    assert value.blocked == "AUS embargoes IND on lithium" and not value.acceptable
    tiny_ai.carry_out([offer])
    answers = [a for a in australia.decide(tiny_ai.observe("AUS"), []) if isinstance(a, AnswerDeal)]
    assert [a.accept for a in answers] == [False]
