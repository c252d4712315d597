"""Working stocks along the chain: traders', refiners' and users' inventories, held as routine.

A scenario's commercial `[[stocks]]` (`strategic = false`) are the chain's working inventories at
the start: hydroxide and concentrate at refiners and at sea, metal at traders and in users'
warehouses. Each line's working cover, in quarters of its use at the start (final use and
processors' feed), sits on top of the market's routine cover (`inventory_target_quarters`): in a
calm market buyers keep it (they restock what they use at the routine price), when supply is cut
they draw it down before they bid for use along their demand curve, and they refill it at the
routine price once supply returns (docs/mechanisms.md, "Working stocks along the chain").
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from critmin.engine.state import Constants, Index, WorldState, feed_need, position


def start_use(state: WorldState, constants: Constants) -> tuple[np.ndarray, np.ndarray]:
    """(C, M, S) final use and processors' feed per turn at the start."""
    return state.final_demand.sum(axis=0), feed_need(state, constants)


def hold_working_stocks(state: WorldState, constants: Constants, stocks, index: Index) -> Constants:
    """Place the commercial ones of `stocks` with their holders; returns constants with the cover.

    A line's tonnes go to its manufacturers and processors in proportion to their use, and their
    inventory target rises by the working cover; a stock where nothing is used at the start is
    kept by manufacturers, with no cover.
    """
    tonnes = np.zeros_like(state.consumer_stock)
    for line in stocks:
        if not line.strategic:
            tonnes[position(index, line.country, line.mineral, line.stage)] += line.tonnes
    final, feed = start_use(state, constants)
    use = final + feed
    used = use > 0
    final_share = np.divide(final, use, out=np.ones_like(use), where=used)
    state.consumer_stock += tonnes * final_share
    state.feed_stock += tonnes * (1 - final_share)
    cover = np.divide(tonnes, use, out=np.zeros_like(use), where=used)
    state.inventory_target += cover
    return replace(constants, working_cover=cover)


def routine_cover(constants: Constants, settings) -> np.ndarray | float:
    """(C, M, S) quarters of use buyers restock at the routine price: the market's and the chain's."""
    return settings.inventory_target_quarters + constants.working_cover
