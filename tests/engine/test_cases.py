"""Named cases at the level of the whole turn: one tiny situation per rule, with its outcome.

In the manner of the Diplomacy adjudicator's test cases: set up a situation on the tiny world,
play the turn, assert the flows, prices, money and events it must produce. The table: each rule
(the file it lives in) and each pair of rules that meet, and its case (`*`: in another file).

Rules:
- ban (controls):
    test_ban_opens_a_price_wedge
- quota with leakage (controls):
    test_quota_with_leakage_caps_contracts_and_spot_together
- licence: cut and delay (controls):
    test_licence_delays_and_cuts_exports
- lift (controls):
    test_lifting_a_control_reopens_the_route_and_names_whom_it_covered
- relaxing costs no trust (controls):
    *tests/agents/test_deal_kinds.py::test_relaxing_a_control_costs_no_trust_and_keeps_its_reference
- tariff (tariffs):
    test_tariff_raises_the_importers_price
- subsidy (subsidies):
    test_a_production_subsidy_lowers_the_producers_ask_and_the_treasury_pays_its_share
    test_a_subsidy_needs_producers_at_home
- stockpile purchase, release (stockpiles):
    test_a_stockpile_order_bids_on_the_spot_market_and_the_treasury_pays
    test_stockpile_release_supplies_the_market
- investment (capacity):
    test_an_investment_is_paid_now_and_arrives_after_the_stages_lead_time
- stake (stakes):
    test_a_stake_is_paid_to_the_host_and_ships_its_share_home
- programme (programs):
    test_funding_processing_builds_the_first_stage_after_the_mine
- contract before spot (contracts):
    test_contract_is_delivered_before_the_spot_market
- take-or-pay (contracts):
    *tests/agents/test_firms.py::test_a_refused_delivery_stays_with_the_seller_and_the_buyer_is_charged
- proposal, answer (diplomacy):
    test_a_proposal_accepted_becomes_a_deal
- break (diplomacy, trust):
    test_breaking_a_deal_charges_the_breaker_the_penalty_and_costs_it_trust
- expiry (diplomacy):
    test_a_deal_expires_at_the_end_of_its_term
- partnership, joint exploration, stock swap (diplomacy, contracts):
    *tests/agents/test_deal_kinds.py
- scripted shock (shocks):
    test_a_scripted_disruption_cuts_output_for_its_turns_then_wears_off
- exploration (exploration):
    *tests/engine/test_exploration.py
- an illegal action (rules):
    test_illegal_action_is_refused_with_a_reason_and_changes_nothing
- block auction: award, failure, known resources, firms' bids (auctions):
    *tests/engine/test_lever_cases.py::test_a_block_goes_to_the_best_premium_and_produces_after_its_lead_time
    *tests/engine/test_lever_cases.py::test_a_block_with_under_three_bidders_fails_and_its_resources_return
    *tests/engine/test_lever_cases.py::test_a_block_beyond_the_known_resources_is_refused
    *tests/engine/test_lever_cases.py::test_indian_firms_bid_by_their_doctrine_for_a_block_india_imports
- trade agreement: duty-free, investment channel, a club (agreements):
    *tests/engine/test_lever_cases.py::test_an_investment_channel_makes_the_host_co_finance_a_stake
    *tests/engine/test_lever_cases.py::test_a_clubs_other_members_co_finance_a_stake_by_their_budgets
- an offer to a firm, answered by its doctrine (diplomacy, agents/firm_offers):
    *tests/engine/test_lever_cases.py::test_a_state_firm_refuses_ore_it_processes_and_accepts_a_partnership
    *tests/engine/test_lever_cases.py::test_only_the_firm_an_offer_names_may_answer_it
- a firm seat's moves: offtakes, bids, answers (firm_legal):
    *tests/engine/test_lever_cases.py::test_a_firm_seat_may_offer_offtakes_bid_for_blocks_and_answer_offers
- cell incentive (cells):
    *tests/engine/test_lever_cases.py::test_a_cell_incentive_moves_cell_materials_home_and_pays_per_kwh
- reserve for scheduled outlays (engine/commitments, agents/reserve):
    test_the_ai_keeps_the_money_of_a_tranche_its_scenario_schedules

Rules that meet:
- ban beside a licence, on routes:
    test_a_destination_ban_survives_a_licence_for_everyone_else
- ban beside a licence blocks a contract:
    test_an_offtake_over_a_destination_ban_beside_a_licence_is_blocked_and_breached
- ban beside a licence, as the AI reads it:
    test_the_ai_reading_sees_a_ban_standing_beside_a_licence
- ban and contract: breach, penalty, trust:
    test_contract_breached_by_a_ban_charges_the_penalty_and_lowers_trust
- quota and contract: one cap for both:
    test_quota_with_leakage_caps_contracts_and_spot_together
- licence and contract: cut and late:
    test_a_contract_under_a_licence_is_cut_to_the_approved_share_and_arrives_late
- licence and partnership: preferential access:
    *tests/agents/test_deal_kinds.py::test_a_partnership_finances_capacity_at_the_seller_and_passes_its_licences
- ban and stake: output stays home, no breach:
    test_a_stakes_output_stays_home_under_a_ban_and_breaks_nothing
- ban and take-or-pay: the ban breaks the deal:
    test_take_or_pay_under_a_ban_is_a_breach_not_a_payment
- ban and stockpile release:
    test_stockpile_release_supplies_the_market
- tariff and a duty-free agreement: the partner leaves the tariff:
    *tests/engine/test_lever_cases.py::test_a_duty_free_agreement_takes_the_partner_out_of_the_tariff
- licence delay and stockpile purchase: the late tonnes reach the stockpile the treasury paid for:
    test_a_stockpile_purchase_held_up_by_a_licence_arrives_in_the_stockpile
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from critmin.agents.controllers import DefaultController, QueuedController, ScriptedController
from critmin.agents.doctrines import doctrine_controller
from critmin.core.actions import (
    AnswerDeal,
    ImposeExportControl,
    ProposeDeal,
    ReleaseStockpile,
    SetTariff,
)
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.model import WorldModel
from critmin.engine.state import feed_need
from critmin.engine.trade import final_need
from critmin.scenarios.loader import scenario_from_content

OFFTAKE = {
    "id": "CHN-IND-magnets",
    "kind": "offtake",
    "seller": "CHN",
    "buyer": "IND",
    "mineral": "ree_heavy",
    "stage": "magnet",
    "tonnes_per_year": 200.0,
    "duration_turns": 8,
    "breach_penalty_usd_m": 25.0,
    "source": "test fixture",
}
BAN_TO_INDIA = ImposeExportControl(
    country="CHN", mineral=Mineral.REE_HEAVY, stages=(Stage.MAGNET,), regime="ban", destinations=("IND",)
)


def with_deal(tiny):
    content = copy.deepcopy(tiny.content)
    content["deals"] = [OFFTAKE]
    return scenario_from_content(content, "tiny-with-deal.toml")


def test_contract_is_delivered_before_the_spot_market(tiny):
    model = WorldModel(with_deal(tiny), seed=0)
    model.step()
    china, india = model.index.country["CHN"], model.index.country["IND"]
    m, s = model.index.mineral["ree_heavy"], model.index.stage["magnet"]
    assert model.last.flows[m, s, china, india] >= 50.0 - 1e-6  # 200 t/yr = 50 t per quarter


def test_contract_breached_by_a_ban_charges_the_penalty_and_lowers_trust(tiny):
    controllers = {"CHN": ScriptedController({1: [BAN_TO_INDIA]}), "KABIL": DefaultController()}  # no stakes
    model = WorldModel(with_deal(tiny), seed=0, controllers=controllers)
    model.step()
    china, india = model.index.country["CHN"], model.index.country["IND"]
    treasury_before = model.state.treasury.copy()
    trust_before = model.state.trust[india, china]
    model.step()
    m, s = model.index.mineral["ree_heavy"], model.index.stage["magnet"]
    assert model.last.flows[m, s, china, india] == 0.0
    assert "CHN-IND-magnets" not in model.deals.deals
    budget = model.constants.budget_per_turn
    assert model.state.treasury[china] == pytest.approx(treasury_before[china] + budget[china] - 25.0)
    assert model.state.treasury[india] == pytest.approx(treasury_before[india] + budget[india] + 25.0)
    assert model.state.trust[india, china] < trust_before - 0.2
    assert [e.kind for e in model.events if e.turn == 1].count("deal_breached") == 1


def test_ban_opens_a_price_wedge(tiny):
    model = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({0: [BAN_TO_INDIA]})})
    model.run(3)
    china, india = model.index.country["CHN"], model.index.country["IND"]
    m, s = model.index.mineral["ree_heavy"], model.index.stage["magnet"]
    assert model.last.flows[m, s, china, india] == 0.0
    assert model.state.price[india, m, s] > 3 * model.state.price[china, m, s]


def test_stockpile_release_supplies_the_market(tiny):
    ban_all = ImposeExportControl(
        country="CHN", mineral=Mineral.REE_HEAVY, stages=(Stage.MAGNET,), regime="ban"
    )
    release = ReleaseStockpile(country="IND", mineral=Mineral.REE_HEAVY, stage=Stage.MAGNET, tonnes=20.0)
    quiet = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({0: [ban_all]})})
    helped = WorldModel(
        tiny,
        seed=0,
        controllers={"CHN": ScriptedController({0: [ban_all]}), "IND": ScriptedController({1: [release]})},
    )
    quiet.run(2)
    helped.run(2)
    india = quiet.index.country["IND"]
    m, s = quiet.index.mineral["ree_heavy"], quiet.index.stage["magnet"]
    assert helped.state.stockpile[india, m, s] == pytest.approx(0.0, abs=1e-3)
    assert helped.last.consumption[india, m, s] > quiet.last.consumption[india, m, s] + 10.0
    assert helped.last.shortage[india, m, s] < quiet.last.shortage[india, m, s] - 10.0
    # with every Chinese magnet banned, what is left unmet bids at the top of the demand curve
    assert helped.state.price[india, m, s] <= quiet.state.price[india, m, s]


def test_tariff_raises_the_importers_price(tiny):
    tariff = SetTariff(country="IND", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), rate=0.5)
    free = WorldModel(tiny, seed=0)
    taxed = WorldModel(tiny, seed=0, controllers={"IND": ScriptedController({0: [tariff]})})
    free.run(2)
    taxed.run(2)
    india, m, s = free.position("IND", "lithium", "refined")
    assert taxed.state.price[india, m, s] > free.state.price[india, m, s] * 1.2


def test_a_licence_on_the_first_turn_refers_to_what_the_line_exports_not_its_output(tiny):
    """With no exports on record yet, a licence refers to output less home use, as a starting policy."""
    licence = ImposeExportControl(
        country="CHN", mineral=Mineral.REE_HEAVY, stages=(Stage.MAGNET,), regime="licence", approval_share=0.5
    )
    model = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({0: [licence]})})
    at = model.position("CHN", "ree_heavy", "magnet")
    output = model.state.capacity[at] * model.state.utilisation[at]
    home_use = final_need(model.state)[at] + feed_need(model.state, model.world.constants)[at]
    model.step()
    reference = model.policies.controls[("CHN", "ree_heavy", "magnet")].reference_tonnes
    assert 0 < home_use < output
    assert reference == pytest.approx(output - home_use, rel=0.1)  # this turn's demand moved a little


def test_licence_delays_and_cuts_exports(tiny):
    licence = ImposeExportControl(
        country="CHN",
        mineral=Mineral.REE_HEAVY,
        stages=(Stage.MAGNET,),
        regime="licence",
        approval_share=0.25,
        delay_turns=2,
    )
    model = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({2: [licence]})})
    model.run(2)
    china, m, s = model.position("CHN", "ree_heavy", "magnet")
    before = model.last.exports()[china, m, s]
    model.step()
    control = model.policies.controls[("CHN", "ree_heavy", "magnet")]
    assert control.reference_tonnes == pytest.approx(before, rel=0.5)
    assert model.last.exports()[china, m, s] <= 0.25 * control.reference_tonnes + 1e-6
    assert model.state.in_transit[1, :, m, s].sum() > 0  # shipped now, arriving in two turns


def test_illegal_action_is_refused_with_a_reason_and_changes_nothing(tiny):
    model = WorldModel(tiny, seed=0, controllers={"IND": QueuedController()})
    before = model.state_hash()
    too_much = ReleaseStockpile(country="IND", mineral=Mineral.REE_HEAVY, stage=Stage.MAGNET, tonnes=1e6)
    not_yours = ReleaseStockpile(country="CHN", mineral=Mineral.REE_HEAVY, stage=Stage.MAGNET, tonnes=1.0)
    verdicts = model.submit("IND", [too_much, not_yours, {"type": "set_tariff", "country": "IND"}])
    assert "stockpile holds 20.0 t" in verdicts[0]
    assert verdicts[1] == "acts for another country"
    assert "bad action" in verdicts[2]
    assert model.state_hash() == before
    assert model.countries["IND"].controller.pending == []


def test_a_proposal_accepted_becomes_a_deal(tiny):
    offer = ProposeDeal(
        country="IND",
        counterparty="AUS",
        seller="AUS",
        buyer="IND",
        mineral=Mineral.LITHIUM,
        stage=Stage.MINE,
        tonnes_per_year=4000,
    )
    model = WorldModel(
        tiny, seed=0, controllers={"IND": ScriptedController({0: [offer]}), "AUS": QueuedController()}
    )
    model.step()
    inbox = model.observe("AUS").inbox
    assert len(inbox) == 1
    model.submit("AUS", [AnswerDeal(country="AUS", proposal_id=inbox[0]["id"], accept=True)])
    model.step()
    assert [d.kind for d in model.deals.deals.values()].count("offtake") == 1


def test_a_destination_ban_survives_a_licence_for_everyone_else(tiny):
    ban_india = ImposeExportControl(
        country="CHN", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), regime="ban", destinations=("IND",)
    )
    licence = ImposeExportControl(
        country="CHN", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), regime="licence", approval_share=0.5
    )
    model = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({0: [ban_india], 1: [licence]})})
    model.run(2)
    control = model.policies.controls[("CHN", "lithium", "refined")]
    assert control.regime == "licence"
    assert control.bans("IND") and not control.bans("AUS")
    china, m, s = model.position("CHN", "lithium", "refined")
    assert model.last.flows[m, s, china, model.index.country["IND"]] == 0.0


def test_an_offtake_over_a_destination_ban_beside_a_licence_is_blocked_and_breached(tiny):
    """A ban to India stands beside a licence to everyone: the CHN->IND offtake cannot deliver."""
    from critmin.engine.policies import ExportControl

    model = WorldModel(with_deal(tiny), seed=0)
    line = {"country": "CHN", "mineral": "ree_heavy", "stage": "magnet"}
    model.policies.impose(ExportControl(**line, regime="ban", destinations=("IND",)))
    model.policies.impose(ExportControl(**line, regime="licence", approval_share=0.5, reference_tonnes=50.0))
    control = model.policies.controls[("CHN", "ree_heavy", "magnet")]
    assert control.regime == "licence" and control.bans("IND") and control.licenses("JPN")
    model.step()
    china, india = model.index.country["CHN"], model.index.country["IND"]
    m, s = model.index.mineral["ree_heavy"], model.index.stage["magnet"]
    assert model.last.flows[m, s, china, india] == 0.0
    assert "CHN-IND-magnets" not in model.deals.deals
    assert [e.kind for e in model.events].count("deal_breached") == 1


def test_the_ai_reading_sees_a_ban_standing_beside_a_licence():
    from critmin.agents.situation import WorldReading
    from critmin.core.observation import Observation

    record = {
        "kind": "export_control", "country": "CHN", "mineral": "ree_heavy", "stage": "magnet",
        "regime": "licence", "destinations": ["JPN"], "also_banned": ["IND"], "approval_share": 0.5,
    }  # fmt: skip
    observation = Observation(
        turn=0, date="2025Q2", country="IND", treasury_usd_m=0.0, budget_per_turn_usd_m=0.0, minerals=[],
        policies=[record], deals=[], inbox=[], news=[], trust={},
    )  # fmt: skip
    reading = WorldReading.of(observation)
    control = reading.controls[("CHN", "ree_heavy", "magnet")]
    assert reading.bans[("CHN", "ree_heavy")] == [control]
    assert control.bans("IND") and not control.bans("JPN") and not control.bans("USA")
    assert control.restricts("IND") and control.restricts("JPN") and not control.restricts("USA")
    assert control.licence_share("JPN") == 0.5 and control.licence_share("USA") == 1.0
    assert control.regime_for("IND") == "ban"
    assert control.regime_for("JPN") == "licence"
    assert control.regime_for("USA") is None
    assert control.regime_for("CHN") is None


def test_a_production_subsidy_lowers_the_producers_ask_and_the_treasury_pays_its_share(tiny):
    from critmin.core.actions import SetSubsidy

    subsidy = SetSubsidy(country="AUS", mineral=Mineral.LITHIUM, stages=(Stage.MINE,), rate=0.5, turns=2)
    plain = WorldModel(tiny, seed=0)
    helped = WorldModel(tiny, seed=0, controllers={"AUS": ScriptedController({0: [subsidy]})})
    plain.step()
    helped.step()
    australia, m, s = helped.position("AUS", "lithium", "mine")
    sold = helped.last.sold_spot[australia, m, s]
    assert sold >= plain.last.sold_spot[australia, m, s] - 1e-9
    paid = 0.5 * sold * helped.state.price[australia, m, s] / 1000  # USD m
    budget = helped.constants.budget_per_turn[australia]
    start = WorldModel(tiny, seed=0).state.treasury[australia]
    assert helped.state.treasury[australia] == pytest.approx(start + budget - paid, rel=1e-6)
    assert [e.kind for e in helped.events].count("subsidy_set") == 1
    helped.run(2)
    assert ("AUS", "lithium", "mine") not in helped.policies.subsidies  # two turns, then it ends
    assert [e.kind for e in helped.events].count("subsidy_ended") == 1


def test_a_subsidy_needs_producers_at_home(tiny):
    from critmin.core.actions import SetSubsidy

    model = WorldModel(tiny, seed=0)
    nothing = [c for c in model.index.countries if model.state.capacity[model.index.country[c], 0, 2] == 0]
    action = SetSubsidy(country=nothing[0], mineral=Mineral.REE_HEAVY, stages=(Stage.MAGNET,), rate=0.3)
    assert "no ree_heavy magnet producers to subsidise" in model.check(action)


# --- the case table, continued: one tiny named situation per rule and per pair of rules that meet ---

CHN_MAGNETS = {"country": "CHN", "mineral": Mineral.REE_HEAVY, "stages": (Stage.MAGNET,)}


def magnets(model):
    """China's and India's positions, and the heavy rare-earth magnet line."""
    china, m, s = model.position("CHN", "ree_heavy", "magnet")
    return china, model.index.country["IND"], m, s


def exports_of(model, exporter: int, m: int, s: int) -> float:
    """Tonnes `exporter` shipped abroad last turn on a line."""
    return float(model.last.flows[m, s, exporter].sum() - model.last.flows[m, s, exporter, exporter])


def decided(model) -> list:
    """Begin a turn and play it up to the decisions; returns the actions decided."""
    model.begin_turn()
    return [*model.apply_events(), *model.decide()]


def finish(model) -> None:
    """Play the rest of a turn from its production on."""
    model.produce()
    model.trade()
    model.consume()
    model.account()


def kinds(model, turn=None) -> list[str]:
    """The kinds of the events emitted (on one turn, if given)."""
    return [e.kind for e in model.events if turn is None or e.turn == turn]


def test_quota_with_leakage_caps_contracts_and_spot_together(tiny):
    """A 40 t/yr quota with 20% leakage lets 12 t a turn abroad, the 50 t offtake included."""
    quota = ImposeExportControl(**CHN_MAGNETS, regime="quota", quota_tonnes_per_year=40.0, leakage=0.2)
    model = WorldModel(with_deal(tiny), seed=0, controllers={"CHN": ScriptedController({0: [quota]})})
    model.step()
    china, india, m, s = magnets(model)
    assert model.policies.controls[("CHN", "ree_heavy", "magnet")].cap() == pytest.approx(12.0)
    assert exports_of(model, china, m, s) == pytest.approx(12.0, abs=1e-6)  # binding: all the room used
    assert model.delivered["CHN-IND-magnets"] == pytest.approx(12.0)  # the contract takes the room first
    assert model.last.flows[m, s, china, india] == pytest.approx(12.0)
    assert "CHN-IND-magnets" in model.deals.deals  # a quota cuts deliveries; it breaches nothing


def test_a_contract_under_a_licence_is_cut_to_the_approved_share_and_arrives_late(tiny):
    licence = ImposeExportControl(**CHN_MAGNETS, regime="licence", approval_share=0.4, delay_turns=2)
    model = WorldModel(with_deal(tiny), seed=0, controllers={"CHN": ScriptedController({0: [licence]})})
    model.step()
    china, india, m, s = magnets(model)
    assert model.delivered["CHN-IND-magnets"] == pytest.approx(0.4 * 50.0)
    assert model.state.in_transit[1, india, m, s] >= 0.4 * 50.0 - 1e-6  # arrives in two turns
    assert model.last.flows[m, s, china, india] >= 0.4 * 50.0 - 1e-6


def test_a_stakes_output_stays_home_under_a_ban_and_breaks_nothing(tiny):
    """KABIL's 10% of Australia's lithium mines ships to India, unless Australia bans India."""
    ban = ImposeExportControl(
        country="AUS", mineral=Mineral.LITHIUM, stages=(Stage.MINE,), regime="ban", destinations=("IND",)
    )
    free = WorldModel(tiny, seed=0)
    banned = WorldModel(tiny, seed=0, controllers={"AUS": ScriptedController({0: [ban]})})
    free.step()
    banned.step()
    australia, m, s = free.position("AUS", "lithium", "mine")
    india = free.index.country["IND"]
    stake = next(d for d in free.deals.deals.values() if d.kind == "equity")
    assert free.delivered[stake.id] == pytest.approx(0.1 * free.last.production[australia, m, s])
    assert banned.last.flows[m, s, australia, india] == 0.0 and stake.id not in banned.delivered
    assert stake.id in banned.deals.deals and "deal_breached" not in kinds(banned)


def test_take_or_pay_under_a_ban_is_a_breach_not_a_payment(tiny):
    """India refuses the turn's tonnes as China bans India: the ban breaks the deal; no take-or-pay."""
    from dataclasses import replace

    from critmin.core.actions import RefuseDelivery

    controllers = {"CHN": ScriptedController({1: [BAN_TO_INDIA]}), "IND": QueuedController()}
    model = WorldModel(with_deal(tiny), seed=0, controllers=controllers)
    deal = model.deals.deals["CHN-IND-magnets"]
    model.deals.sign(replace(deal, take_or_pay=0.5))
    model.step()
    assert model.submit("IND", [RefuseDelivery(country="IND", deal_id=deal.id)]) == [None]
    model.step()
    assert kinds(model, turn=1).count("deal_breached") == 1 and "take_or_pay" not in kinds(model)
    assert deal.id not in model.deals.deals


