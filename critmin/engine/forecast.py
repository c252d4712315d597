"""Traders' forecast: the price they expect over the next quarters, given the controls they know.

Without a known control the expected price is a moving average of prices (`dynamics`). News of
a control (`announcements`) tells traders the share of their market's supply it cuts; at the
news the expected price jumps by the incidence rule, 1 + cut / (|demand elasticity| + supply
elasticity) (BEHAVIOUR.md 1b). Traders then remember the largest cut heard and the price they
expected before the first news (the anchor) for as long as a control on the mineral stands or
is announced: the *known price* is the anchor times the incidence rule of that cut. While it is
known, a price away from it is read as transient: traders expect it to revert towards the known
price, keeping the mean over the next `forecast_horizon_quarters` of a deviation that persists
`forecast_persistence` a quarter (prices of storable commodities are autocorrelated but
mean-reverting: Working 1949, Williams & Wright 1991, Deaton & Laroque 1992). So the
expectation does not fade while the control stands, and does not climb with a price that
climbs because stocks run down.
"""

from __future__ import annotations

import numpy as np

from critmin.engine.state import Constants, WorldState


def incidence(constants: Constants, settings, cut: np.ndarray) -> np.ndarray:
    """(C, M, S) price multiple the incidence rule gives a market cut: 1 + cut / (|e_d| + e_s)."""
    elasticity = np.abs(constants.demand_elasticity)[None, :, None] + settings.supply_elasticity
    return 1.0 + cut / elasticity


def hear_cut(state: WorldState, constants: Constants, settings, market_cut: np.ndarray) -> np.ndarray:
    """(C, M, S) expected price on news of a market cut (it never falls on news); the cut is remembered."""
    heard = market_cut > 0
    before = np.maximum(state.price, state.expected_price)
    first = heard & (state.known_cut <= 0)
    state.cut_anchor = np.where(first, before, state.cut_anchor)
    state.known_cut = np.maximum(state.known_cut, market_cut)
    jump = before * incidence(constants, settings, market_cut)
    return np.where(heard, np.maximum(state.expected_price, jump), state.expected_price)


def forget_cuts(state: WorldState, minerals_still_controlled: np.ndarray) -> None:
    """Forget the cuts of minerals on which no control stands or is announced any more."""
    kept = minerals_still_controlled[None, :, None]
    state.known_cut = np.where(kept, state.known_cut, 0.0)
    state.cut_anchor = np.where(kept, state.cut_anchor, 0.0)


def known_price(state: WorldState, constants: Constants, settings) -> np.ndarray:
    """(C, M, S) the price traders expect the controls they know to hold (0 where none is known)."""
    return state.cut_anchor * incidence(constants, settings, state.known_cut)


def mean_persistence(settings) -> float:
    """Mean over the next quarters of rho ** h, the share of a deviation traders expect to last."""
    horizon = np.arange(1, settings.forecast_horizon_quarters + 1)
    return float(np.mean(settings.forecast_persistence**horizon))


def forecast(state: WorldState, constants: Constants, settings, moving_average: np.ndarray) -> np.ndarray:
    """(C, M, S) expected price: the moving average, or the known price and a fading deviation."""
    known = known_price(state, constants, settings)
    reverting = known + mean_persistence(settings) * (state.price - known)
    return np.where(state.known_cut > 0, reverting, moving_average)
