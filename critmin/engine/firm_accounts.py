"""Firms' own money: a firm's budget pays its stakes and new capacity; its lines earn it a margin.

Each firm starts with the scenario's `budget_usd_m` (WorldState.firm_cash, hashed with the rest
of the state). Every turn it keeps `[market] firm_retained_share` of the cash margin of the output
it owns: its home assets that ship home and its stakes (equity deals) abroad. That money moves from the
producing country's industry account to the firm, so money is conserved. Assets that do not ship
home (options under exploration) earn nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from critmin.core.units import usd_m
from critmin.engine.state import Constants, WorldState
from critmin.engine.world import World


def owned_shares(world: World) -> np.ndarray:
    """(F, C, M, S) share of each line's output each firm owns: home assets that ship home, stakes."""
    state = world.state
    shares = np.zeros((len(world.firms), *state.capacity.shape))
    for f, firm in enumerate(world.firms.values()):
        for asset in firm.assets:
            if asset.ships_home and asset.country == firm.country:
                shares[(f, *world.position(asset.country, asset.mineral.value, asset.stage.value))] += (
                    asset.share
                )
    for deal in world.deals.deals.values():
        if deal.kind == "equity" and deal.firm in world.firm_index:
            at = world.position(deal.seller, deal.mineral, deal.stage)
            shares[(world.firm_index[deal.firm], *at)] += deal.share
    return np.minimum(shares, 1.0)


def unit_margin(prices: np.ndarray, state: WorldState, constants: Constants) -> np.ndarray:
    """(C, M, S) cash margin in USD/kg at `prices`: the price less own cost and feed bought at `prices`."""
    feed = np.zeros_like(prices)
    feed[:, :, 1:] = prices[:, :, :-1] / constants.yield_share[None, :, 1:] * constants.chain[None, :, :-1]
    return (prices - state.unit_cost - feed) * constants.chain[None]


def earn(world: World) -> np.ndarray:
    """Each firm keeps its share of this turn's margin on what it owns; returns (F,) USD m."""
    if not len(world.firms):
        return np.zeros(0)
    state = world.state
    margin = usd_m(world.last.production, unit_margin(state.price, state, world.constants))
    by_country = owned_margin(world.firm_shares, world.firm_share_rows(), margin)
    by_country *= world.settings.firm_retained_share
    state.firm_cash += by_country.sum(axis=1)
    state.industry -= by_country.sum(axis=0)
    return by_country.sum(axis=1)


def owned_margin(shares: np.ndarray, rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """(F, C) `np.einsum("fcms,cms->fc", shares, margin)` worked out only at the flat (F, C) `rows`.

    The other rows of `shares` are zeros, whose sums are +0.0; each row's sum is einsum's own
    (the same inner loop over the row's (M, S) values), so the values are the full einsum's.
    """
    firms, countries = np.divmod(rows, shares.shape[1])
    owned = np.zeros(shares.shape[:2])
    owned[firms, countries] = np.einsum("rms,rms->r", shares[firms, countries], margin[countries])
    return owned


def affordable(world: World, firm_id: str, cost_usd_m: float) -> Iterator[str]:
    """The firm's own budget must hold the cost."""
    cash = float(world.state.firm_cash[world.firm_index[firm_id]])
    if cost_usd_m > cash + 1e-9:
        yield f"costs USD {cost_usd_m:,.1f} m but {world.firms[firm_id].name} holds USD {cash:,.1f} m"


def pay(world: World, firm_id: str, usd_m: float) -> None:
    """The firm's budget pays `usd_m` (to whoever the caller credits)."""
    world.state.firm_cash[world.firm_index[firm_id]] -= usd_m
