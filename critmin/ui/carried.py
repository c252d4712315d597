"""The engine's verdict on an order as it will be carried out: after the scenario's payments this quarter.

When the turn is played, the scenario's scheduled programmes pay from the treasury before the
player's orders are carried out, and the engine checks each order again then: an order the
treasury holds now may be refused. The engine tells what it schedules (an observation's
`committed_usd_m`, this quarter first); here its own check (`rules.check`) is asked on a copy of
the world whose treasury has paid that, so the front end offers only what the turn will accept.
The live world is never touched. A classroom seat asks its server's check, as before.
"""

from __future__ import annotations

import copy

from critmin.core.actions import ActionBase, ActionFormatError, validated
from critmin.core.world_view import WorldView
from critmin.engine import rules
from critmin.engine.model import WorldModel

SCHEDULED_FLOOR_USD_M = 0.5  # less is left out (the Orders panel's note says nothing of it either)


def scheduled_usd_m(model: WorldView, country: str) -> float:
    """What the scenario schedules `country`'s treasury to pay this quarter (USD m, 0 if none)."""
    scheduled = getattr(model.observe(country), "committed_usd_m", None)  # a firm's has none
    return float(scheduled[0]) if scheduled else 0.0


def check_as_carried_out(model: WorldView, action: ActionBase) -> str | None:
    """Why the engine refuses `action` now or when the turn carries it out, or None."""
    reason = model.check(action)
    if reason is not None or not isinstance(model, WorldModel):
        return reason
    try:
        action = validated(action)
    except ActionFormatError as error:
        return str(error)
    scheduled = scheduled_usd_m(model, action.country)
    if scheduled < SCHEDULED_FLOOR_USD_M:
        return None
    reason = rules.check(paid(model, action.country, scheduled), action)
    if reason is None:
        return None
    return f"{reason} once the scenario's scheduled programmes have paid USD {scheduled:,.0f} m this quarter"


def paid(model: WorldModel, country: str, usd_m: float):
    """A shallow copy of the model's world whose `country` treasury has paid `usd_m` (the rest shared)."""
    world = copy.copy(model.world)
    world.state = copy.copy(world.state)
    world.state.treasury = world.state.treasury.copy()
    world.state.treasury[world.index.country[country]] -= usd_m
    return world
