"""The rules of actions: is an action legal in this state, and what does it do.

`check(world, action)` returns a reason when the action is illegal (and nothing happens);
`apply(world, action)` carries a legal action out. Every controller goes through both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from critmin.core import units
from critmin.core.actions import (
    AcquireStake,
    ActionBase,
    AnswerDeal,
    BreakDeal,
    BuyStockpile,
    FundProgram,
    ImposeExportControl,
    Invest,
    LiftExportControl,
    ProposeDeal,
    RefuseDelivery,
    ReleaseStockpile,
    SetSubsidy,
    SetTariff,
)
from critmin.core.units import usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine import firm_accounts
from critmin.engine.deals import PARTNER_CAPEX_SHARE, Deal
from critmin.engine.policies import ExportControl, Subsidy, Tariff, quota_per_turn

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

REASON_MARK = "reason: "  # precedes a measure's reason in its event's sentence


def check(world: WorldModel, action: ActionBase) -> str | None:
    """Why `action` is illegal now, or None if it is legal."""
    return next(iter(problems(world, action)), None)


def problems(world: WorldModel, action: ActionBase) -> Iterator[str]:
    """Every reason the action is illegal, most basic first."""
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
    yield from SPECIFIC[type(action)][0](world, action)


def mineral_problems(world: WorldModel, action: ActionBase) -> Iterator[str]:
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


def affordable(world: WorldModel, country: str, cost_usd_m: float) -> Iterator[str]:
    """The treasury must hold the cost."""
    available = world.state.treasury[world.index.country[country]]
    if cost_usd_m > available + 1e-9:
        yield f"costs USD {cost_usd_m:,.1f} m but the treasury holds USD {available:,.1f} m"


# --- checks per action type -------------------------------------------------------------


def check_impose(world: WorldModel, action: ImposeExportControl) -> Iterator[str]:
    """A quota needs its tonnes."""
    if action.regime == "quota" and action.quota_tonnes_per_year is None:
        yield "a quota needs quota_tonnes_per_year"


def check_lift(world: WorldModel, action: LiftExportControl) -> Iterator[str]:
    """Something must be in force to lift."""
    keys = [(action.country, action.mineral.value, s.value) for s in action.stages]
    if not any(key in world.policies.controls for key in keys):
        yield f"{action.country} has no export control on {action.mineral.value} at those stages"


def check_tariff(world: WorldModel, action: SetTariff) -> Iterator[str]:
    """Tariffs are always possible once the names check out."""
    return iter(())


def check_subsidy(world: WorldModel, action: SetSubsidy) -> Iterator[str]:
    """A subsidy needs producers at home, running or being built, on each stage (lifting does not)."""
    if action.rate == 0:
        return
    for stage in action.stages:
        at = world.position(action.country, action.mineral.value, stage.value)
        if world.state.capacity[at] <= 0 and world.state.construction[(slice(None), *at)].sum() <= 0:
            yield f"{action.country} has no {action.mineral.value} {stage.value} producers to subsidise"


def check_propose(world: WorldModel, action: ProposeDeal) -> Iterator[str]:
    """The proposer is one party, the counterparty the other."""
    if action.counterparty == action.country:
        yield "a country cannot propose a deal to itself"
    if {action.seller, action.buyer} != {action.country, action.counterparty}:
        yield "seller and buyer must be the proposer and the counterparty"
    if action.price_rule != "index" and action.price_usd_per_kg is None:
        yield f"a {action.price_rule} price rule needs price_usd_per_kg"


def check_answer(world: WorldModel, action: AnswerDeal) -> Iterator[str]:
    """Only the addressee answers a pending proposal; a partnership's financier must afford it."""
    proposal = world.deals.proposals.get(action.proposal_id)
    if proposal is None:
        yield f"no pending proposal {action.proposal_id!r}"
    elif proposal.action.counterparty != action.country:
        yield f"proposal {action.proposal_id} is addressed to {proposal.action.counterparty}"
    elif action.accept and proposal.action.kind == "partnership":
        offer = proposal.action
        yield from affordable(world, offer.buyer, partnership_capex_usd_m(world, offer))


