"""Exploration: finds come from known reserves and reach first output after a sourced lead time.

Money funded for exploration of a mineral in a country (by its government, or by a partner
under a joint exploration) is spent over `exploration_spend_years`. Each turn, what is spent
buys a chance of one find: the expected number of finds is the money over the cost of a find,
the larger of `discovery_finding_cost_share` of the expected deposit's metal value (at the mine
price) and `discovery_min_cost_usd_m`, the average cost of a significant discovery.
Where the scenario's `[[reserves]]` hold nothing for that country and mineral there is no find.
A find holds a share of the country's remaining known reserves (`discovery_size_share`), which
it takes out of them, and produces its contained metal over `discovery_mine_life_years`. Its
capacity arrives after a lead time drawn from the brownfield range where the country already
mines the mineral and the find at most doubles its capacity, else from the greenfield range. A
find made while a joint exploration of that country and mineral is in force gives the partner
its share of the find's output, up to its entitlement, from the turn the find comes on stream
(`contracts.deliver`).

Every parameter is in `MarketSettings`; docs/mechanisms.md gives their sources.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from critmin.core.units import usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine.capacity import build
from critmin.engine.deals import Find
from critmin.engine.world import World

if TYPE_CHECKING:
    from critmin.scenarios.schema import MarketSettings


def spent(exploration: np.ndarray, settings: MarketSettings) -> np.ndarray:
    """Exploration money spent this turn: the programme's stock runs down over its years."""
    return exploration * min(1.0, 1.0 / (settings.exploration_spend_years * TURNS_PER_YEAR))


def find_odds(
    spent_usd_m: np.ndarray, reserves_t: np.ndarray, mine_price: np.ndarray, settings: MarketSettings
) -> np.ndarray:
    """Chance of a find this turn: 1 - exp(-money / cost of a find); 0 where nothing is known.

    A find costs the unit finding cost of the expected deposit's metal, and at least what a
    significant discovery costs on average.
    """
    low, high = settings.discovery_size_share
    expected_value_usd_m = usd_m(reserves_t * (low + high) / 2, mine_price)
    cost = np.maximum(
        settings.discovery_finding_cost_share * expected_value_usd_m, settings.discovery_min_cost_usd_m
    )
    return np.where(reserves_t > 0, 1 - np.exp(-spent_usd_m / cost), 0.0)


def find_size(reserves_t: float, draw: float, settings: MarketSettings) -> tuple[float, float]:
    """(contained tonnes, tonnes per year) of a find: a share of the remaining reserves, over a mine life."""
    low, high = settings.discovery_size_share
    contained = reserves_t * (low + (high - low) * draw)
    return contained, contained / settings.discovery_mine_life_years


def lead_time(brownfield: bool, draw: float, settings: MarketSettings) -> int:
    """Turns from a find to its first output, uniform over the brownfield or greenfield range."""
    low, high = settings.brownfield_lead_time_turns if brownfield else settings.greenfield_lead_time_turns
    return min(high, low + math.floor(draw * (high - low + 1)))


def is_brownfield(tonnes_per_year: float, capacity_per_year: float) -> bool:
    """True for an expansion: the country mines the mineral and the find at most doubles it."""
    return 0 < tonnes_per_year <= capacity_per_year


def partner_tonnes_per_turn(find: Find, entitlement_per_turn: float, settings: MarketSettings) -> float:
    """What a joint-exploration partner receives from a find in a turn once it is on stream."""
    output = find.tonnes_per_year / TURNS_PER_YEAR * settings.new_capacity_utilisation
    return min(entitlement_per_turn, settings.joint_exploration_partner_share * output)


def discover(world: World) -> list[Find]:
    """Draw the turn's finds, take them out of the reserves, build them and tell the deals."""
    state, settings, mine = world.state, world.settings, world.index.stage["mine"]
    money = spent(state.exploration, settings)
    state.exploration -= money
    odds = find_odds(money, state.reserves, world.constants.reference_price[:, mine][None, :], settings)
    found = world.rng.random(odds.shape) < odds
    finds = []
    for c, m in zip(*np.nonzero(found), strict=True):
        contained, tonnes_per_year = find_size(float(state.reserves[c, m]), world.rng.random(), settings)
        brownfield = is_brownfield(tonnes_per_year, float(state.capacity[c, m, mine]) * TURNS_PER_YEAR)
        lead = lead_time(brownfield, world.rng.random(), settings)
        state.reserves[c, m] -= contained
        country, mineral = world.index.countries[c], world.index.minerals[m]
        finds.append(
            Find(country, mineral, world.turn, contained, tonnes_per_year, world.turn + lead, brownfield)
        )
        build(
            world, country, mineral, "mine", tonnes_per_year, lead_turns=lead + 1
        )  # produces at turn + lead
        record(world, finds[-1])
    return finds


def record(world: World, find: Find) -> None:
    """Announce a find and keep it for joint explorations."""
    kind = "brownfield" if find.brownfield else "greenfield"
    world.emit(
        "discovery",
        find.country,
        f"{find.country} finds a {find.mineral} deposit ({kind}): {find.tonnes_per_year:,.0f} t/yr "
        f"from turn {find.on_stream_turn}",
        mineral=find.mineral,
    )
    remember(world, find)


def remember(world: World, find: Find) -> None:
    """Keep a find; a joint exploration it falls under runs on until the find has produced a full term."""
    world.deals.finds.setdefault((find.country, find.mineral), []).append(find)
    for deal in world.deals.active(world.turn):
        if deal.kind == "joint_exploration" and (deal.seller, deal.mineral) == (find.country, find.mineral):
            term = deal.end_turn - deal.start_turn
            world.deals.sign(replace(deal, end_turn=max(deal.end_turn, find.on_stream_turn + term)))


def scripted_find(world: World, country: str, mineral: str, tonnes_per_year: float) -> None:
    """Keep a scripted discovery (the event builds it over the mine lead time) for joint explorations."""
    c, m, s = world.position(country, mineral, "mine")
    lead = world.settings.lead_time_turns.get("mine", 24) - 1  # `build` spreads it around this turn
    brownfield = is_brownfield(tonnes_per_year, float(world.state.capacity[c, m, s]) * TURNS_PER_YEAR)
    remember(world, Find(country, mineral, world.turn, 0.0, tonnes_per_year, world.turn + lead, brownfield))