def test_lifting_a_control_reopens_the_route_and_names_whom_it_covered(tiny):
    from critmin.core.actions import LiftExportControl

    lift = LiftExportControl(**CHN_MAGNETS)
    model = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({0: [BAN_TO_INDIA], 2: [lift]})})
    model.run(2)
    china, india, m, s = magnets(model)
    assert model.last.flows[m, s, china, india] == 0.0
    model.step()
    assert ("CHN", "ree_heavy", "magnet") not in model.policies.controls
    assert model.last.flows[m, s, china, india] > 0.0
    lifted = next(e for e in model.events if e.kind == "control_lifted")
    assert (lifted.turn, lifted.target) == (2, "IND")


def test_a_stockpile_order_bids_on_the_spot_market_and_the_treasury_pays(tiny):
    from critmin.core.actions import BuyStockpile

    order = BuyStockpile(country="IND", mineral=Mineral.REE_HEAVY, stage=Stage.MAGNET, tonnes=10.0)
    plain = WorldModel(tiny, seed=0)
    buying = WorldModel(tiny, seed=0, controllers={"IND": ScriptedController({0: [order]})})
    plain.step()
    buying.step()
    china, india, m, s = magnets(buying)
    held = buying.state.stockpile[india, m, s] - plain.state.stockpile[india, m, s]
    assert held == pytest.approx(10.0)
    paid = plain.state.treasury[india] - buying.state.treasury[india]
    assert paid == pytest.approx(10.0 * buying.state.price[india, m, s] / 1000, rel=1e-6)  # at India's price
    assert buying.last.flows[m, s, china, india] > plain.last.flows[m, s, china, india]


