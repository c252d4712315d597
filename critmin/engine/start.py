"""The world at the start of a run: a scenario's arrays, policies, agreements, deals and firms' stakes."""

from __future__ import annotations

import numpy as np

from critmin.engine import agreements, chain_stocks, firm_accounts, state
from critmin.engine.controls import starting_control
from critmin.engine.deals import deal_from_terms
from critmin.engine.stakes import sign_stake
from critmin.engine.tariffs import starting_tariff
from critmin.engine.world import World
from critmin.scenarios.loader import Scenario


def build(scenario: Scenario, rng: np.random.Generator) -> World:
    """The World of a scenario's first turn, drawing from `rng`."""
    index, constants, arrays = state.build(scenario)
    spec = scenario.spec
    constants = chain_stocks.hold_working_stocks(arrays, constants, spec.stocks, index)
    world = World(scenario, index, constants, arrays, rng, firms={f.id: f for f in spec.firms})
    start_policies(world)
    for record in spec.agreements:
        agreements.sign(world, agreements.starting_agreement(record))
    for deal in spec.deals:
        world.deals.sign(deal_from_terms(deal.id, deal))
    for firm in spec.firms:
        for asset in firm.assets:
            if asset.ships_home and asset.country != firm.country:
                sign_stake(world, firm.id, asset.country, asset.mineral.value, asset.stage.value, asset.share)
    world.firm_shares = firm_accounts.owned_shares(world)
    return world


def start_policies(world: World) -> None:
    """Controls and tariffs in force at the start, on each stage they name."""
    for policy in world.scenario.spec.policies:
        for stage in policy.stages:
            if policy.__struct_config__.tag == "tariff":
                world.policies.set_tariff(starting_tariff(policy, stage.value))
            else:
                world.policies.impose(starting_control(world, policy, stage.value))
