"""Named cases at the level of the whole turn: one small situation per rule, with its outcome."""

from __future__ import annotations

import copy

import pytest

from critmin.agents.controllers import DefaultController, QueuedController, ScriptedController
from critmin.core.actions import (
    AnswerDeal,
    ImposeExportControl,
    ProposeDeal,
    ReleaseStockpile,
    SetTariff,
)
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.model import WorldModel
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