def test_a_stockpile_purchase_held_up_by_a_licence_arrives_in_the_stockpile(tiny):
    """India buys 10 t of magnets for its stockpile while China licenses them one turn late.

    The treasury pays at once; the tonnes held up go to the stockpile when they arrive, not to
    India's manufacturers.
    """
    from critmin.core.actions import BuyStockpile

    licence = ImposeExportControl(**CHN_MAGNETS, regime="licence", approval_share=1.0, delay_turns=1)
    order = BuyStockpile(country="IND", mineral=Mineral.REE_HEAVY, stage=Stage.MAGNET, tonnes=10.0)
    plain = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({2: [licence]})})
    buying = WorldModel(
        tiny,
        seed=0,
        controllers={"CHN": ScriptedController({2: [licence]}), "IND": ScriptedController({2: [order]})},
    )
    plain.run(3)
    buying.run(3)
    _, india, m, s = magnets(buying)
    paid = plain.state.treasury[india] - buying.state.treasury[india]
    assert paid == pytest.approx(10.0 * buying.state.price[india, m, s] / 1000, rel=1e-6)
    assert buying.state.in_transit[0, india, m, s] > plain.state.in_transit[0, india, m, s]  # held up
    assert buying.state.stockpile[india, m, s] - plain.state.stockpile[india, m, s] < 1.0  # not yet here
    plain.step()
    buying.step()
    assert buying.state.stockpile[india, m, s] - plain.state.stockpile[india, m, s] == pytest.approx(10.0)


