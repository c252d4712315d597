"""Squeezed processors sell their overhang (engine/overhang.py): output beyond the store of a
processor whose scarce feed sits at its break-even is offered below its cost-plus reservation."""

from __future__ import annotations

import pytest

from critmin.engine.model import WorldModel
from critmin.engine.overhang import overhang_price, squeezed
from critmin.engine.trade import break_even_feed_price, offer_prices, producer_storage


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
