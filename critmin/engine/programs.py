"""Government programmes: money for exploration, recycling or processing of a mineral.

Exploration money raises the odds of a find where reserves are known (exploration.py);
recycling money builds secondary supply at `recycling_usd_m_per_tonne_per_year`; processing
money builds capacity at the first stage after the mine, at the capital cost of capacity.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from critmin.core.actions import FundProgram
from critmin.core.units import capacity_for_usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine.capacity import build
from critmin.engine.treasury import affordable, spend
from critmin.engine.world import World


def check_fund(world: World, action: FundProgram) -> Iterator[str]:
    """The treasury pays the programme."""
    yield from affordable(world, action.country, action.usd_m)


def fund(world: World, action: FundProgram) -> None:
    """Spend on a programme: exploration odds, recycling capacity or processing capacity."""
    spend(world, action.country, action.usd_m, "programs")
    world.spent_on(action.country, action.program, action.usd_m)
    country, mineral, usd_m = action.country, action.mineral.value, action.usd_m
    c, m = world.index.country[country], world.index.mineral[mineral]
    if action.program == "exploration":
        world.state.exploration[c, m] += usd_m
    elif action.program == "recycling":
        tonnes_per_year = usd_m / world.settings.recycling_usd_m_per_tonne_per_year
        world.state.recycling[c, m] += tonnes_per_year / TURNS_PER_YEAR
    else:
        chain = world.constants.chain[m]
        stage = world.index.stages[int(np.flatnonzero(chain)[min(1, chain.sum() - 1)])]
        price = world.constants.reference_price[m, world.index.stage[stage]]
        build(
            world,
            country,
            mineral,
            stage,
            capacity_for_usd_m(usd_m, price, world.settings.capex_revenue_years),
        )
    world.emit(
        "program_funded",
        country,
        f"{country} funds {action.program} for {mineral}: USD {usd_m:,.0f} m",
        mineral=mineral,
    )