def test_an_investment_is_paid_now_and_arrives_after_the_stages_lead_time(tiny):
    from critmin.core.actions import Invest
    from critmin.engine.treasury import capex_usd_m

    invest = Invest(country="AUS", mineral=Mineral.REE_HEAVY, stage=Stage.REFINED, tonnes_per_year=400.0)
    model = WorldModel(tiny, seed=0, controllers={"AUS": ScriptedController({0: [invest]})})
    actions = decided(model)
    model.conduct_diplomacy(actions)
    before = model.state.treasury.copy()
    model.apply_policies(actions)
    australia, m, s = model.position("AUS", "ree_heavy", "refined")
    cost = capex_usd_m(model.world, "ree_heavy", "refined", 400.0)
    assert model.state.treasury[australia] == pytest.approx(before[australia] - cost)
    assert model.ledger["investment"] == pytest.approx(cost)
    finish(model)
    arriving = np.flatnonzero(model.state.construction[:, australia, m, s])
    assert model.state.construction[:, australia, m, s].sum() == pytest.approx(100.0)  # 400 t/yr
    lead, spread = model.settings.lead_time_turns["refined"], model.settings.lead_time_spread_turns["refined"]
    waits = arriving + 2  # turns from the order: this one played, and pipeline slot 0 arrives next turn
    assert waits.min() == lead - spread and waits.max() == lead + spread
    assert model.state.capacity[australia, m, s] == 0.0  # nothing yet


