"""Production subsidies: the treasury pays a line's producers a share of their sales for some turns.

Subsidised producers sell for that much less on the spot market (trade.pose_markets) and their
treasury pays the share of what they sold (trade.pay_subsidies). A rate of 0 ends a subsidy.
"""

from __future__ import annotations

from collections.abc import Iterator

from critmin.core.actions import SetSubsidy
from critmin.core.events import with_reason
from critmin.engine.policies import Subsidy
from critmin.engine.world import World


def check_subsidy(world: World, action: SetSubsidy) -> Iterator[str]:
    """A subsidy needs producers at home, running or being built, on each stage (lifting does not)."""
    if action.rate == 0:
        return
    for stage in action.stages:
        at = world.position(action.country, action.mineral.value, stage.value)
        if world.state.capacity[at] <= 0 and world.state.construction[(slice(None), *at)].sum() <= 0:
            yield f"{action.country} has no {action.mineral.value} {stage.value} producers to subsidise"


def set_subsidy(world: World, action: SetSubsidy) -> None:
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


def end_subsidies(world: World) -> None:
    """Subsidies whose last turn has passed end, each with an event."""
    for ended in world.policies.end_subsidies(world.turn):
        detail = f"{ended.country}'s {ended.mineral} {ended.stage} production subsidy ends"
        world.emit("subsidy_ended", ended.country, detail, mineral=ended.mineral)
