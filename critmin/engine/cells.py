"""Battery-cell incentives: a government pays home cell makers per kWh for the plants its scheme brings.

Cells are not a stage of the chains: their lithium, nickel, cobalt and graphite are final demand
of the countries that make the cells. When the scheme's plants come on stream (after
`cell_plant_lead_turns`), the cells' refined materials (`cell_materials_t_per_gwh` a GWh, at
`new_capacity_utilisation`) become the home country's demand, in its EV and storage sectors as
they split it, and leave the demand of the largest other cell maker of each material, whose
cells the home country no longer imports. From then on the treasury pays `usd_per_kwh` on the
plants' output each turn of the scheme (a declared `programs` sink).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from critmin.core.actions import SubsidiseCells
from critmin.core.events import with_reason
from critmin.core.vocabulary import SECTORS, TURNS_PER_YEAR, Sector
from critmin.engine.cell_book import CellScheme
from critmin.engine.treasury import affordable, spend
from critmin.engine.world import World

CELL_SECTORS = (SECTORS.index(Sector.EV), SECTORS.index(Sector.STORAGE))


def check_cells(world: World, action: SubsidiseCells) -> Iterator[str]:
    """The cells' materials are in the scenario, and the treasury holds the scheme's first year."""
    if not materials(world):
        yield "none of the cells' materials (lithium, nickel, cobalt, graphite) is in this scenario"
        return
    yield from affordable(world, action.country, TURNS_PER_YEAR * payment_usd_m(world, action))


def payment_usd_m(world: World, scheme: SubsidiseCells | CellScheme) -> float:
    """What the scheme pays a turn once on stream: USD per kWh on the plants' output."""
    gwh_per_turn = scheme.gwh_per_year / TURNS_PER_YEAR * world.settings.new_capacity_utilisation
    return gwh_per_turn * scheme.usd_per_kwh  # 1 GWh at USD 1/kWh = USD 1 m


def materials(world: World) -> dict[int, float]:
    """Tonnes of each cell material in the scenario per GWh of cells, by mineral position."""
    return {
        world.index.mineral[mineral.value]: tonnes
        for mineral, tonnes in world.settings.cell_materials_t_per_gwh.items()
        if mineral.value in world.index.mineral
    }


def subsidise(world: World, action: SubsidiseCells) -> None:
    """Commit the scheme: the plants come on stream after the lead time, then it pays."""
    start = world.turn + world.settings.cell_plant_lead_turns
    scheme = CellScheme(
        id=f"C{len(world.cell_schemes) + 1:04d}",
        country=action.country,
        gwh_per_year=action.gwh_per_year,
        usd_per_kwh=action.usd_per_kwh,
        on_stream_turn=start,
        until_turn=start + action.turns - 1,
    )
    world.cell_schemes.append(scheme)
    world.emit(
        "cell_scheme",
        action.country,
        with_reason(
            f"{action.country} pays USD {action.usd_per_kwh:,.1f}/kWh for {action.turns} turns on "
            f"{action.gwh_per_year:,.0f} GWh/yr of home cell plants, on stream from turn {start}",
            action.reason,
        ),
    )


def run(world: World) -> None:
    """Plants coming on stream take their cells' materials home; schemes on stream are paid."""
    for scheme in world.cell_schemes:
        if scheme.on_stream_turn == world.turn:
            bring_home(world, scheme)
        if scheme.paid_in(world.turn):
            paid = payment_usd_m(world, scheme)
            spend(world, scheme.country, paid, "programs")
            world.spent_on(scheme.country, "cells", paid)


def bring_home(world: World, scheme: CellScheme) -> None:
    """The cells' materials become home demand, taken from the largest other cell maker's."""
    demand, final_stage = world.state.final_demand, world.constants.final_stage
    home = world.index.country[scheme.country]
    gwh_per_turn = scheme.gwh_per_year / TURNS_PER_YEAR * world.settings.new_capacity_utilisation
    for m, tonnes_per_gwh in materials(world).items():
        s = int(final_stage[m])
        cells = demand[list(CELL_SECTORS), :, m, s]  # (2, C)
        others = cells.sum(axis=0)
        others[home] = 0.0
        maker = int(np.argmax(others))
        moved = min(tonnes_per_gwh * gwh_per_turn, float(others[maker]))
        if moved <= 0:
            continue
        split = sector_split(cells[:, home])
        demand[list(CELL_SECTORS), home, m, s] += moved * split
        demand[list(CELL_SECTORS), maker, m, s] -= moved * cells[:, maker] / others[maker]
    world.emit(
        "cell_plants_on_stream",
        scheme.country,
        f"{scheme.gwh_per_year:,.0f} GWh/yr of cell plants come on stream in {scheme.country}: "
        "their lithium, nickel, cobalt and graphite are now bought at home",
    )


def sector_split(home_cells: np.ndarray) -> np.ndarray:
    """How the home country splits cell materials between EV and storage (all EV if it uses none)."""
    total = home_cells.sum()
    return home_cells / total if total > 0 else np.array([1.0, 0.0])