def check_break(world: WorldModel, action: BreakDeal) -> Iterator[str]:
    """Only a party breaks a deal in force."""
    deal = world.deals.deals.get(action.deal_id)
    if deal is None:
        yield f"no deal {action.deal_id!r} in force"
    elif action.country not in (deal.seller, deal.buyer):
        yield f"{action.country} is not a party to deal {action.deal_id}"


def check_invest(world: WorldModel, action: Invest) -> Iterator[str]:
    """The treasury pays the capital cost, or the firm named pays it from its budget."""
    cost = capex_usd_m(world, action.mineral.value, action.stage.value, action.tonnes_per_year)
    if not action.firm:
        yield from affordable(world, action.country, cost)
        return
    firm = world.firms.get(action.firm)
    if firm is None or firm.country != action.country:
        yield f"{action.country} has no firm {action.firm!r}"
        return
    yield from firm_accounts.affordable(world, action.firm, cost)


def check_stake(world: WorldModel, action: AcquireStake) -> Iterator[str]:
    """The firm is the country's; the line exists; the share is for sale; the money is there."""
    firm = world.firms.get(action.firm)
    if firm is None or firm.country != action.country:
        yield f"{action.country} has no firm {action.firm!r}"
        return
    at = world.position(action.host, action.mineral.value, action.stage.value)
    if world.state.capacity[at] <= 0:
        yield f"{action.host} has no {action.mineral.value} {action.stage.value} capacity"
        return
    held = world.stakes_in(action.host, action.mineral.value, action.stage.value)
    if held + action.share > 1 + 1e-9:
        yield f"only {1 - held:.0%} of that line is still for sale"
    yield from firm_accounts.affordable(world, action.firm, stake_cost_usd_m(world, action))


def check_refuse(world: WorldModel, action: RefuseDelivery) -> Iterator[str]:
    """Only the buyer of a contract in force, with tonnes to deliver, can refuse them."""
    deal = world.deals.deals.get(action.deal_id)
    if deal is None:
        yield f"no deal {action.deal_id!r} in force"
    elif deal.buyer != action.country:
        yield f"{action.country} is not the buyer in deal {action.deal_id}"
    elif deal.kind not in ("offtake", "partnership", "stock_swap"):
        yield f"deal {action.deal_id} is a {deal.kind.replace('_', ' ')}: it has no deliveries to refuse"


def check_buy(world: WorldModel, action: BuyStockpile) -> Iterator[str]:
    """The treasury covers the order at its price cap (or twice today's price)."""
    at = world.position(action.country, action.mineral.value, action.stage.value)
    cap = action.max_price_usd_per_kg or 2 * world.state.price[at]
    yield from affordable(world, action.country, usd_m(action.tonnes, cap))


def check_release(world: WorldModel, action: ReleaseStockpile) -> Iterator[str]:
    """Only what the stockpile holds can be released."""
    held = world.state.stockpile[world.position(action.country, action.mineral.value, action.stage.value)]
    if action.tonnes > held + 1e-9:
        yield f"the stockpile holds {held:,.1f} t, less than {action.tonnes:,.1f} t"


def check_fund(world: WorldModel, action: FundProgram) -> Iterator[str]:
    """The treasury pays the program."""
    yield from affordable(world, action.country, action.usd_m)


# --- effects per action type ------------------------------------------------------------


