"""Squeezed processors sell their overhang (engine/overhang.py): output beyond the store of a
processor whose scarce feed sits at its break-even is offered below its cost-plus reservation."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.model import WorldModel
from critmin.engine.overhang import overhang_price, squeezed
from critmin.engine.trade import break_even_feed_price, offer_prices, producer_storage
from tests.engine.test_chain_stocks import without_working_stocks


@pytest.fixture
def refiners(tiny):
    """The tiny world with China's heavy-REE refiners holding 3 quarters of output."""
    model = WorldModel(tiny, seed=0)
    at = model.position("CHN", "ree_heavy", "refined")
    state = model.state
    state.producer_stock[at] = 3 * state.capacity[at] * state.utilisation[at]
    return model, at


def squeeze_feed(model, at, share_of_reference: float) -> None:
    """Set the feed (mine) price at the refiners' break-even and the output price to match."""
    state, constants = model.state, model.constants
    c, m, _ = at
    reference = constants.reference_price[m, 0]
    state.price[c, m, 1] = 1.0  # an output price low enough that break-even is what we ask
    cap = break_even_feed_price(state, constants, model.settings)[c, m, 0]
    state.price[c, m, 1] += (share_of_reference * reference - cap) / constants.yield_share[m, 1]
    state.price[c, m, 0] = break_even_feed_price(state, constants, model.settings)[c, m, 0]


def asks(model):
    state, constants, settings = model.state, model.constants, model.settings
    reservation = offer_prices(state, constants)
    squeeze = squeezed(state, constants.reference_price, break_even_feed_price(state, constants, settings))
    storable, _ = producer_storage(state, settings, reservation)
    return squeeze, reservation, overhang_price(state, settings, reservation, storable, squeeze)


def test_a_squeezed_processor_offers_its_overhang_below_cost_plus_and_lower_the_more_it_holds(refiners):
    model, at = refiners
    squeeze_feed(model, at, 5.0)  # scarce feed, priced at the refiners' own break-even
    model.state.expected_price[at] = model.state.price[at]
    squeeze, reservation, ask = asks(model)
    assert squeeze[at]
    share = model.settings.overhang_price_share
    running = model.state.capacity[at] * model.state.utilisation[at]
    quarters = 3 - model.settings.producer_storage_quarters
    assert ask[at] == pytest.approx(model.state.price[at] * share ** (1 + quarters))
    assert ask[at] < reservation[at]
    model.state.producer_stock[at] += 2 * running  # two quarters more unsold: two steps lower
    assert asks(model)[2][at] == pytest.approx(ask[at] * share**2)


def test_cheap_feed_at_break_even_is_a_glut_not_a_squeeze(refiners):
    model, at = refiners
    squeeze_feed(model, at, 0.6)  # below the feed's reference: the processors' cost-plus stands
    squeeze, reservation, ask = asks(model)
    assert not squeeze[at]
    assert ask[at] == reservation[at]


def test_feed_below_break_even_keeps_the_reservation_price(refiners):
    model, at = refiners
    squeeze_feed(model, at, 5.0)
    model.state.price[at[0], at[1], 0] *= 0.9  # processors earn a margin: their bids did not set it
    squeeze, reservation, ask = asks(model)
    assert not squeeze[at]
    assert ask[at] == reservation[at]


