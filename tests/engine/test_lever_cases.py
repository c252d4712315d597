"""Named cases of the levers of issue 20 on the tiny world: block auctions, trade agreements, firms
answering offers, cell incentives. One tiny situation per rule, with the outcome it must produce
(the case table is in tests/engine/test_cases.py)."""

from __future__ import annotations

import copy

import pytest

from critmin.agents.controllers import QueuedController, ScriptedController
from critmin.core.actions import (
    AcquireStake,
    AnswerAgreement,
    AuctionBlock,
    BidForBlock,
    ProposeAgreement,
    ProposeDeal,
    SetTariff,
    SubsidiseCells,
)
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import scenario_from_content

INDIAN_FIRMS = ("KABIL", "PSU1", "PSU2", "PSU3")
LITHIUM_BLOCK = AuctionBlock(country="IND", mineral=Mineral.LITHIUM, contained_tonnes=20_000.0)


def tiny_with(tiny, **tables):
    """The tiny world with these tables in place of its own."""
    content = copy.deepcopy(tiny.content) | copy.deepcopy(tables)
    return scenario_from_content(content, "tiny-levers.toml")


def with_blocks(tiny):
    """India with 100,000 t of lithium resources and four firms of USD 500 m each."""
    content = copy.deepcopy(tiny.content)
    content["firms"][0]["budget_usd_m"] = 500.0
    for firm in INDIAN_FIRMS[1:]:
        content["firms"].append(
            {
                "id": firm,
                "name": f"Indian PSU {firm}",
                "country": "IND",
                "budget_usd_m": 500.0,
                "source": "test",
            }
        )
    content["reserves"].append(
        {"country": "IND", "mineral": "lithium", "tonnes": 100_000.0, "source": "test"}
    )
    return scenario_from_content(content, "tiny-blocks.toml")


def auction(tiny, premiums: dict[str, float]) -> WorldModel:
    """India offers a lithium block at turn 0; the firms named bid these premiums at turn 1."""
    firms = {firm: QueuedController() for firm in INDIAN_FIRMS}
    model = WorldModel(
        with_blocks(tiny), seed=0, controllers={"IND": ScriptedController({0: [LITHIUM_BLOCK]}), **firms}
    )
    model.step()
    for firm, premium in premiums.items():
        bid = BidForBlock(country="IND", firm=firm, block_id="B0001", premium=premium)
        assert model.submit(firm, [bid]) == [None]
    model.step()
    return model


def test_a_block_goes_to_the_best_premium_and_produces_after_its_lead_time(tiny):
    model = auction(tiny, {"KABIL": 0.3, "PSU1": 0.76, "PSU2": 0.4})
    award = model.world.auctions.awards[0]
    assert (award.firm, award.premium, award.bidders) == ("PSU1", 0.76, 3)
    settings = model.settings
    low = settings.block_exploration_turns + 12 + settings.block_construction_turns[0]  # India's clearances
    high = settings.block_exploration_turns + 20 + settings.block_construction_turns[1]
    assert low <= award.on_stream_turn - award.turn <= high
    india, m, s = model.position("IND", "lithium", "mine")
    assert model.state.construction[:, india, m, s].sum() == pytest.approx(20_000.0 / 20 / 4)  # 20-year life
    assert model.state.reserves[india, m] == pytest.approx(80_000.0)
    psu = model.firm_index["PSU1"]
    assert model.firm_shares[psu, india, m, s] == pytest.approx(1.0)  # the winner owns the new mine
    upfront = 0.005 * 20_000.0 * model.constants.reference_price[m, s] / 1000
    assert model.state.firm_cash[psu] < 500.0 - upfront
    assert [e.kind for e in model.events].count("block_awarded") == 1


def test_a_block_with_under_three_bidders_fails_and_its_resources_return(tiny):
    model = auction(tiny, {"KABIL": 0.3, "PSU1": 0.5})
    india, m = model.index.country["IND"], model.index.mineral["lithium"]
    assert model.world.auctions.awards == [] and model.state.reserves[india, m] == pytest.approx(100_000.0)
    failed = next(e for e in model.events if e.kind == "block_auction_failed")
    assert "2 qualified bidder(s), fewer than 3" in failed.detail


def test_a_block_beyond_the_known_resources_is_refused(tiny):
    model = WorldModel(with_blocks(tiny), seed=0)
    too_big = AuctionBlock(country="IND", mineral=Mineral.LITHIUM, contained_tonnes=60_000.0, blocks=2)
    assert "less than the 120,000 t of these blocks" in model.check(too_big)


