"""Government money: budgets, spending into declared sinks, transfers, and what capacity costs.

Each country's treasury receives its budget every turn and pays for what its government does
(programmes, investment, stockpiles, penalties). Money leaving the modelled accounts goes to a
declared sink in the ledger (`book`); the invariant tests check that nothing else is lost.
"""

from __future__ import annotations

from collections.abc import Iterator

from critmin.core import units
from critmin.engine.world import World


def book(world: World, account: str, usd_m: float) -> None:
    """Money leaving the modelled accounts (positive) or entering them (negative)."""
    world.ledger[account] = world.ledger.get(account, 0.0) + usd_m


def spend(world: World, country: str, usd_m: float, account: str) -> None:
    """The treasury pays into a declared sink."""
    world.state.treasury[world.index.country[country]] -= usd_m
    book(world, account, usd_m)


def transfer(world: World, payer: str, payee: str, usd_m: float) -> None:
    """Treasury to treasury."""
    world.state.treasury[world.index.country[payer]] -= usd_m
    world.state.treasury[world.index.country[payee]] += usd_m


def affordable(world: World, country: str, cost_usd_m: float) -> Iterator[str]:
    """The treasury must hold the cost."""
    available = world.state.treasury[world.index.country[country]]
    if cost_usd_m > available + 1e-9:
        yield f"costs USD {cost_usd_m:,.1f} m but the treasury holds USD {available:,.1f} m"


def allocate_budgets(world: World) -> None:
    """Every treasury receives its budget for the turn (the declared source of money)."""
    world.state.treasury += world.constants.budget_per_turn
    book(world, "budget_allocation", -float(world.constants.budget_per_turn.sum()))


def capex_usd_m(world: World, mineral: str, stage: str, tonnes_per_year: float) -> float:
    """Capital cost of new capacity: `capex_revenue_years` of its revenue at reference prices."""
    price = world.constants.reference_price[world.index.mineral[mineral], world.index.stage[stage]]
    return units.capex_usd_m(tonnes_per_year, price, world.settings.capex_revenue_years)
