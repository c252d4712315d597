"""Stakes abroad: a firm buys a share of a foreign line; that share of its output ships home.

The firm pays the host's treasury that share of the line's replacement cost (less what partners
under a trade agreement's investment channel co-finance: agreements.py); the stake stands
as an equity deal (contracts.deliver ships the share of output home, which a ban keeps at home),
and the firm keeps a share of the margin on it (firm_accounts.earn).
"""

from __future__ import annotations

from collections.abc import Iterator

from critmin.core.actions import AcquireStake
from critmin.core.events import with_reason
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine import agreements, firm_accounts
from critmin.engine.deals import Deal
from critmin.engine.treasury import capex_usd_m
from critmin.engine.world import World


def check_stake(world: World, action: AcquireStake) -> Iterator[str]:
    """The firm is the country's; the line exists; the share is for sale; the money is there."""
    firm = world.firms.get(action.firm)
    if firm is None or firm.country != action.country:
        yield f"{action.country} has no firm {action.firm!r}"
        return
    at = world.position(action.host, action.mineral.value, action.stage.value)
    if world.state.capacity[at] <= 0:
        yield f"{action.host} has no {action.mineral.value} {action.stage.value} capacity"
        return
    held = stakes_in(world, action.host, action.mineral.value, action.stage.value)
    if held + action.share > 1 + 1e-9:
        yield f"only {1 - held:.0%} of that line is still for sale"
    yield from firm_accounts.affordable(world, action.firm, firms_part_usd_m(world, action))


def acquire(world: World, action: AcquireStake) -> None:
    """The firm pays the host's treasury, partners co-financing; its share of output ships home."""
    cost = stake_cost_usd_m(world, action)
    co_financed = agreements.co_finance(world, action.country, action.host, action.mineral.value, cost)
    firm_accounts.pay(world, action.firm, cost - co_financed)
    world.state.treasury[world.index.country[action.host]] += cost
    mineral, stage = action.mineral.value, action.stage.value
    sign_stake(world, action.firm, action.host, mineral, stage, action.share)
    firm = world.firms[action.firm]
    bought = f"{action.share:.2%} of {action.host}'s {mineral} {stage} capacity"
    world.emit(
        "stake_acquired",
        action.firm,
        with_reason(f"{firm.name} ({firm.country}) buys {bought}", action.reason),
        target=action.host,
        mineral=mineral,
    )


def stake_cost_usd_m(world: World, action: AcquireStake) -> float:
    """Price of a share of a capacity line: that share of its replacement cost."""
    at = world.position(action.host, action.mineral.value, action.stage.value)
    tonnes_per_year = world.state.capacity[at] * TURNS_PER_YEAR
    return action.share * capex_usd_m(world, action.mineral.value, action.stage.value, tonnes_per_year)


def firms_part_usd_m(world: World, action: AcquireStake) -> float:
    """What the firm pays of a stake: its cost less what agreement partners co-finance."""
    cost = stake_cost_usd_m(world, action)
    partners = agreements.co_finance_usd_m(world, action.country, action.host, action.mineral.value, cost)
    return cost - sum(partners.values())


def stakes_in(world: World, host: str, mineral: str, stage: str) -> float:
    """Share of a capacity line already held through equity deals."""
    return sum(deal.share for deal in world.deals.equity_on(host, mineral, stage))


def sign_stake(world: World, firm_id: str, host: str, mineral: str, stage: str, share: float) -> None:
    """Put a firm's stake in force: an equity deal, and the firm's share of the line's output."""
    owner = world.firms[firm_id].country
    world.deals.sign(equity_deal(world.deals.new_id("E"), owner, host, mineral, stage, share, firm=firm_id))
    at = (world.firm_index[firm_id], *world.position(host, mineral, stage))
    world.set_firm_share(at, world.firm_shares[at] + share)


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