def test_indian_firms_bid_by_their_doctrine_for_a_block_india_imports(tiny):
    """No seat plays the firms: their AI bids for India's lithium block, which India imports."""
    model = WorldModel(
        with_blocks(tiny), seed=0, controllers={"IND": ScriptedController({0: [LITHIUM_BLOCK]})}
    )
    model.run(2)
    bids = [e for e in model.events if e.kind == "block_bid"]
    assert {e.actor for e in bids} == set(INDIAN_FIRMS)
    assert model.world.auctions.awards[0].bidders == 4


def test_a_duty_free_agreement_takes_the_partner_out_of_the_tariff(tiny):
    tariff = SetTariff(country="IND", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), rate=0.5)
    offer = ProposeAgreement(country="IND", counterparty="CHN", name="India-China lithium agreement")
    controllers = {"IND": ScriptedController({0: [tariff], 1: [offer]}), "CHN": QueuedController()}
    model = WorldModel(tiny, seed=0, controllers=controllers)
    model.run(2)
    india, m, s = model.position("IND", "lithium", "refined")
    taxed = model.state.price[india, m, s]
    assert model.submit("CHN", [AnswerAgreement(country="CHN", proposal_id="Q0001", accept=True)]) == [None]
    model.run(2)
    assert model.policies.tariffs[("IND", "lithium", "refined")].origins == ("AUS",)
    assert model.state.price[india, m, s] < taxed / 1.2  # China's lithium enters duty-free
    signed = next(e for e in model.events if e.kind == "agreement_signed")
    assert "India-China lithium agreement" in signed.detail


def agreement(parties, share: float) -> dict:
    return {
        "id": "channel", "name": "investment channel", "parties": list(parties), "duty_free": False,
        "co_finance_share": share, "source": "test",
    }  # fmt: skip


STAKE = AcquireStake(
    country="IND", firm="KABIL", host="AUS", mineral=Mineral.LITHIUM, stage=Stage.MINE, share=0.05
)


def stake_costs(tiny, parties, share: float) -> tuple[WorldModel, WorldModel, float]:
    """KABIL buys 5% of Australia's lithium mines, without and with an agreement co-financing it."""
    from critmin.engine.stakes import stake_cost_usd_m

    firms = [{**tiny.content["firms"][0], "budget_usd_m": 500.0}]
    models = []
    for tables in ({"firms": firms}, {"firms": firms, "agreements": [agreement(parties, share)]}):
        controllers = {"IND": ScriptedController({0: [STAKE]}), "KABIL": QueuedController()}
        models.append(WorldModel(tiny_with(tiny, **tables), seed=0, controllers=controllers))
    cost = stake_cost_usd_m(models[0].world, STAKE)
    for model in models:
        model.step()
    return models[0], models[1], cost


def test_an_investment_channel_makes_the_host_co_finance_a_stake(tiny):
    plain, channel, cost = stake_costs(tiny, ("IND", "AUS"), 0.5)
    assert channel.state.firm_cash[0] - plain.state.firm_cash[0] == pytest.approx(cost / 2)
    australia = plain.index.country["AUS"]
    assert plain.state.treasury[australia] - channel.state.treasury[australia] == pytest.approx(cost / 2)
    assert "co_financed" in [e.kind for e in channel.events]


def test_a_clubs_other_members_co_finance_a_stake_by_their_budgets(tiny):
    plain, club, cost = stake_costs(tiny, ("IND", "AUS", "CHN"), 0.25)
    assert club.state.firm_cash[0] - plain.state.firm_cash[0] == pytest.approx(0.25 * cost)
    china, australia = plain.index.country["CHN"], plain.index.country["AUS"]
    paid_by_china = plain.state.treasury[china] - club.state.treasury[china]
    paid_by_australia = plain.state.treasury[australia] - club.state.treasury[australia]
    assert paid_by_china == pytest.approx(0.25 * cost * 4000 / 5000)  # budgets 4,000 and 1,000
    assert paid_by_australia == pytest.approx(0.25 * cost * 1000 / 5000)


def with_chinese_state_firm(tiny):
    """A Chinese state firm owning half of China's heavy rare-earth mines and separation."""
    firm = {
        "id": "CNRE", "name": "China Rare Earth", "country": "CHN", "budget_usd_m": 100.0, "source": "test",
        "assets": [
            {"country": "CHN", "mineral": "ree_heavy", "stage": stage, "share": 0.5, "source": "test"}
            for stage in ("mine", "refined")
        ],
    }  # fmt: skip
    return tiny_with(tiny, firms=[*tiny.content["firms"], firm])


def offer_to_firm(stage: Stage, kind: str) -> ProposeDeal:
    return ProposeDeal(
        country="IND", counterparty="CHN", with_firm="CNRE", kind=kind, seller="CHN", buyer="IND",
        mineral=Mineral.REE_HEAVY, stage=stage, tonnes_per_year=40.0,
    )  # fmt: skip


