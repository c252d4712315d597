"""Committed outlays: what each government is bound to pay in the coming turns by its own decisions.

A government's budget has committed appropriations besides the money it may still choose to
spend. Here they are (1) the scripted actions of its scenario that cost money, in the turn each
falls due: a programme's `usd_m`, an investment the treasury pays (its capital cost), a stockpile
order at its price cap, a production subsidy or a cell incentive from its turn; and (2) the
schemes already in force: production subsidies until their last turn and cell incentives while
their plants are on stream. A production subsidy pays a share of sales, so its cost is budgeted on
the line's capacity as it will stand (plants under construction included: a production-linked
incentive's outlay is budgeted on the capacity it supports), at its utilisation and the reference
price (a budget is drawn on normal prices, not a spike's); a cell incentive pays a known sum per
kWh. The AI keeps its own spending within what they leave (agents/reserve.py).

The horizon is the scenario's remaining turns: the scenario's script is the government's
sanctioned plan (India's NCMM: seven years of tranches), so a tranche due in its last year is as
much committed as next quarter's. A horizon of one year lets the AI spend in the early years the
money that the later tranches and the growing subsidies need (measured on india-central-asia-2025:
its last tranche is refused with USD 11.3 m left, as against both paid over the remaining turns).
"""

from __future__ import annotations

import numpy as np

from critmin.core.actions import (
    BuyStockpile,
    FundProgram,
    Invest,
    SetSubsidy,
    SubsidiseCells,
    scripted_action,
)
from critmin.core.units import usd_m
from critmin.engine import cells
from critmin.engine.cell_book import CellScheme
from critmin.engine.stockpiles import price_cap
from critmin.engine.treasury import capex_usd_m
from critmin.engine.world import World


def committed_outlays(world: World) -> np.ndarray:
    """(C, H) USD m each treasury must pay in each of the scenario's remaining turns, this one first."""
    turns = max(world.scenario.spec.scenario.turns - world.turn, 1)
    committed = np.zeros((len(world.index.countries), turns))
    for turn, action in scripted_actions(world):
        ahead = turn - world.turn
        if 0 <= ahead < turns:
            committed[world.index.country[action.country]] += scheduled(world, action, ahead, turns)
    for subsidy in world.policies.subsidies.values():
        at = world.position(subsidy.country, subsidy.mineral, subsidy.stage)
        paid = paid_until(subsidy.until_turn - world.turn, turns)
        committed[at[0]] += paid * subsidy.rate * sales_usd_m(world, at, turns)
    for scheme in world.cell_schemes:
        committed[world.index.country[scheme.country]] += cell_payments(world, scheme, turns)
    return committed


def scripted_actions(world: World) -> list[tuple[int, object]]:
    """(turn, action) of every scripted action of the scenario, read once per run.

    Kept on the World with the event list it was read from: a World whose scenario has other
    events (an injection, a classroom inject, a rebuilt or replayed run) reads them anew.
    """
    events = world.scenario.spec.events
    read = world.scripted_actions
    if read is None or read[0] is not events:
        actions = [
            (event.turn, scripted_action(event.country, event.action, event.title))
            for event in events
            if event.kind == "action"
        ]
        world.scripted_actions = read = (events, actions)
    return read[1]


def scheduled(world: World, action, ahead: int, turns: int) -> np.ndarray:
    """(turns,) what a scripted action due `ahead` turns from now costs the treasury in each coming turn."""
    cost = np.zeros(turns)
    if isinstance(action, SubsidiseCells):
        start = world.turn + ahead + world.settings.cell_plant_lead_turns
        scheme = CellScheme(
            "", action.country, action.gwh_per_year, action.usd_per_kwh, start, start + action.turns - 1
        )
        return cell_payments(world, scheme, turns)
    if isinstance(action, SetSubsidy):
        lines = [world.position(action.country, action.mineral.value, stage.value) for stage in action.stages]
        paid = paid_until(ahead + action.turns - 1, turns) * (np.arange(turns) >= ahead)
        return paid * action.rate * sum(sales_usd_m(world, at, turns) for at in lines)
    cost[ahead] = one_off_cost(world, action)
    return cost


def one_off_cost(world: World, action) -> float:
    """What a scripted action costs the treasury when carried out, USD m (0 if nothing)."""
    if isinstance(action, FundProgram):
        return action.usd_m
    if isinstance(action, Invest) and not action.firm:
        return capex_usd_m(world, action.mineral.value, action.stage.value, action.tonnes_per_year)
    if isinstance(action, BuyStockpile):
        return usd_m(action.tonnes, price_cap(world, action))
    return 0.0


def sales_usd_m(world: World, at: tuple[int, int, int], turns: int) -> np.ndarray:
    """(turns,) a line's expected sales in each coming turn, USD m.

    Its capacity as it will stand (plants under construction included), run at its normal
    utilisation now (a new line's if it has none yet), sold at the reference price.
    """
    state = world.state
    arriving = np.cumsum(state.construction[(slice(None), *at)])
    capacity = state.capacity[at] + arriving[np.minimum(np.arange(turns), len(arriving) - 1)]
    utilisation = state.utilisation[at] if state.capacity[at] > 0 else world.settings.new_capacity_utilisation
    return usd_m(capacity * utilisation, world.constants.reference_price[at[1:]])


def paid_until(last_ahead: int, turns: int) -> np.ndarray:
    """(turns,) 1 in each coming turn up to `last_ahead` turns from now, 0 after."""
    return (np.arange(turns) <= last_ahead).astype(float)


def cell_payments(world: World, scheme: CellScheme, turns: int) -> np.ndarray:
    """(turns,) what a cell scheme pays in each coming turn, this one first."""
    paid = np.array([scheme.paid_in(world.turn + ahead) for ahead in range(turns)])
    return paid * cells.payment_usd_m(world, scheme)
