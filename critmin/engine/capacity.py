"""Capacity: investment, the construction pipeline, and lines new to a country.

New capacity is ordered by a government or a firm (`Invest`), by a partnership at signing, by
a programme, by a find or a scripted project, and by private investors when long-run prices
pay (`private_investment`). It costs `capex_revenue_years` of its revenue at reference prices
(treasury.capex_usd_m) and arrives over the stage's lead time, +/- its spread (`build`); each
turn the pipeline moves one step and what is built arrives (`grow`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from critmin.core.actions import Invest
from critmin.core.events import with_reason
from critmin.core.units import capex_of_revenue_usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine import capacity_response, dynamics, firm_accounts
from critmin.engine.treasury import affordable, book, capex_usd_m, spend
from critmin.engine.world import World


def check_invest(world: World, action: Invest) -> Iterator[str]:
    """The treasury pays the capital cost, or the firm named pays it from its budget."""
    cost = capex_usd_m(world, action.mineral.value, action.stage.value, action.tonnes_per_year)
    if not action.firm:
        yield from affordable(world, action.country, cost)
        return
    firm = world.firms.get(action.firm)
    if firm is None or firm.country != action.country:
        yield f"{action.country} has no firm {action.firm!r}"
        return
    yield from firm_accounts.affordable(world, action.firm, cost)


def invest(world: World, action: Invest) -> None:
    """Pay the capital cost (treasury or firm); the capacity arrives after the stage's lead time."""
    mineral, stage = action.mineral.value, action.stage.value
    cost = capex_usd_m(world, mineral, stage, action.tonnes_per_year)
    if action.firm:
        firm_accounts.pay(world, action.firm, cost)
        book(world, "investment", cost)
        own_new_capacity(world, action)
    else:
        spend(world, action.country, cost, "investment")
    build(world, action.country, mineral, stage, action.tonnes_per_year)
    who = world.firms[action.firm].name if action.firm else action.country
    world.emit(
        "investment",
        action.firm or action.country,
        with_reason(
            f"{who} invests USD {cost:,.0f} m in "
            f"{action.tonnes_per_year:,.0f} t/yr of {mineral} {stage} capacity",
            action.reason,
        ),
        mineral=mineral,
    )


def own_new_capacity(world: World, action: Invest) -> None:
    """The firm owns what it builds: its share of the line grows with the new capacity."""
    line = world.position(action.country, action.mineral.value, action.stage.value)
    own_capacity(world, action.firm, line, action.tonnes_per_year)


def own_capacity(world: World, firm_id: str, line: tuple[int, int, int], tonnes_per_year: float) -> None:
    """A firm's share of a line grows with `tonnes_per_year` of new capacity it will own."""
    at = (world.firm_index[firm_id], *line)
    capacity = float(world.state.capacity[line]) * TURNS_PER_YEAR
    owned = world.firm_shares[at] * capacity + tonnes_per_year
    world.set_firm_share(at, min(owned / (capacity + tonnes_per_year), 1.0))


def build(
    world: World,
    country: str,
    mineral: str,
    stage: str,
    tonnes_per_year: float,
    lead_turns: int | None = None,
    unit_cost: float | None = None,
) -> None:
    """Queue new capacity: it arrives over the stage's lead time, +/- its spread.

    With `lead_turns` it arrives after exactly that many turns (0: at once).
    """
    at = world.position(country, mineral, stage)
    open_line(world, at, unit_cost)
    if lead_turns == 0:
        world.state.capacity[at] += tonnes_per_year / TURNS_PER_YEAR
        return
    queue_line(world, at, tonnes_per_year / TURNS_PER_YEAR, lead_turns)


def queue_construction(world: World, tonnes_per_turn: np.ndarray, lead_turns: int | None = None) -> None:
    """Add (C, M, S) capacity to the pipeline, spread over each stage's lead time."""
    pipeline = world.state.construction
    for s, stage in enumerate(world.index.stages):
        c, m = np.nonzero(tonnes_per_turn[:, :, s])
        if len(c):
            weights = stage_arrival_weights(world, stage, lead_turns)
            pipeline[: len(weights), c, m, s] += weights[:, None] * tonnes_per_turn[c, m, s][None, :]


def queue_line(
    world: World, at: tuple[int, int, int], tonnes_per_turn: float, lead_turns: int | None
) -> None:
    """Add one line's capacity to the pipeline, as `queue_construction` of an order holding it alone."""
    if tonnes_per_turn != 0:
        weights = stage_arrival_weights(world, world.index.stages[at[2]], lead_turns)
        world.state.construction[: len(weights), *at] += weights * np.float64(tonnes_per_turn)


def stage_arrival_weights(world: World, stage: str, lead_turns: int | None) -> np.ndarray:
    """Each turn's share of new capacity at `stage`: its lead time and spread, or exactly `lead_turns`."""
    settings = world.settings
    if lead_turns is None:
        lead = settings.lead_time_turns.get(stage, 8)
        return dynamics.arrival_weights(lead, settings.lead_time_spread_turns.get(stage, 0))
    return dynamics.arrival_weights(lead_turns, 0)


def open_line(world: World, at: tuple[int, int, int], unit_cost: float | None = None) -> None:
    """A line new to a country gets a unit cost (given, or the typical one) and a utilisation."""
    state = world.state
    if unit_cost is not None:
        state.unit_cost[at] = unit_cost
    elif state.unit_cost[at] == 0:
        state.unit_cost[at] = typical_cost(world, at[1], at[2])
    if state.normal_utilisation[at] == 0:
        state.normal_utilisation[at] = world.settings.new_capacity_utilisation
        state.utilisation[at] = world.settings.new_capacity_utilisation


def typical_cost(world: World, m: int, s: int) -> float:
    """Median unit cost of the producers of a mineral at a stage (new entrants' cost)."""
    costs = world.state.unit_cost[:, m, s][world.state.capacity[:, m, s] > 0]
    if costs.size:
        return float(np.median(costs))
    return world.settings.entrant_cost_share * world.constants.reference_price[m, s]


def grow(world: World) -> None:
    """Expansions under way grow capacity; what was built arrives; the pipeline moves on."""
    state = world.state
    state.capacity *= 1 + state.capacity_growth
    state.capacity += state.construction[0]
    move_on(state.construction)


def move_on(pipeline: np.ndarray) -> None:
    """Every row of a pipeline one turn nearer: row k + 1 becomes row k, and the last row empty.

    Row by row: numpy copies an overlapping slice assignment (`pipeline[:-1] = pipeline[1:]`)
    through a temporary as large as the pipeline (7.5 MB at four times world-2024's countries).
    """
    for k in range(len(pipeline) - 1):
        pipeline[k] = pipeline[k + 1]
    pipeline[-1] = 0.0


def respond_to_margins(world: World) -> None:
    """Utilisation follows margins; losing capacity closes; private investors order new capacity.

    Investors pay from their country's industry account (a declared `investment` sink).
    """
    state, constants, settings = world.state, world.constants, world.settings
    # adjust_utilisation, close_capacity, investment_orders on one Margins, in two compiled passes
    orders = capacity_response.respond(state, constants, settings)
    if not orders.any():
        return
    revenue = (orders * constants.reference_price[None]).sum(axis=(1, 2))
    capex = capex_of_revenue_usd_m(revenue, settings.capex_revenue_years)
    state.industry -= capex
    book(world, "investment", float(capex.sum()))
    queue_construction(world, orders / TURNS_PER_YEAR)
