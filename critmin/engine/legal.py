"""A menu of legal actions for a country: representative choices, each checked by the rules.

The sizes of the choices are the scenario's `[menu]` table (scenarios/schema.py: MenuSizes).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from critmin.core.actions import (
    AcquireStake,
    ActionBase,
    AnswerAgreement,
    AnswerDeal,
    AuctionBlock,
    BreakDeal,
    BuyStockpile,
    FundProgram,
    ImposeExportControl,
    Invest,
    LiftExportControl,
    ProposeAgreement,
    ProposeDeal,
    ReleaseStockpile,
    SetSubsidy,
    SetTariff,
    SubsidiseCells,
)
from critmin.core.turn_view import LastTurn
from critmin.core.vocabulary import SECTORS, TURNS_PER_YEAR, Mineral, Sector, Stage
from critmin.engine import cells, rules
from critmin.engine.world import World


def legal_actions(world: World, last: LastTurn, country: str) -> list[ActionBase]:
    """Every candidate in the menu that the rules accept now (`last`: the last turn's figures)."""
    return [a for a in candidates(world, last, country) if rules.check(world, a) is None]


def candidates(world: World, last: LastTurn, country: str) -> Iterator[ActionBase]:
    """Representative actions of every type for `country`."""
    c = world.index.country[country]
    state, menu = world.state, world.scenario.spec.menu
    for m, s in zip(*np.nonzero(world.constants.chain), strict=True):
        mineral, stage = Mineral(world.index.minerals[m]), Stage(world.index.stages[s])
        if state.capacity[c, m, s] > 0 or state.producer_stock[c, m, s] > 0:
            yield ImposeExportControl(country=country, mineral=mineral, stages=(stage,), regime="ban")
            yield ImposeExportControl(
                country=country,
                mineral=mineral,
                stages=(stage,),
                regime="licence",
                approval_share=menu.licence_approval_share,
                delay_turns=menu.licence_delay_turns,
            )
        if (country, mineral.value, stage.value) in world.policies.controls:
            yield LiftExportControl(country=country, mineral=mineral, stages=(stage,))
        if last.imports[c, m, s] > 0 or last.demand[c, m, s] > 0:
            current = world.policies.tariffs.get((country, mineral.value, stage.value))
            yield SetTariff(
                country=country, mineral=mineral, stages=(stage,), rate=0.0 if current else menu.tariff_rate
            )
            yield BuyStockpile(
                country=country, mineral=mineral, stage=stage, tonnes=max(float(last.demand[c, m, s]), 1.0)
            )
        if state.stockpile[c, m, s] > 0:
            yield ReleaseStockpile(
                country=country,
                mineral=mineral,
                stage=stage,
                tonnes=float(state.stockpile[c, m, s]) * menu.stockpile_release_share,
            )
        if state.capacity[c, m, s] > 0:
            current = world.policies.subsidies.get((country, mineral.value, stage.value))
            yield SetSubsidy(
                country=country, mineral=mineral, stages=(stage,), rate=0.0 if current else menu.subsidy_rate
            )
        world_capacity = float(state.capacity[:, m, s].sum()) * 4
        if world_capacity > 0:
            tonnes_per_year = menu.investment_share_of_world * world_capacity
            yield Invest(country=country, mineral=mineral, stage=stage, tonnes_per_year=tonnes_per_year)
    budget = float(world.constants.budget_per_turn[c]) * 4 * menu.program_share_of_budget
    for mineral_name in world.index.minerals:
        for program in ("exploration", "recycling", "processing"):
            if budget > 0:
                yield FundProgram(
                    country=country, program=program, mineral=Mineral(mineral_name), usd_m=budget
                )
    yield from offtakes(world, country, last)
    yield from stakes(world, country)
    yield from blocks(world, country)
    yield from agreements(world, country)
    yield from firm_partnerships(world, country)
    yield from cell_incentive(world, country)
    yield from answers(world, country)
    for deal_id, deal in sorted(world.deals.deals.items()):
        if country in (deal.seller, deal.buyer) and deal.kind != "equity":
            yield BreakDeal(country=country, deal_id=deal_id)


def answers(world: World, country: str) -> Iterator[AnswerDeal | AnswerAgreement]:
    """Acceptance and refusal of each deal and agreement proposed to the country's government."""
    for proposal_id, proposal in sorted(world.deals.proposals.items()):
        if proposal.action.counterparty == country and not proposal.action.with_firm:
            yield AnswerDeal(country=country, proposal_id=proposal_id, accept=True)
            yield AnswerDeal(country=country, proposal_id=proposal_id, accept=False)
    for proposal_id, agreement in sorted(world.agreements.proposals.items()):
        if agreement.action.counterparty == country:
            yield AnswerAgreement(country=country, proposal_id=proposal_id, accept=True)
            yield AnswerAgreement(country=country, proposal_id=proposal_id, accept=False)


def offtakes(world: World, country: str, last: LastTurn) -> Iterator[ProposeDeal]:
    """Offtakes with the largest foreign partner on every line the country imports or exports."""
    c = world.index.country[country]
    for m, s in zip(*np.nonzero(world.constants.chain), strict=True):
        mineral, stage = Mineral(world.index.minerals[m]), Stage(world.index.stages[s])
        for tonnes, partners, selling in (
            (last.imports[c, m, s], last.exports[:, m, s], False),
            (last.exports[c, m, s], last.imports[:, m, s], True),
        ):
            others = partners.copy()
            others[c] = 0.0
            if tonnes <= 0 or others.max() <= 0:
                continue
            partner = world.index.countries[int(np.argmax(others))]
            seller, buyer = (country, partner) if selling else (partner, country)
            tonnes_per_year = float(tonnes) * world.scenario.spec.menu.offtake_share * TURNS_PER_YEAR
            yield ProposeDeal(
                country=country,
                counterparty=partner,
                seller=seller,
                buyer=buyer,
                mineral=mineral,
                stage=stage,
                tonnes_per_year=tonnes_per_year,
            )


def stakes(world: World, country: str) -> Iterator[AcquireStake]:
    """For each of the country's firms, a stake in the largest foreign mine of every mineral."""
    c, mine = world.index.country[country], world.index.stage["mine"]
    firms = sorted(firm_id for firm_id, firm in world.firms.items() if firm.country == country)
    for m, mineral_name in enumerate(world.index.minerals):
        capacity = world.state.capacity[:, m, mine].copy()
        capacity[c] = 0.0
        if not firms or capacity.max() <= 0:
            continue
        host = world.index.countries[int(np.argmax(capacity))]
        for firm in firms:
            yield AcquireStake(
                country=country,
                firm=firm,
                host=host,
                mineral=Mineral(mineral_name),
                stage=Stage.MINE,
                share=world.scenario.spec.menu.stake_share,
            )


def blocks(world: World, country: str) -> Iterator[AuctionBlock]:
    """A block of each mineral whose known reserves at home are not yet found or offered."""
    c, share = world.index.country[country], world.scenario.spec.menu.block_share_of_reserves
    for m, mineral_name in enumerate(world.index.minerals):
        known = float(world.state.reserves[c, m])
        if known > 0:
            yield AuctionBlock(country=country, mineral=Mineral(mineral_name), contained_tonnes=share * known)


def agreements(world: World, country: str) -> Iterator[ProposeAgreement]:
    """A duty-free agreement with an investment channel to each bloc partner not yet bound to it."""
    c, menu = world.index.country[country], world.scenario.spec.menu
    for partner in world.index.countries:
        p = world.index.country[partner]
        if (
            p == c
            or not world.constants.same_bloc[c, p]
            or world.agreements.between(world.turn, country, partner)
        ):
            continue
        yield ProposeAgreement(
            country=country,
            counterparty=partner,
            name=f"{country}-{partner} critical minerals agreement",
            co_finance_share=menu.agreement_co_finance_share,
        )


def firm_partnerships(world: World, country: str) -> Iterator[ProposeDeal]:
    """A partnership offered to each foreign state firm on its largest line of what the country uses.

    The firm (Codelco, YLB, a provincial miner) answers it by its own doctrine; the country's
    treasury finances the new capacity it brings.
    """
    c, state, menu = world.index.country[country], world.state, world.scenario.spec.menu
    wanted = state.final_demand.sum(axis=0)[c] + state.feed_stock[c]  # (M, S) what home uses
    for f, (firm_id, firm) in enumerate(world.firms.items()):
        if firm.country == country or firm.kind != "state_firm":
            continue
        host = world.index.country[firm.country]
        owned = world.firm_shares[f, host] * state.capacity[host] * (wanted > 0)
        if owned.max() <= 0:
            continue
        m, s = np.unravel_index(int(np.argmax(owned)), owned.shape)
        yield ProposeDeal(
            country=country,
            counterparty=firm.country,
            with_firm=firm_id,
            kind="partnership",
            seller=firm.country,
            buyer=country,
            mineral=Mineral(world.index.minerals[m]),
            stage=Stage(world.index.stages[s]),
            tonnes_per_year=float(min(wanted[m, s], owned[m, s])) * menu.offtake_share * TURNS_PER_YEAR,
        )


def cell_incentive(world: World, country: str) -> Iterator[SubsidiseCells]:
    """An incentive for home cell plants, where the country's EV or storage makers use cell materials."""
    c = world.index.country[country]
    sectors = [SECTORS.index(Sector.EV), SECTORS.index(Sector.STORAGE)]
    if any(world.state.final_demand[sectors, c, m].sum() > 0 for m in cells.materials(world)):
        menu = world.scenario.spec.menu
        yield SubsidiseCells(
            country=country, gwh_per_year=menu.cell_gwh_per_year, usd_per_kwh=menu.cell_usd_per_kwh
        )