def test_a_stake_is_paid_to_the_host_and_ships_its_share_home(tiny):
    from critmin.core.actions import AcquireStake
    from critmin.engine.stakes import stake_cost_usd_m

    content = copy.deepcopy(tiny.content)
    content["firms"][0]["budget_usd_m"] = 500.0
    stake = AcquireStake(
        country="IND", firm="KABIL", host="CHN", mineral=Mineral.REE_HEAVY, stage=Stage.MAGNET, share=0.05
    )
    controllers = {"IND": ScriptedController({0: [stake]}), "KABIL": QueuedController()}
    model = WorldModel(scenario_from_content(content, "tiny-kabil.toml"), seed=0, controllers=controllers)
    cost = stake_cost_usd_m(model.world, stake)
    actions = decided(model)
    model.conduct_diplomacy(actions)
    treasury, cash = model.state.treasury.copy(), model.state.firm_cash.copy()
    model.apply_policies(actions)
    china, _, m, s = magnets(model)
    assert model.state.treasury[china] == pytest.approx(treasury[china] + cost)
    assert model.state.firm_cash[0] == pytest.approx(cash[0] - cost)
    finish(model)
    equity = next(d for d in model.deals.deals.values() if d.kind == "equity" and d.seller == "CHN")
    assert (equity.share, equity.firm) == (0.05, "KABIL")
    assert model.delivered[equity.id] == pytest.approx(0.05 * model.last.production[china, m, s])
    assert kinds(model, turn=0).count("stake_acquired") == 1


