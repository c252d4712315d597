"""Geology behind exploration: one small named case per rule (critmin.engine.exploration)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from critmin.agents.controllers import ScriptedController
from critmin.core.actions import AnswerDeal, FundProgram, ProposeDeal
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine import exploration
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import scenario_from_content
from critmin.scenarios.schema import MarketSettings
from critmin.scenarios.validate import ScenarioError

SETTINGS = MarketSettings()


def fund(country: str, mineral: str, usd_m: float) -> FundProgram:
    return FundProgram(country=country, program="exploration", mineral=Mineral(mineral), usd_m=usd_m)


def rich(tiny, **market):
    """Tiny with a rich Australia (USD 20 bn a year) and the given [market] settings."""
    content = copy.deepcopy(tiny.content)
    content["countries"] = [
        {**c, "budget_usd_m": 20_000.0} if c["iso3"] == "AUS" else c for c in content["countries"]
    ]
    content["market"] = {**content.get("market", {}), **market}
    return scenario_from_content(content, "tiny-rich.toml")


def discoveries(model: WorldModel) -> list:
    return [e for e in model.events if e.kind == "discovery"]


def test_no_find_where_the_data_holds_no_reserves(tiny):
    odds = exploration.find_odds(np.array([1e6, 1e6]), np.array([0.0, 1e5]), np.array([5.0, 5.0]), SETTINGS)
    assert odds[0] == 0.0 and odds[1] > 0.99
    # India has no lithium reserves in tiny: USD 900 m of exploration finds nothing in 8 turns
    model = WorldModel(
        tiny, seed=0, controllers={"IND": ScriptedController({0: [fund("IND", "lithium", 900.0)]})}
    )
    model.run(8)
    assert discoveries(model) == []


def test_a_find_is_bounded_by_the_reserves_over_the_mine_life():
    low, high = SETTINGS.discovery_size_share
    contained, per_year = exploration.find_size(40_000.0, 1.0, SETTINGS)
    assert contained == pytest.approx(40_000.0 * high)
    assert per_year == pytest.approx(contained / SETTINGS.discovery_mine_life_years)
    assert per_year <= 40_000.0 / SETTINGS.discovery_mine_life_years
    assert exploration.find_size(40_000.0, 0.0, SETTINGS)[0] == pytest.approx(40_000.0 * low)


def test_finds_come_out_of_the_reserves_and_never_exceed_them(tiny):
    controllers = {"AUS": ScriptedController({0: [fund("AUS", "ree_heavy", 15_000.0)]})}
    model = WorldModel(rich(tiny), seed=0, controllers=controllers)
    model.run(8)
    finds = model.deals.finds[("AUS", "ree_heavy")]
    assert len(finds) == len(discoveries(model)) >= 6  # ample money: about a find a turn
    australia, m = model.index.country["AUS"], model.index.mineral["ree_heavy"]
    taken = sum(f.contained_tonnes for f in finds)
    assert model.state.reserves[australia, m] == pytest.approx(40_000.0 - taken)
    assert sum(f.tonnes_per_year for f in finds) <= 40_000.0 / SETTINGS.discovery_mine_life_years


@pytest.mark.parametrize(("brownfield", "low", "high"), [(True, 4, 12), (False, 40, 70)])
def test_lead_time_is_in_its_sourced_range(brownfield, low, high):
    leads = {exploration.lead_time(brownfield, draw, SETTINGS) for draw in np.linspace(0, 1, 101)}
    assert min(leads) == low and max(leads) == high


def test_a_find_is_brownfield_only_where_it_at_most_doubles_existing_mines():
    assert exploration.is_brownfield(300.0, 300.0)
    assert not exploration.is_brownfield(301.0, 300.0)  # larger than the mines there: a new mine
    assert not exploration.is_brownfield(10.0, 0.0)  # nothing mined there yet


def test_a_country_mining_the_mineral_finds_brownfield_and_produces_from_its_on_stream_turn(tiny):
    controllers = {"AUS": ScriptedController({0: [fund("AUS", "ree_heavy", 15_000.0)]})}
    model = WorldModel(rich(tiny), seed=0, controllers=controllers)
    australia, m, s = model.position("AUS", "ree_heavy", "mine")
    added = {}
    for _ in range(16):
        before = model.state.capacity[australia, m, s]
        model.step()
        added[model.turn - 1] = (model.state.capacity[australia, m, s] - before) * 4
    finds = model.deals.finds[("AUS", "ree_heavy")]
    assert all(f.brownfield and 4 <= f.on_stream_turn - f.turn <= 12 for f in finds)
    for turn, tonnes in added.items():  # capacity arrives in the on-stream turn, before production
        due = sum(f.tonnes_per_year for f in finds if f.on_stream_turn == turn)
        assert tonnes == pytest.approx(due, abs=1e-6), turn


def test_a_joint_exploration_find_ships_the_partners_share_once_on_stream(tiny):
    offer = ProposeDeal(
        country="IND", counterparty="AUS", kind="joint_exploration", seller="AUS", buyer="IND",
        mineral=Mineral.REE_HEAVY, stage=Stage.MINE, tonnes_per_year=4000.0, duration_turns=4,
    )  # fmt: skip
    controllers = {
        "IND": ScriptedController({0: [offer]}),
        "AUS": ScriptedController({1: [AnswerDeal(country="AUS", proposal_id="P0002", accept=True)],
                                   2: [fund("AUS", "ree_heavy", 15_000.0)]}),
    }  # fmt: skip
    model = WorldModel(rich(tiny, joint_exploration_partner_share=0.5), seed=0, controllers=controllers)
    model.run(4)
    find = next(f for f in model.deals.finds[("AUS", "ree_heavy")] if f.turn >= 2)
    deal = next(d for d in model.deals.deals.values() if d.kind == "joint_exploration")
    assert deal.end_turn >= find.on_stream_turn + 4  # the deal runs a full term after first output
    australia, m, s = model.position("AUS", "ree_heavy", "mine")
    india = model.index.country["IND"]
    shipped = []
    while model.turn <= find.on_stream_turn:
        model.step()
        shipped.append((model.turn - 1, model.last.flows[m, s, australia, india]))
    assert all(tonnes == 0.0 for turn, tonnes in shipped if turn < find.on_stream_turn)
    share = exploration.partner_tonnes_per_turn(find, 1000.0, model.settings)
    assert share == pytest.approx(0.5 * find.tonnes_per_year / 4 * model.settings.new_capacity_utilisation)
    assert shipped[-1] == (find.on_stream_turn, pytest.approx(share))


def test_a_lead_time_range_the_wrong_way_round_is_refused(tiny):
    content = copy.deepcopy(tiny.content)
    content["market"] = {**content.get("market", {}), "brownfield_lead_time_turns": [12, 4]}
    with pytest.raises(ScenarioError, match=r"market\.brownfield_lead_time_turns: low 12 is above high 4"):
        scenario_from_content(content, "tiny-bad.toml")


def test_reserves_twice_for_one_line_are_refused(tiny):
    content = copy.deepcopy(tiny.content)
    content["reserves"] = [*content["reserves"], dict(content["reserves"][0])]
    with pytest.raises(ScenarioError, match=r"reserves\[3\]: duplicate reserves for AUS lithium"):
        scenario_from_content(content, "tiny-bad.toml")


def test_the_uk_finds_no_copper_in_world_2024_however_much_it_spends():
    controllers = {"GBR": ScriptedController({0: [fund("GBR", "copper", 100.0)]})}
    model = WorldModel("world-2024", seed=3, controllers=controllers)
    model.run(4)
    left = model.state.exploration[model.index.country["GBR"], model.index.mineral["copper"]]
    assert 0 < left < 100.0  # funded and being spent
    assert not [e for e in discoveries(model) if e.actor == "GBR"]
