"""Valuation: no AI government accepts a deal that its own valuation scores negative."""

from __future__ import annotations

import copy

import pytest
from ai_worlds import AUS_REFINERY, TINY_DOCTRINES, ai_controllers, control_event, tiny_with
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from critmin.agents.doctrine_params import DOCTRINES
from critmin.agents.situation import Situation
from critmin.agents.valuation import value_offer
from critmin.core.actions import AnswerDeal, ProposeDeal
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.model import WorldModel

LINES = [
    ("ree_heavy", "mine"),
    ("ree_heavy", "refined"),
    ("ree_heavy", "magnet"),
    ("lithium", "mine"),
    ("lithium", "refined"),
]
KINDS = ("offtake", "joint_exploration", "partnership", "stock_swap")


@pytest.fixture(scope="module")
def world(tiny):
    """Tiny, played by AI for three turns under a Chinese licence on magnets and refined lithium."""
    events = [
        control_event(0, "CHN", "ree_heavy", "magnet", "licence", approval_share=0.4, delay_turns=1),
        control_event(1, "CHN", "lithium", "refined", "licence", approval_share=0.3),
    ]
    scenario = tiny_with(tiny, "tiny-valuation", capacity=[AUS_REFINERY], events=events)
    model = WorldModel(scenario, seed=5, controllers=ai_controllers(TINY_DOCTRINES))
    model.run(3)
    return model


@st.composite
def offers(draw) -> ProposeDeal:
    """Any well-formed proposal between two of the tiny world's countries."""
    proposer, counterparty = draw(st.permutations(sorted(TINY_DOCTRINES)))[:2]
    seller, buyer = (proposer, counterparty) if draw(st.booleans()) else (counterparty, proposer)
    mineral, stage = draw(st.sampled_from(LINES))
    rule = draw(st.sampled_from(("index", "fixed", "floor", "ceiling")))
    return ProposeDeal(
        country=proposer,
        counterparty=counterparty,
        kind=draw(st.sampled_from(KINDS)),
        seller=seller,
        buyer=buyer,
        mineral=Mineral(mineral),
        stage=Stage(stage),
        tonnes_per_year=draw(st.floats(1.0, 50_000.0)),
        price_rule=rule,
        price_usd_per_kg=None if rule == "index" else draw(st.floats(0.0, 3000.0)),
        duration_turns=draw(st.integers(1, 40)),
        take_or_pay=draw(st.floats(0.0, 1.0)),
        breach_penalty_usd_m=draw(st.floats(0.0, 500.0)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offer=offers())
def test_no_ai_accepts_a_deal_its_own_valuation_scores_negative(world, offer):
    assume(world.check(offer) is None)
    world.carry_out([offer])
    proposal_id = max(world.deals.proposals)
    controller = world.countries[offer.counterparty].controller
    observation = world.observe(offer.counterparty)
    actions = copy.deepcopy(controller).decide(observation, [])
    world.deals.reject(proposal_id)
    answer = next(a for a in actions if isinstance(a, AnswerDeal) and a.proposal_id == proposal_id)
    value = controller.valuation(observation, offer)
    event("accepted" if answer.accept else "rejected")
    if answer.accept:
        assert value.total_usd_m >= 0.0 and not value.blocked


def test_a_buyer_values_supply_from_a_restricting_supplier_below_a_trusted_one(world):
    situation = Situation.read(world.observe("IND"), DOCTRINES["diversifying_importer"])
    terms = {
        "country": "IND",
        "buyer": "IND",
        "mineral": Mineral.REE_HEAVY,
        "stage": Stage.MAGNET,
        "tonnes_per_year": 40.0,
    }
    from_china = value_offer(situation, ProposeDeal(counterparty="CHN", seller="CHN", **terms))
    from_australia = value_offer(situation, ProposeDeal(counterparty="AUS", seller="AUS", **terms))
    assert situation.risks[("ree_heavy", "magnet")].adversary_share > 0.5
    assert from_australia.risk_removed_usd_m > 2 * from_china.risk_removed_usd_m > 0


def test_a_seller_short_at_home_does_not_contract_its_scarce_output_away(world):
    india = Situation.read(world.observe("IND"), DOCTRINES["diversifying_importer"])
    offer = ProposeDeal(
        country="AUS",
        counterparty="IND",
        seller="IND",
        buyer="AUS",
        mineral=Mineral.REE_HEAVY,
        stage=Stage.MAGNET,
        tonnes_per_year=40.0,
    )
    value = value_offer(india, offer)
    assert india.risks[("ree_heavy", "magnet")].score > 0.3
    assert value.costs_usd_m > value.gains_usd_m and not value.acceptable


def test_the_ais_capital_cost_is_the_engines_on_the_scenarios_terms(tiny):
    """A scenario that makes capacity dearer makes it dearer for the AI's estimates too."""
    from critmin.core.observation import Terms
    from critmin.engine.treasury import capex_usd_m
    from critmin.scenarios.loader import scenario_from_content
    from critmin.scenarios.schema import MarketSettings

    defaults, market = Terms(), MarketSettings()
    assert all(getattr(defaults, name) == getattr(market, name) for name in Terms.__struct_fields__)
    content = copy.deepcopy(tiny.content)
    content["market"]["capex_revenue_years"] = 3.0
    model = WorldModel(scenario_from_content(content, "tiny-dear-capex.toml"), seed=1)
    situation = Situation.read(model.observe("IND"), DOCTRINES["diversifying_importer"])
    engine = capex_usd_m(model.world, "lithium", "refined", 1000.0)
    assert situation.capex_usd_m(("lithium", "refined"), 1000.0) == pytest.approx(engine)
    assert engine == pytest.approx(
        2 * capex_usd_m(WorldModel(tiny, seed=1).world, "lithium", "refined", 1000.0)
    )
