"""The flagship scenario india-central-asia-2025 plays as its sources say."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from critmin.core.actions import (
    AcquireStake,
    AuctionBlock,
    BidForBlock,
    BuyStockpile,
    FundProgram,
    Invest,
    ProposeAgreement,
    ProposeDeal,
    SetSubsidy,
    SubsidiseCells,
)
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.model import WorldModel
from critmin.scenarios import load_scenario
from critmin.scenarios.loader import read_toml, resolve_path


@pytest.fixture(scope="module")
def flagship():
    model = WorldModel("india-central-asia-2025")
    model.run(8)
    return model


def test_it_extends_the_2025_controls_and_sources_every_record():
    own = read_toml(resolve_path("india-central-asia-2025"))
    assert own["scenario"]["extends"] == "china-ree-controls-2025"
    records = own["events"] + own["deals"]
    assert len(records) >= 15 and all(len(record["source"]) > 40 for record in records)
    scenario = load_scenario("india-central-asia-2025")
    assert scenario.spec.scenario.turns == 24
    assert any(e.country == "CHN" and e.kind == "action" for e in scenario.spec.events)


def test_every_scripted_policy_of_india_is_carried_out(flagship):
    rejected = [e.detail for e in flagship.events if e.kind == "action_rejected" and e.actor == "IND"]
    assert rejected == []
    scripted = [
        a for turn in flagship.action_log for a in turn if a.get("_scripted") and a["country"] == "IND"
    ]
    assert {a["type"] for a in scripted} >= {"fund_program", "break_deal", "propose_deal", "invest"}


def test_central_asian_partners_sign_joint_exploration_and_the_toyotsu_pact_is_suspended(flagship):
    explorations = {
        (d.seller, d.mineral) for d in flagship.deals.deals.values() if d.kind == "joint_exploration"
    }
    assert {("KAZ", "ree_light"), ("UZB", "ree_light")} <= explorations
    breach = [e for e in flagship.events if e.kind == "deal_breached"]
    assert ("IND", "irel-toyotsu-ree", 1) in {(e.actor, e.target, e.turn) for e in breach}


def test_the_magnet_scheme_builds_capacity_in_india(flagship):
    india, m, s = flagship.position("IND", "ree_heavy", "magnet")
    start = WorldModel("india-central-asia-2025").state.capacity[india, m, s]
    built = flagship.state.capacity[india, m, s] + flagship.state.construction[:, india, m, s].sum()
    assert (built - start) * 4 >= 120.0 - 1e-6  # the scheme's 120 t/yr on top of what India had


def indias_lithium_finds(seeds=range(2025, 2037), turns: int = 8) -> list:
    """India's lithium finds over the first turns of several flagship runs (finds are random)."""
    finds = []
    for seed in seeds:
        model = WorldModel("india-central-asia-2025", seed=seed)
        model.run(turns)
        finds += model.deals.finds.get(("IND", "lithium"), [])
        if finds:
            break
    return finds


def test_indias_lithium_finds_stay_within_reasi_and_mandya_and_take_a_greenfield_decade():
    finds = indias_lithium_finds()
    assert finds, "GSI's lithium exploration (turns 0, 1 and 2) finds part of India's lithium in some seed"
    assert sum(f.contained_tonnes for f in finds) <= 5000.0  # Reasi ~3,400 t + Mandya 1,600 t Li
    assert all(not f.brownfield and f.on_stream_turn - f.turn >= 40 for f in finds)


RS_PER_USD = 86.0  # the scenario's exchange rate (RBI reference, Jan 2025)


def crore_in_usd_m(crore: float) -> float:
    """Rs crore (1e7 rupees) in USD million at the scenario's rate."""
    return crore * 1e7 / RS_PER_USD / 1e6


def indian_actions(model_or_spec) -> list:
    """The scenario's scripted action events of India."""
    return [e for e in model_or_spec.events if e.kind == "action" and e.country == "IND"]


def fired(action: dict, turn: int) -> tuple:
    """What identifies a scripted action: its turn, type, mineral, stage(s) and programme."""
    stages = action.get("stages") or [action.get("stage", "")]
    return (turn, action["type"], action.get("mineral", ""), tuple(stages), action.get("program", ""))


