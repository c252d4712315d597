"""Consumption: manufacturers use what they hold; what their final need lacks is a shortage.

Final need is demand at reference prices, cut by thrifting and substitution (trade.final_need).
What manufacturers bought this turn for stock is kept, not used. Afterwards demand grows, and a
country short of more than `SHORTAGE_NEWS_SHARE` of a need makes the news.
"""

from __future__ import annotations

import numpy as np

from critmin.agents import manufacturer_doctrine as makers
from critmin.engine import dynamics
from critmin.engine.trade import final_need
from critmin.engine.views import makers_view
from critmin.engine.world import World

SHORTAGE_NEWS_SHARE = 0.1


def use_stock(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Manufacturers use their stock against their need; returns (C, M, S) need and shortage."""
    state = world.state
    need = final_need(state)
    used = np.minimum(state.consumer_stock - world.stock_bought, need).clip(min=0.0)
    state.consumer_stock -= used
    world.last.consumption = used
    world.last.demand = need
    world.last.shortage = need - used
    return need, need - used


def manufacturers_decide(world: World, need: np.ndarray, shortage: np.ndarray) -> makers.ManufacturerTurn:
    """Manufacturers of every country and sector decide at once (agents/manufacturer_doctrine.py).

    They read their `MakersView`; the substitutions they choose drive `state.adoption`, and their
    lost output and lobbying are kept (`world.lost_output`, `world.lobbying`).
    """
    view = makers_view(world, need, shortage)
    turn = makers.read_turn(view)
    world.lost_output.append(turn.lost_output_usd_m)
    world.state.write_supplier_doubt(*makers.doubt_suppliers(view))
    before = world.state.adoption.copy()
    dynamics.substitute(
        world.state, world.constants, world.turn, makers.pressed_to_substitute(view, turn.shortage_share)
    )
    for event in makers.report(view, before, world.state.adoption, turn):
        world.emit(event.kind, event.actor, event.detail, target=event.target, mineral=event.mineral)
    world.lobbying = turn.lobbying
    return turn


def grow_demand(world: World) -> None:
    """Final demand grows at its rate; the rate itself decays (adoption curves flatten)."""
    state = world.state
    state.final_demand *= 1 + state.demand_growth
    state.demand_growth *= 1 - state.demand_growth_decay


def world_shortage_share(world: World) -> float:
    """Share of the world's final needs left unmet last turn, valued at reference prices."""
    value = world.constants.reference_price[None]
    need = float((world.last.demand * value).sum())
    return float((world.last.shortage * value).sum()) / need if need > 0 else 0.0


def report_shortages(world: World) -> None:
    """An event for each country short of more than a tenth of a final need."""
    need, short, index = world.last.demand, world.last.shortage, world.index
    ratio = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
    for c, m, s in zip(*np.nonzero(ratio > SHORTAGE_NEWS_SHARE), strict=True):
        world.emit(
            "shortage",
            index.countries[c],
            f"{index.countries[c]} is short of "
            f"{ratio[c, m, s]:.0%} of its {index.minerals[m]} ({index.stages[s]}) needs",
            mineral=index.minerals[m],
        )