def test_funding_processing_builds_the_first_stage_after_the_mine(tiny):
    from critmin.core.actions import FundProgram
    from critmin.core.units import capacity_for_usd_m

    fund = FundProgram(country="IND", program="processing", mineral=Mineral.LITHIUM, usd_m=60.0)
    model = WorldModel(tiny, seed=0, controllers={"IND": ScriptedController({0: [fund]})})
    model.step()
    india, m, s = model.position("IND", "lithium", "refined")
    tonnes_per_year = capacity_for_usd_m(60.0, 12.0, model.settings.capex_revenue_years)
    assert model.state.construction[:, india, m, s].sum() == pytest.approx(tonnes_per_year / 4)
    assert model.ledger["programs"] == pytest.approx(60.0)
    assert kinds(model, turn=0).count("program_funded") == 1


def test_breaking_a_deal_charges_the_breaker_the_penalty_and_costs_it_trust(tiny):
    from critmin.core.actions import BreakDeal

    walk_away = BreakDeal(country="IND", deal_id="CHN-IND-magnets")
    model = WorldModel(with_deal(tiny), seed=0, controllers={"IND": ScriptedController({1: [walk_away]})})
    model.step()
    china, india, _, _ = magnets(model)
    delivered = model.delivered["CHN-IND-magnets"]
    actions = decided(model)
    treasury, trust = model.state.treasury.copy(), model.state.trust[china, india]
    model.conduct_diplomacy(actions)
    assert model.state.treasury[india] == pytest.approx(treasury[india] - 25.0)
    assert model.state.treasury[china] == pytest.approx(treasury[china] + 25.0)
    assert model.state.trust[china, india] == pytest.approx(trust - model.settings.trust_loss_on_breach)
    model.apply_policies(actions)
    finish(model)
    assert "CHN-IND-magnets" not in model.deals.deals
    assert model.delivered["CHN-IND-magnets"] == delivered  # nothing delivered after the break
    assert kinds(model, turn=1).count("deal_breached") == 1