def test_every_scripted_item_of_india_fires_in_its_turn_over_24_turns(flagship_24):
    rejected = [e.detail for e in flagship_24.events if e.kind == "action_rejected" and e.actor == "IND"]
    assert rejected == []
    wanted = Counter(fired(e.action, e.turn) for e in indian_actions(flagship_24.world_scenario.spec))
    done = Counter(
        fired(a, turn)
        for turn, actions in enumerate(flagship_24.action_log)
        for a in actions
        if a.get("_scripted") and a["country"] == "IND"
    )
    assert done == wanted
    assert len(wanted) >= 60  # exploration and recycling every year, the schemes, the stockpile, the deals


def test_the_ncmm_money_is_paid_year_by_year_over_the_mission_not_once():
    spec = load_scenario("india-central-asia-2025").spec
    programmes = [e for e in indian_actions(spec) if e.action["type"] == "fund_program"]
    per_year: dict[tuple[str, int], float] = defaultdict(float)
    for event in programmes:
        financial_year = (event.turn - 1) // 4 if event.turn else -1  # April 2025 = turn 1
        per_year[(event.action["program"], financial_year)] += event.action["usd_m"]
    exploration = [per_year[("exploration", year)] for year in range(6)]  # FY2025-26..FY2030-31
    assert exploration == pytest.approx([crore_in_usd_m(1000)] * 6, rel=0.01)  # (GSI 4,000 + NMET 3,000) / 7
    recycling = [per_year[("recycling", year)] for year in range(6)]
    assert recycling == pytest.approx([crore_in_usd_m(250)] * 6, rel=0.01)  # Rs 1,500 crore over six years
    recycled = {e.action["mineral"] for e in programmes if e.action["program"] == "recycling"}
    assert recycled == {"lithium", "cobalt", "nickel", "copper"}
    assert min(e.turn for e in programmes if e.action["program"] == "recycling") == 2  # approved Sep 2025


def test_the_national_stockpile_holds_magnets_not_only_oxide(flagship_24):
    india, m, s = flagship_24.position("IND", "ree_light", "magnet")
    before, after = (flagship_24.recorder.countries[turn]["stockpile"][india, m, s] for turn in (4, 7))
    assert before == 0.0 and after > 0.0  # the NCMS's three tenders from April 2026 (turns 5-7)


def test_hindustan_copper_expands_with_its_own_money_and_the_psus_buy_abroad(flagship_24):
    events = flagship_24.events
    hcl = [e for e in events if e.actor == "hcl" and e.kind == "investment" and e.turn == 1]
    assert hcl and "18,000 t/yr of copper mine" in hcl[0].detail
    india, m, s = flagship_24.position("IND", "copper", "mine")
    start = WorldModel("india-central-asia-2025").state.capacity[india, m, s]
    built = flagship_24.state.capacity[india, m, s] + flagship_24.state.construction[:, india, m, s].sum()
    assert (built - start) * 4 >= 18000.0 - 1e-6
    psus = [d for d in flagship_24.deals.deals.values() if d.kind == "equity" and d.firm == "india-psus"]
    assert psus and all(d.seller != "IND" for d in psus)


def test_india_explores_zambian_copper_under_the_government_to_government_allocation(flagship):
    deal = flagship.deals.deals["gsi-zambia-copper-cobalt"]
    assert (deal.seller, deal.buyer, deal.kind, deal.mineral) == ("ZMB", "IND", "joint_exploration", "copper")
    zambia, copper = flagship.index.country["ZMB"], flagship.index.mineral["copper"]
    assert flagship.state.exploration[zambia, copper] > 0  # India's money in Zambia's exploration


