"""State firms decide with their own budgets, on their mandates, and say why; a seat can be a firm."""

from __future__ import annotations

import copy

import pytest

from critmin.agents.controllers import QueuedController
from critmin.core.actions import AcquireStake, FundProgram, RefuseDelivery
from critmin.core.events import REASON_MARK
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.contracts import deliver
from critmin.engine.deals import Deal, DealBook
from critmin.engine.firm_legal import FIRM_MOVES
from critmin.engine.model import WorldModel
from critmin.engine.save import replay, save_data
from critmin.engine.stakes import firms_part_usd_m
from critmin.scenarios import load_scenario
from critmin.scenarios.loader import scenario_from_content
from critmin.scenarios.validate import ScenarioError

INDIA = "india-central-asia-2025"
DECISIONS = ("stake_acquired", "investment", "firm_refused")


def with_budget(firm_id: str, usd_m: float):
    """The India scenario with one firm's budget changed."""
    content = copy.deepcopy(load_scenario(INDIA).content)
    for firm in content["firms"]:
        if firm["id"] == firm_id:
            firm["budget_usd_m"] = usd_m
    return scenario_from_content(content, f"{INDIA}-{firm_id}-{usd_m}.toml")


@pytest.fixture(scope="module")
def india_run(flagship_24) -> WorldModel:
    return flagship_24


def test_every_firm_with_a_budget_decides_and_the_events_table_gives_its_reasons(india_run):
    events = india_run.tables()["events"].to_pylist()
    firms = india_run.world_scenario.spec.firms
    decisions = [e for e in events if e["actor"] in india_run.firms and e["kind"] in DECISIONS]
    for firm in firms:
        if firm.kind == "state_firm" and firm.budget_usd_m > 0:
            assert any(e["actor"] == firm.id for e in decisions), f"{firm.id} took no decision in 24 turns"
    for event in decisions:
        assert REASON_MARK in event["detail"] or event["kind"] == "firm_refused", event["detail"]
    assert {e["kind"] for e in decisions} >= {"stake_acquired", "investment"}
    makers = [e for e in events if e["kind"] in ("manufacturer_substitutes", "manufacturer_lobbies")]
    assert makers and all(":" in e["actor"] and "reason: " in e["detail"] for e in makers)


def test_firms_spend_their_own_budget_and_earn_on_what_they_own(india_run):
    spec = {f.id: f for f in india_run.world_scenario.spec.firms}
    cash = dict(zip(spec, india_run.state.firm_cash, strict=True))
    assert cash["kabil"] < spec["kabil"].budget_usd_m  # spent on stakes, earns nothing at home
    assert cash["codelco"] > spec["codelco"].budget_usd_m  # its Chilean copper earns more than it spends


def kabil_stakes(model: WorldModel) -> list[Deal]:
    return [d for d in model.deals.deals.values() if d.kind == "equity" and d.firm == "kabil"]


def test_kabil_with_a_budget_buys_a_stake_abroad_that_ships_tonnes_home():
    model = WorldModel(with_budget("kabil", 200.0))
    model.run(12)
    stakes = kabil_stakes(model)
    assert stakes and all(d.seller != "IND" and d.buyer == "IND" for d in stakes)
    assert sum(model.delivered.get(d.id, 0.0) for d in stakes) > 0


def test_kabil_without_a_budget_acquires_nothing():
    model = WorldModel(with_budget("kabil", 0.0))
    model.run(12)
    assert kabil_stakes(model) == []
    assert not [e for e in model.events if e.kind == "stake_acquired" and e.actor == "kabil"]


def test_a_firm_refuses_an_order_its_budget_cannot_pay_and_says_why():
    model = WorldModel(with_budget("kabil", 0.0), controllers={"IND": QueuedController()})
    order = AcquireStake(
        country="IND", firm="kabil", host="AUS", mineral=Mineral.LITHIUM, stage=Stage.MINE, share=0.01
    )
    model.countries["IND"].controller.submit([order])
    model.step()
    refusals = [e for e in model.events if e.kind == "firm_refused" and e.actor == "kabil"]
    assert refusals and "does not cover" in refusals[0].detail
    assert kabil_stakes(model) == []


