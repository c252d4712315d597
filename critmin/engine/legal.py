"""A menu of legal actions for a country: representative choices, each checked by the rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from critmin.engine import rules
from critmin.engine.actions import (
    ActionBase,
    AnswerDeal,
    BreakDeal,
    BuyStockpile,
    FundProgram,
    ImposeExportControl,
    Invest,
    LiftExportControl,
    ReleaseStockpile,
    SetTariff,
)  # fmt: skip
from critmin.engine.vocabulary import Mineral, Stage

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

TARIFF_RATE = 0.25
PROGRAM_SHARE_OF_BUDGET = 0.05


def legal_actions(world: WorldModel, country: str) -> list[ActionBase]:
    """Every candidate in the menu that the rules accept now."""
    return [a for a in candidates(world, country) if rules.check(world, a) is None]


def candidates(world: WorldModel, country: str) -> Iterator[ActionBase]:
    """Representative actions of every type for `country`."""
    c = world.index.country[country]
    state = world.state
    for m, s in zip(*np.nonzero(world.constants.chain), strict=True):
        mineral, stage = Mineral(world.index.minerals[m]), Stage(world.index.stages[s])
        if state.capacity[c, m, s] > 0 or state.producer_stock[c, m, s] > 0:
            yield ImposeExportControl(country=country, mineral=mineral, stages=(stage,), regime="ban")
            yield ImposeExportControl(country=country, mineral=mineral, stages=(stage,),
                                      regime="licence", approval_share=0.5, delay_turns=1)  # fmt: skip
        if (country, mineral.value, stage.value) in world.policies.controls:
            yield LiftExportControl(country=country, mineral=mineral, stages=(stage,))
        if world.last.imports()[c, m, s] > 0 or world.last.demand[c, m, s] > 0:
            current = world.policies.tariffs.get((country, mineral.value, stage.value))
            yield SetTariff(
                country=country, mineral=mineral, stages=(stage,), rate=0.0 if current else TARIFF_RATE
            )
            yield BuyStockpile(country=country, mineral=mineral, stage=stage,
                               tonnes=max(float(world.last.demand[c, m, s]), 1.0))  # fmt: skip
        if state.stockpile[c, m, s] > 0:
            yield ReleaseStockpile(country=country, mineral=mineral, stage=stage,
                                   tonnes=float(state.stockpile[c, m, s]) / 2)  # fmt: skip
        world_capacity = float(state.capacity[:, m, s].sum()) * 4
        if world_capacity > 0:
            yield Invest(country=country, mineral=mineral, stage=stage, tonnes_per_year=0.02 * world_capacity)
    budget = float(world.constants.budget_per_turn[c]) * 4 * PROGRAM_SHARE_OF_BUDGET
    for mineral_name in world.index.minerals:
        for program in ("exploration", "recycling", "processing"):
            if budget > 0:
                yield FundProgram(
                    country=country, program=program, mineral=Mineral(mineral_name), usd_m=budget
                )
    for proposal_id, proposal in sorted(world.deals.proposals.items()):
        if proposal.action.counterparty == country:
            yield AnswerDeal(country=country, proposal_id=proposal_id, accept=True)
            yield AnswerDeal(country=country, proposal_id=proposal_id, accept=False)
    for deal_id, deal in sorted(world.deals.deals.items()):
        if country in (deal.seller, deal.buyer) and deal.kind != "equity":
            yield BreakDeal(country=country, deal_id=deal_id)