def levers_of_india() -> dict[str, object]:
    """One action per lever India holds from the start, as a player would send it."""
    ree, magnet, mine, refined = Mineral.REE_LIGHT, Stage.MAGNET, Stage.MINE, Stage.REFINED
    copper, lithium = Mineral.COPPER, Mineral.LITHIUM
    triangle = {"country": "IND", "buyer": "IND", "mineral": lithium, "stage": refined, "kind": "partnership"}
    return {
        "auction blocks": AuctionBlock(
            country="IND", mineral=Mineral.GRAPHITE, contained_tonnes=50_000.0, blocks=2
        ),
        "talks with Italy and the EU": ProposeAgreement(
            country="IND", counterparty="EUU", name="India-EU partnership", co_finance_share=0.1
        ),
        "a CECA chapter with Australia": ProposeAgreement(
            country="IND", counterparty="AUS", name="CECA critical-minerals chapter", co_finance_share=0.25
        ),
        "partnership with Codelco": ProposeDeal(
            counterparty="CHL", with_firm="codelco", seller="CHL", tonnes_per_year=500.0, **triangle
        ),
        "partnership with YLB": ProposeDeal(
            counterparty="BOL", with_firm="ylb", seller="BOL", tonnes_per_year=300.0, **triangle
        ),
        "KABIL's offtake from Jujuy": ProposeDeal(
            country="IND", firm="kabil", counterparty="ARG", with_firm="jemse", seller="ARG", buyer="IND",
            mineral=lithium, stage=refined, tonnes_per_year=50.0,
        ),
        "joint exploration with Catamarca": ProposeDeal(
            country="IND", counterparty="ARG", with_firm="camyen", kind="joint_exploration", seller="ARG",
            buyer="IND", mineral=lithium, stage=mine, tonnes_per_year=300.0, duration_turns=20,
        ),
        "incentives for cell makers": SubsidiseCells(country="IND", gwh_per_year=5.0, usd_per_kwh=8.4),
        "explore at home": FundProgram(country="IND", program="exploration", mineral=copper, usd_m=20.0),
        "recycle": FundProgram(country="IND", program="recycling", mineral=Mineral.COBALT, usd_m=10.0),
        "process at home": FundProgram(country="IND", program="processing", mineral=lithium, usd_m=10.0),
        "stockpile magnets": BuyStockpile(country="IND", mineral=ree, stage=magnet, tonnes=50.0),
        "subsidise magnet makers": SetSubsidy(country="IND", mineral=ree, stages=(magnet,), rate=0.2),
        "PSUs buy abroad": AcquireStake(
            country="IND", firm="india-psus", host="AUS", mineral=lithium, stage=mine, share=0.01
        ),
        "HCL builds": Invest(country="IND", firm="hcl", mineral=copper, stage=mine, tonnes_per_year=1000.0),
        "explore abroad": ProposeDeal(
            country="IND", counterparty="CHL", kind="joint_exploration", seller="CHL", buyer="IND",
            mineral=lithium, stage=mine, tonnes_per_year=500.0, duration_turns=12,
        ),
    }  # fmt: skip


def test_each_lever_of_india_is_a_legal_action_at_the_start():
    model = WorldModel("india-central-asia-2025")
    refused = {name: model.check(action) for name, action in levers_of_india().items()}
    assert {name: why for name, why in refused.items() if why is not None} == {}


def test_the_new_levers_are_on_indias_menu_from_the_start():
    model = WorldModel("india-central-asia-2025")
    menu = model.legal_actions("IND")
    kinds = {type(a).__name__ for a in menu}
    assert {"AuctionBlock", "ProposeAgreement", "SubsidiseCells"} <= kinds
    to_firms = {a.with_firm for a in menu if isinstance(a, ProposeDeal) and a.with_firm}
    assert {"codelco", "ylb"} <= to_firms  # the Lithium Triangle's state firms
    auctioned = {a.mineral.value for a in menu if isinstance(a, AuctionBlock)}
    assert auctioned == {
        "lithium",
        "ree_light",
        "ree_heavy",
        "copper",
        "graphite",
        "titanium",
        "phosphate",
        "selenium",
    }


def test_a_bid_is_legal_only_while_a_block_is_on_offer_and_answers_only_when_proposed(flagship):
    bid = BidForBlock(country="IND", firm="coal-india", block_id="B0001", premium=0.5)
    assert "no block 'B0001' on offer" in WorldModel("india-central-asia-2025").check(bid)
    model = WorldModel("india-central-asia-2025")
    model.run(1)
    model.begin_turn()
    model.apply_events()
    model.conduct_diplomacy([])
    model.apply_policies(model.event_actions)
    assert model.check(bid) is None  # tranche 5 is on offer from turn 1 until turn 2's policy phase
    assert "no pending agreement proposal" in model.check(
        {"type": "answer_agreement", "country": "AUS", "proposal_id": "Q0099", "accept": True}
    )


def test_a_lever_india_cannot_afford_is_refused_with_its_reason():
    model = WorldModel("india-central-asia-2025")
    too_dear = FundProgram(country="IND", program="exploration", mineral=Mineral.COPPER, usd_m=10_000.0)
    assert "treasury holds" in model.check(too_dear)
    no_money = Invest(
        country="IND", firm="hcl", mineral=Mineral.COPPER, stage=Stage.MINE, tonnes_per_year=1e6
    )
    assert "Hindustan Copper" in model.check(no_money)