def apply_impose(world: WorldModel, action: ImposeExportControl) -> None:
    """Put the control in force on each stage; targets trust the imposer less.

    Revising a control in force only to relax it (a larger quota, a higher approval share or a
    shorter delay, for the same or fewer destinations) costs no trust, and a revised licence
    regime keeps the reference exports of the regime it replaces.
    """
    relaxing = True
    for stage in action.stages:
        old = world.policies.controls.get((action.country, action.mineral.value, stage.value))
        new = ExportControl(
            country=action.country,
            mineral=action.mineral.value,
            stage=stage.value,
            regime=action.regime,
            destinations=tuple(sorted(action.destinations)),
            quota_tonnes_per_turn=quota_per_turn(action.quota_tonnes_per_year),
            leakage=action.leakage,
            approval_share=action.approval_share,
            delay_turns=action.delay_turns,
            since_turn=world.turn,
            reference_tonnes=world.recent_exports(
                action.country, action.mineral.value, stage.value, action.destinations
            ),
        )
        if old is not None and (old.regime, old.destinations) == (new.regime, new.destinations):
            new = replace(new, reference_tonnes=old.reference_tonnes)
        relaxing = relaxing and relaxes(old, new)
        world.policies.impose(new)
    if not relaxing:
        world.lose_trust(action.country, action.destinations, world.settings.trust_loss_on_control)
    stages = ", ".join(s.value for s in action.stages)
    whom = ", ".join(action.destinations) or "all destinations"
    kind, verb = ("control_eased", "eases its") if relaxing else ("control_imposed", "imposes a")
    world.emit(
        kind,
        action.country,
        with_reason(
            f"{action.country} {verb} {action.regime} on {action.mineral.value} ({stages}) exports to {whom}",
            action.reason,
        ),
        target=",".join(action.destinations),
        mineral=action.mineral.value,
    )


def with_reason(detail: str, reason: str) -> str:
    """An event's sentence followed by the reason the measure was taken, if one was given."""
    return f"{detail} ({REASON_MARK}{reason})" if reason else detail


def relaxes(old: ExportControl | None, new: ExportControl) -> bool:
    """True if `new` only loosens `old`: same regime, no new destinations, no tighter terms."""
    if old is None or old.regime != new.regime:
        return False
    narrower = not old.destinations or (new.destinations and set(new.destinations) <= set(old.destinations))
    if not narrower:
        return False
    if new.regime == "quota":
        return new.cap() >= old.cap()
    if new.regime == "licence":
        return new.approval_share >= old.approval_share and new.delay_turns <= old.delay_turns
    return True


def apply_lift(world: WorldModel, action: LiftExportControl) -> None:
    """Remove the controls; the event names the destinations they covered (none: all)."""
    destinations: set[str] = set()
    for stage in action.stages:
        control = world.policies.controls.get((action.country, action.mineral.value, stage.value))
        if control is not None:
            destinations.update(control.destinations or ("",))
        world.policies.lift(action.country, action.mineral.value, stage.value)
    target = "" if "" in destinations else ",".join(sorted(destinations))
    world.emit(
        "control_lifted",
        action.country,
        with_reason(f"{action.country} lifts its export control on {action.mineral.value}", action.reason),
        target=target,
        mineral=action.mineral.value,
    )


def apply_tariff(world: WorldModel, action: SetTariff) -> None:
    """Set the tariff on each stage."""
    for stage in action.stages:
        world.policies.set_tariff(
            Tariff(
                action.country, action.mineral.value, stage.value, action.rate, tuple(sorted(action.origins))
            )
        )
    world.emit(
        "tariff_set",
        action.country,
        with_reason(
            f"{action.country} sets a {action.rate:.0%} tariff on {action.mineral.value} imports",
            action.reason,
        ),
        target=",".join(action.origins),
        mineral=action.mineral.value,
    )


def apply_propose(world: WorldModel, action: ProposeDeal) -> None:
    """Deliver the proposal to the counterparty's inbox."""
    proposal = world.deals.propose(action, world.turn)
    world.emit(
        "deal_proposed",
        action.country,
        f"{action.country} proposes a {action.kind} of "
        f"{action.tonnes_per_year:,.0f} t/yr {action.mineral.value} to {action.counterparty}",
        target=proposal.id,
        mineral=action.mineral.value,
    )


