"""Production: mines and processors produce, scrap is recycled, producers pay their cash costs.

Before producing, producers respond to margins and the construction pipeline delivers
(capacity.py). A stage's output is its capacity x utilisation x (1 - disruption), and beyond the
mine at most what last turn's feed allows (one turn per stage).
"""

from __future__ import annotations

import numpy as np

from critmin.core.units import thousand_usd_in_usd_m
from critmin.engine import capacity, dynamics, line_runs
from critmin.engine.new_scrap import new_scrap
from critmin.engine.trade import final_need
from critmin.engine.treasury import book
from critmin.engine.world import World


def produce(world: World) -> None:
    """Margins, new capacity, output, recycling; producers' costs leave through `production_cost`."""
    state = world.state
    capacity.respond_to_margins(world)
    capacity.grow(world)
    output = run_lines(world)
    world.last.production = output
    state.producer_stock += output
    recycled, recycling_cost = recycled_supply(world)
    world.last.recycled = recycled
    state.producer_stock += recycled
    cost = thousand_usd_in_usd_m((output * state.unit_cost).sum(axis=(1, 2))) + recycling_cost
    state.industry -= cost
    book(world, "production_cost", float(cost.sum()))


def run_lines(world: World) -> np.ndarray:
    """(C, M, S) output: mines at running capacity, processors within their feed."""
    state, constants = world.state, world.constants  # one compiled pass (engine/line_runs.py)
    return line_runs.run_lines(
        state.running(), state.feed_stock, constants.yield_share, constants.chain, world.last.feed_used
    )


def recycled_supply(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Secondary supply at the refined stage, and its cost per country (USD m).

    Scrap (a share of final use) is collected by private recyclers, more at higher prices,
    and by funded recycling capacity; what is collected cannot exceed the scrap. Users' own new
    scrap (engine/new_scrap.py) comes back on top, at the same cost share as private collection.
    """
    state, settings, constants = world.state, world.settings, world.constants
    recycled = np.zeros_like(state.capacity)
    refined = world.index.stage["refined"]
    need = final_need(state).sum(axis=2)
    scrap = need * settings.recycling_scrap_share
    private = scrap * dynamics.collection_share(state, constants, settings, refined)
    collected = np.minimum(private + state.recycling, scrap) * constants.chain[None, :, refined]
    returned = new_scrap(constants.new_scrap_share, need) * constants.chain[None, :, refined]
    recycled[:, :, refined] = collected + returned
    paid = (np.minimum(private, collected) + returned) * state.expected_price[:, :, refined]
    return recycled, thousand_usd_in_usd_m(paid.sum(axis=1) * settings.recycling_cost_share)