def test_the_new_scripted_items_fire_and_their_counterparts_answer(flagship_24):
    events = flagship_24.events
    offered = [e for e in events if e.kind == "blocks_offered" and e.actor == "IND"]
    assert len(offered) == 6 and all(e.turn == 1 for e in offered)  # tranche 5: 25 blocks
    closed = [e for e in events if e.kind in ("block_awarded", "block_auction_failed") and e.turn == 2]
    assert len(closed) == 25  # every block awarded or failed, with its reason
    answered = {e.actor for e in events if e.kind in ("agreement_signed", "agreement_declined")}
    assert {"AUS", "EUU"} <= answered  # the CECA chapter and the EU talks, decided by their governments
    assert [e.turn for e in events if e.kind == "cell_plants_on_stream" and e.actor == "IND"] == [8]
    paid = flagship_24.world.programme_spend[("IND", "cells")]
    assert paid == pytest.approx(16 * 5.0 / 4 * 0.85 * 8.4)  # turns 8-23 of the ACC PLI


def test_india_receives_the_ncmm_outlay_as_its_budget_each_turn():
    """Rs 16,300 crore of government outlay over seven years (~Rs 2,330 crore a year) is India's
    yearly budget, a quarter of it paid into the treasury each turn."""
    model = WorldModel("india-central-asia-2025")
    india = next(c for c in model.world_scenario.spec.countries if c.iso3 == "IND")
    assert india.budget_usd_m == pytest.approx(16_300 / 7 * 10 / 86, rel=0.05)  # USD m at Rs 83-86
    assert model.observe("IND").budget_per_turn_usd_m == pytest.approx(india.budget_usd_m / 4)


def test_kabils_joint_explorations_in_argentina_and_australia_fund_the_hosts_exploration(flagship):
    for deal_id, host, mineral in (
        ("kabil-camyen-catamarca", "ARG", "lithium"),
        ("kabil-cmfo-cobalt", "AUS", "cobalt"),
    ):
        deal = flagship.deals.deals[deal_id]
        assert (deal.seller, deal.buyer, deal.kind, deal.mineral) == (
            host,
            "IND",
            "joint_exploration",
            mineral,
        )
        assert flagship.state.exploration[flagship.index.country[host], flagship.index.mineral[mineral]] > 0


def test_the_msp_and_the_lithium_triangle_raise_trust_between_their_members():
    model = WorldModel("india-central-asia-2025")
    trust, bonus = model.state.trust, model.world_scenario.spec.market.bloc_trust_bonus
    c = model.index.country
    outsiders = trust[c["IND"], c["CHL"]]  # no bloc in common
    assert trust[c["IND"], c["USA"]] == pytest.approx(outsiders + bonus)  # the MSP (and the Quad)
    assert trust[c["CHL"], c["BOL"]] == pytest.approx(outsiders + bonus)  # the Lithium Triangle


def test_the_ecta_and_the_msp_club_are_in_force_from_the_start():
    agreements = WorldModel("india-central-asia-2025").world.agreements.agreements
    ecta, msp = agreements["india-australia-ecta"], agreements["minerals-security-partnership"]
    assert set(ecta.parties) == {"IND", "AUS"} and ecta.duty_free
    assert {"IND", "USA", "EUU", "JPN", "KOR", "AUS"} <= set(msp.parties)
    assert (msp.duty_free, msp.co_finance_share) == (False, 0.2)  # no tariff preference; its Finance Network


def test_every_row_of_the_flagship_table_names_tests_that_exist():
    """docs/scenarios.md's flagship table: each item names, in its Tests column, tests that exist."""
    root = Path(__file__).parents[2]
    doc = (root / "docs" / "scenarios.md").read_text(encoding="utf-8")
    table = doc.split("| Item | In the game | Figures | Sources | Tests |")[1].split("\n\n")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("|--")]
    assert len(rows) >= 29
    for row in rows:
        named = re.findall(r"`(\w+\.py)::(\w+)`", row.rsplit(" | ", 1)[1])
        assert named, row[:60]
        for file, test in named:
            sources = [path.read_text(encoding="utf-8") for path in root.joinpath("tests").rglob(file)]
            assert any(f"def {test}(" in source for source in sources), f"{file}::{test}"
