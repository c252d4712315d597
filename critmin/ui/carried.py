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
from collections.abc import Sequence

from critmin.core.actions import ActionBase, ActionFormatError, validated
from critmin.core.world_view import WorldView
from critmin.engine import rules
from critmin.engine.model import WorldModel

SCHEDULED_FLOOR_USD_M = 0.5  # less is left out (the Orders panel's note says nothing of it either)


def scheduled_usd_m(model: WorldView, country: str) -> float:
    """What the scenario schedules `country`'s treasury to pay this quarter (USD m, 0 if none)."""
    scheduled = getattr(model.observe(country), "committed_usd_m", None)  # a firm's has none
    return float(scheduled[0]) if scheduled else 0.0


def check_as_carried_out(
    model: WorldView, action: ActionBase, drafted: Sequence[ActionBase] = (), kept: dict | None = None
) -> str | None:
    """Why the engine refuses `action` now or when the turn carries it out, or None.

    `drafted`: the seat's orders of this turn drafted before it, carried out first. `kept`: where
    the caller keeps the last copy of the world made for drafts (a session's own dict).
    """
    reason = model.check(action)
    if reason is not None or not isinstance(model, WorldModel):
        return reason
    try:
        action = validated(action)
    except ActionFormatError as error:
        return str(error)
    scheduled = scheduled_usd_m(model, action.country)
    scheduled = scheduled if scheduled >= SCHEDULED_FLOOR_USD_M else 0.0
    if not scheduled and not drafted:
        return None
    world = carried(model, action.country, scheduled, tuple(drafted), {} if kept is None else kept)
    reason = rules.check(world, action)
    if reason is None:
        return None
    paid = (
        f"the scenario's scheduled programmes have paid USD {scheduled:,.0f} m this quarter"
        if scheduled
        else ""
    )
    done = "your orders drafted before it are carried out" if drafted else ""
    return f"{reason} once {' and '.join(part for part in (paid, done) if part)}"


def carried(model: WorldModel, country: str, scheduled: float, drafted: tuple[ActionBase, ...], kept: dict):
    """The model's world as the turn leaves it for the next order, as a copy (the live one untouched).

    `country`'s treasury less `scheduled`, then the `drafted` orders the rules accept applied. A
    shallow copy when only the treasury changes, else a deep one, kept in `kept` for the same
    turn and drafts.
    """
    if not drafted:
        world = copy.copy(model.world)
        world.state = copy.copy(world.state)
        world.state.treasury = world.state.treasury.copy()
        world.state.treasury[world.index.country[country]] -= scheduled
        return world
    key = (id(model.world), model.world.version, model.turn, country, scheduled, drafted)
    if kept.get("key") != key:
        world = copy.deepcopy(model.world)
        world.state.treasury[world.index.country[country]] -= scheduled
        for order in drafted:
            if rules.check(world, order) is None:
                rules.apply(world, order)
        kept.update(key=key, world=world)
    return kept["world"]
