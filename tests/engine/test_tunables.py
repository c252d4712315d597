"""Tunables are scenario data: a scenario's [market], [menu] and [firm_doctrine] values are the ones used."""

from __future__ import annotations

import copy

import pytest

from critmin.core.actions import ImposeExportControl, SetSubsidy, SetTariff
from critmin.engine.diplomacy import partnership_capex_usd_m
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import scenario_from_content
from critmin.scenarios.schema import MarketSettings, MenuSizes


def tiny_with(tiny, **tables):
    content = copy.deepcopy(tiny.content)
    for name, values in tables.items():
        content[name] = content.get(name, {}) | values
    return scenario_from_content(content, "tiny-tuned.toml")


def test_the_legal_menu_offers_the_scenarios_sizes(tiny):
    sizes = {"tariff_rate": 0.1, "subsidy_rate": 0.3, "licence_approval_share": 0.7, "licence_delay_turns": 2}
    default = WorldModel(tiny, seed=0)
    tuned = WorldModel(tiny_with(tiny, menu=sizes), seed=0)
    default.step()
    tuned.step()  # a turn played: the menu offers tariffs on what was imported
    menu = tuned.legal_actions("AUS") + tuned.legal_actions("IND")
    assert {a.rate for a in menu if isinstance(a, SetTariff)} == {0.1}
    assert {a.rate for a in menu if isinstance(a, SetSubsidy)} == {0.3}
    licences = [a for a in menu if isinstance(a, ImposeExportControl) and a.regime == "licence"]
    assert licences and {(a.approval_share, a.delay_turns) for a in licences} == {(0.7, 2)}
    offered = default.legal_actions("AUS") + default.legal_actions("IND")
    assert {a.rate for a in offered if isinstance(a, SetTariff)} == {MenuSizes().tariff_rate}


def test_deal_shares_reach_the_engine_and_the_observations_terms(tiny):
    from critmin.core.actions import ProposeDeal
    from critmin.core.vocabulary import Mineral, Stage

    tuned = WorldModel(
        tiny_with(tiny, market={"partner_capex_share": 0.5, "joint_exploration_funding_share": 0.1})
    )
    default = WorldModel(tiny)
    offer = ProposeDeal(
        country="IND", counterparty="AUS", seller="AUS", buyer="IND", kind="partnership",
        mineral=Mineral.LITHIUM, stage=Stage.MINE, tonnes_per_year=4000,
    )  # fmt: skip
    assert partnership_capex_usd_m(tuned.world, offer) == pytest.approx(
        0.5 * partnership_capex_usd_m(default.world, offer)
    )
    terms = tuned.observe("IND").terms
    assert (terms.partner_capex_share, terms.joint_exploration_funding_share) == (0.5, 0.1)
    assert default.observe("IND").terms.partner_capex_share == MarketSettings().partner_capex_share


def test_firms_decide_on_the_scenarios_firm_doctrine_and_keep_its_share_of_margins(tiny):
    tuned = WorldModel(
        tiny_with(
            tiny,
            firm_doctrine={"act_every_turns": 2, "source": "test [L]"},
            market={"firm_retained_share": 0.0},
        )
    )
    assert tuned.firms["KABIL"].controller.params.act_every_turns == 2
    tuned.run(2)
    assert tuned.firm_earnings.tolist() == [0.0]
    default = WorldModel(tiny)
    default.run(2)
    assert default.firm_earnings[0] > 0.0