def test_the_overhang_price_at_the_squeezed_cells_is_the_whole_arrays_rule_bit_for_bit(refiners):
    """Worked out at the squeezed cells only, as the rule on every cell, then kept where squeezed."""
    model, at = refiners
    state, settings = model.state, model.settings
    rng = np.random.default_rng(5)
    state.expected_price = state.price * rng.uniform(0.5, 2.0, state.price.shape)
    state.producer_stock = state.producer_stock + rng.uniform(0, 3, state.price.shape) * state.running()
    squeeze = rng.random(state.price.shape) < 0.3
    squeeze[at], squeeze[1, 1, 1] = True, True
    state.capacity[1, 1, 1] = 0.0  # a squeezed cell without running output: no quarters held
    reservation = offer_prices(state, model.constants)
    storable, _ = producer_storage(state, settings, reservation)
    running = state.running()
    overhang = np.maximum(state.producer_stock - storable, 0.0)
    quarters = np.divide(overhang, running, out=np.zeros_like(overhang), where=running > 0)
    ask = state.expected_price * settings.overhang_price_share ** (1.0 + quarters)
    expected = np.where(squeeze, np.minimum(reservation, ask), reservation)
    got = overhang_price(state, settings, reservation, storable, squeeze)
    assert got.tobytes() == expected.tobytes() and (got != reservation).any()


DRC_BAN = """
[scenario]
extends = "world-2024"
id = "drc-cobalt-ban"
title = "DRC cobalt export ban (Feb 2025), quota of 96,600 t/yr from turn 3"
start = "2025Q1"
turns = 9

[[events]]
turn = 0
kind = "action"
title = "DRC suspends cobalt exports"
country = "COD"
source = "ARECOMS, 22 Feb 2025 (Africanews, 11 Mar 2025)"
[events.action]
type = "impose_export_control"
country = "COD"
mineral = "cobalt"
stages = ["mine"]
regime = "ban"
destinations = []

[[events]]
turn = 3
kind = "action"
title = "DRC replaces the ban with quotas"
country = "COD"
source = "Reuters, 9 Dec 2025"
[events.action]
type = "impose_export_control"
country = "COD"
mineral = "cobalt"
stages = ["mine"]
regime = "quota"
destinations = []
quota_tonnes_per_year = 96600
"""


@pytest.mark.slow
def test_a_ban_on_most_cobalt_feed_gives_a_high_price_that_leaves_the_ceiling(tmp_path):
    """Before the overhang rule refined cobalt sat at the ceiling from turn 3 for good (seeds 1-2)
    while China's refiners piled up unsold metal. Without the chain's working stocks, which keep
    this cut off the ceiling (tests/engine/test_chain_stocks.py)."""
    scenario_file = tmp_path / "drc-cobalt-ban.toml"
    scenario_file.write_text(DRC_BAN)
    model = WorldModel(without_working_stocks(scenario_file), seed=1)
    usa, m, s = model.position("USA", "cobalt", "refined")
    china = model.index.country["CHN"]
    ceiling = max(model.settings.demand_price_multiples) * model.constants.reference_price[m, s]
    path = []
    for _ in range(9):
        model.step()
        path.append(model.state.price[usa, m, s] / ceiling)
    assert max(path) > 0.5  # a 70% cut of refined supply: a very high price
    assert path[-1] < 0.4  # ... that falls once the quota's feed comes: 20x stays no more
    assert model.state.producer_stock[china, m, s] < 2 * model.last.production[china, m, s]


def test_the_squeeze_and_the_reservation_prices_are_their_array_forms_bit_for_bit(refiners):
    """Worked out cell by cell as the whole-array rules: a squeeze, caps of inf, and off-chain lines."""
    model, at = refiners
    squeeze_feed(model, at, 5.0)
    state, constants, settings = model.state, model.constants, model.settings
    cap = break_even_feed_price(state, constants, settings)
    feed = state.price[:, :, :-1]
    expected = np.zeros(state.price.shape, dtype=bool)
    expected[:, :, 1:] = (feed >= 0.99 * cap[:, :, :-1]) & (feed > constants.reference_price[None, :, :-1])
    got = squeezed(state, constants.reference_price, cap)
    assert got.tobytes() == expected.tobytes() and got.any() and got.dtype == bool
    reservation = state.unit_cost.copy()
    on_feed = np.where(constants.chain[None, :, :-1], feed / constants.yield_share[None, :, 1:], 0.0)
    reservation[:, :, 1:] += on_feed
    assert offer_prices(state, constants).tobytes() == reservation.tobytes()
