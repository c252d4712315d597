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
    done, scripted_ids = [], {id(action) for action in scripted}
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
            mark = {"_scripted": True} if id(proposed) in scripted_ids else {"_firm": firm} if firm else {}
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
    """Why `action` is illegal now, or None if it is legal: the first of its `problems`.

    Read from the name checks and the rule's own check in turn (not through `problems`' chain).
    """
    for reason in name_problems(world, action):
        return reason
    for reason in RULES[type(action)].check(world, action):
        return reason
    return None


def apply(world: World, action: ActionBase) -> None:
    """Carry out a legal action (call `check` first)."""
    RULES[type(action)].apply(world, action)


def problems(world: World, action: ActionBase) -> Iterator[str]:
    """Every reason the action is illegal, most basic first: its names, then its own rule."""
    yield from name_problems(world, action)
    yield from RULES[type(action)].check(world, action)


def name_problems(world: World, action: ActionBase) -> Iterator[str]:
    """What is wrong with the action's names: countries, mineral and stages (fixed for a run)."""
    countries = world.index.country
    if action.country not in countries:
        yield f"unknown country {action.country!r}"
        return
    names = NAME_FIELDS[type(action)]
    for key in names.countries:
        code = getattr(action, key)
        if code is not None and code not in countries:
            yield f"unknown country {code!r} in {key}"
            return
    for key in names.country_lists:
        for code in getattr(action, key):
            if code not in countries:
                yield f"unknown country {code!r}"
            elif code == action.country:
                yield "a country cannot target itself"
    if names.mineral:
        yield from mineral_problems(world, action, names.stages)


def mineral_problems(world: World, action: ActionBase, stages_field: str) -> Iterator[str]:
    """The mineral must be in the scenario, the stages (the field `stages_field` names) in its chain."""
    mineral = action.mineral  # type: ignore[attr-defined]
    if mineral is None:
        return
    m = world.index.mineral.get(mineral)  # a Mineral hashes as its value
    if m is None:
        yield f"mineral {mineral.value!r} is not in this scenario"
        return
    stages = getattr(action, stages_field) if stages_field else None
    if stages_field == "stage":
        stages = () if stages is None else (stages,)
    for stage in stages or ():
        if stage is not None and not world.constants.chain[m, world.index.stage[stage]]:
            yield f"{mineral.value} has no {stage.value} stage in this scenario"
    if stages_field == "stages" and stages == ():
        yield "name at least one stage"


class NameFields(NamedTuple):
    """The fields of an action type that name countries, lists of countries, a mineral and its stages."""

    countries: tuple[str, ...]
    country_lists: tuple[str, ...]
    mineral: bool
    stages: str  # "stages", "stage" or ""


def name_fields(kind: type[ActionBase]) -> NameFields:
    """Which of `kind`'s fields `name_problems` checks."""
    fields = kind.__struct_fields__
    return NameFields(
        countries=tuple(key for key in ("counterparty", "seller", "buyer", "host") if key in fields),
        country_lists=tuple(key for key in ("destinations", "origins") if key in fields),
        mineral="mineral" in fields,
        stages=next((key for key in ("stages", "stage") if key in fields), ""),
    )


NAME_FIELDS = {kind: name_fields(kind) for kind in RULES}
