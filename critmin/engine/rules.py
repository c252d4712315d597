"""The rules of actions, dispatched: is an action legal in this state, and what does it do.

`check(world, action)` returns a reason when the action is illegal (and nothing happens);
`apply(world, action)` carries a legal action out. Every controller goes through both. The
names (countries, mineral, stages) are checked here; each action's own rule lives in the file
named after it, which holds its check and its effect (the table `RULES`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from critmin.core.actions import (
    AcquireStake,
    ActionBase,
    ActionFormatError,
    AnswerAgreement,
    AnswerDeal,
    AuctionBlock,
    BidForBlock,
    BreakDeal,
    BuyStockpile,
    FundProgram,
    ImposeExportControl,
    Invest,
    LiftExportControl,
    ProposeAgreement,
    ProposeDeal,
    RefuseDelivery,
    ReleaseStockpile,
    SetSubsidy,
    SetTariff,
    SubsidiseCells,
    action_to_dict,
    validated,
)
from critmin.engine import (
    agreements,
    auctions,
    capacity,
    cells,
    contracts,
    controls,
    diplomacy,
    programs,
    stakes,
    stockpiles,
    subsidies,
    tariffs,
)
from critmin.engine.world import World


class Rule(NamedTuple):
    """An action type's check (yields reasons it is illegal) and effect.

    `reads_state` is False for a check that reads nothing but the action (its verdict never
    changes during a run: engine/masks.py judges it once).
    """

    check: Callable[[World, ActionBase], Iterator[str]]
    apply: Callable[[World, ActionBase], None]
    reads_state: bool = True


RULES: dict[type[ActionBase], Rule] = {
    ImposeExportControl: Rule(controls.check_impose, controls.impose, reads_state=False),
    LiftExportControl: Rule(controls.check_lift, controls.lift),
    SetTariff: Rule(tariffs.check_tariff, tariffs.set_tariff, reads_state=False),
    SetSubsidy: Rule(subsidies.check_subsidy, subsidies.set_subsidy),
    ProposeDeal: Rule(diplomacy.check_propose, diplomacy.propose, reads_state=False),
    AnswerDeal: Rule(diplomacy.check_answer, diplomacy.answer),
    BreakDeal: Rule(diplomacy.check_break, diplomacy.break_deal),
    Invest: Rule(capacity.check_invest, capacity.invest),
    AcquireStake: Rule(stakes.check_stake, stakes.acquire),
    RefuseDelivery: Rule(contracts.check_refuse, contracts.refuse_delivery),
    BuyStockpile: Rule(stockpiles.check_buy, stockpiles.buy),
    ReleaseStockpile: Rule(stockpiles.check_release, stockpiles.release),
    FundProgram: Rule(programs.check_fund, programs.fund),
    AuctionBlock: Rule(auctions.check_auction, auctions.offer),
    BidForBlock: Rule(auctions.check_bid, auctions.bid),
    ProposeAgreement: Rule(agreements.check_propose, agreements.propose),
    AnswerAgreement: Rule(agreements.check_answer, agreements.answer),
    SubsidiseCells: Rule(cells.check_cells, cells.subsidise),
}

DIPLOMATIC = (ProposeDeal, AnswerDeal, BreakDeal, ProposeAgreement, AnswerAgreement)  # the diplomacy phase's


def carry_out(
    world: World, actions: Sequence[ActionBase], firm_of: dict[int, str], scripted: Sequence[ActionBase]
) -> list[dict]:
    """Check each action against the current state, apply it or reject it with a reason (an event).

    Returns the actions carried out as records (a save's), marked `_scripted` when the scenario
    scripted them (`scripted`) and `_firm` when a firm took them (`firm_of`: by the action's id).
    """
    done = []
    for proposed in actions:
        firm = firm_of.get(id(proposed))
        try:
            action = validated(proposed)
        except ActionFormatError as error:
            world.emit("action_rejected", firm or str(getattr(proposed, "country", "")), f"rejected: {error}")
            continue
        reason = check(world, action)
        if reason is None:
            apply(world, action)
            world.version += 1
            mark = (
                {"_scripted": True}
                if any(proposed is a for a in scripted)
                else {"_firm": firm}
                if firm
                else {}
            )
            done.append(action_to_dict(action) | mark)
        else:
            world.emit(
                "action_rejected", firm or action.country, f"rejected {type(action).__name__}: {reason}"
            )
    return done


def verdicts(
    world: World, submitted: Sequence[ActionBase | dict], seat_problem: Callable[[ActionBase], str | None]
) -> tuple[list[str | None], list[ActionBase]]:
    """A verdict on each submitted action (None: accepted, else why it is refused), and those accepted.

    An action is refused when malformed, when its seat may not play it (`seat_problem`), or when
    the rules forbid it now.
    """
    reasons: list[str | None] = []
    accepted: list[ActionBase] = []
    for item in submitted:
        try:
            action = validated(item)
        except ActionFormatError as error:
            reasons.append(str(error))
            continue
        reason = seat_problem(action) or check(world, action)
        reasons.append(reason)
        if reason is None:
            accepted.append(action)
    return reasons, accepted


def check(world: World, action: ActionBase) -> str | None:
    """Why `action` is illegal now, or None if it is legal."""
    return next(iter(problems(world, action)), None)


def apply(world: World, action: ActionBase) -> None:
    """Carry out a legal action (call `check` first)."""
    RULES[type(action)].apply(world, action)


def problems(world: World, action: ActionBase) -> Iterator[str]:
    """Every reason the action is illegal, most basic first: its names, then its own rule."""
    yield from name_problems(world, action)
    yield from RULES[type(action)].check(world, action)


def name_problems(world: World, action: ActionBase) -> Iterator[str]:
    """What is wrong with the action's names: countries, mineral and stages (fixed for a run)."""
    if action.country not in world.index.country:
        yield f"unknown country {action.country!r}"
        return
    for key in ("counterparty", "seller", "buyer", "host"):
        code = getattr(action, key, None)
        if code is not None and code not in world.index.country:
            yield f"unknown country {code!r} in {key}"
            return
    for code in (*getattr(action, "destinations", ()), *getattr(action, "origins", ())):
        if code not in world.index.country:
            yield f"unknown country {code!r}"
        elif code == action.country:
            yield "a country cannot target itself"
    yield from mineral_problems(world, action)


def mineral_problems(world: World, action: ActionBase) -> Iterator[str]:
    """The mineral must be in the scenario and the stages in its chain."""
    mineral = getattr(action, "mineral", None)
    if mineral is None:
        return
    if mineral.value not in world.index.mineral:
        yield f"mineral {mineral.value!r} is not in this scenario"
        return
    m = world.index.mineral[mineral.value]
    stages = getattr(action, "stages", None) or [getattr(action, "stage", None)]
    for stage in stages:
        if stage is not None and not world.constants.chain[m, world.index.stage[stage.value]]:
            yield f"{mineral.value} has no {stage.value} stage in this scenario"
    if getattr(action, "stages", None) == ():
        yield "name at least one stage"