def test_a_deal_expires_at_the_end_of_its_term(tiny):
    model = WorldModel(with_deal(tiny), seed=0)
    model.run(8)  # 8 turns of delivery (turns 0-7)
    assert "CHN-IND-magnets" in model.deals.deals
    model.step()
    assert "CHN-IND-magnets" not in model.deals.deals
    expired = next(e for e in model.events if e.kind == "deal_expired")
    assert (expired.turn, expired.actor, expired.target) == (8, "CHN", "IND")


def test_a_scripted_disruption_cuts_output_for_its_turns_then_wears_off(tiny):
    content = copy.deepcopy(tiny.content)
    content["events"] = [
        {
            "turn": 1, "kind": "disruption", "title": "flood at Bayan Obo", "country": "CHN",
            "mineral": "ree_heavy", "stage": "mine", "share": 0.5, "duration_turns": 2, "source": "test",
        }
    ]  # fmt: skip
    model = WorldModel(scenario_from_content(content, "tiny-flood.toml"), seed=0)
    china, m, s = model.position("CHN", "ree_heavy", "mine")
    output = []
    for _ in range(4):
        model.step()
        output.append(float(model.last.production[china, m, s]))
    running = model.state.capacity[china, m, s] * model.state.utilisation[china, m, s]
    assert output[1] == pytest.approx(0.5 * output[0], rel=0.05)
    assert output[2] == pytest.approx(output[1], rel=0.05)
    assert output[3] == pytest.approx(running, rel=0.05)  # worn off after its two turns
    assert kinds(model, turn=1).count("disruption") == 1


