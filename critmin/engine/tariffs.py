"""Import tariffs: an importer's ad-valorem duty on a line, from all origins or named ones.

The market adds the tariff to the route's cost (trade.pose_markets) and the importer's
treasury keeps it (trade.pay_for_goods). A rate of 0 removes the tariff. Partners under a
duty-free trade agreement on the mineral are left out of it (agreements.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from critmin.core.actions import SetTariff
from critmin.core.events import with_reason
from critmin.engine.agreements import duty_free_origins
from critmin.engine.policies import Tariff
from critmin.engine.world import World


def check_tariff(world: World, action: SetTariff) -> Iterator[str]:
    """Tariffs are always possible once the names check out (rules.problems)."""
    return iter(())


def set_tariff(world: World, action: SetTariff) -> None:
    """Set the tariff on each stage; duty-free partners under a trade agreement are left out of it."""
    mineral = action.mineral.value
    origins = duty_free_origins(world, action.country, mineral, tuple(sorted(action.origins)))
    rate = action.rate if origins is not None else 0.0  # it named only duty-free partners
    for stage in action.stages:
        world.policies.set_tariff(Tariff(action.country, mineral, stage.value, rate, origins or ()))
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


def starting_tariff(policy, stage: str) -> Tariff:
    """A tariff in force at the start, from the scenario's policy record."""
    return Tariff(policy.country, policy.mineral.value, stage, policy.rate, tuple(sorted(policy.origins)))
