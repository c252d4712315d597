"""What each kind of deal does once signed: joint exploration, partnership, stock swap."""

from __future__ import annotations

import copy

import pytest

from critmin.agents.controllers import ScriptedController
from critmin.core.actions import AnswerDeal, ImposeExportControl, ProposeDeal
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.model import WorldModel
from critmin.engine.treasury import capex_usd_m
from critmin.scenarios.loader import scenario_from_content


def signed_world(tiny, offer: ProposeDeal, *, extra_events=(), stocks=(), seed=0, market=None) -> WorldModel:
    """Tiny, where `offer` is proposed at turn 0 and accepted at turn 1 by scripts."""
    content = copy.deepcopy(tiny.content)
    content["market"] = {**content.get("market", {}), **(market or {})}
    content["events"] = list(extra_events)
    content["stocks"] = [*content["stocks"], *stocks]
    accept = AnswerDeal(country=offer.counterparty, proposal_id="P0002", accept=True)
    controllers = {
        offer.country: ScriptedController({0: [offer]}),
        offer.counterparty: ScriptedController({1: [accept]}),
    }
    model = WorldModel(scenario_from_content(content, "tiny-deal.toml"), seed=seed, controllers=controllers)
    model.run(2)
    assert [d.kind for d in model.deals.deals.values()].count(offer.kind) == 1, "signed at turn 1"
    return model


def test_a_joint_exploration_funds_the_hosts_exploration_and_shares_its_find_once_on_stream(tiny):
    offer = ProposeDeal(
        country="IND",
        counterparty="AUS",
        kind="joint_exploration",
        seller="AUS",
        buyer="IND",
        mineral=Mineral.REE_HEAVY,
        stage=Stage.MINE,
        tonnes_per_year=40.0,
        duration_turns=12,
    )
    find = {
        "turn": 4,
        "kind": "discovery",
        "title": "find",
        "country": "AUS",
        "mineral": "ree_heavy",
        "stage": "mine",
        "tonnes_per_year": 10.0,
        "source": "test fixture",
    }
    leads = {"lead_time_turns": {"mine": 4, "refined": 10, "magnet": 6},
             "lead_time_spread_turns": {"mine": 0, "refined": 2, "magnet": 2}}  # fmt: skip
    model = signed_world(tiny, offer, extra_events=[find], market=leads)
    australia, m, s = model.position("AUS", "ree_heavy", "mine")
    india = model.index.country["IND"]
    per_turn = (
        model.settings.joint_exploration_funding_share * 10.0 * model.constants.reference_price[m, s] / 1000
    )
    programs = model.ledger.get("programs", 0.0)
    model.run(2)  # turns 2 and 3: funding, nothing delivered
    assert model.ledger["programs"] == pytest.approx(programs + 2 * per_turn)
    assert model.last.flows[m, s, australia, india] == 0.0
    model.run(3)  # turn 4: Australia's find (on stream at turn 7) ends the funding; 4-6: nothing yet
    assert model.deals.finds[("AUS", "ree_heavy")][0].on_stream_turn == 7
    assert model.ledger["programs"] == pytest.approx(programs + 2 * per_turn)
    assert model.last.flows[m, s, australia, india] == 0.0
    model.run(1)  # turn 7: the partner's half of the find's output, within its 40 t/yr
    half = 0.5 * 10.0 / 4 * model.settings.new_capacity_utilisation
    assert model.last.flows[m, s, australia, india] == pytest.approx(half)


def test_a_partnership_finances_capacity_at_the_seller_and_passes_its_licences(tiny):
    offer = ProposeDeal(
        country="IND",
        counterparty="AUS",
        kind="partnership",
        seller="AUS",
        buyer="IND",
        mineral=Mineral.LITHIUM,
        stage=Stage.MINE,
        tonnes_per_year=4000.0,
    )
    licence = {
        "turn": 2,
        "kind": "action",
        "title": "licence",
        "country": "AUS",
        "source": "test fixture",
        "action": {
            "type": "impose_export_control",
            "country": "AUS",
            "mineral": "lithium",
            "stages": ["mine"],
            "regime": "licence",
            "approval_share": 0.1,
            "delay_turns": 2,
        },
    }
    model = signed_world(tiny, offer, extra_events=[licence])
    australia, m, s = model.position("AUS", "lithium", "mine")
    capex = model.settings.partner_capex_share * capex_usd_m(model.world, "lithium", "mine", 4000.0)
    assert model.ledger["investment"] == pytest.approx(capex)
    assert model.state.construction[:, australia, m, s].sum() == pytest.approx(1000.0)
    model.run(1)  # under a 10% licence with a two-turn delay, the partner's 1,000 t still arrive now
    assert model.last.flows[m, s, australia, model.index.country["IND"]] >= 1000.0 - 1e-6
    assert isinstance(model.check(offer), type(None))


def test_a_stock_swap_is_delivered_from_the_sellers_strategic_stockpile(tiny):
    offer = ProposeDeal(
        country="AUS",
        counterparty="IND",
        kind="stock_swap",
        seller="IND",
        buyer="AUS",
        mineral=Mineral.REE_HEAVY,
        stage=Stage.MAGNET,
        tonnes_per_year=20.0,
        duration_turns=2,
    )
    model = signed_world(tiny, offer)
    india, m, s = model.position("IND", "ree_heavy", "magnet")
    held = model.state.stockpile[india, m, s]
    model.step()
    assert model.state.stockpile[india, m, s] == pytest.approx(held - 5.0)
    assert model.last.flows[m, s, india, model.index.country["AUS"]] >= 5.0 - 1e-6


def test_relaxing_a_control_costs_no_trust_and_keeps_its_reference(tiny):
    tighten = ImposeExportControl(
        country="CHN",
        mineral=Mineral.REE_HEAVY,
        stages=(Stage.MAGNET,),
        regime="licence",
        approval_share=0.25,
        delay_turns=1,
    )
    relax = ImposeExportControl(
        country="CHN",
        mineral=Mineral.REE_HEAVY,
        stages=(Stage.MAGNET,),
        regime="licence",
        approval_share=0.5,
        delay_turns=1,
    )
    model = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({1: [tighten], 3: [relax]})})
    model.run(2)
    china, india = model.index.country["CHN"], model.index.country["IND"]
    reference, trust = (
        model.policies.controls[("CHN", "ree_heavy", "magnet")].reference_tonnes,
        model.state.trust[india, china],
    )
    model.run(2)
    assert model.policies.controls[("CHN", "ree_heavy", "magnet")].reference_tonnes == reference
    assert model.state.trust[india, china] >= trust
    assert [e.kind for e in model.events if e.actor == "CHN" and e.kind.startswith("control")] == [
        "control_imposed",
        "control_eased",
    ]