def test_the_case_table_names_only_cases_that_exist():
    """Every case the table above names is a test, here or in the file it names."""
    from pathlib import Path

    root = Path(__file__).parents[2]
    named = re.findall(r"^ {4}(\*?)(\S+)$", __doc__, re.MULTILINE)
    assert len(named) >= 30
    for elsewhere, case in named:
        if not elsewhere:
            assert callable(globals().get(case)), case
            continue
        path, _, test = case.partition("::")
        assert (root / path).is_file(), path
        assert not test or f"def {test}(" in (root / path).read_text(), case


def with_tranche(tiny, usd_m: float):
    """The tiny world with China banning heavy-REE magnets at turn 0 (India's AI is pressed to spend) and,
    if `usd_m`, an exploration tranche of India's scheduled for turn 3."""
    content = copy.deepcopy(tiny.content)
    ban = {"type": "impose_export_control", "country": "CHN", "mineral": "ree_heavy", "stages": ["magnet"]}
    content["events"] = [
        {"turn": 0, "kind": "action", "title": "ban", "country": "CHN", "source": "test fixture",
         "action": ban | {"regime": "ban"}},
    ]  # fmt: skip
    if usd_m:
        tranche = {"type": "fund_program", "country": "IND", "program": "exploration", "mineral": "ree_heavy"}
        content["events"].append(
            {"turn": 3, "kind": "action", "title": "tranche", "country": "IND", "source": "test fixture",
             "action": tranche | {"usd_m": usd_m}}
        )  # fmt: skip
    return scenario_from_content(content, "tiny-with-tranche.toml")


def test_the_ai_keeps_the_money_of_a_tranche_its_scenario_schedules(tiny):
    doctrines = {"CHN": "dominant_processor", "IND": "diversifying_importer", "AUS": "aligned_supplier"}

    def played(usd_m: float) -> WorldModel:
        controllers = {
            code: doctrine_controller(doctrine, code, np.random.default_rng([0, k]))
            for k, (code, doctrine) in enumerate(sorted(doctrines.items()))
        }
        model = WorldModel(with_tranche(tiny, usd_m), seed=3, controllers=controllers)
        model.run(3)
        return model

    scheduled, free = played(1900.0), played(0.0)
    india = scheduled.index.country["IND"]
    assert free.state.treasury[india] < 1900.0  # unwarned, India's AI spends what the tranche needs
    assert scheduled.observe("IND").committed_usd_m[0] == pytest.approx(1900.0)
    assert scheduled.reading().rows.own["IND"].committed_usd_m == (pytest.approx(1900.0), *[0.0] * 4)
    assert scheduled.state.treasury[india] >= 1900.0
    scheduled.step()
    paid = [a for a in scheduled.action_log[-1] if a["country"] == "IND" and a["type"] == "fund_program"]
    assert [(a["usd_m"], a.get("_scripted")) for a in paid] == [(1900.0, True)]  # the AI adds nothing
    assert not [e for e in scheduled.events if e.kind == "action_rejected" and e.actor == "IND"]


def test_committed_outlays_are_read_anew_when_the_scripted_events_change(tiny):
    from critmin.engine.commitments import committed_outlays

    model = WorldModel(with_tranche(tiny, 0.0), seed=3)
    india = model.index.country["IND"]
    assert committed_outlays(model.world)[india].sum() == 0.0  # read and kept on the World
    model.world.scenario = with_tranche(tiny, 1900.0)  # other events: an inject, a rebuilt run
    assert committed_outlays(model.world)[india, 3] == pytest.approx(1900.0)
    assert committed_outlays(model.world)[india, 3] == pytest.approx(1900.0)  # kept, the same
