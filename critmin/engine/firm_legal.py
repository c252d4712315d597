"""What a firm may do when a seat plays it: stakes, capacity, offtakes, bids for blocks, answers.

A firm acts for its country (`country` is the firm's home) and pays from its own budget: its moves
are `AcquireStake`, `Invest`, `ProposeDeal` and `BidForBlock` naming the firm, and `AnswerDeal`
naming it for the offers addressed to it (a Lithium Triangle firm answering a partner's offer);
the rules check the rest (stakes.check_stake, capacity.check_invest, diplomacy.check_propose,
auctions.check_bid, diplomacy.check_answer).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from critmin.core.actions import AcquireStake, ActionBase, AnswerDeal, BidForBlock, Invest, ProposeDeal
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage
from critmin.engine.rules import check
from critmin.engine.world import World

FIRM_MOVES = (AcquireStake, Invest, ProposeDeal, BidForBlock, AnswerDeal)


def firm_problem(world: World, firm_id: str, action: ActionBase) -> str | None:
    """Why the firm's seat may not submit `action`, or None."""
    firm = world.firms[firm_id]
    if action.country != firm.country:
        return f"{firm.name} acts for {firm.country}, not {action.country}"
    if not isinstance(action, FIRM_MOVES) or getattr(action, "firm", "") != firm_id:
        return (
            "a firm seat plays only stakes, investments, offers, bids for blocks and answers "
            f"naming the firm {firm_id!r}"
        )
    return None


def firm_menu(world: World, firm_id: str) -> list[ActionBase]:
    """The firm's menu: the moves the rules allow now."""
    menu = [*stakes_and_expansions(world, firm_id), *offtakes(world, firm_id), *bids(world, firm_id)]
    menu += answers(world, firm_id)
    return [action for action in menu if check(world, action) is None]


def stakes_and_expansions(world: World, firm_id: str) -> Iterator[ActionBase]:
    """A stake in the largest foreign line of each stage of each mineral; expansions of its home lines."""
    firm, state, menu = world.firms[firm_id], world.state, world.scenario.spec.menu
    home = world.index.country[firm.country]
    for m, s in zip(*np.nonzero(world.constants.chain), strict=True):
        mineral, stage = Mineral(world.index.minerals[m]), Stage(world.index.stages[s])
        capacity = state.capacity[:, m, s].copy()
        capacity[home] = 0.0
        if capacity.max() > 0:
            host = world.index.countries[int(np.argmax(capacity))]
            yield AcquireStake(
                country=firm.country,
                firm=firm_id,
                host=host,
                mineral=mineral,
                stage=stage,
                share=menu.firm_stake_share,
            )
        if world.firm_shares[world.firm_index[firm_id], home, m, s] > 0 and state.capacity[home, m, s] > 0:
            tonnes = menu.firm_expansion_share * float(state.capacity[home, m, s]) * TURNS_PER_YEAR
            yield Invest(
                country=firm.country, firm=firm_id, mineral=mineral, stage=stage, tonnes_per_year=tonnes
            )


def offtakes(world: World, firm_id: str) -> Iterator[ProposeDeal]:
    """An offtake from the largest foreign producer of each line its home buys.

    It is addressed to the foreign state firm owning most of that line, else to its government.
    """
    firm, state = world.firms[firm_id], world.state
    home = world.index.country[firm.country]
    wanted = state.final_demand.sum(axis=0)[home] + state.feed_stock[home]
    for m, s in zip(*np.nonzero(world.constants.chain & (wanted > 0)), strict=True):
        capacity = state.capacity[:, m, s].copy()
        capacity[home] = 0.0
        if capacity.max() <= 0:
            continue
        host = int(np.argmax(capacity))
        yield ProposeDeal(
            country=firm.country,
            firm=firm_id,
            counterparty=world.index.countries[host],
            with_firm=owning_state_firm(world, host, m, s),
            seller=world.index.countries[host],
            buyer=firm.country,
            mineral=Mineral(world.index.minerals[m]),
            stage=Stage(world.index.stages[s]),
            tonnes_per_year=float(wanted[m, s]) * world.scenario.spec.menu.offtake_share * TURNS_PER_YEAR,
        )


def owning_state_firm(world: World, host: int, m: int, s: int) -> str:
    """The state firm of `host` owning most of its line, or '' if none owns any of it."""
    best, best_share = "", 0.0
    for f, (firm_id, firm) in enumerate(world.firms.items()):
        share = float(world.firm_shares[f, host, m, s])
        if firm.kind == "state_firm" and world.index.country[firm.country] == host and share > best_share:
            best, best_share = firm_id, share
    return best


def bids(world: World, firm_id: str) -> Iterator[BidForBlock]:
    """A bid at the menu's premium for each block on offer in the firm's home country."""
    firm = world.firms[firm_id]
    for block_id, block in sorted(world.auctions.open.items()):
        if block.country == firm.country:
            premium = world.scenario.spec.menu.block_premium
            yield BidForBlock(country=firm.country, firm=firm_id, block_id=block_id, premium=premium)


def answers(world: World, firm_id: str) -> Iterator[AnswerDeal]:
    """Acceptance and refusal of each offer addressed to the firm."""
    firm = world.firms[firm_id]
    for proposal_id, proposal in sorted(world.deals.proposals.items()):
        if proposal.action.with_firm == firm_id:
            for accept in (True, False):
                yield AnswerDeal(country=firm.country, firm=firm_id, proposal_id=proposal_id, accept=accept)
