"""A firm as an RL agent: its fixed catalogue, the actions it stands for now, and its reward.

A firm agent sees its home country's observation (the encoded feature vector of its country's
lines) and chooses among: nothing, a 1% stake in the largest foreign line of each mineral and
stage, or a 10% expansion of a home line it owns; its reward is the change in its own budget
over the turn, per USD of its starting budget (or per USD 1 m if it started with none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from critmin.core.actions import AcquireStake, ActionBase, Invest
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage
from critmin.research.env_spaces import Template, scenario_lines

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel
    from critmin.scenarios.loader import Scenario

STAKE_SHARE = 0.01
EXPANSION_SHARE = 0.1


def firm_ids(scenario: Scenario) -> set[str]:
    """The ids of the scenario's firms."""
    return {firm.id for firm in scenario.spec.firms}


def firm_catalogue(scenario: Scenario, firm_id: str) -> list[Template]:
    """A firm's fixed catalogue; index 0 is the no-op."""
    templates = [Template("noop", "do nothing")]
    for mineral, stage in scenario_lines(scenario):
        templates += [
            Template(
                "firm_stake",
                f"buy {STAKE_SHARE:.0%} of the largest foreign {mineral} {stage} line",
                mineral,
                stage,
            ),
            Template(
                "firm_expand",
                f"expand its own {mineral} {stage} line by {EXPANSION_SHARE:.0%}",
                mineral,
                stage,
            ),
        ]
    return templates


def firm_action(world: WorldModel, firm_id: str, template: Template) -> ActionBase | None:
    """The action a firm's template stands for now, or None (no-op, or nothing to act on)."""
    if template.kind == "noop":
        return None
    firm, state = world.firms[firm_id], world.state
    home, m, s = world.position(firm.country, template.mineral, template.stage)
    mineral, stage = Mineral(template.mineral), Stage(template.stage)
    if template.kind == "firm_stake":
        capacity = state.capacity[:, m, s].copy()
        capacity[home] = 0.0
        if capacity.max() <= 0:
            return None
        host = world.index.countries[int(np.argmax(capacity))]
        return AcquireStake(
            country=firm.country, firm=firm_id, host=host, mineral=mineral, stage=stage, share=STAKE_SHARE
        )
    if world.firm_shares[world.firm_index[firm_id], home, m, s] <= 0 or state.capacity[home, m, s] <= 0:
        return None
    tonnes = EXPANSION_SHARE * float(state.capacity[home, m, s]) * TURNS_PER_YEAR
    return Invest(country=firm.country, firm=firm_id, mineral=mineral, stage=stage, tonnes_per_year=tonnes)


def firm_cash(world: WorldModel, firm_id: str) -> float:
    """The firm's budget now, USD m."""
    return float(world.state.firm_cash[world.firm_index[firm_id]])


def firm_reward(world: WorldModel, firm_id: str, cash_before: float) -> float:
    """The change in the firm's budget over the turn, per USD of its starting budget."""
    start = next(f.budget_usd_m for f in world.world_scenario.spec.firms if f.id == firm_id)
    return (firm_cash(world, firm_id) - cash_before) / max(start, 1.0)
