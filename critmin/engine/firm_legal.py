"""What a firm may do when a seat plays it: its own stakes abroad and capacity at home.

A firm acts for its country (`country` is the firm's home) and pays from its own budget, so its
moves are `AcquireStake` naming the firm and `Invest` naming the firm; the rules check the
rest (stakes.check_stake, capacity.check_invest).
"""

from __future__ import annotations

import numpy as np

from critmin.core.actions import AcquireStake, ActionBase, Invest
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage
from critmin.engine.rules import check
from critmin.engine.world import World


def firm_problem(world: World, firm_id: str, action: ActionBase) -> str | None:
    """Why the firm's seat may not submit `action`, or None."""
    firm = world.firms[firm_id]
    if action.country != firm.country:
        return f"{firm.name} acts for {firm.country}, not {action.country}"
    if not isinstance(action, AcquireStake | Invest) or getattr(action, "firm", "") != firm_id:
        return f"a firm seat plays only stakes and investments naming the firm {firm_id!r}"
    return None


def firm_menu(world: World, firm_id: str) -> list[ActionBase]:
    """The firm's menu: the moves the rules allow now.

    A 1% stake in the largest foreign line of each stage of each mineral, and a 10% expansion
    of each home line the firm owns.
    """
    firm, state = world.firms[firm_id], world.state
    home = world.index.country[firm.country]
    menu: list[ActionBase] = []
    for m, s in zip(*np.nonzero(world.constants.chain), strict=True):
        mineral, stage = Mineral(world.index.minerals[m]), Stage(world.index.stages[s])
        capacity = state.capacity[:, m, s].copy()
        capacity[home] = 0.0
        if capacity.max() > 0:
            host = world.index.countries[int(np.argmax(capacity))]
            menu.append(
                AcquireStake(
                    country=firm.country,
                    firm=firm_id,
                    host=host,
                    mineral=mineral,
                    stage=stage,
                    share=world.scenario.spec.menu.firm_stake_share,
                )
            )
        if world.firm_shares[world.firm_index[firm_id], home, m, s] > 0 and state.capacity[home, m, s] > 0:
            tonnes = (
                world.scenario.spec.menu.firm_expansion_share
                * float(state.capacity[home, m, s])
                * TURNS_PER_YEAR
            )
            menu.append(
                Invest(
                    country=firm.country, firm=firm_id, mineral=mineral, stage=stage, tonnes_per_year=tonnes
                )
            )
    return [action for action in menu if check(world, action) is None]