def apply_answer(world: WorldModel, action: AnswerDeal) -> None:
    """Sign the deal, or drop the proposal."""
    offer = world.deals.proposals[action.proposal_id].action
    if action.accept:
        deal = world.deals.accept(action.proposal_id, world.turn)
        world.emit(
            "deal_signed",
            action.country,
            f"{deal.seller} and {deal.buyer} sign a {deal.kind} on {deal.mineral} ({deal.id})",
            target=deal.id,
            mineral=deal.mineral,
        )
        if deal.kind == "partnership":
            co_finance(world, offer)
    else:
        world.deals.reject(action.proposal_id)
        world.emit(
            "deal_rejected",
            action.country,
            f"{action.country} rejects {offer.country}'s proposal {action.proposal_id}",
            target=action.proposal_id,
            mineral=offer.mineral.value,
        )


def apply_break(world: WorldModel, action: BreakDeal) -> None:
    """End the deal; the breaker pays the penalty and loses trust."""
    deal = world.deals.end(action.deal_id)
    world.breach(deal, breaker=action.country, reason="walked away")


def apply_invest(world: WorldModel, action: Invest) -> None:
    """Pay the capital cost (treasury or firm); the capacity arrives after the stage's lead time."""
    mineral, stage = action.mineral.value, action.stage.value
    cost = capex_usd_m(world, mineral, stage, action.tonnes_per_year)
    if action.firm:
        firm_accounts.pay(world, action.firm, cost)
        world.book("investment", cost)
        own_new_capacity(world, action)
    else:
        world.spend(action.country, cost, "investment")
    world.build(action.country, mineral, stage, action.tonnes_per_year)
    who = world.firms[action.firm].name if action.firm else action.country
    world.emit(
        "investment",
        action.firm or action.country,
        with_reason(
            f"{who} invests USD {cost:,.0f} m in "
            f"{action.tonnes_per_year:,.0f} t/yr of {mineral} {stage} capacity",
            action.reason,
        ),
        mineral=mineral,
    )


def own_new_capacity(world: WorldModel, action: Invest) -> None:
    """The firm owns what it builds: its share of the line grows with the new capacity."""
    line = world.position(action.country, action.mineral.value, action.stage.value)
    at = (world.firm_index[action.firm], *line)
    capacity = float(world.state.capacity[line]) * TURNS_PER_YEAR
    owned = world.firm_shares[at] * capacity + action.tonnes_per_year
    world.firm_shares[at] = min(owned / (capacity + action.tonnes_per_year), 1.0)


def apply_stake(world: WorldModel, action: AcquireStake) -> None:
    """The firm pays the host's treasury; its share of output ships home as an equity deal."""
    cost = stake_cost_usd_m(world, action)
    firm_accounts.pay(world, action.firm, cost)
    world.state.treasury[world.index.country[action.host]] += cost
    world.acquire_stake(
        action.firm, action.host, action.mineral.value, action.stage.value, action.share, reason=action.reason
    )


def apply_refuse(world: WorldModel, action: RefuseDelivery) -> None:
    """Mark the contract's tonnes refused for this turn (contracts.py settles take-or-pay)."""
    world.refused.add(action.deal_id)


def apply_buy(world: WorldModel, action: BuyStockpile) -> None:
    """Place a strategic bid on this turn's spot market."""
    at = world.position(action.country, action.mineral.value, action.stage.value)
    cap = action.max_price_usd_per_kg or 2 * world.state.price[at]
    tonnes, old_cap = world.orders.buy.get(at, (0.0, cap))
    world.orders.buy[at] = (tonnes + action.tonnes, max(cap, old_cap))


def apply_release(world: WorldModel, action: ReleaseStockpile) -> None:
    """Offer stockpiled tonnes on this turn's spot market."""
    at = world.position(action.country, action.mineral.value, action.stage.value)
    world.orders.release[at] = world.orders.release.get(at, 0.0) + action.tonnes


def apply_fund(world: WorldModel, action: FundProgram) -> None:
    """Spend on a program: exploration odds, recycling capacity or processing capacity."""
    world.spend(action.country, action.usd_m, "programs")
    world.fund(action.country, action.program, action.mineral.value, action.usd_m)


