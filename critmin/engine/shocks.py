"""Shocks: the scenario's scripted events, random disruptions, and their wearing off.

A scripted event of the turn is either an action taken for a country (returned to be carried
out with everyone's) or a shock: a disruption of a line, a demand shock, a project coming on
stream, a discovery. Every producing line may also be disrupted at random (strikes, floods,
accidents: `disruption_probability_per_turn`, losing a share drawn from
`disruption_severity`). Disruptions and demand shocks last their turns, then wear off.
"""

from __future__ import annotations

import numpy as np

from critmin.core.actions import ActionBase, scripted_action
from critmin.engine import exploration
from critmin.engine.capacity import build
from critmin.engine.world import World


def scripted_events(world: World) -> list[ActionBase]:
    """Apply the shocks the scenario scripts for this turn; return the actions it scripts."""
    actions = []
    for event in world.scenario.spec.events:
        if event.turn != world.turn:
            continue
        if event.kind == "action":
            actions.append(scripted_action(event.country, event.action, event.title))
        else:
            shock(world, event)
    return actions


def shock(world: World, event) -> None:
    """A scripted disruption, discovery, project or demand shock (an EventSpec)."""
    state = world.state
    c = world.index.country[event.country]
    if event.kind == "demand_shock":
        m = world.index.mineral[event.mineral.value]
        state.demand_shock[c, m] = 1 + event.share
        state.demand_shock_turns[c, m] = event.duration_turns
    elif event.kind == "disruption":
        at = world.position(event.country, event.mineral.value, event.stage.value)
        state.disruption[at] = min(1.0, event.share)
        state.disruption_turns[at] = event.duration_turns
    elif event.kind == "project":
        stage = getattr(event.stage, "value", "mine")
        build(
            world,
            event.country,
            event.mineral.value,
            stage,
            event.tonnes_per_year,
            lead_turns=0,
            unit_cost=event.unit_cost_usd_per_kg,
        )
    else:
        build(world, event.country, event.mineral.value, (event.stage or "mine"), event.tonnes_per_year)
        exploration.scripted_find(world, event.country, event.mineral.value, event.tonnes_per_year)
    world.emit(event.kind, event.country, event.title, mineral=getattr(event.mineral, "value", ""))


def random_disruptions(world: World) -> None:
    """Strikes, floods and accidents: each producing line may lose part of its capacity."""
    state, settings, index = world.state, world.settings, world.index
    draws = world.rng.random(state.capacity.shape)
    severity = world.rng.uniform(*settings.disruption_severity, size=state.capacity.shape)
    hit = (
        (draws < settings.disruption_probability_per_turn)
        & (state.capacity > 0)
        & (state.disruption_turns == 0)
    )
    state.disruption[hit] = severity[hit]
    state.disruption_turns[hit] = 1
    for c, m, s in zip(*np.nonzero(hit), strict=True):
        world.emit(
            "disruption",
            index.countries[c],
            f"disruption cuts {index.countries[c]}'s "
            f"{index.minerals[m]} {index.stages[s]} output by {severity[c, m, s]:.0%}",
            mineral=index.minerals[m],
        )


def wear_off(world: World) -> None:
    """Disruptions and demand shocks wear off."""
    state = world.state
    state.disruption_turns = np.maximum(state.disruption_turns - 1, 0)
    state.disruption[state.disruption_turns == 0] = 0.0
    state.demand_shock_turns = np.maximum(state.demand_shock_turns - 1, 0)
    state.demand_shock[state.demand_shock_turns == 0] = 1.0
