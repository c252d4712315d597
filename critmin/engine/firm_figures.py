"""The turn view's firm figures in one compiled pass: margins, import shares and need (engine/views.py).

Every firm reads the same (C, M, S) figures each turn: the cash margin at long-run prices
(`firm_accounts.unit_margin`) and its share of the price, the share of recent supply that came
from abroad, and the final and feed need at reference prices (`trade.final_need`,
`state.feed_need`, `units.usd_m`). As ~40 numpy calls on arrays of a few thousand cells they
cost ~0.13 ms a view; here each cell is worked out once, with the float operations of those
rules in their order, so the figures are theirs bit for bit (tests/engine/test_firm_figures.py).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.core.units import THOUSAND_USD_PER_USD_M
from critmin.engine.state import Constants, WorldState


def firm_figures(
    state: WorldState, constants: Constants, imported: np.ndarray, domestic: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(C, M, S) margin, margin share, import share and need value of the view's firm arrays.

    `imported` and `domestic` are the recent supply from abroad and from home (World.recent_supply).
    """
    return _figures(
        state.long_run_price,
        state.unit_cost,
        constants.yield_share,
        constants.chain,
        imported,
        domestic,
        state.final_demand,
        state.demand_shock,
        state.demand_noise,
        state.intensity,
        state.substitution,
        state.capacity,
        state.utilisation,
        state.disruption,
        constants.reference_price,
        THOUSAND_USD_PER_USD_M,
    )


@nb.njit(cache=True, nogil=True)
def _figures(
    price,
    unit_cost,
    yield_share,
    chain,
    imported,
    domestic,
    final_demand,
    shock,
    noise,
    intensity,
    substitution,
    capacity,
    utilisation,
    disruption,
    reference,
    per_usd_m,
):
    """The four (C, M, S) figures, cell by cell, each as its array rule computes it.

    `unit_margin(price)`; `margin / price` where the price is positive (else 0); `imported /
    (imported + domestic)` where that is positive (else 0); `usd_m(final_need + feed_need,
    reference)`.
    """
    countries, minerals, stages = price.shape
    margin = np.empty(price.shape)
    margin_share = np.empty(price.shape)
    import_share = np.empty(price.shape)
    need_value = np.empty(price.shape)
    for c in range(countries):
        for m in range(minerals):
            shocks = shock[c, m] * noise[c, m]
            for s in range(stages):
                feed = 0.0
                if s > 0:  # the feed bought at the price of the stage before
                    feed = price[c, m, s - 1] / yield_share[m, s] * (1.0 if chain[m, s - 1] else 0.0)
                margin[c, m, s] = (price[c, m, s] - unit_cost[c, m, s] - feed) * (1.0 if chain[m, s] else 0.0)
                margin_share[c, m, s] = margin[c, m, s] / price[c, m, s] if price[c, m, s] > 0 else 0.0
                received = imported[c, m, s] + domestic[c, m, s]
                import_share[c, m, s] = imported[c, m, s] / received if received > 0 else 0.0
                demand = final_demand[0, c, m, s]
                for k in range(1, final_demand.shape[0]):  # numpy's sum over the sectors, in order
                    demand = demand + final_demand[k, c, m, s]
                final = demand * shocks * intensity[c, m, s] * (1 - substitution[c, m, s])
                feed_need = 0.0
                if s + 1 < stages:  # what the next stage's processors run on
                    running = capacity[c, m, s + 1] * utilisation[c, m, s + 1] * (1 - disruption[c, m, s + 1])
                    feed_need = running / yield_share[m, s + 1] * (1.0 if chain[m, s + 1] else 0.0)
                need_value[c, m, s] = (final + feed_need) * reference[m, s] / per_usd_m
    return margin, margin_share, import_share, need_value