def test_a_state_firm_refuses_ore_it_processes_and_accepts_a_partnership(tiny):
    ore, oxide = offer_to_firm(Stage.MINE, "offtake"), offer_to_firm(Stage.REFINED, "partnership")
    controllers = {"IND": ScriptedController({0: [ore, oxide]})}
    model = WorldModel(with_chinese_state_firm(tiny), seed=0, controllers=controllers)
    assert model.observe("CHN").inbox == []  # offers to the firm are the firm's to answer
    model.run(2)
    answers = {e.target: e for e in model.events if e.kind in ("deal_rejected", "deal_signed")}
    refusal = next(e for e in answers.values() if e.kind == "deal_rejected")
    assert (
        refusal.actor == "CNRE"
        and "processes its ree_heavy at home: it sells refined, not mine" in refusal.detail
    )
    signed = next(e for e in answers.values() if e.kind == "deal_signed")
    assert "with China Rare Earth" in signed.detail and "its partner finances 40 t/yr" in signed.detail
    china, m, s = model.position("CHN", "ree_heavy", "refined")
    assert model.state.construction[:, china, m, s].sum() == pytest.approx(10.0)  # the partner's 40 t/yr


def test_only_the_firm_an_offer_names_may_answer_it(tiny):
    from critmin.core.actions import AnswerDeal

    model = WorldModel(
        with_chinese_state_firm(tiny),
        seed=0,
        controllers={"IND": ScriptedController({0: [offer_to_firm(Stage.REFINED, "offtake")]})},
    )
    model.step()
    (proposal_id,) = model.deals.proposals
    by_government = AnswerDeal(country="CHN", proposal_id=proposal_id, accept=True)
    assert "addressed to the firm 'CNRE'" in model.check(by_government)


def test_a_cell_incentive_moves_cell_materials_home_and_pays_per_kwh(tiny):
    cells = SubsidiseCells(country="IND", gwh_per_year=10.0, usd_per_kwh=8.0, turns=4)
    market = {**tiny.content["market"], "cell_plant_lead_turns": 1}
    plain = WorldModel(tiny_with(tiny, market=market), seed=0)
    helped = WorldModel(
        tiny_with(tiny, market=market), seed=0, controllers={"IND": ScriptedController({0: [cells]})}
    )
    plain.run(2)
    helped.run(2)
    india, m, s = plain.position("IND", "lithium", "refined")
    china = plain.index.country["CHN"]
    moved = 10.0 / 4 * plain.settings.new_capacity_utilisation * 100.0  # t of lithium a turn
    home = helped.state.final_demand[:, india, m, s].sum() - plain.state.final_demand[:, india, m, s].sum()
    away = plain.state.final_demand[:, china, m, s].sum() - helped.state.final_demand[:, china, m, s].sum()
    assert home == pytest.approx(moved, rel=0.05) and away == pytest.approx(moved, rel=0.05)  # grown one turn
    assert helped.world.programme_spend[("IND", "cells")] == pytest.approx(10.0 / 4 * 0.85 * 8.0)


def test_a_firm_seat_may_offer_offtakes_bid_for_blocks_and_answer_offers(tiny):
    firms = {firm: QueuedController() for firm in INDIAN_FIRMS}
    controllers = {"IND": ScriptedController({0: [LITHIUM_BLOCK]}), **firms}
    model = WorldModel(with_blocks(tiny), seed=0, controllers=controllers)
    model.step()
    menu = model.legal_actions("KABIL")
    assert {type(a).__name__ for a in menu} >= {"AcquireStake", "ProposeDeal", "BidForBlock"}
    offtake = next(a for a in menu if isinstance(a, ProposeDeal))
    assert (offtake.firm, offtake.buyer) == ("KABIL", "IND")
    assert model.submit("KABIL", [offtake, next(a for a in menu if isinstance(a, BidForBlock))]) == [
        None,
        None,
    ]
    tariff = SetTariff(country="IND", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), rate=0.1)
    assert "a firm seat plays only" in model.submit("KABIL", [tariff])[0]
    seller = WorldModel(
        with_chinese_state_firm(tiny),
        seed=0,
        controllers={
            "IND": ScriptedController({0: [offer_to_firm(Stage.REFINED, "offtake")]}),
            "CNRE": QueuedController(),
        },
    )
    seller.step()
    answers = [a for a in seller.legal_actions("CNRE") if type(a).__name__ == "AnswerDeal"]
    assert sorted(a.accept for a in answers) == [False, True] and all(a.firm == "CNRE" for a in answers)
