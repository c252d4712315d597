"""Export controls: a ban, a quota or a licence regime on one country's exports of a line.

What a control means for a route is `core.export_control.ExportControl`'s to say; this file puts
controls in force (`impose`, at the start `starting_control`), takes them away (`lift`), and
delivers licensed exports once their delay is over (`arrive_in_transit`). Targets of a new or
tightened control trust its imposer less; a revision that only relaxes a control costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from critmin.core.actions import ImposeExportControl, LiftExportControl
from critmin.core.events import with_reason
from critmin.core.export_control import LICENCE, QUOTA
from critmin.engine.exports import exportable, recent_exports
from critmin.engine.policies import ExportControl, quota_per_turn
from critmin.engine.trade import final_need
from critmin.engine.trust import lose_trust
from critmin.engine.world import World


def check_impose(world: World, action: ImposeExportControl) -> Iterator[str]:
    """A quota needs its tonnes."""
    if action.regime == QUOTA and action.quota_tonnes_per_year is None:
        yield "a quota needs quota_tonnes_per_year"


def check_lift(world: World, action: LiftExportControl) -> Iterator[str]:
    """Something must be in force to lift."""
    keys = [(action.country, action.mineral.value, s.value) for s in action.stages]
    if not any(key in world.policies.controls for key in keys):
        yield f"{action.country} has no export control on {action.mineral.value} at those stages"


def impose(world: World, action: ImposeExportControl) -> None:
    """Put the control in force on each stage; targets trust the imposer less.

    Revising a control in force only to relax it (a larger quota, a higher approval share or a
    shorter delay, for the same or fewer destinations) costs no trust, and a revised licence
    regime keeps the reference exports of the regime it replaces.
    """
    relaxing = True
    for stage in action.stages:
        old = world.policies.controls.get((action.country, action.mineral.value, stage.value))
        new = control_of(world, action, stage.value)
        if old is not None and (old.regime, old.destinations) == (new.regime, new.destinations):
            new = replace(new, reference_tonnes=old.reference_tonnes)
        relaxing = relaxing and relaxes(old, new)
        world.policies.impose(new)
    if not relaxing:
        lose_trust(world, action.country, action.destinations, world.settings.trust_loss_on_control)
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


def control_of(world: World, action: ImposeExportControl, stage: str) -> ExportControl:
    """The control an action puts on one stage, referring to the exports of recent turns."""
    reference = recent_exports(world, action.country, action.mineral.value, stage, action.destinations)
    return control_on(action, stage, reference, since_turn=world.turn)


def control_on(terms, stage: str, reference_tonnes: float, since_turn: int = 0) -> ExportControl:
    """A control on one stage on the terms of an action or a scenario's policy record."""
    return ExportControl(
        country=terms.country,
        mineral=terms.mineral.value,
        stage=stage,
        regime=terms.regime,
        destinations=tuple(sorted(terms.destinations)),
        quota_tonnes_per_turn=quota_per_turn(terms.quota_tonnes_per_year),
        leakage=terms.leakage,
        approval_share=terms.approval_share,
        delay_turns=terms.delay_turns,
        since_turn=since_turn,
        reference_tonnes=reference_tonnes,
    )


def relaxes(old: ExportControl | None, new: ExportControl) -> bool:
    """True if `new` only loosens `old`: same regime, no new destinations, no tighter terms."""
    if old is None or old.regime != new.regime:
        return False
    narrower = not old.destinations or (new.destinations and set(new.destinations) <= set(old.destinations))
    if not narrower:
        return False
    if new.regime == QUOTA:
        return new.cap() >= old.cap()
    if new.regime == LICENCE:
        return new.approval_share >= old.approval_share and new.delay_turns <= old.delay_turns
    return True


def lift(world: World, action: LiftExportControl) -> None:
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


def starting_control(world: World, policy, stage: str) -> ExportControl:
    """A control in force at the start, from the scenario's policy record.

    A licence refers to what the line has to export: its output less what the country's own
    processors and manufacturers use.
    """
    reference = exportable(world, world.position(policy.country, policy.mineral.value, stage))
    return control_on(policy, stage, reference)


def arrive_in_transit(world: World) -> None:
    """Licensed exports whose delay is over reach their buyers.

    What governments bought goes to their stockpiles; the rest to manufacturers, else processors.
    """
    state = world.state
    if busy(state.in_transit) or busy(state.stockpile_in_transit):
        arrive_held(world)
    else:
        arrive_nothing(world)


def arrive_held(world: World) -> None:
    """`arrive_in_transit` worked out on the pipelines: the first turn's goods arrive, the rest move on."""
    state = world.state
    arriving = state.in_transit[0]
    strategic = np.minimum(state.stockpile_in_transit[0], arriving)
    private = arriving - strategic
    has_final = final_need(state) > 0
    state.stockpile += strategic
    state.consumer_stock += np.where(has_final, private, 0.0)
    state.feed_stock += np.where(has_final, 0.0, private)
    world.last.arrived = arriving.copy()
    for pipeline in ("in_transit", "stockpile_in_transit"):
        moved = np.roll(getattr(state, pipeline), -1, axis=0)
        moved[-1] = 0.0
        setattr(state, pipeline, moved)


def busy(pipeline: np.ndarray) -> bool:
    """Whether any entry of `pipeline` is other than +0.0 (its bits; -0.0 counts as busy)."""
    return bool(pipeline.view(np.uint64).any())


def arrive_nothing(world: World) -> None:
    """`arrive_in_transit` with both pipelines all +0.0: the stocks add +0.0, the pipelines stay zeros.

    Adding +0.0 keeps every stock's bits but a -0.0's (made +0.0), as adding the zero arrivals did;
    rolled zeros with a zero last row are the same zeros, so the pipelines are left as they are.
    """
    state = world.state
    for stock in (state.stockpile, state.consumer_stock, state.feed_stock):
        stock += 0.0
    world.last.arrived = np.zeros_like(state.in_transit[0])
