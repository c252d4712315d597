"""One small case per market mechanism (docs/mechanisms.md): what each does to the state."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from critmin.engine import capacity, dynamics
from critmin.engine.model import WorldModel
from critmin.engine.trade import final_need
from critmin.scenarios.loader import scenario_from_content
from tests.engine.test_invariants import recycled_over_checked_turns


def with_market(tiny, **settings):
    """The tiny world with some [market] parameters changed."""
    content = copy.deepcopy(tiny.content)
    content["market"] = {**content.get("market", {}), **settings}
    return scenario_from_content(content, "tiny-market.toml")


@pytest.fixture
def world(tiny):
    return WorldModel(tiny, seed=0)


def on_chain(model) -> np.ndarray:
    """(C, M, S) True where the mineral has the stage."""
    return np.broadcast_to(model.constants.chain[None], model.state.price.shape)


def line(model, country="CHN", mineral="ree_heavy", stage="mine"):
    return model.position(country, mineral, stage)


# --- inventories ---------------------------------------------------------------------------


def test_controls_on_imports_raise_the_inventory_buyers_want(world):
    state, settings = world.state, world.settings
    at = line(world, "IND", stage="magnet")
    calm = dynamics.desired_inventory(state, settings, np.zeros_like(state.price))[at]
    state.control_exposure[at] = 1.0
    risk = dynamics.supply_risk(state, world.constants, settings, np.zeros_like(state.price))
    assert calm == pytest.approx(settings.inventory_target_quarters)
    assert dynamics.desired_inventory(state, settings, risk)[at] > 1.5 * calm


def test_a_falling_price_runs_inventories_down(world):
    state, settings = world.state, world.settings
    state.price_trend[:] = -0.5
    desired = dynamics.desired_inventory(state, settings, np.zeros_like(state.price))
    assert desired.max() < settings.inventory_target_quarters
    assert desired.min() >= settings.inventory_target_min_quarters


def test_dear_stock_is_wanted_less_than_cheap_stock(world):
    state, settings = world.state, world.settings
    risk = np.ones_like(state.price)
    cheap = dynamics.desired_inventory(state, settings, risk)
    state.price *= 5  # the price runs far above what buyers expect in the long run
    dear = dynamics.desired_inventory(state, settings, risk)
    assert (dear < cheap)[on_chain(world)].all()


def test_stock_bids_follow_a_rising_trend_but_never_top_the_demand_curve(world):
    state, constants, settings = world.state, world.constants, world.settings
    flat = dynamics.stock_bid_price(state, constants, settings)
    state.price_trend[:] = 0.4
    rising = dynamics.stock_bid_price(state, constants, settings)
    assert (rising > flat)[on_chain(world)].all()
    state.price *= 1000
    top = constants.reference_price * max(settings.demand_price_multiples)
    assert (dynamics.stock_bid_price(state, constants, settings) <= top[None] + 1e-9).all()


def test_stock_bought_this_turn_is_kept_not_used(world):
    world.begin_turn()
    at = line(world, "IND", stage="magnet")
    need = final_need(world.state)[at]
    world.state.consumer_stock[at] = need
    world.stock_bought[at] = 0.75 * need
    world.consume()
    assert world.last.consumption[at] == pytest.approx(0.25 * need)
    assert world.state.consumer_stock[at] == pytest.approx(0.75 * need)


# --- producers -----------------------------------------------------------------------------


def test_utilisation_rises_with_margins_and_stops_below_cash_cost(world):
    state, constants, settings = world.state, world.constants, world.settings
    at = line(world)
    normal = state.normal_utilisation[at]
    assert dynamics.target_utilisation(state, constants, settings)[at] == pytest.approx(normal)
    state.expected_price[at] = 3 * constants.reference_price[at[1:]]
    assert normal < dynamics.target_utilisation(state, constants, settings)[at] <= settings.utilisation_max
    state.expected_price[at] = settings.utilisation_floor_margin * state.unit_cost[at]
    assert dynamics.target_utilisation(state, constants, settings)[at] == 0.0


def test_a_processor_keeps_running_when_feed_outruns_its_output_until_output_stops_paying_conversion(world):
    state, constants, settings = world.state, world.constants, world.settings
    refined, mine = line(world, stage="refined"), line(world, stage="mine")
    normal = state.normal_utilisation[refined]
    state.expected_price[mine] = 4 * constants.reference_price[mine[1:]]  # feed dearer than the output pays
    full_cover = dynamics.cost_cover(state.expected_price, state, constants)
    assert full_cover[refined] < settings.utilisation_floor_margin
    assert dynamics.target_utilisation(state, constants, settings)[refined] == pytest.approx(normal)
    state.expected_price[refined] = settings.utilisation_floor_margin * state.unit_cost[refined]
    assert dynamics.target_utilisation(state, constants, settings)[refined] == 0.0


def test_capacity_losing_money_closes(world):
    state, constants, settings = world.state, world.constants, world.settings
    at = line(world)
    before = state.capacity[at]
    state.expected_price[at] = 0.5 * state.unit_cost[at]
    closed = dynamics.close_capacity(state, constants, settings)
    assert closed[at] == pytest.approx(settings.closure_rate_per_turn * before)
    assert state.capacity[at] == pytest.approx(before - closed[at])


def test_investors_order_capacity_only_when_long_run_prices_justify_it(world):
    state, constants, settings = world.state, world.constants, world.settings
    assert not dynamics.investment_orders(state, constants, settings).any()
    at = line(world)
    state.long_run_price[at] = 2 * constants.reference_price[at[1:]]
    orders = dynamics.investment_orders(state, constants, settings)
    assert orders[at] > 0
    assert orders[at] <= settings.investment_max_share_per_year * state.capacity[at] + 1e-9


@pytest.mark.parametrize(("stage", "years"), [("mine", (5, 7)), ("refined", (2, 3)), ("magnet", (1, 2))])
def test_new_capacity_arrives_after_realistic_lead_times(world, stage, years):
    at = line(world, "AUS", stage=stage)
    capacity.build(world.world, "AUS", "ree_heavy", stage, 400.0)
    arriving = world.state.construction[(slice(None), *at)]
    turns = np.flatnonzero(arriving) + 1
    assert arriving.sum() == pytest.approx(100.0)  # 400 t/yr is 100 t per turn
    assert years[0] * 4 <= turns.min() and turns.max() <= years[1] * 4


def test_private_investment_pays_capex_into_a_declared_sink(tiny):
    model = WorldModel(tiny, seed=0)
    model.state.long_run_price[:] = 3 * model.constants.reference_price[None]
    industry = model.state.industry.sum()
    capacity.respond_to_margins(model.world)
    assert model.ledger["investment"] > 0
    assert model.state.industry.sum() == pytest.approx(industry - model.ledger["investment"])
    assert model.state.construction.sum() > 0


def test_a_project_comes_on_stream_at_its_turn(tiny):
    content = copy.deepcopy(tiny.content)
    content["events"] = [
        {
            "turn": 1,
            "kind": "project",
            "title": "mine",
            "country": "IND",
            "mineral": "lithium",
            "stage": "mine",
            "tonnes_per_year": 4000.0,
            "unit_cost_usd_per_kg": 4.0,
            "source": "test fixture",
        }
    ]
    model = WorldModel(scenario_from_content(content, "tiny-project.toml"), seed=0)
    model.step()
    at = line(model, "IND", "lithium")
    assert model.state.capacity[at] == 0.0
    model.step()
    assert model.state.capacity[at] == pytest.approx(1000.0)
    assert model.state.unit_cost[at] == 4.0


# --- demand ------------------------------------------------------------------------------


def test_high_prices_cut_demand_intensity_up_to_the_yearly_limit_then_it_recovers_slowly(world):
    state, constants, settings = world.state, world.constants, world.settings
    state.expected_price[:] = 10 * constants.reference_price[None]
    for _ in range(4):
        dynamics.thrift(state, constants, settings)
    assert state.intensity.min() == pytest.approx((1 - settings.thrifting_max_per_year / 4) ** 4)
    low = state.intensity.copy()
    state.expected_price[:] = constants.reference_price[None]
    for _ in range(4):
        dynamics.thrift(state, constants, settings)
    chain = on_chain(world)
    assert (state.intensity > low)[chain].all()
    assert state.intensity[chain].max() < 1 - 0.5 * (1 - low.min())


def test_demand_growth_slows_by_its_decay(tiny):
    content = copy.deepcopy(tiny.content)
    for record in content["demand"]:
        record |= {"growth_per_year": 0.5, "growth_decay_per_year": 0.5}
    model = WorldModel(scenario_from_content(content, "tiny-growth.toml"), seed=0)
    first = model.state.demand_growth.max()
    model.run(4)
    assert model.state.demand_growth.max() == pytest.approx(first * 0.5)


def test_demand_noise_is_drawn_from_the_model_generator_only_when_asked(tiny):
    quiet = WorldModel(with_market(tiny, demand_noise_sd=0.0), seed=0)
    quiet.run(2)
    assert (quiet.state.demand_noise == 1.0).all()
    noisy, again = (WorldModel(with_market(tiny, demand_noise_sd=0.05), seed=seed) for seed in (4, 4))
    other = WorldModel(with_market(tiny, demand_noise_sd=0.05), seed=5)
    for model in (noisy, again, other):
        model.run(2)
    assert np.array_equal(noisy.state.demand_noise, again.state.demand_noise)
    assert not np.array_equal(noisy.state.demand_noise, other.state.demand_noise)


# --- recycling -----------------------------------------------------------------------------


def test_scrap_collection_rises_with_price_up_to_its_ceiling(tiny):
    model = WorldModel(
        with_market(tiny, recycling_collection_share=0.05, recycling_collection_max=0.2), seed=0
    )
    state, constants, settings = model.state, model.constants, model.settings
    refined = model.index.stage["refined"]
    at_reference = dynamics.collection_share(state, constants, settings, refined)
    state.expected_price[:] *= 2
    assert dynamics.collection_share(state, constants, settings, refined) == pytest.approx(2 * at_reference)
    state.expected_price[:] *= 100
    assert dynamics.collection_share(state, constants, settings, refined).max() == pytest.approx(0.2)


def test_recycling_keeps_mass_and_money_balanced(tiny):
    model = WorldModel(with_market(tiny, recycling_collection_share=0.1, demand_noise_sd=0.05), seed=2)
    assert recycled_over_checked_turns(model, 5) > 0


# --- control exposure ----------------------------------------------------------------------


def test_a_binding_quota_exposes_its_importers(tiny):
    from critmin.core.actions import ImposeExportControl
    from critmin.core.vocabulary import Mineral, Stage

    quota = ImposeExportControl(
        country="CHN",
        mineral=Mineral.REE_HEAVY,
        stages=(Stage.MAGNET,),
        regime="quota",
        quota_tonnes_per_year=40.0,
    )
    model = WorldModel(tiny, seed=0)
    model.step()
    at = line(model, "IND", stage="magnet")
    assert model.state.control_exposure[at] == 0.0
    model.event_actions = []
    model.carry_out([quota])
    model.step()
    assert model.state.control_exposure[at] > 0.5
    assert model.state.control_exposure[line(model, "CHN", stage="magnet")] == 0.0