def capex_usd_m(world: WorldModel, mineral: str, stage: str, tonnes_per_year: float) -> float:
    """Capital cost of new capacity: `capex_revenue_years` of its revenue at reference prices."""
    price = world.constants.reference_price[world.index.mineral[mineral], world.index.stage[stage]]
    return units.capex_usd_m(tonnes_per_year, price, world.settings.capex_revenue_years)


def partnership_capex_usd_m(world: WorldModel, offer: ProposeDeal) -> float:
    """What the partner (the buyer) pays to co-finance a partnership's new capacity at the seller."""
    capex = capex_usd_m(world, offer.mineral.value, offer.stage.value, offer.tonnes_per_year)
    return PARTNER_CAPEX_SHARE * capex


def co_finance(world: WorldModel, offer: ProposeDeal) -> None:
    """A strategic partnership builds its volume: the partner finances new capacity at the seller."""
    mineral, stage = offer.mineral.value, offer.stage.value
    world.spend(offer.buyer, partnership_capex_usd_m(world, offer), "investment")
    world.build(offer.seller, mineral, stage, offer.tonnes_per_year)
    world.emit(
        "investment",
        offer.buyer,
        f"{offer.buyer} co-finances {offer.tonnes_per_year:,.0f} t/yr "
        f"of {mineral} {stage} capacity in {offer.seller}",
        target=offer.seller,
        mineral=mineral,
    )


def apply_subsidy(world: WorldModel, action: SetSubsidy) -> None:
    """Set the subsidy on each stage, for `turns` turns from this one."""
    until = world.turn + action.turns - 1
    for stage in action.stages:
        world.policies.set_subsidy(
            Subsidy(action.country, action.mineral.value, stage.value, action.rate, until)
        )
    stages = ", ".join(s.value for s in action.stages)
    detail = (
        f"{action.country} pays its {action.mineral.value} producers ({stages}) {action.rate:.0%} of "
        f"their sales for {action.turns} turns"
        if action.rate > 0
        else f"{action.country} ends its {action.mineral.value} production subsidy ({stages})"
    )
    world.emit(
        "subsidy_set", action.country, with_reason(detail, action.reason), mineral=action.mineral.value
    )


def stake_cost_usd_m(world: WorldModel, action: AcquireStake) -> float:
    """Price of a share of a capacity line: that share of its replacement cost."""
    at = world.position(action.host, action.mineral.value, action.stage.value)
    tonnes_per_year = world.state.capacity[at] * TURNS_PER_YEAR
    return action.share * capex_usd_m(world, action.mineral.value, action.stage.value, tonnes_per_year)


SPECIFIC: dict[type, tuple[Callable, Callable]] = {
    ImposeExportControl: (check_impose, apply_impose),
    LiftExportControl: (check_lift, apply_lift),
    SetTariff: (check_tariff, apply_tariff),
    SetSubsidy: (check_subsidy, apply_subsidy),
    ProposeDeal: (check_propose, apply_propose),
    AnswerDeal: (check_answer, apply_answer),
    BreakDeal: (check_break, apply_break),
    Invest: (check_invest, apply_invest),
    AcquireStake: (check_stake, apply_stake),
    RefuseDelivery: (check_refuse, apply_refuse),
    BuyStockpile: (check_buy, apply_buy),
    ReleaseStockpile: (check_release, apply_release),
    FundProgram: (check_fund, apply_fund),
}


def apply(world: WorldModel, action: ActionBase) -> None:
    """Carry out a legal action (call `check` first)."""
    SPECIFIC[type(action)][1](world, action)


def equity_deal(
    deal_id: str, owner_country: str, host: str, mineral: str, stage: str, share: float, firm: str = ""
) -> Deal:
    """The standing delivery of a firm's share of a line's output to its home country."""
    return Deal(
        firm=firm,
        id=deal_id,
        kind="equity",
        seller=host,
        buyer=owner_country,
        mineral=mineral,
        stage=stage,
        tonnes_per_turn=0.0,
        share=share,
    )