def test_a_seat_can_play_a_firm_through_the_python_api():
    model = WorldModel(with_budget("kabil", 500.0), controllers={"kabil": QueuedController()})
    menu = model.legal_actions("kabil")
    assert menu and all(isinstance(a, FIRM_MOVES) and a.firm == "kabil" for a in menu)
    stake = next(a for a in menu if isinstance(a, AcquireStake))
    fund = FundProgram(country="IND", program="exploration", mineral=Mineral.LITHIUM, usd_m=1.0)
    verdicts = model.submit("kabil", [stake, fund])
    assert verdicts[0] is None and "firm seat" in verdicts[1]
    cost = firms_part_usd_m(model.world, stake)  # the MSP's members co-finance part of it
    model.step()
    assert [e.actor for e in model.events if e.kind == "stake_acquired"].count("kabil") == 1
    k = model.firm_index["kabil"]
    assert model.firm_earnings[k] > 0  # the new stake earns its share of the host's margin at once
    assert model.state.firm_cash[k] == pytest.approx(500.0 - cost + model.firm_earnings[k])
    model.step()
    rebuilt, report = replay(save_data(model))
    assert report.ok, report.problem
    assert rebuilt.state_hash() == model.state_hash()


def test_a_firm_seat_cannot_act_for_another_country_and_unknown_seats_are_named():
    model = WorldModel(INDIA, controllers={"kabil": QueuedController()})
    other = AcquireStake(
        country="CHN", firm="kabil", host="AUS", mineral=Mineral.LITHIUM, stage=Stage.MINE, share=0.01
    )
    assert "acts for IND" in model.submit("kabil", [other])[0]
    with pytest.raises(ValueError, match="nobody"):
        WorldModel(INDIA, controllers={"nobody": QueuedController()})


def offtake(tiny_model: WorldModel, take_or_pay_share: float) -> Deal:
    deal = Deal(
        id="D9001",
        kind="offtake",
        seller="CHN",
        buyer="IND",
        mineral="ree_heavy",
        stage="magnet",
        tonnes_per_turn=50.0,
        price_rule="fixed",
        price_usd_per_kg=400.0,
        take_or_pay=take_or_pay_share,
    )
    tiny_model.deals.sign(deal)
    return deal


def test_take_or_pay_the_buyer_refusing_its_tonnes_pays_the_agreed_share(tiny):
    model = WorldModel(tiny, seed=0)
    model.world.deals = DealBook()  # this contract alone
    deal = offtake(model, 0.6)
    model.world.refused.add(deal.id)
    china, india = model.index.country["CHN"], model.index.country["IND"]
    before = model.state.industry.copy()
    flows, routes = deliver(model.world)
    owed = 0.6 * 50.0 * 400.0 / 1000  # USD m
    assert model.state.industry[india] == pytest.approx(before[india] - owed)
    assert model.state.industry[china] == pytest.approx(before[china] + owed)
    assert not flows.any() and not len(routes) and deal.id not in model.delivered


def test_a_refused_delivery_stays_with_the_seller_and_the_buyer_is_charged(tiny):
    model = WorldModel(tiny, seed=0, controllers={"IND": QueuedController(), "CHN": QueuedController()})
    deal = offtake(model, 0.5)
    assert "not the buyer" in model.submit("CHN", [RefuseDelivery(country="CHN", deal_id=deal.id)])[0]
    assert model.submit(
        "IND", [RefuseDelivery(country="IND", deal_id=deal.id, reason="spot is cheaper")]
    ) == [None]
    model.step()
    assert deal.id not in model.delivered
    charged = [e for e in model.events if e.kind == "take_or_pay"]
    assert charged and "pays USD 10.00 m (50% take-or-pay)" in charged[0].detail
    model.step()  # the refusal held for one turn only: the next delivery goes through
    assert model.delivered.get(deal.id, 0.0) > 0


def test_a_mandate_defaults_by_kind_and_a_bad_one_is_named(tiny):
    firm = tiny.spec.firms[0]
    assert firm.mandate is None and firm.goal == "supply_security"
    content = copy.deepcopy(tiny.content)
    content["firms"][0]["mandate"] = "greed"
    with pytest.raises(ScenarioError, match=r"firms\[0\]\.mandate"):
        scenario_from_content(content, "bad-mandate.toml")
